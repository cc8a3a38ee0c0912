"""Several operations on one URL at once, on the real stack (``archivist worker`` processes,
Redis, PostgreSQL, SeaweedFS, the CLI as subprocesses): two workers capturing it from two
submissions, a ``reextract`` of its record meanwhile, an ``import`` of a WARC holding it while a
live capture runs. Nothing may be lost or corrupted: every capture archived, the record's versions
numbered 1, 2, 3... without a gap or a duplicate, every snapshot readable whole, and replay
showing the one captured last.

(The service has no delete or purge of records or captures; ``schedule remove`` only stops
future captures, and ``dlq purge`` removes dead letters, not a running capture's message.)"""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist import pipeline, replay, views
from archivist.extraction import extract as real_extract
from archivist.pipeline import extracting
from archivist.runtime import Runtime
from tests.support.pages import PageServer, Route, wait_for
from tests.support.processes import Service
from tests.support.stack import run_cli

ARTICLE = """<html><head><title>Quay, revision {n}</title></head><body><article><h1>Quay, revision {n}</h1>
<p>The quay was lengthened this year so that the ferry can berth at low tide as well as at high tide.</p>
<p>Revision {n} of this report gives a figure for the cost that no other revision of it gives.</p>
</article></body></html>"""


def _revisions(pages: PageServer, path: str, seconds: float) -> str:
    """A page whose every answer, after ``seconds``, is a new revision of the article: work a
    worker is caught in, whose every capture is a version."""
    numbers, lock = itertools.count(1), threading.Lock()

    def answer(handler: BaseHTTPRequestHandler) -> None:
        with lock:
            body = ARTICLE.format(n=next(numbers)).encode()
        time.sleep(seconds)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    pages.routes[path] = Route(handler=answer)
    return pages.url(path)


def _revision(body: bytes) -> str:
    match = re.search(rb"Quay, revision (\d+|imported \w+)", body)
    assert match, body[:300]
    return match.group(1).decode()


def _settled(runtime: Runtime, capture_ids: list[str]) -> bool:
    return all(views.get_capture(runtime, i)["status"] in ("archived", "failed") for i in capture_ids)


def _assert_whole(runtime: Runtime, url: str, capture_ids: list[str]) -> list[str]:
    """Every capture archived, the versions numbered without a gap or a duplicate, each snapshot
    readable whole, and the latest replay the one captured last; the revisions replayed, oldest first."""
    captures = [views.get_capture(runtime, i) for i in capture_ids]
    assert [(c["status"], c["reason"]) for c in captures] == [("archived", None)] * len(captures), captures
    record = views.get_record(runtime, url)
    numbers = [v["version"] for v in record["versions"]]
    assert sorted(numbers) == list(range(1, len(numbers) + 1)), numbers
    found = replay.mementos(runtime, url)
    assert len(found) == len(capture_ids), [f.snapshot.capture_id for f in found]
    revisions = [_revision(replay.load(runtime, memento).body) for memento in found]  # each read whole
    assert len(set(revisions)) == len(revisions), revisions
    last = _revision(replay.load(runtime, max(found, key=lambda memento: memento.snapshot.captured_at)).body)
    assert _revision(replay.load(runtime, replay.resolve(runtime, url)).body) == last
    assert record["title"] in (f"Quay, revision {last}", f"Quay, revision {last} (better extracted)"), record["title"]
    return revisions


def _better_extracted(pages):  # noqa: ANN001, ANN202
    """A newer extractor, as on a host that has it while the workers do not: a title read differently."""
    result = real_extract(pages)
    return dataclasses.replace(result, title=f"{result.title} (better extracted)")


def test_two_workers_capturing_one_url_and_reextractions_meanwhile_lose_and_corrupt_nothing(
    production_env: dict[str, str], production_runtime: Runtime, pages: PageServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four submissions of the URL, taken by two worker processes at once; meanwhile ``archivist
    reextract --url`` (queued to the workers, their extractor) and, in this process, a newer
    extractor re-extracting each capture as it is archived (a version when it is still the newest).
    The record's writers take turns: each capture is a version, each re-extraction a version or
    nothing, the numbers without a gap."""
    env = {**production_env, "ARCHIVIST_HOST_CONCURRENCY": "4"}
    url = _revisions(pages, "/quay", seconds=1.5)
    worker = Service(["worker", "--processes", "2", "--threads", "2"], env, tmp_path / "worker.log").start()
    monkeypatch.setattr(extracting, "extract", _better_extracted)
    reextractions: list = []
    settled = threading.Event()

    def reextract_as_archived(capture_ids: list[str]) -> None:
        done: set[str] = set()
        while not settled.is_set():
            for capture_id in capture_ids:
                if capture_id not in done and views.get_capture(production_runtime, capture_id)["status"] == "archived":
                    done.add(capture_id)
                    reextractions.append(pipeline.reextract_capture(production_runtime, capture_id))
            time.sleep(0.05)

    try:
        (first,) = pipeline.submit(production_runtime, [url])
        wait_for(lambda: _settled(production_runtime, [first.id]), timeout=120, what="the first capture")
        later = [pipeline.submit(production_runtime, [url])[0].id for _ in range(4)]  # four submissions
        racer = threading.Thread(target=reextract_as_archived, args=([first.id, *later],))
        racer.start()
        wait_for(lambda: sum(views.get_capture(production_runtime, i)["status"] == "fetching" for i in later) >= 2,
                 timeout=60, what="two workers to fetch the URL at once")
        reextracted = run_cli("reextract", "--url", url, env=env)
        wait_for(lambda: _settled(production_runtime, later), timeout=180, what="the captures to settle")
        time.sleep(1)
        settled.set()
        racer.join(timeout=60)
    finally:
        settled.set()
        worker.stop()
    assert reextracted.returncode == 0, reextracted.stderr
    assert [o.failed_reason for o in reextractions] == [None] * 5, reextractions
    revisions = _assert_whole(production_runtime, url, [first.id, *later])
    versions = views.get_record(production_runtime, url)["versions"]
    ours = sum(o.new_version for o in reextractions)
    assert ours >= 1, reextractions  # the newest capture's, at the least
    # The queued ``reextract --url`` is one more version when it found the newest capture's
    # latest version made by the newer extractor: the workers' reads it back as it was.
    assert 5 + ours <= len(versions) <= 5 + ours + 1, (revisions, reextractions, versions)
    assert {c for v in versions for c in v["capture_ids"]} == {first.id, *later}
    assert "Traceback" not in worker.output(), worker.output()[-4000:]


def _warc_of(path: Path, url: str, dates: dict[str, str]) -> Path:
    """A WARC holding a response of ``url`` at each date, its revision named after the date's key."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        for name, date in dates.items():
            body = ARTICLE.format(n=f"imported {name}").encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers, warc_headers_dict={"WARC-Date": date}))
    return path


