"""robots.txt and host manners through the real pipeline (embedded workers, local HTTP server)."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest

from archivist import pipeline, views
from archivist.settings import get_settings
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer, Route

HTML = "<html><head><title>t</title></head><body><p>{}</p></body></html>"


def archive(urls: list[str]) -> list[dict]:
    with EmbeddedWorkers(get_settings()) as workers:
        submitted = pipeline.submit(workers.runtime, urls)
        workers.drain()
        return [views.get_capture(workers.runtime, s.id) for s in submitted]


def test_robots_txt_disallow_fails_the_capture(embedded_settings, pages: PageServer) -> None:
    pages.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    allowed = pages.set("/public/a", HTML.format("open"))
    refused = pages.set("/private/b", HTML.format("closed"))
    first, second = archive([allowed, refused])
    assert first["status"] == "archived"
    assert (second["status"], second["reason"]) == ("failed", "robots_disallowed")
    assert "/private/b" not in pages.hits
    assert pages.hits["/robots.txt"] == 1  # cached for the host


def test_a_robots_txt_starting_with_a_byte_order_mark_is_honoured(embedded_settings, pages: PageServer) -> None:
    pages.set("/robots.txt", "\ufeffUser-agent: *\nDisallow: /private/\n".encode(),
              headers={"Content-Type": "text/plain; charset=utf-8"})
    (capture,) = archive([pages.set("/private/c", HTML.format("closed"))])
    assert (capture["status"], capture["reason"]) == ("failed", "robots_disallowed")
    assert "/private/c" not in pages.hits


def test_a_redirect_into_a_disallowed_path_is_not_followed(embedded_settings, pages: PageServer) -> None:
    """Every hop of a redirect is a request of its own: robots.txt rules apply to it."""
    pages.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    pages.set("/private/d", HTML.format("closed"))
    moved = pages.set("/moved", status=302, headers={"Location": "/private/d"})
    (capture,) = archive([moved])
    assert (capture["status"], capture["reason"]) == ("failed", "robots_disallowed")
    assert pages.hits.get("/moved") == 1 and "/private/d" not in pages.hits


def test_robots_txt_can_be_ignored_by_configuration(embedded_settings, pages, monkeypatch) -> None:
    monkeypatch.setenv("ARCHIVIST_RESPECT_ROBOTS", "0")
    get_settings.cache_clear()
    pages.set("/robots.txt", "User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"})
    (capture,) = archive([pages.set("/x", HTML.format("x"))])
    assert capture["status"] == "archived"
    assert "/robots.txt" not in pages.hits


def test_crawl_delay_spaces_requests_to_one_host(embedded_settings, pages: PageServer) -> None:
    pages.set("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", headers={"Content-Type": "text/plain"})
    urls = [pages.set(f"/p{n}", HTML.format(n)) for n in range(3)]
    started = time.monotonic()
    captures = archive(urls)
    assert [c["status"] for c in captures] == ["archived"] * 3
    assert time.monotonic() - started >= 2.0  # three requests, at least one second apart


def test_request_rate_spaces_requests_to_one_host(embedded_settings, pages, monkeypatch) -> None:
    monkeypatch.setenv("ARCHIVIST_HOST_MIN_INTERVAL", "0")
    get_settings.cache_clear()
    pages.set("/robots.txt", "User-agent: *\nRequest-rate: 2/3s\n", headers={"Content-Type": "text/plain"})
    urls = [pages.set(f"/r{n}", HTML.format(n)) for n in range(3)]
    started = time.monotonic()
    captures = archive(urls)
    assert [c["status"] for c in captures] == ["archived"] * 3
    assert time.monotonic() - started >= 3.0  # two requests every three seconds: 1.5 s apart


@pytest.mark.parametrize(("status", "outcome"), [(404, "archived"), (503, "failed")])
def test_robots_txt_status_rules(embedded_settings, pages, monkeypatch, status, outcome) -> None:
    """RFC 9309: an absent robots.txt allows all; a failing one means not now (retried, then failed)."""
    monkeypatch.setenv("ARCHIVIST_FETCH_MAX_RETRIES", "1")
    get_settings.cache_clear()
    pages.set("/robots.txt", "oops", status=status, headers={"Content-Type": "text/plain"})
    (capture,) = archive([pages.set("/y", HTML.format("y"))])
    assert capture["status"] == outcome
    if outcome == "failed":
        assert capture["reason"] == "robots_unavailable"


def test_sites_on_two_ports_of_one_host_share_its_spacing(embedded_settings, pages, monkeypatch) -> None:
    monkeypatch.setenv("ARCHIVIST_HOST_MIN_INTERVAL", "1.5")
    get_settings.cache_clear()
    answered: list[float] = []

    def page(handler: BaseHTTPRequestHandler) -> None:
        answered.append(time.monotonic())
        body = HTML.format("p").encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    other = PageServer().start()
    try:
        for server in (pages, other):
            server.routes["/p"] = Route(handler=page)
        with EmbeddedWorkers(get_settings(), threads=2) as workers:
            submitted = pipeline.submit(workers.runtime, [pages.url("/p"), other.url("/p")])
            workers.drain()
            captures = [views.get_capture(workers.runtime, s.id) for s in submitted]
    finally:
        other.stop()
    assert [c["status"] for c in captures] == ["archived"] * 2
    assert abs(answered[1] - answered[0]) >= 1.4  # 127.0.0.1 is one server, on whichever port


def test_a_batch_of_one_site_waits_its_turn_without_failing(embedded_settings, pages, monkeypatch) -> None:
    """Many URLs of one host and more workers than its pace allows: all archived, none host_busy.

    Waiting for the host's turn is politeness, not a failure: it neither books turns that nobody
    takes (the host would sit idle while every worker is told it is busy) nor spends the retries
    that a real fault needs.
    """
    monkeypatch.setenv("ARCHIVIST_HOST_MIN_INTERVAL", "0.2")
    monkeypatch.setenv("ARCHIVIST_HOST_MAX_WAIT", "0.5")
    monkeypatch.setenv("ARCHIVIST_FETCH_MAX_RETRIES", "2")
    get_settings.cache_clear()
    urls = [pages.set(f"/story/{n}", HTML.format(n)) for n in range(24)]
    with EmbeddedWorkers(get_settings(), threads=12) as workers:
        submitted = pipeline.submit(workers.runtime, urls)
        workers.drain()
        captures = [views.get_capture(workers.runtime, s.id) for s in submitted]
    assert [(c["status"], c["reason"]) for c in captures] == [("archived", None)] * len(urls)
    assert set(pages.page_hits.values()) == {1}


def test_a_changed_robots_txt_reaches_every_worker_when_the_shared_copy_expires(
    pages: PageServer, redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers' politeness on one Redis: one fetch serves both, and both drop their parsed
    copies when the shared one expires, not a cache period after each parsed it."""
    from archivist import politeness
    from archivist.adapters.fetcher import Fetcher
    from archivist.adapters.hostgate import RedisHostGate
    from archivist.core.errors import RobotsDisallowed

    monkeypatch.setattr(politeness, "ROBOTS_TTL", 1.0)
    monkeypatch.setenv("ARCHIVIST_ALLOW_PRIVATE_NETWORKS", "1")
    get_settings.cache_clear()
    fetcher = Fetcher(get_settings().fetch_policy)
    workers = [
        politeness.Politeness(gate=RedisHostGate(redis_url, concurrency=2, slot_ttl=60, namespace=redis_namespace),
                              fetcher=lambda: fetcher, user_agent="archivist/1", respect_robots=True,
                              min_interval=0, max_wait=10)
        for _ in range(2)
    ]
    pages.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    workers[0].check_robots(pages.url("/news/a"))
    time.sleep(0.5)
    workers[1].check_robots(pages.url("/news/a"))  # half the period left: the shared copy
    pages.set("/robots.txt", "User-agent: *\nDisallow: /news/\n", headers={"Content-Type": "text/plain"})
    time.sleep(0.6)  # the shared copy, fetched 1.1 s ago, has expired; worker 1 parsed it 0.6 s ago
    for worker in workers:
        with pytest.raises(RobotsDisallowed):
            worker.check_robots(pages.url("/news/a"))
    fetcher.close()
    assert pages.hits["/robots.txt"] == 2
