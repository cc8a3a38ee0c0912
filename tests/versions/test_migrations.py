"""Migrations run up, down and up again on SQLite and PostgreSQL, and leave exactly the schema
the table models describe (nothing for autogenerate to add); data migrations fill what they add."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from archivist.adapters.catalog import (
    CaptureRow,
    Catalog,
    RecordRow,
    RecordSearchRow,
    RecordVersionRow,
    SnapshotRow,
)
from archivist.adapters.catalog.database import _MIGRATIONS, HEAD_REVISION, Database
from archivist.adapters.catalog.tables import Base, is_modelled
from archivist.cli import app
from archivist.core.urls import urlkey
from archivist.settings import get_settings


def test_the_head_revision_a_current_catalog_is_known_by_is_the_scripts_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def _step(database: Database, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        if target in ("head", "0002"):
            command.upgrade(config, target)
        else:
            command.downgrade(config, target)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_round_trip_and_match_the_models(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if backend == "postgresql":
        url = request.getfixturevalue("pg_database")
    else:
        url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    database = Database(url)
    try:
        database.migrate()
        if backend == "postgresql":
            with database.engine.begin() as connection:
                # Other tests share this database: start from an empty schema.
                connection.execute(text("TRUNCATE schedules, snapshots, captures, record_versions, records CASCADE"))
        _step(database, "0001")
        assert "schedules" not in inspect(database.engine).get_table_names()
        _step(database, "head")
        with database.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection, opts={"include_name": is_modelled}), Base.metadata) == []
            if backend == "postgresql":
                collation = connection.execute(text(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'snapshots' AND column_name = 'urlkey'")).scalar()
                assert collation == "C"
        assert {"schedules", "snapshots"} <= set(inspect(database.engine).get_table_names())
    finally:
        database.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0005_backfills_the_final_urlkey_of_redirected_snapshots(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Snapshots stored before 0005 are found under the URL their redirects ended on once it has
    run: their ``final_urlkey`` comes from ``redirects["final_url"]`` when its key is another."""
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    database = Database(url)
    try:
        database.migrate()
        _step(database, "0004")
        moment = datetime(2026, 3, 5, 12, 0, 41, 900_000, tzinfo=UTC)
        redirects = {
            "moved": ("https://news.example/?p=7", {"chain": [{"url": "https://news.example/?p=7", "status": 301}],
                                                     "final_url": "https://news.example/2026/03/harbour/"}),
            "same-key": ("http://news.example/a", {"chain": [{"url": "http://news.example/a", "status": 301}],
                                                   "final_url": "https://www.news.example/a/"}),
            "direct": ("https://news.example/b", {"chain": [], "final_url": "https://news.example/b"}),
            "no-redirects": ("https://news.example/c", None),
        }
        with database.engine.begin() as connection:
            for name, (page_url, chain) in redirects.items():
                connection.execute(CaptureRow.__table__.insert(), {
                    "id": name, "url": page_url, "urlkey": urlkey(page_url), "status": "archived",
                    "submitted_at": moment, "updated_at": moment, "attempts": 1})
                connection.execute(SnapshotRow.__table__.insert(), {
                    "id": name, "capture_id": name, "page": 1, "url": page_url, "urlkey": urlkey(page_url),
                    "captured_at": moment, "kind": "response", "http_status": 200, "mime": "text/html",
                    "payload_digest": "sha1:A", "payload_length": 1, "storage_key": name, "stored_length": 1,
                    "redirects": chain})
        _step(database, "head")
        catalog = Catalog()
        with database.session() as session:
            final_keys = {row.id: row.final_urlkey for row in session.scalars(select(SnapshotRow))}
            landed = catalog.nearest_snapshot(session, urlkey("https://news.example/2026/03/harbour/"), moment)
            assert landed is not None and landed.id == "moved"
        assert final_keys == {"moved": "example,news)/2026/03/harbour", "same-key": None, "direct": None,
                              "no-redirects": None}
    finally:
        database.dispose()


