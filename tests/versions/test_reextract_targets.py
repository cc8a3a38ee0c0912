"""Finding what ``archivist reextract`` re-extracts, at archive scale, on both databases: each
selected record's newest archived capture, in a number of queries that does not grow with the
number of records (it took one query a record: half a minute for 2,000 records on SQLite)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from archivist import pipeline
from archivist.adapters.catalog import CaptureRow, RecordRow, RecordVersionRow, SnapshotRow
from archivist.pipeline import extracting
from archivist.runtime import Runtime
from archivist.settings import get_settings

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    monkeypatch.setenv("ARCHIVIST_DATABASE_URL", url)
    get_settings.cache_clear()
    runtime = Runtime(get_settings())
    runtime.database.migrate()
    yield runtime
    runtime.database.dispose()


def _archive(runtime: Runtime, host: str, count: int, *, start: int = 0) -> None:
    """``count`` records on ``host``, in the shapes that decide which capture is the newest: the
    capture taken last submitted first (a retried fetch, an imported WARC), a newer failed
    capture, a capture without snapshots, a record with no archived capture at all, two records
    under one urlkey (a page boundary may fall between them)."""
    rows: list[object] = []
    versions: list[RecordVersionRow] = []
    for n in range(start, start + count):
        record = RecordRow(id=str(uuid.uuid4()), url=f"https://{host}/p{n}", urlkey=f"{_surt(host)})/p{n // 2}",
                           created_at=T0, updated_at=T0, latest_version=1)
        version = RecordVersionRow(record_id=record.id, version=1, fingerprint="f", content={}, extractor_name="x",
                                   extractor_version="1", created_at=T0, captured_at=T0)
        rows.append(record)
        versions.append(version)
    with runtime.database.session() as session:
        session.add_all(rows)
        session.flush()
        session.add_all(versions)
        session.flush()
        captures: list[CaptureRow] = []
        snapshots: list[SnapshotRow] = []
        for n, version in enumerate(versions, start):
            shape = n % 4
            # (taken, submitted, status) of each capture: which one wins changes with the shape.
            plans = {
                0: [(T0, T0 + timedelta(days=5), "archived"), (T0 + timedelta(days=3), T0, "archived")],
                1: [(T0 + timedelta(days=1), T0, "archived"), (T0 + timedelta(days=9), T0, "failed")],
                2: [(None, T0 + timedelta(days=9), "archived"), (T0 + timedelta(days=2), T0, "archived")],
                3: [(T0, T0, "failed")],
            }[shape]
            for taken, submitted, status in plans:
                capture = CaptureRow(id=str(uuid.uuid4()), url=f"https://{host}/p{n}", urlkey="k", status=status,
                                     submitted_at=submitted, updated_at=submitted, finished_at=submitted,
                                     attempts=1, record_version_id=version.id)
                captures.append(capture)
                if taken is not None:
                    snapshots.append(SnapshotRow(
                        id=str(uuid.uuid4()), capture_id=capture.id, page=1, url=capture.url, urlkey="k",
                        captured_at=taken, kind="response", http_status=200, mime="text/html",
                        payload_digest="d", payload_length=1, storage_key="s", stored_length=1))
        session.add_all(captures)
        session.flush()
        session.add_all(snapshots)


def _surt(host: str) -> str:
    return ",".join(reversed(host.split(".")))


def _expected(runtime: Runtime, host: str | None = None, *, url: str | None = None,
              records: int | None = None) -> list[str]:
    """The captures as :meth:`Catalog.newest_capture_of_record` names them, record by record
    (of the first ``records`` records only, if given)."""
    with runtime.database.session() as session:
        query = select(RecordRow).order_by(RecordRow.urlkey, RecordRow.id).limit(records)
        if host is not None:
            query = query.where(RecordRow.url.startswith(f"https://{host}/"))
        if url is not None:
            query = query.where(RecordRow.url == url)
        found = [runtime.catalog.newest_capture_of_record(session, record.id) for record in session.scalars(query)]
        return [capture.id for capture in found if capture is not None]


def _statements(runtime: Runtime, **selection: str) -> tuple[list[str], int]:
    counted: list[str] = []

    def count(*_: object) -> None:
        counted.append("statement")

    event.listen(runtime.database.engine, "before_cursor_execute", count)
    try:
        targets = pipeline.reextract_targets(runtime, **selection)
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", count)
    return targets, len(counted)


def test_targets_are_each_records_newest_capture_in_as_many_queries_for_50_as_for_500(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extracting, "_TARGETS_PAGE", 1000)
    _archive(runtime, "small.example", 50)
    _archive(runtime, "other.example", 10)
    small, small_count = _statements(runtime, host="small.example")
    assert small == _expected(runtime, "small.example")
    assert len(small) == 50 * 3 // 4 + 1  # every record but the failed-only ones (50 = 12 fours and 2)

    _archive(runtime, "small.example", 450, start=50)
    large, large_count = _statements(runtime, host="small.example")
    assert large == _expected(runtime, "small.example")
    assert len(large) == 500 * 3 // 4
    assert large_count == small_count
    everything, _ = _statements(runtime)
    assert everything == _expected(runtime)
    one = pipeline.reextract_targets(runtime, url="https://small.example/p8")
    assert one == _expected(runtime, url="https://small.example/p8") and len(one) == 1


def test_pages_of_records_join_up_whatever_falls_on_their_edges(runtime: Runtime,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Page sizes that split records sharing a urlkey, and one that ends on the last record."""
    _archive(runtime, "edge.example", 24)
    expected = _expected(runtime)
    for size in (1, 3, 7, 24, 25):
        monkeypatch.setattr(extracting, "_TARGETS_PAGE", size)
        assert pipeline.reextract_targets(runtime) == expected, size


def test_a_stop_request_ends_the_search_between_pages(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    _archive(runtime, "stop.example", 40)
    monkeypatch.setattr(extracting, "_TARGETS_PAGE", 8)
    stop = threading.Event()
    pages = 0
    newest_captures_page = runtime.catalog.newest_captures_page

    def page_then_stop(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        nonlocal pages
        pages += 1
        if pages == 2:
            stop.set()
        return newest_captures_page(*args, **kwargs)

    monkeypatch.setattr(runtime.catalog, "newest_captures_page", page_then_stop)
    found = pipeline.reextract_targets(runtime, stop=stop)
    assert pages == 2
    assert found == _expected(runtime, records=16)  # the two pages' records, no more
