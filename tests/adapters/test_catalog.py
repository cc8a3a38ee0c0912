"""The catalog on both databases: migrations, conditional status moves, unique keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archivist.adapters.catalog import CaptureRow, Catalog, Database, RecordRow, RecordVersionRow
from archivist.core.captures import CaptureStatus
from archivist.core.errors import CatalogConflict, CatalogUnavailable


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    db = Database(url)
    db.migrate()
    db.migrate()  # idempotent
    yield db
    db.dispose()


def capture(capture_id: str = "c1", status: CaptureStatus = CaptureStatus.QUEUED) -> CaptureRow:
    now = datetime.now(UTC)
    return CaptureRow(id=capture_id, url="https://example.com/", urlkey="com,example)/", status=status.value,
                      submitted_at=now, updated_at=now, attempts=0)


def test_moves_follow_the_state_machine_once(database: Database) -> None:
    catalog = Catalog()
    with database.session() as session:
        catalog.add_captures(session, [capture()])
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    with database.session() as session:
        assert catalog.claim_fetch(session, "c1", delivery="m1", lease_expired=long_ago)
        assert catalog.claim_fetch(session, "c1", delivery="m1", lease_expired=long_ago)  # its redelivery
        assert not catalog.claim_fetch(session, "c1", delivery="m2", lease_expired=long_ago)  # a duplicate
        assert catalog.touch(session, "c1", delivery="m1")
        assert not catalog.touch(session, "c1", delivery="m2")
        assert not catalog.move(session, "c1", CaptureStatus.ARCHIVED)  # not from fetching
        assert catalog.move(session, "c1", CaptureStatus.EXTRACTING)
        assert not catalog.move(session, "c1", CaptureStatus.EXTRACTING)  # second delivery: no-op
        assert catalog.move(session, "c1", CaptureStatus.FAILED, reason="timeout", message="too slow")
        assert not catalog.move(session, "c1", CaptureStatus.ARCHIVED)
    with database.session() as session:
        row = catalog.get_capture(session, "c1")
        assert (row.status, row.reason, row.attempts, row.claimed_by) == ("failed", "timeout", 2, "m1")
        assert row.finished_at is not None


def test_an_expired_lease_lets_another_delivery_take_over(database: Database) -> None:
    catalog = Catalog()
    with database.session() as session:
        catalog.add_captures(session, [capture()])
    with database.session() as session:
        assert catalog.claim_fetch(session, "c1", delivery="m1", lease_expired=datetime(2000, 1, 1, tzinfo=UTC))
    with database.session() as session:
        assert catalog.claim_fetch(session, "c1", delivery="m2", lease_expired=datetime.now(UTC))
        assert not catalog.touch(session, "c1", delivery="m1")


def test_duplicate_version_numbers_conflict(database: Database) -> None:
    catalog = Catalog()
    now = datetime.now(UTC)
    with database.session() as session:
        record = catalog.add_record(session, RecordRow(id="r1", url="https://example.com/", urlkey="k",
                                                       created_at=now, updated_at=now, latest_version=0))
        catalog.add_version(session, record, RecordVersionRow(fingerprint="f1", content={}, extractor_name="a",
                                                              extractor_version="1", created_at=now))
    with pytest.raises(CatalogConflict), database.session() as session:
        session.add(RecordVersionRow(record_id="r1", version=1, fingerprint="f2", content={}, extractor_name="a",
                                     extractor_version="1", created_at=now))
    with pytest.raises(CatalogConflict), database.session() as session:
        session.add(RecordRow(id="r2", url="https://example.com/", urlkey="k", created_at=now, updated_at=now,
                              latest_version=0))
    with database.session() as session:
        assert [v.version for v in catalog.versions(session, "r1")] == [1]


def test_unreachable_database_is_catalog_unavailable() -> None:
    from tests.support.seaweed import free_port

    db = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2")
    with pytest.raises(CatalogUnavailable), db.session() as session:
        Catalog().get_capture(session, "x")
