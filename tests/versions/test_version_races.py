"""Writers of one record at once on PostgreSQL: captures and re-extractions of the same URL
racing for its next version. Each must compare against the version the writer before it wrote,
so none fails on the version key and the numbers stay 1, 2, 3... without a gap or a loss."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from archivist import pipeline, views
from archivist.extraction import extract as real_extract
from archivist.pipeline import extracting
from archivist.settings import Settings
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer, Route

ARTICLE = """<html><head><title>Harbour, revision {n}</title></head><body><article><h1>Harbour, revision {n}</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>Revision {n} of this paragraph reports a different decision from every other revision.</p>
</article></body></html>"""

WRITERS = 8


@pytest.fixture
def pg_workers(embedded_settings: Settings, pg_url: str, s3_endpoint: str, s3_bucket: str) -> Iterator[EmbeddedWorkers]:
    """In-process workers, one thread per writer, on PostgreSQL and SeaweedFS. No extract retry:
    a capture that lost a race would fail instead of being retried out of sight."""
    settings = Settings(database_url=pg_url, s3_endpoint=s3_endpoint, s3_bucket=s3_bucket,
                        home=embedded_settings.home, allow_private_networks=True, host_min_interval=0,
                        host_concurrency=WRITERS, extract_max_retries=0, retry_min_backoff_ms=50,
                        retry_max_backoff_ms=200)
    with EmbeddedWorkers(settings, threads=WRITERS) as running:
        yield running


def _revisions(pages: PageServer, path: str) -> str:
    """A page whose every answer is a new revision of the article."""
    numbers, lock = itertools.count(1), threading.Lock()

    def answer(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            body = ARTICLE.format(n=next(numbers)).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    pages.routes[path] = Route(handler=answer)
    return pages.url(path)


def _better_extracted(pages):  # noqa: ANN001, ANN202
    """A better extractor: the same pages, a title read differently."""
    result = real_extract(pages)
    return dataclasses.replace(result, title=f"{result.title} (better extracted)")


def test_concurrent_captures_of_one_url_each_make_a_version(pg_workers: EmbeddedWorkers, pages: PageServer) -> None:
    url = _revisions(pages, "/harbour")
    ids = [s.id for s in pipeline.submit(pg_workers.runtime, [url] * WRITERS)]
    pg_workers.drain()
    captures = [views.get_capture(pg_workers.runtime, i) for i in ids]
    assert [(c["status"], c["reason"]) for c in captures] == [("archived", None)] * WRITERS
    record = views.get_record(pg_workers.runtime, url)
    assert sorted(v["version"] for v in record["versions"]) == list(range(1, WRITERS + 1))
    # Listed in capture time, which the lock's turns need not follow.
    captured = [v["captured_at"] for v in record["versions"]]
    assert captured == sorted(captured)
    assert sorted(c for v in record["versions"] for c in v["capture_ids"]) == sorted(ids)


def test_concurrent_reextractions_of_one_capture_make_one_version(
    pg_workers: EmbeddedWorkers, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `reextract --all` at once send the same capture twice: the copies extract the same
    new content, one appends it and the others find it is the latest already."""
    url = pages.set("/light", ARTICLE.format(n=1))
    (capture_id,) = [s.id for s in pipeline.submit(pg_workers.runtime, [url])]
    pg_workers.drain()
    real_fingerprint = extracting.content_fingerprint
    together = threading.Barrier(WRITERS, timeout=20)

    def fingerprint_then_wait(content):  # noqa: ANN001, ANN202 - every writer reaches the catalog at once
        value = real_fingerprint(content)
        together.wait()
        return value

    monkeypatch.setattr(extracting, "extract", _better_extracted)
    monkeypatch.setattr(extracting, "content_fingerprint", fingerprint_then_wait)
    outcomes, errors = [], []

    def reextract() -> None:
        try:
            outcomes.append(pipeline.reextract_capture(pg_workers.runtime, capture_id))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=reextract) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(o.new_version for o in outcomes) == [False] * (WRITERS - 1) + [True]
    record = views.get_record(pg_workers.runtime, url)
    assert (record["version"], record["title"]) == (2, "Harbour, revision 1 (better extracted)")


def test_reextraction_overtaken_by_a_new_capture_appends_nothing(
    pg_workers: EmbeddedWorkers, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A capture archived while a re-extraction of the previous one runs: the re-extraction's
    content is older than the new latest version, and appending it would make it the latest."""
    url = pages.set("/tides", ARTICLE.format(n=1))
    (old,) = [s.id for s in pipeline.submit(pg_workers.runtime, [url])]
    pg_workers.drain()
    real_load_pages = extracting.load_pages

    def load_then_recapture(runtime, snapshots):  # noqa: ANN001, ANN202 - the new capture lands mid-way
        loaded = real_load_pages(runtime, snapshots)
        pages.set("/tides", ARTICLE.format(n=2))
        pipeline.submit(pg_workers.runtime, [url])
        pg_workers.drain()
        return loaded

    monkeypatch.setattr(extracting, "extract", _better_extracted)
    monkeypatch.setattr(extracting, "load_pages", load_then_recapture)
    outcome = pipeline.reextract_capture(pg_workers.runtime, old)
    assert outcome.skipped and not outcome.new_version
    record = views.get_record(pg_workers.runtime, url)
    assert (record["version"], record["title"]) == (2, "Harbour, revision 2 (better extracted)")
