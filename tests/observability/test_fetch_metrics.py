"""``archivist_fetches_total`` labels a page by the status class of the answer it got."""

from __future__ import annotations

from prometheus_client import REGISTRY

from archivist import pipeline, views
from archivist.settings import get_settings
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer


def fetches(outcome: str, status_class: str) -> float:
    labels = {"outcome": outcome, "status_class": status_class}
    return REGISTRY.get_sample_value("archivist_fetches_total", labels) or 0.0


def test_a_page_answered_4xx_is_a_failed_fetch_of_class_4xx_not_none(embedded_settings, pages: PageServer) -> None:
    """``none`` means no answer came back (a timeout, a refused connection): a site that answered
    404 or 410 did answer, and the operator reading the panel needs to tell the two apart."""
    gone = pages.set("/gone", "removed", status=410, headers={"Content-Type": "text/html"})
    before_4xx, before_none = fetches("failed", "4xx"), fetches("failed", "none")
    with EmbeddedWorkers(get_settings()) as workers:
        (submission,) = pipeline.submit(workers.runtime, [gone])
        workers.drain()
        capture = views.get_capture(workers.runtime, submission.id)
    assert (capture["status"], capture["reason"]) == ("failed", "http_4xx")
    assert fetches("failed", "4xx") - before_4xx == 1
    assert fetches("failed", "none") == before_none
