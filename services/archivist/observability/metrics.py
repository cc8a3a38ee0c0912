"""Every ``archivist_*`` metric, defined once.

Names follow Prometheus conventions (base units in the name, ``_total`` counters, ``_seconds``
histograms). Label values come from bounded sets only: an outcome, an HTTP status class, a
failure reason from the error tree, a queue name. Never a URL or a host.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "CAPTURES_FINISHED",
    "CAPTURE_LATENCY",
    "EXTRACTIONS",
    "EXTRACTION_DURATION",
    "FETCHES",
    "FETCHED_BYTES",
    "FETCH_DURATION",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_DURATION",
    "RECORD_VERSIONS",
    "REVISITS",
    "STEP_ERRORS",
    "STORED_BYTES",
    "SUBMISSIONS",
    "status_class",
]

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
#: A capture's end-to-end time includes its wait in the queue: hours behind a backlog. Past the
#: last finite bucket a quantile only reads as that bound, so these go up to a day.
_CAPTURE_LATENCY_BUCKETS = (*_LATENCY_BUCKETS, 1800, 3600, 7200, 14400, 28800, 86400)

SUBMISSIONS = Counter(
    "archivist_submissions_total",
    "URLs submitted for capture, by outcome (accepted, rejected) and rejection reason.",
    ["outcome", "reason"],
)
FETCHES = Counter(
    "archivist_fetches_total",
    "Page fetches by outcome (ok, revisit, failed) and HTTP status class (2xx..5xx, none).",
    ["outcome", "status_class"],
)
FETCH_DURATION = Histogram(
    "archivist_fetch_duration_seconds", "Time to fetch one page, redirects included.", buckets=_LATENCY_BUCKETS
)
FETCHED_BYTES = Counter("archivist_fetched_bytes_total", "Response body bytes received, as sent.")
STORED_BYTES = Counter("archivist_stored_bytes_total", "Bytes written to the object store (WARC, gzipped).")
REVISITS = Counter("archivist_revisits_total",
                   "Re-captures whose payload was identical, or that the site answered 304: no body stored.")
EXTRACTIONS = Counter(
    "archivist_extractions_total", "Extractions by outcome (ok, failed) and failure reason.", ["outcome", "reason"]
)
EXTRACTION_DURATION = Histogram(
    "archivist_extraction_duration_seconds",
    "Time to extract one document (all its pages).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RECORD_VERSIONS = Counter("archivist_record_versions_total", "New record versions written (content changed).")
STEP_ERRORS = Counter(
    "archivist_step_errors_total",
    "Pipeline steps (fetch_capture, extract_capture, reextract_capture) that raised and will be retried, by reason.",
    ["step", "reason"],
)
CAPTURES_FINISHED = Counter(
    "archivist_captures_total", "Captures that reached a final status (archived, failed), by reason.", ["status", "reason"]
)
CAPTURE_LATENCY = Histogram(
    "archivist_capture_latency_seconds",
    "End-to-end time from submission to the archived record.",
    buckets=_CAPTURE_LATENCY_BUCKETS,
)

HTTP_REQUESTS = Counter(
    "archivist_http_requests_total",
    "Requests the API and the web pages answered, by route template, method and status class.",
    ["route", "method", "status_class"],
)
HTTP_REQUEST_DURATION = Histogram(
    "archivist_http_request_duration_seconds",
    "Time to answer a request, until its last byte was sent, by route template.",
    ["route"],
    buckets=_LATENCY_BUCKETS,
)


def status_class(status: int | None) -> str:
    """``2xx``..``5xx``, or ``none`` when no response came back."""
    if not status or not 100 <= status < 600:
        return "none"
    return f"{status // 100}xx"
