"""What a capture's catalog work costs, sent as the fetch delivery sends it, in two ways.

A capture's catalog work is a handful of short statements; on this kind of machine each round
trip to PostgreSQL costs more CPU, in the client and in the server, than most of those
statements' own work. This benchmark times the fetch delivery's catalog calls alone, without
the fetching and extraction around them whose cost drifts far more than theirs, on a fresh
PostgreSQL database, in two ways, alternated in blocks:

- ``transactions``: the claim and the revisit lookup in a transaction, then a second one that
  moves the capture to ``extracting``, writes its snapshot row and record version and moves
  it to ``archived`` (the pipeline up to the fifth round);
- ``current``: the claim (which reads the revisit candidate with it) committing on its own (no
  BEGIN or COMMIT), then one transaction that writes the rows and moves the capture from
  ``fetching`` straight to ``archived`` under its holder.

Each prints the round trips per capture (statements, and a BEGIN and a COMMIT per explicit
transaction, counted as :mod:`bench.steps` counts them), the client's CPU (``time.thread_time``)
and every PostgreSQL process's CPU per capture, and the difference between them per round trip
saved.

With ``--shared K``, a third way measures what sharing one archiving transaction among K
captures would save, before anyone builds it: the same calls as ``current``, with the
archiving of K captures in one transaction. Nothing in the
pipeline does this; it is the part of batching captures (docs/PERFORMANCE.md, "Left out") that
the catalog alone would give, without any statement batched.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.catalog_calls [--captures 300] [--rounds 4]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from archivist.adapters.catalog import Catalog, Database, NewSnapshot, NewVersion
from archivist.core.captures import CaptureStatus
from archivist.core.urls import urlkey
from bench.pipeline import CpuSnapshot
from bench.stack import machine, median, running_stack

#: About a corpus article's extracted body: the search entry indexes it.
_BODY = " ".join(f"word{index % 997} text{index % 13}" for index in range(700))


def _snapshot(capture_id: str, url: str) -> NewSnapshot:
    return NewSnapshot(id=str(uuid.uuid4()), capture_id=capture_id, page=1, url=url, urlkey=urlkey(url),
                       captured_at=datetime.now(UTC), kind="response", http_status=200, mime="text/html",
                       payload_digest="sha1:" + uuid.uuid4().hex, payload_length=40_000,
                       storage_key=f"snapshots/{capture_id}", stored_length=12_000, refers_to_id=None,
                       redirects={"chain": [], "final_url": url}, record_offset=0,
                       warc_record_id=f"<urn:uuid:{uuid.uuid4()}>", final_urlkey=None)


def _version(capture_id: str, url: str) -> NewVersion:
    return NewVersion(fingerprint=uuid.uuid4().hex, content={"url": url, "title": "A title", "body": _BODY},
                      extractor_name="bench", extractor_version="1", created_at=datetime.now(UTC),
                      captured_at=datetime.now(UTC), source_capture_id=capture_id)


def _archive(database: Database, catalog: Catalog, capture_id: str, url: str, *, holder: str | None) -> None:
    with database.session() as session:
        if holder is None and not catalog.move(session, capture_id, CaptureStatus.EXTRACTING):
            raise RuntimeError(f"capture {capture_id} was not fetching")
        _write(session, catalog, capture_id, url, holder=holder)


def _write(session: Session, catalog: Catalog, capture_id: str, url: str, *, holder: str | None) -> None:
    catalog.put_snapshots(session, capture_id, [_snapshot(capture_id, url)], replace=False)
    if catalog.record_head(session, url) is not None:
        raise RuntimeError(f"{url} already has a record")
    version_id = catalog.add_record(session, str(uuid.uuid4()), url, urlkey(url), _version(capture_id, url))
    if not catalog.move(session, capture_id, CaptureStatus.ARCHIVED, record_version_id=version_id, holder=holder,
                        attempt=None if holder is None else 1):
        raise RuntimeError(f"capture {capture_id} could not be archived")


def _claim(database: Database, catalog: Catalog, capture_id: str) -> None:
    with database.session(atomic=False) as session:
        catalog.claim_fetch(session, capture_id, delivery=capture_id, lease_expired=datetime.now(UTC))


def in_transactions(database: Database, catalog: Catalog, capture_id: str, url: str) -> None:
    with database.session() as session:
        catalog.claim_fetch(session, capture_id, delivery=capture_id, lease_expired=datetime.now(UTC))
        catalog.latest_response(session, urlkey(url))
    _archive(database, catalog, capture_id, url, holder=None)


def as_now(database: Database, catalog: Catalog, capture_id: str, url: str) -> None:
    _claim(database, catalog, capture_id)
    _archive(database, catalog, capture_id, url, holder=capture_id)


def shared(database: Database, catalog: Catalog, ids: list[str], urls: list[str], size: int) -> None:
    """``current``, with the archiving of ``size`` captures at a time in one transaction."""
    for start in range(0, len(ids), size):
        group = list(zip(ids[start:start + size], urls[start:start + size], strict=True))
        for capture_id, _ in group:
            _claim(database, catalog, capture_id)
        with database.session() as session:
            for capture_id, url in group:
                _write(session, catalog, capture_id, url, holder=capture_id)


WAYS: dict[str, Callable[[Database, Catalog, str, str], None]] = {"transactions": in_transactions, "current": as_now}


class RoundTrips:
    """Round trips sent to PostgreSQL: each statement, and a BEGIN and a COMMIT per explicit
    transaction (an autocommit connection sends neither)."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine, "before_cursor_execute", self._statement)
        event.listen(database.engine, "commit", self._commit)

    def _statement(self, *_args: object) -> None:
        self.count += 1

    def _commit(self, connection) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
        if not connection.connection.driver_connection.autocommit:
            self.count += 2


