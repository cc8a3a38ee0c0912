"""Turn what each pipeline step did into ``archivist_*`` metrics."""

from __future__ import annotations

from archivist import pipeline
from archivist.observability import metrics

__all__ = ["observe"]


def observe(outcome: pipeline.FetchOutcome | pipeline.ExtractOutcome | pipeline.ReextractOutcome) -> None:
    if isinstance(outcome, pipeline.FetchOutcome):
        _fetch(outcome)
        if outcome.extraction is not None:
            _extract(outcome.extraction)
    elif isinstance(outcome, pipeline.ReextractOutcome):
        _reextract(outcome)
    else:
        _extract(outcome)


def _fetch(outcome: pipeline.FetchOutcome) -> None:
    for page in outcome.pages:
        if page.revisit:
            metrics.REVISITS.inc()
        label = "revisit" if page.revisit else "ok" if page.stored_bytes else "failed"
        metrics.FETCHES.labels(label, metrics.status_class(page.status)).inc()
        metrics.FETCH_DURATION.observe(page.seconds)
        metrics.FETCHED_BYTES.inc(page.received_bytes)
        metrics.STORED_BYTES.inc(page.stored_bytes)
    if outcome.failed_reason:
        metrics.CAPTURES_FINISHED.labels("failed", outcome.failed_reason).inc()


def _extract(outcome: pipeline.ExtractOutcome) -> None:
    if outcome.skipped:
        return
    if outcome.failed_reason:
        metrics.EXTRACTIONS.labels("failed", outcome.failed_reason).inc()
        metrics.CAPTURES_FINISHED.labels("failed", outcome.failed_reason).inc()
        return
    metrics.EXTRACTIONS.labels("ok", "").inc()
    metrics.EXTRACTION_DURATION.observe(outcome.seconds)
    if outcome.new_version:
        metrics.RECORD_VERSIONS.inc()
    metrics.CAPTURES_FINISHED.labels("archived", "").inc()
    if outcome.latency_seconds is not None:
        metrics.CAPTURE_LATENCY.observe(outcome.latency_seconds)


def _reextract(outcome: pipeline.ReextractOutcome) -> None:
    """Re-extraction counts as an extraction and may make a version; it finishes no capture."""
    if outcome.skipped:
        return
    if outcome.failed_reason:
        metrics.EXTRACTIONS.labels("failed", outcome.failed_reason).inc()
        return
    metrics.EXTRACTIONS.labels("ok", "").inc()
    metrics.EXTRACTION_DURATION.observe(outcome.seconds)
    if outcome.new_version:
        metrics.RECORD_VERSIONS.inc()
