"""The API counts and times every request it answers, by route template, through a real
``archivist serve`` process: the operator sees errors and latency per route, and no URL a client
asked for ever becomes a label value."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import ApiServer
from tests.support.seaweed import free_port


def _samples(base_url: str) -> dict[tuple[str, frozenset], float]:
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name.startswith("archivist_http_")}


def test_requests_are_counted_and_timed_by_route_template(production_env: dict[str, str], tmp_path: Path) -> None:
    # PostgreSQL unreachable: the routes that need it answer 503, which must count as 5xx.
    env = {**production_env, "ARCHIVIST_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/none"}
    server = ApiServer(env, tmp_path / "api.log").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for url in ("https://a.example/one", "https://b.example/two"):
                assert client.get("/v1/records", params={"url": url}).status_code == 503
            assert client.get("/v1/records", params={"version": "0"}).status_code == 422
            assert client.get("/web/2024/https://a.example/one").status_code == 503
            assert client.get("/no/such/page").status_code == 404
            assert client.put("/v1/schedules", json={}).status_code == 405
        samples = _samples(server.base_url)
    finally:
        server.stop()

    def requests(route: str, method: str, status_class: str) -> float:
        labels = frozenset({"route": route, "method": method, "status_class": status_class}.items())
        return samples.get(("archivist_http_requests_total", labels), 0)

    assert requests("/v1/records", "GET", "5xx") == 2
    assert requests("/v1/records", "GET", "4xx") == 1
    assert requests("/web/{path:path}", "GET", "5xx") == 1
    assert requests("unmatched", "GET", "4xx") == 1
    assert requests("/v1/schedules", "PUT", "4xx") == 1
    assert requests("/healthz", "GET", "2xx") >= 1  # the server's readiness probe
    timed = samples[("archivist_http_request_duration_seconds_count", frozenset({"route": "/v1/records"}.items()))]
    assert timed == 3
    routes = {dict(labels).get("route") for _, labels in samples}
    assert not any("example" in route for route in routes if route), routes
