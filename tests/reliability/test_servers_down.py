"""The API while PostgreSQL or S3 is away, restarted or frozen, through the real servers.

A request that needs a server which is down gets a 503 naming it, quickly: never a 500, a hang
or an API that cannot start. A server that is back is used at once, without a failed request.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from archivist import pipeline, views
from archivist.core.errors import StorageUnavailable
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer
from tests.support.processes import ApiServer
from tests.support.seaweed import SeaweedS3

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"


@pytest.fixture
def api(production_env: dict[str, str], tmp_path: Path) -> Iterator[ApiServer]:
    server = ApiServer(production_env, tmp_path / "api.log").start()
    yield server
    server.stop()


def end_every_session(pg_url: str) -> int:
    """``pg_terminate_backend`` on every other session of the test database, as a restart does."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        return len(admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall())


def test_the_api_answers_at_once_after_the_database_ended_its_connections(
    api: ApiServer, pg_url: str, pages: PageServer
) -> None:
    url = pages.set("/harbour", ARTICLE.format("Harbour"))
    answer = httpx.post(f"{api.base_url}/v1/captures", json={"urls": [url]}, timeout=10)
    assert answer.status_code == 202, answer.text
    capture_id = answer.json()["captures"][0]["id"]
    assert httpx.get(f"{api.base_url}/v1/captures/{capture_id}", timeout=10).status_code == 200

    assert end_every_session(pg_url) >= 1  # the API's pooled connection among them

    read = httpx.get(f"{api.base_url}/v1/captures/{capture_id}", timeout=10)
    assert read.status_code == 200, read.text
    end_every_session(pg_url)
    submitted = httpx.post(f"{api.base_url}/v1/captures", json={"urls": [url]}, timeout=10)
    assert submitted.status_code == 202, submitted.text


def test_the_api_starts_while_the_database_and_storage_are_down_and_says_so(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    """Like a worker, an API process that boots during an outage serves once the servers are back."""
    from tests.support.seaweed import free_port

    down = {**production_env, "ARCHIVIST_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/archivist",
            "ARCHIVIST_S3_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    server = ApiServer(down, tmp_path / "api.log").start()
    try:
        read = httpx.get(f"{server.base_url}/v1/captures/some-id", timeout=10)
        submitted = httpx.post(f"{server.base_url}/v1/captures", json={"urls": ["http://example.com/"]}, timeout=10)
    finally:
        server.stop()
    assert (read.status_code, read.json()["error"]) == (503, "catalog_unavailable")
    assert (submitted.status_code, submitted.json()["error"]) == (503, "catalog_unavailable")


@pytest.fixture
def frozen_s3(tmp_path: Path) -> Iterator[SeaweedS3]:
    """An S3 server of this test's own, which it may freeze (SIGSTOP): it accepts connections
    and answers nothing, as a hung or overloaded server does."""
    server = SeaweedS3(tmp_path / "s3")
    server.start()
    yield server
    os.killpg(server.process.pid, signal.SIGCONT)
    server.stop()


def test_a_frozen_s3_fails_replay_and_stores_within_the_s3_timeout(
    production_env: dict[str, str], production_settings: Settings, frozen_s3: SeaweedS3, pages: PageServer,
    tmp_path: Path,
) -> None:
    env = {**production_env, "ARCHIVIST_S3_ENDPOINT": frozen_s3.endpoint, "ARCHIVIST_S3_TIMEOUT": "1"}
    settings = production_settings.model_copy(update={"s3_endpoint": frozen_s3.endpoint, "s3_timeout": 1.0})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    archived_url = pages.set("/before", ARTICLE.format("Before"))
    later_url = pages.set("/during", ARTICLE.format("During"))
    archived, later = pipeline.submit(runtime, [archived_url, later_url])
    assert pipeline.fetch_capture(runtime, archived.id, delivery="d1").extraction.new_version
    timestamp = views.get_capture(runtime, archived.id)["timestamp"]
    api = ApiServer(env, tmp_path / "api.log").start()
    try:
        os.killpg(frozen_s3.process.pid, signal.SIGSTOP)
        started = time.monotonic()
        replayed = httpx.get(f"{api.base_url}/web/{timestamp}id_/{archived_url}", timeout=30)
        replay_seconds = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            pipeline.fetch_capture(runtime, later.id, delivery="d2")
        store_seconds = time.monotonic() - started
        os.killpg(frozen_s3.process.pid, signal.SIGCONT)
        retried = pipeline.fetch_capture(runtime, later.id, delivery="d2")  # the broker's retry
    finally:
        api.stop()
        runtime.close()
    assert (replayed.status_code, replayed.json()["error"]) == (503, "storage_unavailable")
    assert replay_seconds < 10 and store_seconds < 10, (replay_seconds, store_seconds)
    assert retried.extraction is not None and retried.extraction.new_version


def test_a_bucket_gone_from_under_the_workers_fails_the_capture_at_once_naming_it(
    production_settings: Settings, pages: PageServer
) -> None:
    """S3 answering "no such bucket" or "access denied" is configuration, not an outage:
    retrying cannot help, and every retry would fetch the site again."""
    from minio import Minio

    runtime = Runtime(production_settings, queue=redis_task_queue(production_settings))
    runtime.prepare()
    bucket = production_settings.s3_bucket
    Minio(production_settings.s3_endpoint.split("://", 1)[1], secure=False).remove_bucket(bucket)
    url = pages.set("/quay", ARTICLE.format("Quay"))
    (submission,) = pipeline.submit(runtime, [url])
    try:
        outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")  # does not raise: no retry
        capture = views.get_capture(runtime, submission.id)
    finally:
        runtime.close()
    assert outcome.failed_reason == "storage_misconfigured"
    assert (capture["status"], capture["reason"]) == ("failed", "storage_misconfigured")
    assert bucket in capture["message"] and "ARCHIVIST_S3_BUCKET" in capture["message"]
    assert pages.page_hits == {"/quay": 1}