def one_block(database: Database, catalog: Catalog, way: str, captures: int, tag: str,
              shared_by: int = 0, trips: RoundTrips | None = None) -> tuple[float, float, float]:
    """Client and PostgreSQL CPU ms and round trips (when ``trips`` counts them) per capture for
    ``captures`` new captures sent ``way`` (``shared`` archives ``shared_by`` at a time in one
    transaction)."""
    now = datetime.now(UTC)
    ids = [f"{tag}-{index}" for index in range(captures)]
    urls = [f"https://bench.example/{tag}/{index}" for index in range(captures)]
    with database.session() as session:
        catalog.insert_captures(session, [
            {"id": capture_id, "url": url, "urlkey": urlkey(url), "status": CaptureStatus.QUEUED.value,
             "reason": None, "message": None, "submitted_at": now, "updated_at": now, "finished_at": None,
             "attempts": 0} for capture_id, url in zip(ids, urls, strict=True)])
    sent = trips.count if trips is not None else 0
    before, started = CpuSnapshot.take(), time.thread_time()
    if way == "shared":
        shared(database, catalog, ids, urls, shared_by)
    else:
        for capture_id, url in zip(ids, urls, strict=True):
            WAYS[way](database, catalog, capture_id, url)
    client = time.thread_time() - started
    server = CpuSnapshot.take().named("postgres") - before.named("postgres")
    sent = (trips.count if trips is not None else 0) - sent
    return client / captures * 1000, server / captures * 1000, sent / captures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=300, help="captures per block")
    parser.add_argument("--rounds", type=int, default=4, help="blocks per way, alternated (the median is reported)")
    parser.add_argument("--shared", type=int, default=0, metavar="K",
                        help="also archive K captures per transaction (what sharing it would save)")
    args = parser.parse_args(argv)
    ways = [*WAYS, *(["shared"] if args.shared else [])]
    print(f"machine: {machine()}")
    with running_stack() as stack:
        database, catalog = Database(stack.database_url), Catalog()
        database.migrate()
        counted = RoundTrips(database)
        try:
            for way in ways:  # warm-up: connections, prepared statements
                one_block(database, catalog, way, 50, f"warm-{way}", args.shared)
            figures: dict[str, list[tuple[float, float, float]]] = {way: [] for way in ways}
            for run in range(args.rounds):
                for way in ways:
                    figures[way].append(one_block(database, catalog, way, args.captures, f"{way}-{run}", args.shared,
                                                  counted))
        finally:
            database.dispose()
    print(f"{args.captures} captures per block, {args.rounds} blocks per way; CPU ms per capture (median)")
    totals, trips = {}, {}
    for way in ways:
        client, server = median([c for c, _, _ in figures[way]]), median([s for _, s, _ in figures[way]])
        totals[way], trips[way] = (client, server), figures[way][-1][2]
        runs = ", ".join(f"{c:.2f}+{s:.2f}" for c, s, _ in figures[way])
        label = f"shared by {args.shared}" if way == "shared" else way
        print(f"{label:>13}: {trips[way]:.2f} round trips, client {client:.2f}, PostgreSQL {server:.2f}  "
              f"(runs: {runs})")
    for way in ways[1:]:
        saved = trips["transactions"] - trips[way]
        client_saved = totals["transactions"][0] - totals[way][0]
        server_saved = totals["transactions"][1] - totals[way][1]
        print(f"{way} against transactions, saved per capture: client {client_saved:.2f}, PostgreSQL "
              f"{server_saved:.2f} ({(client_saved + server_saved) / saved * 1000:.0f} us of CPU per round trip)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
