"""Ctrl-C and SIGTERM on `archivist archive`, run as a user runs it: a process of its own.

Each test waits for a condition (the page server holding a request, a line on stderr), never a
fixed time, and bounds the time to exit generously: the suite runs on two busy cores.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from archivist.core.urls import canonicalize, urlkey
from archivist.runtime import Runtime
from archivist.settings import Settings
from tests.support.pages import PageServer, Route, wait_for

ARTICLE = ("<html><head><title>A story</title></head><body><article><p>"
           + "Words of a story that goes on. " * 30 + "</p></article></body></html>")

#: Generous: a loaded machine may start Python slowly, but a stop must not wait for the pages.
EXIT_WITHIN = 15.0


def held_route(release: threading.Event) -> Route:
    """A page that answers only once ``release`` is set: a fetch a worker is caught in."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        release.wait(120)
        data = ARTICLE.encode()
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return Route(handler=answer)


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # the server's threads blocked on held pages end with the test


def start_archive(urls: list[str]) -> subprocess.Popen[str]:
    """``archivist archive --json`` on the test's settings (the embedded_settings environment)."""
    return subprocess.Popen([sys.executable, "-m", "archivist", "archive", "--json", "--threads", "1", *urls],
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records(output: str) -> dict[str, dict]:
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    return {line["url"]: line for line in lines}


def catalog_state(settings: Settings, urls: list[str]) -> dict[str, list[tuple[str, str | None]]]:
    """Each URL's captures (status, reason), oldest first; checks that every snapshot the
    catalog holds has its whole object in the store (a WARC that gunzips)."""
    runtime = Runtime(settings)
    try:
        state = {}
        with runtime.database.session() as session:
            for url in urls:
                captures = runtime.catalog.captures_for_url(session, urlkey(canonicalize(url)))
                state[url] = [(capture.status, capture.reason) for capture in captures]
                snapshots = runtime.catalog.snapshots_for_captures(session, [capture.id for capture in captures])
                for rows in snapshots.values():
                    for row in rows:
                        with runtime.store.open(row.storage_key) as stream:
                            assert gzip.decompress(stream.read()).startswith(b"WARC/"), row.storage_key
        return state
    finally:
        runtime.close()


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_archive_exits_at_once_and_the_same_command_resumes_it(
    embedded_settings: Settings, pages: PageServer, release: threading.Event, signum: int, exit_code: int
) -> None:
    """The first URL is archived, the second is held by the server when the signal comes, the
    other two are never reached. The command exits within seconds (not when the page answers)
    with the shell's status for the signal, prints every URL's line and one line saying how
    many are done; the catalog holds no capture that nothing would finish and no snapshot
    without its object. Running the same command again archives the three others (the unreached
    ones with the captures they already had) and does not fetch the first again."""
    urls = [pages.set("/done", ARTICLE)]
    for name in ("held", "later-1", "later-2"):
        pages.routes[f"/{name}"] = held_route(release)
        urls.append(pages.url(f"/{name}"))
    process = start_archive(urls)
    try:
        wait_for(lambda: pages.page_hits.get("/held") or process.poll() is not None, timeout=120,
                 what="the second page being fetched")
        assert process.poll() is None, process.communicate()
        signalled = time.monotonic()
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
        took = time.monotonic() - signalled
    finally:
        process.kill()
    assert process.returncode == exit_code, stdout + stderr
    assert took < EXIT_WITHIN, took
    assert "Traceback" not in stderr, stderr
    assert "interrupted: 1 of 4 URLs done; run the same command again to resume the other 3" in stderr, stderr
    first = records(stdout)
    assert [(first[url]["status"], first[url].get("reason")) for url in urls] == [
        ("archived", None), ("failed", "interrupted"), ("queued", None), ("queued", None)]
    assert set(pages.page_hits) == {"/done", "/held"}
    assert catalog_state(embedded_settings, urls) == {
        urls[0]: [("archived", None)], urls[1]: [("failed", "interrupted")],
        urls[2]: [("queued", None)], urls[3]: [("queued", None)]}

    release.set()
    again = subprocess.run([sys.executable, "-m", "archivist", "archive", "--json", *urls], env=dict(os.environ),
                           capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stdout + again.stderr
    second = records(again.stdout)
    assert [second[url]["status"] for url in urls] == ["archived"] * 4
    assert second[urls[0]]["capture_id"] == first[urls[0]]["capture_id"]  # reported, not fetched again
    assert second[urls[1]]["capture_id"] != first[urls[1]]["capture_id"]  # a new capture of the stopped one
    assert [second[url]["capture_id"] for url in urls[2:]] == [first[url]["capture_id"] for url in urls[2:]]
    assert pages.page_hits["/done"] == 1
    assert catalog_state(embedded_settings, urls) == {
        urls[0]: [("archived", None)], urls[1]: [("failed", "interrupted"), ("archived", None)],
        urls[2]: [("archived", None)], urls[3]: [("archived", None)]}


def test_a_second_ctrl_c_exits_without_waiting_and_reconcile_finishes_what_it_left(
    embedded_settings: Settings, pages: PageServer, release: threading.Event
) -> None:
    """Ctrl-C again while the first one waits for the page in hand exits at once, saying so.
    It settles nothing: the capture stays ``fetching``, and ``archivist reconcile`` (embedded:
    its workers run in its process) finishes it once its lease has run out."""
    pages.routes["/held"] = held_route(release)
    process = start_archive([pages.url("/held")])
    try:
        wait_for(lambda: pages.page_hits.get("/held") or process.poll() is not None, timeout=120,
                 what="the page being fetched")
        assert process.poll() is None, process.communicate()
        signalled = time.monotonic()
        # Signals of one kind that come before Python runs the handler count once: send
        # them until the process is gone; the first stop waits for the page in hand for seconds.
        while process.poll() is None and time.monotonic() - signalled < 60:
            process.send_signal(signal.SIGINT)
            time.sleep(0.2)
        stdout, stderr = process.communicate(timeout=60)
        took = time.monotonic() - signalled
    finally:
        process.kill()
    assert process.returncode == 130, stdout + stderr
    assert took < EXIT_WITHIN, took
    assert "SIGINT again: exiting now" in stderr, stderr
    assert "Traceback" not in stderr, stderr
    url = pages.url("/held")
    assert catalog_state(embedded_settings, [url]) == {url: [("fetching", None)]}

    release.set()
    # The lease is reconcile's own setting: 2 x ARCHIVIST_TOTAL_TIMEOUT + ARCHIVIST_HOST_MAX_WAIT.
    short_lease = {**os.environ, "ARCHIVIST_TOTAL_TIMEOUT": "1", "ARCHIVIST_HOST_MAX_WAIT": "0"}

    def reconciled() -> bool:
        run = subprocess.run([sys.executable, "-m", "archivist", "reconcile"], env=short_lease,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        return catalog_state(embedded_settings, [url]) == {url: [("archived", None)]}

    wait_for(reconciled, timeout=120, interval=0.5, what="reconcile finishing the capture")