@pytest.mark.parametrize(("offset", "order"), [(-2, ["imported long", "imported near", "1"]),
                                               (8, ["imported long", "1", "imported near"])])
def test_an_import_of_the_url_while_a_live_capture_runs_loses_and_corrupts_nothing(
    production_env: dict[str, str], production_runtime: Runtime, pages: PageServer, tmp_path: Path,
    offset: int, order: list[str]
) -> None:
    """The WARC holds the URL as it was long ago and as another crawler saw it about when the live
    capture runs (just before it, or just after), both imported while a worker fetches it: the one
    captured last in time, live or imported, is what replay shows and the record's latest version;
    the others replay at their own times."""
    url = _revisions(pages, "/ferry", seconds=3)
    near = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=offset)
    warc = _warc_of(tmp_path / "ferry.warc.gz", url,
                    {"long": "2021-03-04T05:06:07Z", "near": near.strftime("%Y-%m-%dT%H:%M:%SZ")})
    worker = Service(["worker", "--processes", "1", "--threads", "2"], production_env, tmp_path / "worker.log").start()
    try:
        (live,) = pipeline.submit(production_runtime, [url])
        wait_for(lambda: pages.hits.get("/ferry"), timeout=60, what="the worker to fetch the page")
        imported = run_cli("import", str(warc), env=production_env)
        assert imported.returncode == 0, imported.stderr
        wait_for(lambda: _settled(production_runtime, [live.id]), timeout=120, what="the live capture")
        history = views.history(production_runtime, url)
        ids = [c["id"] for c in history["captures"]]
        wait_for(lambda: _settled(production_runtime, ids), timeout=120, what="the imported captures' extraction")
    finally:
        worker.stop()
    time.sleep(max(0.0, (near - datetime.now(UTC)).total_seconds() + 1))  # replay without a time: now's
    revisions = _assert_whole(production_runtime, url, ids)
    assert revisions == order, revisions
    long_ago = replay.resolve(production_runtime, url, at=datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC))
    assert _revision(replay.load(production_runtime, long_ago).body) == "imported long"
    assert "Traceback" not in worker.output(), worker.output()[-4000:]


def test_two_workers_capturing_an_unchanged_url_at_once_make_one_version_and_readable_revisits(
    production_env: dict[str, str], production_runtime: Runtime, pages: PageServer, tmp_path: Path
) -> None:
    """The same page, unchanged, from four submissions taken by two worker processes at once: one
    version, and each later capture stores its response whole or as a revisit of one stored
    before it, every one of them replaying the page."""
    env = {**production_env, "ARCHIVIST_HOST_CONCURRENCY": "4"}
    body = ARTICLE.format(n=7)

    def answer(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        data = body.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    pages.routes["/slipway"] = Route(handler=answer)
    url = pages.url("/slipway")
    worker = Service(["worker", "--processes", "2", "--threads", "2"], env, tmp_path / "worker.log").start()
    try:
        ids = [pipeline.submit(production_runtime, [url])[0].id for _ in range(4)]
        wait_for(lambda: sum(views.get_capture(production_runtime, i)["status"] == "fetching" for i in ids) >= 2,
                 timeout=60, what="two workers to fetch the URL at once")
        wait_for(lambda: _settled(production_runtime, ids), timeout=180, what="the captures to settle")
    finally:
        worker.stop()
    captures = [views.get_capture(production_runtime, i) for i in ids]
    assert [(c["status"], c["reason"]) for c in captures] == [("archived", None)] * 4, captures
    assert [v["version"] for v in views.get_record(production_runtime, url)["versions"]] == [1]
    found = replay.mementos(production_runtime, url)
    assert len(found) == 4
    assert {_revision(replay.load(production_runtime, memento).body) for memento in found} == {"7"}
    assert "Traceback" not in worker.output(), worker.output()[-4000:]
