"""The catalog on both databases: migrations, conditional status moves, unique keys."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from archivist.adapters.catalog import (
    CaptureRow,
    Catalog,
    Database,
    NewCapture,
    NewVersion,
    RecordHead,
    RecordRow,
    RecordSearchRow,
)
from archivist.core.captures import CaptureStatus
from archivist.core.errors import CatalogConflict, CatalogNotMigrated, CatalogUnavailable
from tests.support.processes import archivist_env


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
        assert catalog.touch(session, "c1", delivery="m1", attempt=2)
        assert not catalog.touch(session, "c1", delivery="m1", attempt=1)  # its own earlier claim
        assert not catalog.touch(session, "c1", delivery="m2", attempt=2)
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
        assert not catalog.touch(session, "c1", delivery="m1", attempt=1)


def test_the_fetch_steps_holder_archives_from_fetching_and_no_one_else_does(database: Database) -> None:
    catalog = Catalog()
    with database.session() as session:
        catalog.add_captures(session, [capture("c1"), capture("c2")])
    with database.session(atomic=False) as session:
        assert catalog.claim_fetch(session, "c1", delivery="m1", lease_expired=datetime(2000, 1, 1, tzinfo=UTC))
        assert catalog.claim_fetch(session, "c2", delivery="m1", lease_expired=datetime(2000, 1, 1, tzinfo=UTC))
        assert catalog.claim_fetch(session, "c2", delivery="m2", lease_expired=datetime.now(UTC))  # taken over
    with database.session() as session:
        assert not catalog.move(session, "c1", CaptureStatus.ARCHIVED)  # an extract step cannot
        assert not catalog.move(session, "c1", CaptureStatus.ARCHIVED, holder="m2", attempt=1)
        assert not catalog.move(session, "c2", CaptureStatus.ARCHIVED, holder="m1", attempt=1)  # no longer its holder
        assert catalog.move(session, "c1", CaptureStatus.ARCHIVED, holder="m1", attempt=1)
        assert not catalog.move(session, "c1", CaptureStatus.ARCHIVED, holder="m1", attempt=1)  # once
        assert catalog.move(session, "c2", CaptureStatus.EXTRACTING, holder="m2", attempt=2)
        assert not catalog.move(session, "c2", CaptureStatus.ARCHIVED, holder="m2", attempt=2)  # not fetching any more
        with pytest.raises(ValueError, match="holder"):
            catalog.move(session, "c2", CaptureStatus.QUEUED, holder="m2", attempt=2)
        with pytest.raises(ValueError, match="claim attempt"):
            catalog.move(session, "c2", CaptureStatus.FAILED, holder="m2")
    with database.session() as session:
        assert catalog.get_capture(session, "c1").status == "archived"
        assert catalog.get_capture(session, "c1").finished_at is not None
        assert catalog.get_capture(session, "c2").status == "extracting"


def test_a_session_without_a_transaction_commits_each_statement_at_once(database: Database) -> None:
    catalog = Catalog()
    with database.session() as session:
        catalog.add_captures(session, [capture("c1")])
    with pytest.raises(RuntimeError), database.session(atomic=False) as session:
        assert catalog.claim_fetch(session, "c1", delivery="m1", lease_expired=datetime(2000, 1, 1, tzinfo=UTC))
        raise RuntimeError("the step fails after its claim")
    with pytest.raises(RuntimeError), database.session() as session:
        assert catalog.touch(session, "c1", delivery="m1", attempt=1)
        assert catalog.move(session, "c1", CaptureStatus.EXTRACTING)
        raise RuntimeError("a transaction fails after its moves")
    with database.session() as session:
        row = catalog.get_capture(session, "c1")
        assert (row.status, row.claimed_by) == ("fetching", "m1")  # the claim stayed, the move did not


def test_a_claim_reads_its_urls_latest_full_response(database: Database) -> None:
    """With its validators: the claim's one statement is all a conditional re-capture reads."""
    from archivist.adapters.catalog import LatestResponse, NewSnapshot

    catalog = Catalog()
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def snapshot(snapshot_id: str, urlkey: str, minute: int, kind: str = "response",
                 final_url: str | None = None) -> NewSnapshot:
        return NewSnapshot(id=snapshot_id, capture_id="c1", page=1, url=f"https://example.com/{snapshot_id}",
                           urlkey=urlkey, captured_at=start.replace(minute=minute), kind=kind, http_status=200,
                           mime=None, payload_digest=f"d-{snapshot_id}", payload_length=1,
                           storage_key=f"k/{snapshot_id}", stored_length=1, refers_to_id=None,
                           redirects={"final_url": final_url} if final_url else {}, record_offset=0,
                           warc_record_id=f"w-{snapshot_id}", final_urlkey=None, etag=f'"e-{snapshot_id}"',
                           last_modified="Mon, 04 Mar 2024 09:00:00 GMT")

    with database.session() as session:
        catalog.add_captures(session, [capture("c1"), capture("c2"), capture("c3")])
        session.get(CaptureRow, "c3").urlkey = "com,example)/other"
        session.flush()
        catalog.put_snapshots(session, "c1", [
            snapshot("older", "com,example)/", 1), snapshot("newest", "com,example)/", 2, final_url="https://x.example/"),
            snapshot("revisit", "com,example)/", 3, kind="revisit"), snapshot("elsewhere", "com,example)/x", 4),
        ], replace=False)
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    with database.session(atomic=False) as session:
        claim = catalog.claim_fetch(session, "c2", delivery="m1", lease_expired=long_ago)
        assert claim is not None and claim.latest_response == catalog.latest_response(session, "com,example)/")
        assert claim.latest_response == LatestResponse("newest", "c1", "https://x.example/",
                                                       claim.latest_response.captured_at, "d-newest", "w-newest",
                                                       "k/newest", '"e-newest"', "Mon, 04 Mar 2024 09:00:00 GMT")
        assert claim.latest_response.captured_at.replace(tzinfo=UTC) == start.replace(minute=2)
        assert claim.attempts == 1  # and the claim itself took the capture as ever
        assert catalog.claim_fetch(session, "c2", delivery="m2", lease_expired=long_ago) is None
        assert catalog.claim_fetch(session, "c3", delivery="m1", lease_expired=long_ago).latest_response is None


