"""Scale: do the hot catalog queries and submission stay flat from 1k to 100k captures?

On a fresh PostgreSQL database (see :mod:`bench.stack`) the catalog is filled with synthetic
archived captures (one snapshot, one record and one version each) up to each size, then:

* each hot query of the pipeline (claim_fetch, latest_response, record_head,
  snapshots_for_capture, captures_for_url) is timed through :class:`Catalog` on random keys
  (median of ``--calls`` calls, each in its own transaction as the pipeline runs them), and its
  plan is shown (``EXPLAIN`` of the exact statement and parameters SQLAlchemy sent);
* ``pipeline.submit`` of 1,000 new URLs is timed, plain and with ``if_not_archived_within``.

The baseline for a query is ``SELECT 1`` in its own transaction (a round trip through the same
session machinery): the ratio says how far above an empty round trip the query is.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.scale [--sizes 1000 100000] [--calls 300]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, text

from archivist import pipeline
from archivist.adapters.catalog import CaptureRow, RecordRow, RecordVersionRow, SnapshotRow
from archivist.core.urls import urlkey
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.queue import redis_task_queue
from bench.stack import machine, median, running_stack

FILL_BATCH = 5000


def fill(runtime: Runtime, start: int, stop: int) -> None:
    """Add archived captures ``start..stop`` (one snapshot, record and version each)."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for first in range(start, stop, FILL_BATCH):
        captures, snapshots, records, versions = [], [], [], []
        for i in range(first, min(first + FILL_BATCH, stop)):
            url = f"https://site{i % 500}.example.org/news/{i}"
            key, moment = urlkey(url), base + timedelta(seconds=i)
            capture_id, record_id = f"c{i:035d}", f"r{i:035d}"
            records.append({"id": record_id, "url": url, "urlkey": key, "created_at": moment,
                            "updated_at": moment, "latest_version": 1})
            versions.append({"id": i + 1, "record_id": record_id, "version": 1, "fingerprint": "f" * 64,
                             "content": {"url": url, "body": "text"}, "extractor_name": "bench",
                             "extractor_version": "0", "created_at": moment, "captured_at": moment,
                             "source_capture_id": capture_id})
            captures.append({"id": capture_id, "url": url, "urlkey": key, "status": "archived",
                             "submitted_at": moment, "updated_at": moment, "finished_at": moment,
                             "attempts": 1, "record_version_id": i + 1})
            snapshots.append({"id": f"s{i:035d}", "capture_id": capture_id, "page": 1, "url": url,
                              "urlkey": key, "captured_at": moment, "kind": "response", "http_status": 200,
                              "mime": "text/html", "payload_digest": "d" * 64, "payload_length": 1000,
                              "storage_key": f"snapshots/{i}", "stored_length": 300})
        with runtime.database.engine.begin() as connection:
            connection.execute(RecordRow.__table__.insert(), records)
            connection.execute(RecordVersionRow.__table__.insert(), versions)
            connection.execute(CaptureRow.__table__.insert(), captures)
            connection.execute(SnapshotRow.__table__.insert(), snapshots)
    with runtime.database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.execute(text("SELECT setval(pg_get_serial_sequence('record_versions', 'id'), "
                                "(SELECT max(id) FROM record_versions))"))
        connection.commit()


def hot_queries(runtime: Runtime, size: int) -> dict[str, Callable[[Callable], object]]:
    """Each hot query as a function of a random draw, run in its own transaction."""
    catalog = runtime.catalog
    lease = datetime.now(UTC) - timedelta(minutes=5)

    def url(i: int) -> str:
        return f"https://site{i % 500}.example.org/news/{i}"

    def run(query: Callable) -> Callable[[Callable], object]:
        def call(draw: Callable[[], int]) -> object:
            with runtime.database.session() as session:
                return query(session, draw())
        return call

    return {
        "SELECT 1 (baseline)": run(lambda s, i: s.execute(text("SELECT 1")).scalar()),
        "claim_fetch": run(lambda s, i: catalog.claim_fetch(s, f"c{i:035d}", delivery="bench", lease_expired=lease)),
        "latest_response": run(lambda s, i: catalog.latest_response(s, urlkey(url(i)))),
        "record_head": run(lambda s, i: catalog.record_head(s, url(i))),
        "snapshots_for_capture": run(lambda s, i: catalog.snapshots_for_capture(s, f"c{i:035d}")),
        "captures_for_url": run(lambda s, i: catalog.captures_for_url(s, urlkey(url(i)))),
    }


def plan(runtime: Runtime, call: Callable[[Callable], object], draw: Callable[[], int]) -> str:
    """The plan of the last statement ``call`` sends, run with its own parameters."""
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if not statement.lstrip().upper().startswith(("BEGIN", "SELECT 1")):
            sent.append((statement, parameters))

    event.listen(runtime.database.engine, "before_cursor_execute", record)
    try:
        call(draw)
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", record)
    if not sent:
        return "-"
    statement, parameters = sent[-1]
    connection = runtime.database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("EXPLAIN " + statement, parameters)
        lines = [row[0].strip() for row in cursor.fetchall()]
        connection.rollback()
    finally:
        connection.close()
    return " / ".join(line for line in lines if "Scan" in line or "Update" in line or "Limit" in line)[:150]


def submit_seconds(runtime: Runtime, count: int, tag: str, window: timedelta | None) -> float:
    urls = [f"https://new{i % 97}.example.org/{tag}/{i}" for i in range(count)]
    started = time.perf_counter()
    pipeline.submit(runtime, urls, if_not_archived_within=window)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--calls", type=int, default=300, help="calls per query (the median is reported)")
    parser.add_argument("--repeat", type=int, default=3, help="submission runs per size")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    rng = random.Random(7)
    with running_stack() as stack:
        stack.apply()
        runtime = Runtime(get_settings(), queue=redis_task_queue(get_settings()))
        runtime.prepare()
        filled = 0
        try:
            for size in args.sizes:
                fill(runtime, filled, size)
                filled = size

                def draw(size: int = size) -> int:
                    return rng.randrange(size)

                print(f"\n{size:,} captures in the catalog (load {open('/proc/loadavg').read().split()[0]})")
                queries = hot_queries(runtime, size)
                timings = {}
                for name, call in queries.items():
                    for _ in range(20):
                        call(draw)
                    samples = []
                    for _ in range(args.calls):
                        started = time.perf_counter()
                        call(draw)
                        samples.append(time.perf_counter() - started)
                    timings[name] = median(samples) * 1e6
                baseline = timings["SELECT 1 (baseline)"]
                print(f"{'query':<24} {'µs':>7} {'ratio':>6}  plan")
                for name, call in queries.items():
                    print(f"{name:<24} {timings[name]:7.0f} {timings[name] / baseline:6.2f}  {plan(runtime, call, draw)}")
                plain = median([submit_seconds(runtime, 1000, f"s{size}r{r}{uuid.uuid4().hex[:4]}", None)
                                for r in range(args.repeat)])
                windowed = median([submit_seconds(runtime, 1000, f"w{size}r{r}{uuid.uuid4().hex[:4]}",
                                                  timedelta(days=1)) for r in range(args.repeat)])
                print(f"submit 1,000 URLs in-process: {1000 / plain:,.0f} URLs/s; with if_not_archived_within: "
                      f"{1000 / windowed:,.0f} URLs/s")
        finally:
            runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