def test_db_upgrade_on_a_catalog_of_a_newer_release_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rolled-back image meets a catalog migrated past its newest revision: ``db upgrade`` names
    the revision and what to do (exit 2), instead of Alembic's traceback, and changes nothing."""
    monkeypatch.setenv("ARCHIVIST_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
    database = Database(get_settings().effective_database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
        done = CliRunner().invoke(app, ["db", "upgrade"])
        assert done.exit_code == 2, done.output
        assert "catalog_too_new" in done.stderr and "0099_from_the_future" in done.stderr, done.stderr
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0099_from_the_future"
    finally:
        database.dispose()


def _migrate_after(barrier, url: str, outcomes) -> None:  # noqa: ANN001 - multiprocessing objects
    database = Database(url)
    barrier.wait()
    try:
        database.migrate()
        outcomes.put("ok")
    except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
        outcomes.put(f"{type(exc).__name__}: {exc}")


def test_processes_migrating_one_new_sqlite_catalog_at_once_all_succeed(tmp_path: Path) -> None:
    """Two ``archivist archive`` (or ``serve`` and ``archive``) started together on a new
    ARCHIVIST_HOME: each migrates the SQLite catalog, and all must succeed, as on PostgreSQL
    (whose advisory lock serialises them); before, the losers failed "table records already
    exists"."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    barrier, outcomes = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_migrate_after, args=(barrier, url, outcomes)) for _ in range(4)]
    for process in processes:
        process.start()
    results = [outcomes.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    assert results == ["ok"] * 4
    assert Database(url)._at_head()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0006_orders_versions_by_capture_time_and_follows_the_latest(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Versions written before 0006 get the time their content was first captured, and a record
    whose last written version came from an older capture (an old WARC imported after a live
    capture) gets back the content of its newest capture, in its search entry too. Going back
    to 0005 points each record at its highest number again, which the old code numbers after."""
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    database = Database(url)
    try:
        database.migrate()
        _step(database, "0005")
        live, old = datetime(2026, 3, 5, 12, 0, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)
        written = datetime(2026, 4, 1, tzinfo=UTC)
        with database.engine.begin() as connection:
            connection.execute(RecordRow.__table__.insert(), {
                "id": "r", "url": "https://news.example/a", "urlkey": "example,news)/a", "created_at": live,
                "updated_at": written, "latest_version": 3})
            for number, (title, source) in enumerate([("Now", "live"), ("Then", "old"), ("Unknown", None)], 1):
                connection.execute(RecordVersionRow.__table__.insert(), {
                    "id": number, "record_id": "r", "version": number, "fingerprint": title, "content": {"title": title},
                    "extractor_name": "x", "extractor_version": "1", "created_at": written, "source_capture_id": source})
            for name, moment, version_id in [("live", live, 1), ("old", old, None)]:
                connection.execute(CaptureRow.__table__.insert(), {
                    "id": name, "url": "https://news.example/a", "urlkey": "example,news)/a", "status": "archived",
                    "submitted_at": moment, "updated_at": moment, "attempts": 1, "record_version_id": version_id})
                connection.execute(SnapshotRow.__table__.insert(), {
                    "id": name, "capture_id": name, "page": 1, "url": "https://news.example/a",
                    "urlkey": "example,news)/a", "captured_at": moment, "kind": "response", "http_status": 200,
                    "mime": "text/html", "payload_digest": "sha1:A", "payload_length": 1, "storage_key": name,
                    "stored_length": 1})
            connection.execute(RecordSearchRow.__table__.insert(), {
                "record_id": "r", "url": "https://news.example/a", "urlkey": "example,news)/a", "host": "news.example",
                "title": "Unknown", "body": "", "version": 3, "archived_at": written})
        _step(database, "head")
        catalog = Catalog()
        with database.session() as session:
            in_time = [(v.version, v.captured_at.replace(tzinfo=UTC)) for v in catalog.versions(session, "r")]
            assert in_time == [(2, old), (1, live), (3, written)]  # no capture: when it was written
            assert catalog.get_record(session, "r").latest_version == 3
            # Nothing already stored is lost: SQLite rebuilds the table, and its captures keep their link.
            assert catalog.get_capture(session, "live").record_version_id == 1
        with database.engine.begin() as connection:  # without that version, the old import is last written
            connection.execute(RecordVersionRow.__table__.delete().where(RecordVersionRow.id == 3))
        _step(database, "0005")
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT latest_version FROM records")).scalar() == 2
            assert connection.execute(text("SELECT title FROM record_search")).scalar() == "Then"
        _step(database, "head")
        with database.session() as session:
            assert catalog.get_record(session, "r").latest_version == 1
            entry = session.scalars(select(RecordSearchRow)).one()
            assert (entry.version, entry.title) == (1, "Now")
            assert catalog.get_capture(session, "live").record_version_id == 1
    finally:
        database.dispose()
