"""S3 answering badly rather than being down: an error answer for one request, a download cut
in the middle, an object damaged or removed behind our back. On the real stack (SeaweedFS
behind a proxy the test spoils answers of, PostgreSQL, Redis), the steps driven in this process.

A read that broke is the server's fault and retried (503 for a replay, the step waits), never
taken for a damaged snapshot; a snapshot that is really damaged or gone is said so, naming the
capture, and stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from archivist import pipeline, replay
from archivist.adapters.catalog import RecordVersionRow
from archivist.core.errors import StorageUnavailable
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer
from tests.support.s3_proxy import S3Proxy

ARTICLE = ("<html><head><title>Harbour wall</title></head><body><article><h1>Harbour wall</h1>"
           + "<p>The harbour wall was rebuilt over the winter, stone by stone, by the town's masons. " * 10
           + "</p></article></body></html>")


@pytest.fixture
def proxy(s3_endpoint: str) -> Iterator[S3Proxy]:
    server = S3Proxy(s3_endpoint).start()
    yield server
    server.stop()


@pytest.fixture
def proxied(production_settings: Settings, proxy: S3Proxy) -> Iterator[Runtime]:
    """A runtime whose S3 requests go through the proxy."""
    settings = production_settings.model_copy(update={"s3_endpoint": proxy.endpoint})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    yield runtime
    runtime.close()


def _archived(runtime: Runtime, pages: PageServer, path: str) -> tuple[str, str, str]:
    """Archive one page; its URL, capture id and snapshot object key."""
    url = pages.set(path, ARTICLE)
    (submission,) = pipeline.submit(runtime, [url])
    assert pipeline.fetch_capture(runtime, submission.id, delivery="d1").extraction.new_version
    with runtime.database.session() as session:
        (row,) = runtime.catalog.snapshots_for_capture(session, submission.id)
    return url, submission.id, row.storage_key


def _versions(runtime: Runtime) -> int:
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(RecordVersionRow))


def test_a_download_cut_midway_is_the_servers_fault_not_a_damaged_snapshot(
    proxied: Runtime, proxy: S3Proxy, pages: PageServer
) -> None:
    """A snapshot's GET whose connection breaks after a few bytes is an S3 failure, retried: a
    replay answers 503 and a re-extraction waits for the server. Taken for a damaged WARC, it
    answered 500 ``corrupt_warc`` and failed the re-extraction for good."""
    url, capture_id, key = _archived(proxied, pages, "/wall")

    proxy.cut_body("GET", key, keep_bytes=200)
    with pytest.raises(StorageUnavailable, match="cannot read"):
        replay.load(proxied, replay.resolve(proxied, url))

    proxy.cut_body("GET", key, keep_bytes=200)
    with pytest.raises(StorageUnavailable):
        pipeline.reextract_capture(proxied, capture_id)

    assert proxy.spoiled == 2
    assert replay.load(proxied, replay.resolve(proxied, url)).body  # the server answering whole again
    assert _versions(proxied) == 1
