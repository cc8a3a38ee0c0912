"""What the workers count as they fetch: the status class of each answer, the end-to-end latency."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from archivist import pipeline, views
from archivist.adapters.catalog import CaptureRow
from archivist.core.urls import urlkey
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


def latency_buckets() -> dict[float, float]:
    (family,) = [f for f in REGISTRY.collect() if f.name == "archivist_capture_latency_seconds"]
    return {float(s.labels["le"]): s.value for s in family.samples if s.name.endswith("_bucket")}


def test_a_capture_archived_hours_after_submission_is_measured_not_capped(embedded_settings, pages: PageServer) -> None:
    """Behind a backlog, captures wait hours between submission and their record. Their latency
    must land in a finite bucket, or every end-to-end quantile reads as the top bound (600 s)."""
    url = pages.set("/late", "<html><head><title>Late</title></head><body><article><p>" + "text " * 80
                    + "</p></article></body></html>")
    three_hours_ago = datetime.now(UTC) - timedelta(hours=3)
    before = latency_buckets()
    with EmbeddedWorkers(get_settings()) as workers:
        runtime = workers.runtime
        with runtime.database.session() as session:
            runtime.catalog.add_captures(session, [CaptureRow(
                id="late", url=url, urlkey=urlkey(url), status="queued", submitted_at=three_hours_ago,
                updated_at=three_hours_ago, attempts=0)])
        runtime.queue.enqueue_fetch(["late"])
        workers.drain()
        assert views.get_capture(runtime, "late")["status"] == "archived"
    counted = {le: value - before.get(le, 0) for le, value in latency_buckets().items()}
    assert counted[float("inf")] == 1
    assert any(count == 1 for le, count in counted.items() if 3 * 3600 <= le < float("inf")), counted


def extractions(outcome: str, reason: str) -> float:
    return REGISTRY.get_sample_value("archivist_extractions_total", {"outcome": outcome, "reason": reason}) or 0.0


def test_a_reextraction_that_fails_for_good_counts_as_a_failed_extraction(
    embedded_settings, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-extraction changes no capture, so ``archivist_captures_total`` cannot show it: when
    its message is dead-lettered (here, the stored pages are gone and no retry is left), the
    failure must still reach the dashboard's failures, as a failed extraction with its reason."""
    monkeypatch.setenv("ARCHIVIST_EXTRACT_MAX_RETRIES", "0")
    get_settings.cache_clear()
    url = pages.set("/again", "<html><head><title>Again</title></head><body><article><p>" + "text " * 80
                    + "</p></article></body></html>")
    with EmbeddedWorkers(get_settings()) as workers:
        (submission,) = pipeline.submit(workers.runtime, [url])
        workers.drain()
        assert views.get_capture(workers.runtime, submission.id)["status"] == "archived"
        shutil.rmtree(get_settings().objects_dir)
        before = extractions("failed", "snapshot_missing")
        workers.runtime.queue.enqueue_reextract([submission.id])
        workers.drain()
    assert extractions("failed", "snapshot_missing") - before == 1
