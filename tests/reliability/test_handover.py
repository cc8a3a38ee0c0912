"""The fetch delivery extracts the pages it holds; the extract message is the way back in.

On the real stack (PostgreSQL, SeaweedFS, Redis), steps called directly so that what each one
sends to the broker can be read off Redis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import psycopg
import pytest

from archivist import pipeline, views
from archivist.core.errors import NotFound
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.overview import queue_depths
from archivist_workers.queue import EXTRACT_QUEUE, redis_task_queue
from tests.support.pages import PageServer

T = TypeVar("T")

ARTICLE = """<html><head><title>Harbour {0}</title></head><body><article><h1>Harbour {0}</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>Members agreed that the light should stay on through the winter months at the very least.</p>
<p>This is the part of the story told on {0}, with details that no other page repeats.</p>
{1}</article></body></html>"""


@pytest.fixture
def runtime(production_runtime: Runtime) -> Runtime:
    """The tests here drive the pipeline in this process, on the real servers."""
    return production_runtime


def extract_messages(runtime: Runtime) -> int:
    return next(d.waiting for d in queue_depths(runtime.queue.broker) if d.queue == EXTRACT_QUEUE)


@pytest.mark.parametrize("trees_budget", [8 << 20, 1], ids=["trees-kept", "over-budget-parsed-again"])
def test_the_fetch_delivery_archives_a_paginated_article_without_an_extract_message(
    runtime: Runtime, pages: PageServer, monkeypatch: pytest.MonkeyPatch, trees_budget: int
) -> None:
    from archivist.pipeline import fetching

    monkeypatch.setattr(fetching, "_TREES_BUDGET_BYTES", trees_budget)
    pager = '<nav class="pager"><a href="/story?page=1">1</a> <a href="/story?page=2">2</a></nav>'
    first = pages.set("/story?page=1", ARTICLE.format("page one", pager))
    pages.set("/story?page=2", ARTICLE.format("page two", pager))
    (submission,) = pipeline.submit(runtime, [first])

    outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")

    assert outcome.extraction is not None and outcome.extraction.new_version
    assert extract_messages(runtime) == 0
    capture = views.get_capture(runtime, submission.id)
    assert capture["status"] == "archived"
    record = views.get_record(runtime, first)
    assert record["pages"] == [first, pages.url("/story?page=2")]
    assert record["body"].count("The harbour council met") == 2  # both pages, parsed once each


def test_a_catalog_failure_during_extraction_hands_over_by_message(
    runtime: Runtime, production_settings: Settings, pages: PageServer
) -> None:
    url = pages.set("/lighthouse", ARTICLE.format("lighthouse", ""))
    (submission,) = pipeline.submit(runtime, [url])
    # A real fault between handing over and recording: the records table is gone for a moment.
    with psycopg.connect(production_settings.database_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("ALTER TABLE records RENAME TO records_away")
        try:
            outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")
        finally:
            admin.execute("ALTER TABLE records_away RENAME TO records")

    assert outcome.extraction is None
    assert views.get_capture(runtime, submission.id)["status"] == "extracting"
    assert extract_messages(runtime) == 1
    hits = pages.hits["/lighthouse"]

    extracted = pipeline.extract_capture(runtime, submission.id)  # what the extract message runs

    assert extracted.new_version and not extracted.failed_reason
    assert views.get_capture(runtime, submission.id)["status"] == "archived"
    assert pages.hits["/lighthouse"] == hits  # read back from storage, not fetched again


def test_a_handed_over_capture_keeps_the_note_of_its_missing_pages(
    runtime: Runtime, production_settings: Settings, pages: PageServer
) -> None:
    """The pages that failed are named by the fetch delivery: archived by the extract step, the
    capture still says it lacks them."""
    pager = '<nav class="pager"><a href="/tale?page=1">1</a> <a href="/tale?page=2">2</a></nav>'
    first = pages.set("/tale?page=1", ARTICLE.format("page one", pager))
    pages.set("/tale?page=2", "gone", status=404, headers={"Content-Type": "text/plain"})
    (submission,) = pipeline.submit(runtime, [first])
    with psycopg.connect(production_settings.database_url.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("ALTER TABLE records RENAME TO records_away")
        try:
            outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")
        finally:
            admin.execute("ALTER TABLE records_away RENAME TO records")
    assert outcome.extraction is None and outcome.missing_pages

    pipeline.extract_capture(runtime, submission.id)

    capture = views.get_capture(runtime, submission.id)
    assert capture["status"] == "archived" and capture["reason"] is None
    assert capture["message"] is not None and pages.url("/tale?page=2") in capture["message"]


def test_a_later_attempt_removes_the_pages_an_earlier_one_stored_that_it_does_not_use(
    runtime: Runtime, pages: PageServer
) -> None:
    """The article's pagination changed between two claims: the objects the first stored for the
    pages the second no longer fetches are no snapshot's, and are removed; what is archived stays."""
    from archivist.core.errors import HTTPServerError
    from archivist.core.keys import snapshot_key

    pager = ('<nav class="pager"><a href="/serial?page=1">1</a> <a href="/serial?page=2">2</a>'
             ' <a href="/serial?page=3">3</a></nav>')
    first = pages.set("/serial?page=1", ARTICLE.format("page one", pager))
    pages.set("/serial?page=2", ARTICLE.format("page two", pager))
    pages.set("/serial?page=3", "down", status=503, headers={"Content-Type": "text/plain"})
    (submission,) = pipeline.submit(runtime, [first])
    with pytest.raises(HTTPServerError):  # attempt 1 stored pages 1 and 2, then page 3 failed
        pipeline.fetch_capture(runtime, submission.id, delivery="d1")
    with runtime.database.session() as session:
        submitted_at = runtime.catalog.get_capture(session, submission.id).submitted_at
    earlier = [snapshot_key(pages.url(f"/serial?page={n}"), submitted_at, submission.id, 1) for n in (1, 2)]
    assert all(runtime.store.exists(key) for key in earlier)

    # The site now serves the article on one page; the message comes back (attempt 2).
    pages.set("/serial?page=1", ARTICLE.format("page one", ""))
    outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")

    assert outcome.extraction is not None and not outcome.extraction.skipped
    shown = views.get_capture(runtime, submission.id)
    assert shown["status"] == "archived" and [s["url"] for s in shown["snapshots"]] == [first]
    with runtime.database.session() as session:
        (kept,) = runtime.catalog.snapshots_for_capture(session, submission.id)
    assert runtime.store.exists(kept.storage_key)
    assert not any(runtime.store.exists(key) for key in earlier), "an earlier attempt's object was left behind"


