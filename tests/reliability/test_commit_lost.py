"""The database commits, and the answer never reaches the worker: the connection is lost between
the COMMIT and its reply. On the real stack (PostgreSQL behind a TCP relay, SeaweedFS, Redis),
the fetch step driven in this process."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from archivist import pipeline, views
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer
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
