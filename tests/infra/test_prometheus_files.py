"""``infra/prometheus``: valid for the real promtool, and every alert tested and documented."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.support.prometheus import INFRA, binary

PROMETHEUS = INFRA / "prometheus"
OPERATIONS = INFRA.parent / "docs" / "OPERATIONS.md"
REQUIRED_ALERTS = {
    "ArchivistCaptureFailureRateHigh", "ArchivistQueueBacklogGrowing", "ArchivistNoThroughput",
    "ArchivistDeadLetters", "ArchivistFetchLatencyHigh", "ArchivistTargetDown",
}


def promtool(*args: str, cwd: Path = PROMETHEUS) -> None:
    done = subprocess.run([binary("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def alert_rules() -> list[dict]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_promtool_accepts_the_config() -> None:
    promtool("check", "config", "prometheus.yml")


def test_promtool_accepts_the_rules() -> None:
    promtool("check", "rules", "alerts.yml")


def test_alert_unit_tests_pass() -> None:
    promtool("test", "rules", "alerts.test.yml")


def test_required_alerts_exist_and_each_is_unit_tested() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert REQUIRED_ALERTS <= names
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case.get("exp_alerts")}
    assert tested == names


def test_every_alert_has_a_runbook_section_in_operations() -> None:
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", OPERATIONS.read_text(), flags=re.MULTILINE)
    }
    for rule in alert_rules():
        runbook = rule["annotations"]["runbook"]
        path, _, anchor = runbook.partition("#")
        assert path == "docs/OPERATIONS.md", rule["alert"]
        assert anchor in anchors, f"{rule['alert']}: no heading for #{anchor} in docs/OPERATIONS.md"