def test_a_capture_that_ends_failed_leaves_no_object_behind(runtime: Runtime, pages: PageServer) -> None:
    """Attempt 1 stored pages 1 and 2, then page 3 failed transiently; on the last attempt the
    submitted page itself is down, so the capture ends failed: nothing will ever point at what
    its attempts stored, and it is removed."""
    from archivist.core.errors import HTTPServerError
    from archivist.core.keys import snapshot_key

    pager = ('<nav class="pager"><a href="/feuilleton?page=1">1</a> <a href="/feuilleton?page=2">2</a>'
             ' <a href="/feuilleton?page=3">3</a></nav>')
    first = pages.set("/feuilleton?page=1", ARTICLE.format("page one", pager))
    pages.set("/feuilleton?page=2", ARTICLE.format("page two", pager))
    pages.set("/feuilleton?page=3", "down", status=503, headers={"Content-Type": "text/plain"})
    (submission,) = pipeline.submit(runtime, [first])
    with pytest.raises(HTTPServerError):
        pipeline.fetch_capture(runtime, submission.id, delivery="d1")
    with runtime.database.session() as session:
        submitted_at = runtime.catalog.get_capture(session, submission.id).submitted_at
    stored = [snapshot_key(pages.url(f"/feuilleton?page={n}"), submitted_at, submission.id, 1) for n in (1, 2)]
    assert all(runtime.store.exists(key) for key in stored)

    pages.set("/feuilleton?page=1", "down", status=503, headers={"Content-Type": "text/plain"})
    with pytest.raises(HTTPServerError):  # its message's last delivery: the capture ends failed after it
        pipeline.fetch_capture(runtime, submission.id, delivery="d1", last_attempt=True)

    assert not any(runtime.store.exists(key) for key in stored), "a failed capture's objects were left behind"


