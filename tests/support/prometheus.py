"""The Prometheus binaries (Debian's ``prometheus`` package) and a real server for tests.

Without the binaries a test is skipped on a developer machine, and fails in CI (``CI=true``),
where ``.ci/run`` installs them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.pages import wait_for
from tests.support.seaweed import free_port

INFRA = Path(__file__).resolve().parents[2] / "infra"


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        message = f"{name} is missing: apt-get install prometheus"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


class PrometheusServer:
    """``prometheus`` on a loopback port, scraping the given targets every second.

    The scrape jobs keep the names of ``infra/prometheus/prometheus.yml`` and the rule file
    is the real one, so queries and alerts see the labels they would in production.
    """

    def __init__(self, workdir: Path, targets: dict[str, str]) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "prometheus.log"
        self.process: subprocess.Popen | None = None
        production = yaml.safe_load((INFRA / "prometheus" / "prometheus.yml").read_text())
        jobs = {job["job_name"] for job in production["scrape_configs"]}
        if not set(targets) <= jobs:
            raise ValueError(f"unknown jobs {set(targets) - jobs}; infra/prometheus/prometheus.yml has {jobs}")
        self.config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(INFRA / "prometheus" / name) for name in production["rule_files"]],
            "scrape_configs": [
                {"job_name": job, "static_configs": [{"targets": [target]}]} for job, target in targets.items()
            ],
        }

    def start(self) -> PrometheusServer:
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.config))
        self.process = subprocess.Popen(
            [binary("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"prometheus exited: {self.log.read_text()[-3000:]}")
            try:
                return httpx.get(f"{self.base_url}/-/ready", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=30, what="prometheus to be ready")
        return self

    def query(self, expr: str) -> dict:
        """The ``data`` of an instant query; raises on an invalid expression."""
        answer = httpx.get(f"{self.base_url}/api/v1/query", params={"query": expr}, timeout=10)
        body = answer.json()
        if answer.status_code != 200 or body.get("status") != "success":
            raise AssertionError(f"query failed ({answer.status_code}): {expr}\n{body}")
        return body["data"]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
