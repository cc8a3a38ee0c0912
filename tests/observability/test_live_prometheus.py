"""A real Prometheus scrapes a real API and worker during captures; every dashboard query and
alert expression is then evaluated by it.

The dashboard's ``$__rate_interval`` (Grafana's) becomes one minute here: with one-second
scrapes that holds plenty of samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from archivist.demo import serve_sample_site
from tests.support.pages import wait_for
from tests.support.processes import ApiServer, Service
from tests.support.prometheus import PrometheusServer
from tests.support.promql import alert_expressions, dashboard_queries
from tests.support.seaweed import free_port

RATE_INTERVAL = "1m"


@pytest.fixture
def prometheus(production_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[PrometheusServer, ApiServer]]:
    worker_port = free_port()
    env = {**production_env, "ARCHIVIST_WORKER_METRICS_PORT": str(worker_port)}
    worker = Service(["worker", "--processes", "1", "--threads", "4"], env, tmp_path / "worker.log").start()
    api = ApiServer(env, tmp_path / "api.log")
    server = PrometheusServer(
        tmp_path, {"archivist-api": f"127.0.0.1:{api.port}", "archivist-worker": f"127.0.0.1:{worker_port}"}
    )
    try:
        api.start()
        server.start()
        yield server, api
    finally:
        server.stop()
        api.stop()
        worker.stop()
        print("--- worker log ---\n" + worker.output()[-3000:])
        if server.log.exists():  # not when prometheus is missing and the test is skipped
            print("--- prometheus log ---\n" + server.log.read_text()[-2000:])


def capture_all(client: httpx.Client, urls: list[str]) -> list[dict]:
    answer = client.post("/v1/captures", json={"urls": urls})
    assert answer.status_code == 202, answer.text

    def finished(capture_id: str) -> dict | None:
        body = client.get(f"/v1/captures/{capture_id}").json()
        return body if body["status"] in ("archived", "failed") else None

    return [wait_for(lambda c=c: finished(c["id"]), timeout=60, what=f"capture {c['id']}")
            for c in answer.json()["captures"]]


def rule_health(server: PrometheusServer) -> dict[str, str]:
    groups = httpx.get(f"{server.base_url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    return {rule["name"]: rule["health"] for group in groups for rule in group["rules"]}


def values(server: PrometheusServer, expr: str) -> list[float]:
    return [float(series["value"][1]) for series in server.query(expr)["result"]]


def test_dashboard_and_alerts_evaluate_on_scraped_metrics(prometheus: tuple[PrometheusServer, ApiServer]) -> None:
    server, api = prometheus
    wait_for(lambda: values(server, "sum(up)") == [2.0], timeout=60, what="the API and the worker scraped")

    with serve_sample_site() as site, httpx.Client(base_url=api.base_url, timeout=30) as client:
        article = site.start_url
        first = capture_all(client, [article, f"{site.base_url}/story.php?id=8&page=1",
                                     f"{site.base_url}/missing.html", "gopher://example.org/"])
        assert [c["status"] for c in first] == ["archived", "archived", "failed", "failed"], first
        # The counters exist in Prometheus before the second wave, so rate() sees it increase.
        wait_for(lambda: values(server, 'archivist_captures_total{job="archivist-worker",status="archived"}'),
                 timeout=20, what="the worker's counters in prometheus")
        second = capture_all(client, [article, f"{site.base_url}/story.php?id=9&page=2"])
        assert [c["status"] for c in second] == ["archived", "archived"], second

    throughput = [expr.replace("$__rate_interval", RATE_INTERVAL)
                  for title, expr in dashboard_queries() if title == "Throughput"]
    assert len(throughput) == 4
    for expr in throughput:
        wait_for(lambda e=expr: any(v > 0 for v in values(server, e)), timeout=20, what=f"a rate from {expr}")
    assert values(server, f"sum(increase(archivist_revisits_total[{RATE_INTERVAL}]))")[0] > 0
    # Both queues drained: the next scrapes show it (the last one may predate the final acks).
    wait_for(lambda: sorted(values(server, 'archivist_queue_messages{job="archivist-api"}')) == [0.0, 0.0],
             timeout=20, what="both queues to show empty")
    # Five fetch messages reached the worker (the gopher URL is refused at submission; each
    # archived capture is extracted in its fetch delivery, more if one fell back to `extract`).
    wait_for(lambda: values(server, 'sum(dramatiq_messages_total{job="archivist-worker"})')[0] >= 5,
             timeout=20, what="Dramatiq's message counter from the worker")

    for _title, expr in dashboard_queries():
        server.query(expr.replace("$__rate_interval", RATE_INTERVAL))
    for _name, expr in alert_expressions():
        server.query(expr)
    # Prometheus loaded the real rule file and evaluates every rule without error.
    assert set(rule_health(server)) == {name for name, _expr in alert_expressions()}
    wait_for(lambda: set(rule_health(server).values()) == {"ok"}, timeout=10, what="every rule evaluated")