def version(fingerprint: str, content: dict | None = None) -> NewVersion:
    return NewVersion(fingerprint=fingerprint, content=content or {}, extractor_name="a", extractor_version="1",
                      created_at=datetime.now(UTC), captured_at=datetime.now(UTC), source_capture_id=None)


def test_duplicate_version_numbers_conflict(database: Database) -> None:
    catalog = Catalog()
    url = "https://example.com/"
    with database.session() as session:
        first = catalog.add_record(session, "r1", url, "k", version("f1"))
    with pytest.raises(CatalogConflict), database.session() as session:  # a concurrent first writer of the URL
        catalog.add_record(session, "r2", url, "k", version("f2"))
    with database.session() as session:
        stale = catalog.record_head(session, url)
    assert stale[:6] == ("r1", url, "k", 1, first, "f1") and stale.last_version == 1
    with database.session() as session:
        second = catalog.add_version(session, stale, version("f2", {"title": "Second"}))
    with pytest.raises(CatalogConflict), database.session() as session:  # a writer that read the same head
        catalog.add_version(session, stale, version("f3"))
    with database.session() as session:
        assert catalog.record_head(session, url)[:6] == ("r1", url, "k", 2, second, "f2")
        assert [v.version for v in catalog.versions(session, "r1")] == [1, 2]
        entries = session.execute(select(RecordSearchRow.record_id, RecordSearchRow.version, RecordSearchRow.title))
        assert entries.all() == [("r1", 2, "Second")]
        assert catalog.record_head(session, "https://example.com/other") is None


def test_concurrent_writers_of_the_next_version_one_wins_the_other_conflicts(database: Database) -> None:
    """Two deliveries that compared against the same latest version: the second waits for the
    first's transaction, then fails on the version key (and retries against the new latest)."""
    catalog = Catalog()
    url = "https://example.com/"
    with database.session() as session:
        catalog.add_record(session, "r1", url, "k", version("f1"))
    with database.session() as session:
        head = catalog.record_head(session, url)
    first_wrote, outcome = threading.Event(), []

    def second_writer() -> None:
        first_wrote.wait()
        try:
            with database.session() as session:
                catalog.add_version(session, head, version("f3"))
            outcome.append("written")
        except CatalogConflict:
            outcome.append("conflict")

    writer = threading.Thread(target=second_writer)
    writer.start()
    with database.session() as session:
        catalog.add_version(session, head, version("f2"))
        first_wrote.set()
        time.sleep(0.3)  # the second writer is now waiting on this transaction
    writer.join(timeout=30)
    assert outcome == ["conflict"]
    with database.session() as session:
        assert catalog.record_head(session, url).latest_fingerprint == "f2"
        assert [v.fingerprint for v in catalog.versions(session, "r1")] == ["f1", "f2"]


