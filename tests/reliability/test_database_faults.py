"""PostgreSQL answering errors rather than being down: a database set read-only (a replica
promoted the other way, an operator's ``default_transaction_read_only``), a statement cancelled
by ``statement_timeout`` behind another session's row lock, the database's connection limit
reached. On a database of the test's own (the shared server is never reconfigured), the steps
driven in this process and the API in-process.

Each is the catalog being unavailable: a clear reason naming it, a 503 from the API, a step
that waits for it without spending the capture's retries; nothing is lost."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from archivist import pipeline, views
from archivist.api.app import create_app
from archivist.core.errors import CatalogConflict, CatalogUnavailable
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.conftest import PG_ADMIN_URL
from tests.support.pages import PageServer

ARTICLE = ("<html><head><title>Ferry timetable</title></head><body><article><h1>Ferry timetable</h1>"
           + "<p>The winter timetable of the island ferry starts on Monday, with two crossings a day. " * 8
           + "</p></article></body></html>")


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own, owned by a role of its own (not a superuser, whom
    PostgreSQL exempts from connection limits), which it may reconfigure."""
    name = f"archivist_faults_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    server = urlsplit(PG_ADMIN_URL)
    yield server._replace(netloc=f"{name}@{server.hostname}:{server.port or 5432}", path=f"/{name}").geturl()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def _runtime(settings: Settings, database_url: str) -> Runtime:
    settings = settings.model_copy(update={"database_url": database_url})
    return Runtime(settings, queue=redis_task_queue(settings))


