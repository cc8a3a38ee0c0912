"""Shared fixtures: the real servers every adapter test talks to.

- Redis on 127.0.0.1:6379 (database 15), each test under a key prefix of its own (a module's,
  for the tests that share one server process: ``module_production_env``).
- PostgreSQL on 127.0.0.1:5432: a fresh database per test session, dropped afterwards, emptied
  before each test that asks for ``pg_url``.
- SeaweedFS S3 on a loopback port, started once per session.
- A local page server, and the seed article served at its original paths.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from archivist.runtime import Runtime
from archivist.settings import Settings, get_settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer
from tests.support.paths import require_seed, seed_expected
from tests.support.processes import ApiServer, Service
from tests.support.seaweed import SeaweedS3, free_port

REDIS_URL = os.environ.get("ARCHIVIST_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PG_ADMIN_URL = os.environ.get("ARCHIVIST_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's ARCHIVIST_* environment or home folder."""
    for name in list(os.environ):
        if name.startswith("ARCHIVIST_") and not name.startswith("ARCHIVIST_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ARCHIVIST_HOME", str(tmp_path / "archivist-home"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("ARCHIVIST_TEST_S3_ENDPOINT")
    if given:
        yield given
        return
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed"))
    server.start()
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture
def s3_bucket() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_namespace() -> str:
    """A key prefix of this test's own: test sessions running at once share one Redis."""
    return f"t{uuid.uuid4().hex[:12]}"


def clear_redis_namespace(namespace: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_url(redis_namespace: str) -> Iterator[str]:
    yield REDIS_URL
    clear_redis_namespace(redis_namespace)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this session; its SQLAlchemy URL."""
    name = f"archivist_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """The session database, emptied before each test that uses it."""
    with psycopg.connect(pg_database, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
        )]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    yield pg_database


@pytest.fixture
def pages() -> Iterator[PageServer]:
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture
def seed_site(pages: PageServer) -> PageServer:
    """The seed article at its original paths (``/article.php?art_id=18843&page=N``)."""
    pages.serve_seed(require_seed(), seed_expected()["served_as"])
    return pages


@pytest.fixture
def seed() -> dict:
    return seed_expected()


@pytest.fixture
def embedded_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Embedded defaults, private networks allowed (the page server is on loopback)."""
    monkeypatch.setenv("ARCHIVIST_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("ARCHIVIST_RETRY_MIN_BACKOFF_MS", "50")
    monkeypatch.setenv("ARCHIVIST_RETRY_MAX_BACKOFF_MS", "200")
    monkeypatch.setenv("ARCHIVIST_HOST_MIN_INTERVAL", "0")
    get_settings.cache_clear()
    return get_settings()


def production_variables(
    *, redis_namespace: str, database_url: str, s3_endpoint: str, s3_bucket: str, home: Path
) -> dict[str, str]:
    """ARCHIVIST_* variables for the production adapters on the real local servers."""
    return {
        "ARCHIVIST_REDIS_URL": REDIS_URL,
        "ARCHIVIST_REDIS_NAMESPACE": redis_namespace,
        "ARCHIVIST_DATABASE_URL": database_url,
        "ARCHIVIST_S3_ENDPOINT": s3_endpoint,
        "ARCHIVIST_S3_BUCKET": s3_bucket,
        "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1",
        "ARCHIVIST_HOME": str(home),
        "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "100",
        "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "1000",
        "ARCHIVIST_HOST_MIN_INTERVAL": "0",
        # a port of its own: another test's worker (or anything else on the machine) may hold 9191
        "ARCHIVIST_WORKER_METRICS_PORT": str(free_port()),
    }


@pytest.fixture
def production_env(
    redis_url: str, redis_namespace: str, pg_url: str, s3_endpoint: str, s3_bucket: str, tmp_path: Path
) -> dict[str, str]:
    """ARCHIVIST_* variables for the production adapters on the real local servers: this test's own
    Redis namespace, bucket and home, the session database emptied."""
    return production_variables(redis_namespace=redis_namespace, database_url=pg_url, s3_endpoint=s3_endpoint,
                                s3_bucket=s3_bucket, home=tmp_path / "prod-home")


@pytest.fixture(scope="module")
def module_production_env(
    pg_database: str, s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """:func:`production_env` shared by a module's tests, for a server process they share (starting
    one per test cost seconds each). The module has a Redis namespace and bucket of its own; its tests
    stay apart by the catalog, which each must empty by asking for ``pg_url``, and by their data."""
    namespace = f"t{uuid.uuid4().hex[:12]}"
    yield production_variables(redis_namespace=namespace, database_url=pg_database, s3_endpoint=s3_endpoint,
                               s3_bucket=f"t-{uuid.uuid4().hex[:12]}", home=tmp_path_factory.mktemp("prod-home"))
    clear_redis_namespace(namespace)


@pytest.fixture
def production_settings(production_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in production_env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def production_runtime(production_settings: Settings) -> Iterator[Runtime]:
    """A runtime of this process on the real servers, its catalog migrated and bucket made."""
    runtime = Runtime(production_settings, queue=redis_task_queue(production_settings))
    runtime.prepare()
    yield runtime
    runtime.close()


@pytest.fixture
def production_stack(production_env: dict[str, str], tmp_path: Path) -> Iterator[ApiServer]:
    """``archivist serve`` and one ``archivist worker`` as subprocesses on the real servers."""
    worker = Service(["worker", "--processes", "1", "--threads", "4"], production_env, tmp_path / "worker.log").start()
    api = ApiServer(production_env, tmp_path / "api.log")
    try:
        api.start()
        yield api
    finally:
        api.stop()
        worker.stop()
        print("--- worker log ---\n" + worker.output()[-4000:])
