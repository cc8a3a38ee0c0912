"""A worker's connections lost in the middle of archiving: its catalog session ended by the
server mid-transaction, or lost between the COMMIT and its answer; an S3 PUT stored whose answer
never came back. On the real stack (PostgreSQL and SeaweedFS, behind a TCP relay where a test
cuts them, Redis), the steps driven in this process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from archivist import pipeline, views
from archivist.core.errors import StorageUnavailable
from archivist.core.keys import attempts_prefix
from archivist.core.urls import url_hash
from archivist.pipeline.common import aware
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer, wait_for
from tests.support.tcp_relay import TcpRelay

ARTICLE = ("<html><head><title>Lost answer</title></head><body><article><h1>Lost answer</h1>"
           + "<p>A paragraph of an article long enough to be taken for one, and archived. " * 8
           + "</p></article></body></html>")


@pytest.fixture
def relayed(production_runtime: Runtime, production_settings: Settings) -> Iterator[tuple[Runtime, TcpRelay]]:
    """A runtime whose catalog connections go through a relay the test can cut."""
    parts = urlsplit(production_settings.database_url)
    relay = TcpRelay((parts.hostname, parts.port or 5432)).start()
    url = parts._replace(netloc=f"{parts.username}@127.0.0.1:{relay.port}").geturl()
    runtime = Runtime(production_settings.model_copy(update={"database_url": url}),
                      queue=redis_task_queue(production_settings))
    yield runtime, relay
    runtime.close()
    relay.stop()


def test_a_commit_whose_answer_was_lost_keeps_the_objects_its_rows_point_at(
    relayed: tuple[Runtime, TcpRelay], pages: PageServer
) -> None:
    """The archiving transaction commits, but the worker only sees its connection drop: it must
    not take the capture for lost to another claim and remove the snapshot objects that the
    committed rows point at (a replay would find nothing)."""
    runtime, relay = relayed
    (submission,) = pipeline.submit(runtime, [pages.set("/lost-answer", ARTICLE)])

    relay.cut_after(b"COMMIT\x00")  # the first COMMIT statement (not a BEGIN ... READ COMMITTED): the archiving one
    pipeline.fetch_capture(runtime, submission.id, delivery="d1")
    assert relay.cuts == 1

    assert views.get_capture(runtime, submission.id)["status"] == "archived"
    with runtime.database.session() as session:
        keys = [row.storage_key for row in runtime.catalog.snapshots_for_capture(session, submission.id)]
    assert keys
    assert all(runtime.store.exists(key) for key in keys), "a snapshot row points at a removed object"


def test_a_session_ended_in_the_middle_of_the_archiving_transaction_hands_over_and_archives_once(
    production_runtime: Runtime, pg_url: str, pages: PageServer
) -> None:
    """``pg_terminate_backend`` on the worker's session while its archiving transaction waits for
    the record's turn: nothing of it stays, the capture is handed over (rows and ``extracting``,
    on a new connection) to the extract step, which archives it: one version, and every
    snapshot row pointing at a stored object."""
    runtime = production_runtime
    url = pages.set("/terminated", ARTICLE)
    (submission,) = pipeline.submit(runtime, [url])
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (url,))  # the record's turn, held
        fetching = threading.Thread(target=pipeline.fetch_capture, args=(runtime, submission.id),
                                    kwargs={"delivery": "d1"})
        fetching.start()

        def waiting_backend() -> int | None:
            row = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                "AND wait_event = 'advisory' AND pid <> pg_backend_pid()").fetchone()
            return row[0] if row else None

        pid = wait_for(waiting_backend, timeout=60, what="the archiving transaction to wait for its turn")
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        admin.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (url,))
        fetching.join(timeout=60)
    assert views.get_capture(runtime, submission.id)["status"] == "extracting"

    pipeline.extract_capture(runtime, submission.id)

    assert views.get_capture(runtime, submission.id)["status"] == "archived"
    history = views.history(runtime, url)
    assert len(history["versions"]) == 1
    with runtime.database.session() as session:
        keys = [row.storage_key for row in runtime.catalog.snapshots_for_capture(session, submission.id)]
    assert keys and all(runtime.store.exists(key) for key in keys)


@pytest.fixture
def relayed_s3(production_runtime: Runtime, production_settings: Settings) -> Iterator[tuple[Runtime, TcpRelay]]:
    """A runtime whose S3 requests go through a relay the test can cut."""
    parts = urlsplit(production_settings.s3_endpoint)
    relay = TcpRelay((parts.hostname, parts.port)).start()
    runtime = Runtime(production_settings.model_copy(update={"s3_endpoint": f"http://127.0.0.1:{relay.port}"}),
                      queue=redis_task_queue(production_settings))
    yield runtime, relay
    runtime.close()
    relay.stop()


def test_a_put_stored_though_its_answer_was_lost_is_removed_by_the_redelivery_that_archives(
    relayed_s3: tuple[Runtime, TcpRelay], pages: PageServer
) -> None:
    """S3 stores the snapshot but its answer never comes back: the step fails (retried, not
    repeated blind by the client), its redelivery fetches again under a key of its own claim,
    archives, and removes the object the first attempt left: one object per snapshot row."""
    runtime, relay = relayed_s3
    url = pages.set("/put-answer-lost", ARTICLE)
    (submission,) = pipeline.submit(runtime, [url])

    relay.cut_after(b"PUT /")
    with pytest.raises(StorageUnavailable):
        pipeline.fetch_capture(runtime, submission.id, delivery="d1")
    assert relay.cuts == 1
    pipeline.fetch_capture(runtime, submission.id, delivery="d1")  # the broker's redelivery

    assert views.get_capture(runtime, submission.id)["status"] == "archived"
    with runtime.database.session() as session:
        rows = runtime.catalog.snapshots_for_capture(session, submission.id)
        submitted_at = runtime.catalog.get_capture(session, submission.id).submitted_at
    stored = list(runtime.store.list(attempts_prefix(url_hash(url), aware(submitted_at), submission.id)))
    assert stored == [row.storage_key for row in rows] and stored[0].endswith("-2.warc.gz")