def _alter(database_url: str, setting: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" {setting}')


def test_a_read_only_database_is_the_catalog_unavailable(
    production_settings: Settings, own_database: str, pages: PageServer
) -> None:
    """PostgreSQL refusing writes ("cannot execute INSERT in a read-only transaction") raised
    SQLAlchemy's InternalError as is: a 500 with a traceback from the API, and an "internal
    error" spending the capture's retries in the workers."""
    prepared = _runtime(production_settings, own_database)
    prepared.prepare()
    url = pages.set("/ferry", ARTICLE)
    (queued,) = pipeline.submit(prepared, [url])
    prepared.close()
    _alter(own_database, "SET default_transaction_read_only = on")  # new sessions only

    runtime = _runtime(production_settings, own_database)
    try:
        with pytest.raises(CatalogUnavailable, match="read-only"):
            pipeline.fetch_capture(runtime, queued.id, delivery="d1")
        with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
            answer = client.post("/v1/captures", json={"urls": [url]})
            read = client.get(f"/v1/captures/{queued.id}")
        assert (answer.status_code, answer.json()["error"]) == (503, "catalog_unavailable"), answer.text
        assert "read-only" in answer.json()["detail"]
        assert read.status_code == 200  # reading goes on

        _alter(own_database, "RESET default_transaction_read_only")
        runtime.database.dispose()  # the pool's sessions were opened read-only
        assert pipeline.fetch_capture(runtime, queued.id, delivery="d1").extraction.new_version
        assert views.get_capture(runtime, queued.id)["status"] == "archived"
    finally:
        runtime.close()


def test_a_statement_timeout_behind_a_row_lock_is_the_catalog_unavailable(
    production_settings: Settings, own_database: str, pages: PageServer
) -> None:
    prepared = _runtime(production_settings, own_database)
    prepared.prepare()
    (queued,) = pipeline.submit(prepared, [pages.set("/ferry", ARTICLE)])
    prepared.close()
    _alter(own_database, "SET statement_timeout = '1s'")

    runtime = _runtime(production_settings, own_database)
    try:
        with psycopg.connect(own_database) as locker:
            locker.execute("SELECT id FROM captures WHERE id = %s FOR UPDATE", (queued.id,))
            with pytest.raises(CatalogUnavailable, match="statement timeout"):
                pipeline.fetch_capture(runtime, queued.id, delivery="d1")
        assert pipeline.fetch_capture(runtime, queued.id, delivery="d1").extraction.new_version
    finally:
        runtime.close()


def test_the_connection_limit_reached_is_the_catalog_unavailable(
    production_settings: Settings, own_database: str, pages: PageServer
) -> None:
    prepared = _runtime(production_settings, own_database)
    prepared.prepare()
    (queued,) = pipeline.submit(prepared, [pages.set("/ferry", ARTICLE)])
    prepared.close()
    _alter(own_database, "CONNECTION LIMIT 1")

    runtime = _runtime(production_settings, own_database)
    try:
        with psycopg.connect(own_database):  # the one connection allowed its role
            with pytest.raises(CatalogUnavailable, match="too many connections"):
                pipeline.fetch_capture(runtime, queued.id, delivery="d1")
            with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
                answer = client.get(f"/v1/captures/{queued.id}")
            assert (answer.status_code, answer.json()["error"]) == (503, "catalog_unavailable"), answer.text
        assert pipeline.fetch_capture(runtime, queued.id, delivery="d1").extraction.new_version
    finally:
        runtime.close()


_TOUCH = text("UPDATE captures SET updated_at = updated_at WHERE id = :id")


def test_a_deadlock_is_a_catalog_conflict_not_the_catalog_unavailable(
    production_runtime: Runtime, pg_url: str, pages: PageServer
) -> None:
    """PostgreSQL ends one of two transactions that wait on each other's rows (deadlock_detected,
    40P01): a conflict between writers, over once the other commits, not a database to wait for.
    It was the catalog unavailable ("waiting for the catalog database"): a step spent no retry and
    waited out the outage's backoff, the API said the database was down."""
    first, second = pipeline.submit(production_runtime, [pages.set("/ferry", ARTICLE), pages.set("/tide", ARTICLE)])
    holds_first = threading.Event()
    raised: list[BaseException] = []

    def locks_first_then_second() -> None:
        try:
            with production_runtime.database.session() as session:
                session.execute(_TOUCH, {"id": first.id})
                holds_first.set()
                session.execute(_TOUCH, {"id": second.id})  # waits on the other connection
        except BaseException as exc:  # noqa: BLE001 - what the adapter raised is the test's subject
            raised.append(exc)

    with psycopg.connect(pg_url) as other:
        # This side waits longer before looking for a deadlock: the adapter's transaction is the one ended.
        other.execute("SET deadlock_timeout = '20s'")
        other.execute("UPDATE captures SET updated_at = updated_at WHERE id = %s", (second.id,))
        adapter = threading.Thread(target=locks_first_then_second, daemon=True)
        adapter.start()
        assert holds_first.wait(timeout=10)
        time.sleep(0.3)  # the adapter now waits for the second row
        other.execute("UPDATE captures SET updated_at = updated_at WHERE id = %s", (first.id,))
        adapter.join(timeout=20)
        other.rollback()
    (exc,) = raised
    assert isinstance(exc, CatalogConflict), repr(exc)
    assert exc.reason == "catalog_conflict" and "deadlock" in exc.message, exc.message


def test_a_serialization_failure_is_a_catalog_conflict_not_the_catalog_unavailable(
    production_runtime: Runtime, pg_url: str, pages: PageServer
) -> None:
    """A transaction at REPEATABLE READ or SERIALIZABLE (a database whose
    default_transaction_isolation an operator raised) that writes a row another committed since
    it began is refused (serialization_failure, 40001): run again, it succeeds."""
    (queued,) = pipeline.submit(production_runtime, [pages.set("/ferry", ARTICLE)])
    with pytest.raises(CatalogConflict, match="serialize") as refused:
        with production_runtime.database.session() as session:
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            session.execute(text("SELECT status FROM captures WHERE id = :id"), {"id": queued.id})
            with psycopg.connect(pg_url, autocommit=True) as other:
                other.execute("UPDATE captures SET updated_at = updated_at WHERE id = %s", (queued.id,))
            session.execute(_TOUCH, {"id": queued.id})
    assert refused.value.reason == "catalog_conflict"
    with production_runtime.database.session() as session:  # run again, it goes through
        session.execute(_TOUCH, {"id": queued.id})