def test_a_record_without_a_version_gains_its_search_entry_with_one(database: Database) -> None:
    catalog = Catalog()
    now = datetime.now(UTC)
    with database.session() as session:
        session.add(RecordRow(id="r1", url="https://example.com/", urlkey="k", created_at=now, updated_at=now,
                              latest_version=0))
    with database.session() as session:
        head = catalog.record_head(session, "https://example.com/")
        assert head == RecordHead("r1", "https://example.com/", "k", 0, None, None)
        catalog.add_version(session, head, version("f1", {"title": "First"}))
    with database.session() as session:
        entries = session.execute(select(RecordSearchRow.record_id, RecordSearchRow.version, RecordSearchRow.title))
        assert entries.all() == [("r1", 1, "First")]


def new_captures(prefix: str) -> list[NewCapture]:
    """Submitted captures with the values COPY's text format must escape: tabs, newlines, backslashes, NULLs."""
    now = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    captures: list[NewCapture] = []
    for i, url in enumerate(["https://example.com/", "https://ex.org/a\\b?q=\t", "https://ñ.example/ü \u2603",
                             "https://example.com/" + "x" * 2000]):
        failed = i % 2 == 1
        captures.append({
            "id": f"{prefix}{i}", "url": url, "urlkey": "" if failed else f"com,example)/{i}",
            "status": "failed" if failed else "queued", "reason": "invalid_url" if failed else None,
            "message": "tab\tnew\nline \\N \\." if failed else None, "submitted_at": now,
            "updated_at": now, "finished_at": now if failed else None, "attempts": i,
        })
    return captures


def _captures_but_ids(session: object, prefix: str) -> list[tuple]:
    rows = session.execute(select(CaptureRow).where(CaptureRow.id.startswith(prefix)).order_by(CaptureRow.id))
    return [(row.url, row.urlkey, row.status, row.reason, row.message, row.submitted_at, row.updated_at,
             row.finished_at, row.attempts, row.claimed_by, row.record_version_id) for (row,) in rows]


def test_insert_captures_writes_the_rows_an_executemany_writes(database: Database) -> None:
    """On PostgreSQL ``insert_captures`` uses COPY: the same rows as the plain INSERT must result."""
    with database.session() as session:
        Catalog().insert_captures(session, new_captures("copy-"))
        session.execute(CaptureRow.__table__.insert(), new_captures("insert-"))
    with database.session() as session:
        copied, inserted = _captures_but_ids(session, "copy-"), _captures_but_ids(session, "insert-")
    assert len(copied) == 4
    assert copied == inserted


def test_insert_captures_is_all_or_nothing_and_a_taken_id_is_a_conflict(database: Database) -> None:
    catalog = Catalog()
    with database.session() as session:
        catalog.insert_captures(session, new_captures("a-")[:1])
    again = new_captures("b-") + new_captures("a-")[:1]
    with pytest.raises(CatalogConflict), database.session() as session:
        catalog.insert_captures(session, again)
    with database.session() as session:  # the pool's connection is still good, and nothing of "b-" was kept
        assert _captures_but_ids(session, "b-") == []
        assert len(_captures_but_ids(session, "a-")) == 1


def test_insert_captures_on_a_connection_lost_mid_transaction_is_catalog_unavailable(pg_url: str) -> None:
    db = Database(pg_url)
    db.migrate()
    with db.session() as session:
        Catalog().insert_captures(session, new_captures("a-"))
    with pytest.raises(CatalogUnavailable), db.session() as session:
        Catalog().get_capture(session, "a-0")
        _kill_backends(pg_url)  # the server goes away in the middle of the transaction
        Catalog().insert_captures(session, new_captures("b-"))
    with db.session() as session:  # the dead connection was invalidated: a fresh one
        assert len(_captures_but_ids(session, "a-")) == 4
        assert _captures_but_ids(session, "b-") == []
    db.dispose()


def test_unreachable_database_is_catalog_unavailable() -> None:
    from tests.support.seaweed import free_port

    db = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2")
    with pytest.raises(CatalogUnavailable), db.session() as session:
        Catalog().get_capture(session, "x")