def test_an_extractor_crash_in_the_fetch_delivery_fails_the_capture_through_the_extract_step(
    runtime: Runtime, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivist.pipeline import extracting

    def crash(pages):  # noqa: ANN001, ANN202
        raise RecursionError("maximum recursion depth exceeded")

    url = pages.set("/deep", ARTICLE.format("deep", ""))
    (submission,) = pipeline.submit(runtime, [url])
    monkeypatch.setattr(extracting, "extract", crash)

    outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")
    assert outcome.extraction is None and extract_messages(runtime) == 1
    extracted = pipeline.extract_capture(runtime, submission.id)

    assert extracted.failed_reason == "extraction_failed"
    capture = views.get_capture(runtime, submission.id)
    assert (capture["status"], capture["reason"]) == ("failed", "extraction_failed")
    assert "RecursionError" in capture["message"]


def test_a_delivery_whose_fetch_was_taken_over_archives_nothing_and_the_new_holder_archives_once(
    runtime: Runtime, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivist.pipeline import extracting

    url = pages.set("/quay", ARTICLE.format("quay", ""))
    (submission,) = pipeline.submit(runtime, [url])
    extract = extracting.extract

    def taken_over_meanwhile(stored):  # noqa: ANN001, ANN202
        # The delivery outlived its lease, and the broker's redelivery claimed the capture.
        with runtime.database.session(atomic=False) as session:
            assert runtime.catalog.claim_fetch(session, submission.id, delivery="d2",
                                               lease_expired=datetime.now(UTC) + timedelta(hours=1))
        return extract(stored)

    with monkeypatch.context() as patch:
        patch.setattr(extracting, "extract", taken_over_meanwhile)
        stale = pipeline.fetch_capture(runtime, submission.id, delivery="d1")

    assert stale.extraction is not None and stale.extraction.skipped and not stale.extraction.new_version
    capture = views.get_capture(runtime, submission.id)
    assert (capture["status"], capture["snapshots"]) == ("fetching", [])  # its rows were rolled back
    with pytest.raises(NotFound):
        views.get_record(runtime, url)
    assert extract_messages(runtime) == 0

    holder = pipeline.fetch_capture(runtime, submission.id, delivery="d2")

    assert holder.extraction is not None and holder.extraction.new_version
    capture = views.get_capture(runtime, submission.id)
    assert capture["status"] == "archived" and len(capture["snapshots"]) == 1
    assert [v["version"] for v in views.get_record(runtime, url)["versions"]] == [1]


def test_a_delivery_that_dies_before_archiving_leaves_no_snapshot_rows_and_its_redelivery_writes_them(
    runtime: Runtime, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivist.pipeline import fetching

    pager = '<nav class="pager"><a href="/tide?page=1">1</a> <a href="/tide?page=2">2</a></nav>'
    first = pages.set("/tide?page=1", ARTICLE.format("tide one", pager))
    second = pages.set("/tide?page=2", ARTICLE.format("tide two", pager))
    (submission,) = pipeline.submit(runtime, [second])  # page 2 submitted: page 1 is found by the pager

    def killed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the worker dies after its PUTs
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(fetching, "extract_fetched", killed)
        with pytest.raises(SystemExit):
            pipeline.fetch_capture(runtime, submission.id, delivery="d1")

    def snapshot_rows() -> list[tuple[int, str]]:
        with runtime.database.session() as session:
            return [(s.page, s.url) for s in runtime.catalog.snapshots_for_capture(session, submission.id)]

    assert views.get_capture(runtime, submission.id)["status"] == "fetching"
    assert snapshot_rows() == []  # the objects were stored; no row points at them yet

    outcome = pipeline.fetch_capture(runtime, submission.id, delivery="d1")  # the broker redelivers

    assert outcome.extraction is not None and outcome.extraction.new_version
    assert views.get_capture(runtime, submission.id)["status"] == "archived"
    assert snapshot_rows() == [(1, first), (2, second)]  # in reading order, not fetch order
    with runtime.database.session() as session:
        keys = {s.storage_key for s in runtime.catalog.snapshots_for_capture(session, submission.id)}
    assert set(runtime.store.list("snapshots/")) == keys  # the dead delivery's objects were removed


def test_deliveries_in_one_process_take_turns_at_the_html_work(
    production_settings: Settings, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads overlap their network waits, never their parsing or extraction (see Runtime.html_work)."""
    from archivist.pipeline import extracting, fetching

    settings = production_settings.model_copy(update={"host_min_interval": 0, "host_concurrency": 8})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()

    running, most = 0, 0
    guard = threading.Lock()

    def counted(step: Callable[..., T]) -> Callable[..., T]:
        def run(*args: object, **kwargs: object) -> T:
            nonlocal running, most
            with guard:
                running += 1
                most = max(most, running)
            try:
                time.sleep(0.05)  # long enough for another thread to get in, were it let in
                return step(*args, **kwargs)
            finally:
                with guard:
                    running -= 1
        return run

    for module, name in [(fetching, "parse_page"), (fetching, "find_pages"), (extracting, "extract")]:
        monkeypatch.setattr(module, name, counted(getattr(module, name)))
    urls = [pages.set(f"/quay{n}", ARTICLE.format(f"quay {n}", "")) for n in range(4)]
    submissions = pipeline.submit(runtime, urls)

    try:
        with ThreadPoolExecutor(len(submissions)) as pool:
            outcomes = list(pool.map(lambda s: pipeline.fetch_capture(runtime, s.id, delivery=f"d-{s.id}"),
                                     submissions))
    finally:
        runtime.close()

    assert all(outcome.extraction is not None and outcome.extraction.new_version for outcome in outcomes)
    assert most == 1


def final_record_at(runtime: Runtime, key: str, offset: int) -> tuple[str | None, bytes]:
    """The WARC-Record-ID and payload of the record a snapshot row's offset points at."""
    import io

    from warcio.archiveiterator import ArchiveIterator

    with runtime.store.open(key) as stream:
        data = stream.read()
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data[offset:]))))
        return record.rec_headers.get_header("WARC-Record-ID"), record.content_stream().read()
    except Exception:  # noqa: BLE001 - the offset does not start a record of these bytes
        return None, b""


