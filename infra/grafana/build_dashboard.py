"""Generate ``dashboards/archivist-overview.json``, the "Archivist overview" Grafana dashboard.

Run ``python infra/grafana/build_dashboard.py`` after editing, and commit both files;
``tests/infra/test_grafana.py`` fails while the JSON is stale. Queries use Grafana's
``$__rate_interval``; every metric they name must be one the code exports (checked by
``tests/observability/test_metric_references.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

OUTPUT = Path(__file__).parent / "dashboards" / "archivist-overview.json"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
RATE = "$__rate_interval"
WIDTH = 24


def target(expr: str, legend: str) -> dict:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend}


def rate(selector: str, *, by: str = "") -> str:
    grouping = f" by ({by}) " if by else ""
    return f"sum{grouping}(rate({selector}[{RATE}]))"


def quantiles(histogram: str) -> list[dict]:
    buckets = rate(f"{histogram}_bucket", by="le")
    return [target(f"histogram_quantile({q}, {buckets})", f"p{round(q * 100)}") for q in (0.5, 0.95, 0.99)]


def panel(title: str, description: str, targets: list[dict], *, unit: str, kind: str = "timeseries") -> dict:
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}},
        "targets": [{**query, "refId": chr(ord("A") + index)} for index, query in enumerate(targets)],
    }


def row(title: str) -> dict:
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


def layout(rows: list[tuple[dict, list[dict]]]) -> list[dict]:
    """Rows one under the other; a row's panels share its width equally, 8 units high."""
    panels, y, next_id = [], 0, 1
    for header, members in rows:
        panels.append({**header, "id": next_id, "gridPos": {"h": 1, "w": WIDTH, "x": 0, "y": y}})
        next_id, y = next_id + 1, y + 1
        width = WIDTH // len(members)
        for column, member in enumerate(members):
            panels.append({**member, "id": next_id, "gridPos": {"h": 8, "w": width, "x": column * width, "y": y}})
            next_id += 1
        y += 8
    return panels


def dashboard() -> dict:
    throughput = panel(
        "Throughput",
        "Accepted submissions, pages fetched, extractions and captures archived, per second.",
        [
            target(rate('archivist_submissions_total{outcome="accepted"}'), "submitted"),
            target(rate("archivist_fetches_total"), "fetched (pages)"),
            target(rate("archivist_extractions_total"), "extracted"),
            target(rate('archivist_captures_total{status="archived"}'), "archived"),
        ],
        unit="ops",
    )
    failures = panel(
        "Failures by reason",
        "Captures that ended failed, extractions that failed (re-extractions too, which end no capture), "
        "submissions refused, and step errors that will be retried.",
        [
            target(rate('archivist_captures_total{status="failed"}', by="reason"), "failed: {{reason}}"),
            target(rate('archivist_extractions_total{outcome="failed"}', by="reason"), "extraction failed: {{reason}}"),
            target(rate('archivist_submissions_total{outcome="rejected"}', by="reason"), "rejected: {{reason}}"),
            target(rate("archivist_step_errors_total", by="step, reason"), "retrying {{step}}: {{reason}}"),
        ],
        unit="ops",
    )
    fetch_latency = panel("Fetch latency", "Time to fetch one page, redirects included.",
                          quantiles("archivist_fetch_duration_seconds"), unit="s")
    extraction_latency = panel("Extraction latency", "Time to extract one document, all its pages.",
                               quantiles("archivist_extraction_duration_seconds"), unit="s")
    end_to_end = panel("End-to-end latency", "From submission to the archived record.",
                       quantiles("archivist_capture_latency_seconds"), unit="s")
    # The queue gauges are Redis's counts, which every API process reads and exports alike:
    # max, not sum, or two API processes would show twice the backlog.
    queues = panel(
        "Queue depth",
        "Messages not acknowledged yet (waiting or held by a worker), and retries waiting out their backoff.",
        [
            target("max by (queue) (archivist_queue_messages)", "{{queue}}"),
            target("max by (queue) (archivist_queue_delayed_messages)", "{{queue}} delayed"),
        ],
        unit="short",
    )
    dead_letters = panel("Dead letters", "Messages that exhausted their retries (kept 7 days by Dramatiq).",
                         [target("max by (queue) (archivist_queue_dead_letters)", "{{queue}}")], unit="short")
    workers = panel(
        "Workers",
        "Worker containers answering on their metrics port, and messages being processed.",
        [
            target('sum(up{job="archivist-worker"})', "workers up"),
            target("sum(dramatiq_messages_inprogress)", "messages in progress"),
        ],
        unit="short",
    )
    dedup = panel(
        "Dedup ratio",
        "Revisits (payload identical to the previous capture, no body stored) over pages fetched.",
        [target(f"{rate('archivist_revisits_total')} / {rate('archivist_fetches_total')}", "revisits / fetches")],
        unit="percentunit",
    )
    storage = panel(
        "Storage growth",
        "Bytes written to the object store (gzipped WARC) and bytes received, per second.",
        [
            target(rate("archivist_stored_bytes_total"), "stored"),
            target(rate("archivist_fetched_bytes_total"), "received"),
        ],
        unit="Bps",
    )
    versions = panel(
        "Record versions",
        "New record versions (the content changed) and revisits, per second.",
        [
            target(rate("archivist_record_versions_total"), "new versions"),
            target(rate("archivist_revisits_total"), "revisits"),
        ],
        unit="ops",
    )
    requests = panel(
        "API requests",
        "Requests the API and the web pages answered per second, by status class.",
        [target(rate("archivist_http_requests_total", by="status_class"), "{{status_class}}")],
        unit="reqps",
    )
    request_errors = panel(
        "API errors by route",
        "Server errors (5xx) per second, by route template.",
        [target(rate('archivist_http_requests_total{status_class="5xx"}', by="route"), "{{route}}")],
        unit="reqps",
    )
    request_latency = panel(
        "API latency",
        "95th percentile of the time to answer a request (until its last byte), by route template.",
        [target(f"histogram_quantile(0.95, {rate('archivist_http_request_duration_seconds_bucket', by='le, route')})",
                "{{route}}")],
        unit="s",
    )
    return {
        "uid": "archivist-overview",
        "title": "Archivist overview",
        "tags": ["archivist"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {"list": []},
        "panels": layout([
            (row("Throughput and failures"), [throughput, failures]),
            (row("Latency"), [fetch_latency, extraction_latency, end_to_end]),
            (row("Queues and workers"), [queues, dead_letters, workers]),
            (row("Storage and deduplication"), [dedup, storage, versions]),
            (row("API"), [requests, request_errors, request_latency]),
        ]),
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render())