def test_a_server_that_never_answers_is_catalog_unavailable_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    """A listener that accepts the connection and says nothing (a frozen host or proxy): the
    connect timeout ends the wait, without one in the URL."""
    import socket
    import time

    from archivist.adapters.catalog import database as database_module

    monkeypatch.setattr(database_module, "_CONNECT_TIMEOUT_SECONDS", 2)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        db = Database(f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/none")
        started = time.monotonic()
        with pytest.raises(CatalogUnavailable), db.session() as session:
            Catalog().get_capture(session, "x")
        assert time.monotonic() - started < 15
        db.dispose()


def _kill_backends(pg_url: str) -> None:
    """End every other session on the test database, as a server restart would."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def test_a_pooled_connection_killed_while_idle_is_replaced_unseen(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivist.adapters.catalog import database as database_module

    db = Database(pg_url)
    db.migrate()
    with db.session() as session:
        Catalog().add_captures(session, [capture()])
    _kill_backends(pg_url)
    monkeypatch.setattr(database_module, "_PING_AFTER_IDLE_SECONDS", 0.0)  # it has now been idle long enough
    with db.session() as session:
        assert Catalog().get_capture(session, "c1") is not None
    db.dispose()


def test_a_pooled_connection_the_server_ended_moments_after_use_is_replaced_unseen(pg_url: str) -> None:
    """A restart or ``pg_terminate_backend`` between two transactions is not the caller's error."""
    db = Database(pg_url)
    db.migrate()
    with db.session() as session:
        Catalog().add_captures(session, [capture()])
    _kill_backends(pg_url)
    time.sleep(0.2)  # the server's notice reaches the client's socket
    with db.session() as session:  # used moments ago, so not pinged for idleness
        assert Catalog().get_capture(session, "c1") is not None
    with db.session(atomic=False) as session:
        assert Catalog().get_capture(session, "c1") is not None
    db.dispose()


def test_a_redelivery_replaces_every_snapshot_an_earlier_delivery_wrote(database: Database) -> None:
    from archivist.adapters.catalog import NewSnapshot

    catalog = Catalog()
    now = datetime.now(UTC)

    def snapshot(url: str, page: int, length: int) -> NewSnapshot:
        return NewSnapshot(id=f"s-{url}", capture_id="c1", page=page, url=url, urlkey=url, captured_at=now,
                           kind="response", http_status=200, mime=None, payload_digest="d", payload_length=length,
                           storage_key=f"k/{url}", stored_length=1, refers_to_id=None, redirects={},
                           record_offset=0, warc_record_id=f"w-{url}", final_urlkey=None)

    with database.session() as session:
        catalog.add_captures(session, [capture()])
        catalog.put_snapshots(session, "c1", [snapshot("p1", 1, 10), snapshot("p2", 2, 10), snapshot("stray", 3, 10)],
                              replace=False)
    with database.session() as session:
        stored = [(s.url, s.page, s.payload_length) for s in catalog.snapshots_for_capture(session, "c1")]
    assert stored == [("p1", 1, 10), ("p2", 2, 10), ("stray", 3, 10)]
    # The redelivery found the pages in another order, and no "stray" page this time.
    with database.session() as session:
        catalog.put_snapshots(session, "c1", [snapshot("p2", 1, 20), snapshot("p1", 2, 20)], replace=True)
    with database.session() as session:
        stored = [(s.url, s.page, s.payload_length) for s in catalog.snapshots_for_capture(session, "c1")]
    assert stored == [("p2", 1, 20), ("p1", 2, 20)]
    # Without replace, the same rows again are a conflict, not a silent duplicate.
    with pytest.raises(CatalogConflict), database.session() as session:
        catalog.put_snapshots(session, "c1", [snapshot("p2", 1, 30)], replace=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A catalog database nobody ran ``archivist db upgrade`` on: it exists and has no tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    name = f"archivist_fresh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("command", [["show", "https://example.org/a"], ["keys", "list"]])
def test_a_catalog_without_its_schema_says_to_run_db_upgrade(unmigrated_url: str, tmp_path: Path,
                                                              command: list[str]) -> None:
    """Reading commands do not migrate: on a database never upgraded PostgreSQL's "relation does
    not exist" came out as a traceback, and SQLite's "no such table" as an outage to wait out."""
    env = archivist_env({"ARCHIVIST_DATABASE_URL": unmigrated_url, "ARCHIVIST_HOME": str(tmp_path / "home")})
    done = subprocess.run([sys.executable, "-m", "archivist", *command], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "catalog_not_migrated" in done.stderr and "archivist db upgrade" in done.stderr
    with pytest.raises(CatalogNotMigrated):  # a step meeting it is retried, the API answers 503
        with Database(unmigrated_url).session() as session:
            session.execute(select(CaptureRow)).all()
    assert issubclass(CatalogNotMigrated, CatalogUnavailable)
