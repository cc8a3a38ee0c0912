"""``infra/grafana``: the committed dashboard is what the script generates, and is provisioned."""

from __future__ import annotations

import importlib.util
import json

import yaml

from tests.support.prometheus import INFRA
from tests.support.promql import DASHBOARD

GRAFANA = INFRA / "grafana"


def build_module():
    spec = importlib.util.spec_from_file_location("build_dashboard", GRAFANA / "build_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_dashboard_is_the_generated_one() -> None:
    module = build_module()
    assert module.OUTPUT == DASHBOARD
    assert DASHBOARD.read_text() == module.render(), "run python infra/grafana/build_dashboard.py and commit"


def test_dashboard_has_the_overview_panels_on_the_provisioned_datasource() -> None:
    board = json.loads(DASHBOARD.read_text())
    assert board["title"] == "Archivist overview"
    panels = [panel for panel in board["panels"] if panel["type"] != "row"]
    assert {panel["title"] for panel in panels} >= {
        "Throughput", "Failures by reason", "Fetch latency", "Extraction latency", "End-to-end latency",
        "Queue depth", "Dead letters", "Dedup ratio", "Storage growth", "Workers",
    }
    sources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    uids = {source["uid"] for source in sources["datasources"]}
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert {query["datasource"]["uid"] for query in panel["targets"]} <= uids, panel["title"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))


def test_panels_do_not_overlap() -> None:
    cells = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        pos = panel["gridPos"]
        area = {(x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & area, panel["title"]
        assert pos["x"] + pos["w"] <= 24
        cells |= area