@pytest.mark.parametrize("second_delivery", ["d1", "d2"], ids=["same-message-twice-at-once", "lease-expired"])
def test_a_delivery_that_lost_the_capture_never_changes_the_objects_the_winner_archived(
    runtime: Runtime, production_settings: Settings, pages: PageServer, monkeypatch: pytest.MonkeyPatch,
    second_delivery: str,
) -> None:
    """Two deliveries fetch one capture at once: the same message handed out twice (its worker
    looked dead to the broker), or another message once the first's lease ran out while its
    S3 write hung. The first one's write lands after the second archived the capture."""
    from tests.support.pages import Route

    editions = iter(range(1, 10))

    def edition(handler) -> None:  # noqa: ANN001 - the site changes between the two fetches
        body = ARTICLE.format(f"edition {next(editions)}", "").encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    pages.routes["/edition"] = Route(handler=edition)
    (submission,) = pipeline.submit(runtime, [pages.url("/edition")])
    put = runtime.store.put
    first_is_storing, second_is_done = threading.Event(), threading.Event()

    def hung_for_the_first(key, stream, length, **options):  # noqa: ANN001, ANN003, ANN202
        if threading.current_thread().name == "first":
            first_is_storing.set()
            assert second_is_done.wait(30)
        return put(key, stream, length, **options)

    monkeypatch.setattr(runtime.store, "put", hung_for_the_first)
    outcomes = {}

    def deliver(name: str, delivery: str) -> None:
        outcomes[name] = pipeline.fetch_capture(runtime, submission.id, delivery=delivery)

    first = threading.Thread(target=deliver, args=("first", "d1"), name="first")
    first.start()
    assert first_is_storing.wait(30)
    if second_delivery != "d1":
        with psycopg.connect(production_settings.database_url, autocommit=True) as admin:
            admin.execute("UPDATE captures SET updated_at = now() - interval '1 day' WHERE id = %s", (submission.id,))
    try:
        deliver("second", second_delivery)
    finally:
        second_is_done.set()
        first.join(30)

    assert outcomes["second"].extraction.new_version
    assert outcomes["first"].extraction is None or outcomes["first"].extraction.skipped
    capture = views.get_capture(runtime, submission.id)
    assert capture["status"] == "archived"
    (snapshot,) = capture["snapshots"]
    with runtime.database.session() as session:
        (row,) = runtime.catalog.snapshots_for_capture(session, submission.id)
    record_id, payload = final_record_at(runtime, row.storage_key, row.record_offset)
    assert record_id == row.warc_record_id
    assert b"edition 2" in payload and views.get_record(runtime, pages.url("/edition"))["title"] == "Harbour edition 2"
    assert list(runtime.store.list("snapshots/")) == [row.storage_key]  # the loser took its own object away
