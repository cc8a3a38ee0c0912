"""Delivery guarantees on the real stack: duplicates, dead letters, SIGKILL, SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from archivist import pipeline, views
from archivist.adapters.catalog import RecordVersionRow, SnapshotRow
from archivist.settings import get_settings
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer, slow_route, wait_for
from tests.support.processes import ApiServer, Service, archivist_env

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"


def test_a_message_delivered_many_times_makes_one_of_everything(embedded_settings, seed_site, seed) -> None:
    url = seed_site.url(seed["pages"]["3"])
    with EmbeddedWorkers(get_settings()) as workers:
        runtime = workers.runtime
        (submission,) = pipeline.submit(runtime, [url])
        runtime.queue.enqueue_fetch([submission.id, submission.id])  # two extra deliveries
        workers.drain()
        runtime.queue.enqueue_fetch([submission.id])  # late duplicates of both steps
        runtime.queue.enqueue_extract(submission.id)
        runtime.queue.enqueue_extract(submission.id)
        workers.drain()
        capture = views.get_capture(runtime, submission.id)
        with runtime.database.session() as session:
            snapshots = session.scalar(select(func.count()).select_from(SnapshotRow))
            versions = session.scalar(select(func.count()).select_from(RecordVersionRow))
        objects = list(runtime.store.list("snapshots/"))
    assert capture["status"] == "archived"
    assert snapshots == 3 and len(objects) == 3
    assert versions == 1
    assert all(seed_site.hits[path] == 1 for path in seed["served_as"])  # fetched once each


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archivist", *args], env=archivist_env(env),
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def worker_env(production_env: dict[str, str]) -> dict[str, str]:
    return {**production_env, "ARCHIVIST_FETCH_MAX_RETRIES": "1", "ARCHIVIST_WORKER_HEARTBEAT_TIMEOUT_MS": "3000"}


@pytest.fixture
def api(worker_env: dict[str, str], tmp_path: Path) -> Iterator[ApiServer]:
    server = ApiServer(worker_env, tmp_path / "api.log").start()
    yield server
    server.stop()


def test_exhausted_retries_dead_letter_and_requeue(api, worker_env, pages: PageServer, tmp_path: Path) -> None:
    url = pages.set("/flaky", "down", status=500, headers={"Content-Type": "text/html"})
    worker = Service(["worker", "--processes", "1", "--threads", "2"], worker_env, tmp_path / "w.log").start()
    try:
        capture_id = api.submit(url)
        failed = wait_for(lambda: api.finished(capture_id), timeout=60, what="the capture to fail")
        assert (failed["status"], failed["reason"]) == ("failed", "http_5xx")
        assert failed["message"].startswith("gave up after")

        listed = cli(worker_env, "dlq", "list", "--queue", "fetch")
        letters = [json.loads(line) for line in listed.stdout.splitlines()]
        assert [(d["actor"], d["args"]) for d in letters] == [("fetch_capture", [capture_id])], listed.stderr
        shown = json.loads(cli(worker_env, "dlq", "show", letters[0]["id"]).stdout)
        assert shown["args"] == [capture_id]

        pages.set("/flaky", ARTICLE.format("Recovered"))
        requeued = cli(worker_env, "dlq", "requeue", "--queue", "fetch")
        assert requeued.returncode == 0, requeued.stderr
        done = wait_for(lambda: api.finished(capture_id), timeout=60, what="the requeued capture")
        assert done["status"] == "archived", done
        assert cli(worker_env, "dlq", "list").stdout == ""
    finally:
        worker.stop()


def test_sigkilled_worker_message_is_redelivered(api, worker_env, pages: PageServer, tmp_path: Path) -> None:
    pages.routes["/slow"] = slow_route(4, ARTICLE.format("Slow"))
    first = Service(["worker", "--processes", "1", "--threads", "1"], worker_env, tmp_path / "w1.log").start()
    capture_id = api.submit(pages.url("/slow"))
    wait_for(lambda: pages.hits.get("/slow"), timeout=30, what="the fetch to start")
    first.signal(signal.SIGKILL)
    first.process.wait()
    killed_at = time.monotonic()
    assert api.status(capture_id)["status"] == "fetching"
    second = Service(["worker", "--processes", "1", "--threads", "1"], worker_env, tmp_path / "w2.log").start()
    try:
        done = wait_for(lambda: api.finished(capture_id), timeout=90, what="redelivery after SIGKILL")
        print(f"redelivered and archived {time.monotonic() - killed_at:.1f}s after SIGKILL")
    finally:
        second.stop()
    assert done["status"] == "archived", done
    assert done["attempts"] == 2
    assert pages.hits["/slow"] == 2


def test_sigterm_finishes_in_flight_work(api, worker_env, pages: PageServer, tmp_path: Path) -> None:
    pages.routes["/slow"] = slow_route(2, ARTICLE.format("Slow"))
    worker = Service(["worker", "--processes", "1", "--threads", "1"], worker_env, tmp_path / "w.log").start()
    capture_id = api.submit(pages.url("/slow"))
    wait_for(lambda: pages.hits.get("/slow"), timeout=30, what="the fetch to start")
    worker.signal(signal.SIGTERM, group=False)
    started = time.monotonic()
    code = worker.process.wait(timeout=60)
    assert code == 0, worker.output()[-3000:]  # a stop asked for and done, as docker and systemd read it
    assert time.monotonic() - started < 15
    # The fetch in flight was finished (or handed back); a new worker completes the capture.
    after = Service(["worker", "--processes", "1", "--threads", "1"], worker_env, tmp_path / "w2.log").start()
    try:
        done = wait_for(lambda: api.finished(capture_id), timeout=60, what="the capture after SIGTERM")
    finally:
        after.stop()
    assert done["status"] == "archived"
    assert pages.hits["/slow"] == 1, "graceful shutdown must not lose or repeat the fetch"


def test_broker_down_refuses_submissions_clearly(production_env: dict[str, str], tmp_path: Path) -> None:
    from tests.support.seaweed import free_port

    env = {**production_env, "ARCHIVIST_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    server = ApiServer(env, tmp_path / "api.log").start()
    try:
        answer = httpx.post(f"{server.base_url}/v1/captures", json={"urls": ["http://example.com/"]}, timeout=30)
    finally:
        server.stop()
    assert answer.status_code == 503
    assert answer.json()["error"] == "queue_unavailable"


def test_reconcile_resends_abandoned_captures_only(embedded_settings, pages: PageServer) -> None:
    """A message the broker lost leaves its capture live: reconcile finds it by its expired lease."""
    from datetime import UTC, datetime, timedelta

    from archivist.adapters.catalog import CaptureRow
    from archivist.core.urls import urlkey

    long_ago = datetime.now(UTC) - timedelta(hours=2)
    urls = {name: pages.set(f"/{name}", ARTICLE.format(name)) for name in ("abandoned", "waiting", "fresh")}
    rows = [
        # A fetch whose worker and message were both lost two hours ago.
        CaptureRow(id="abandoned", url=urls["abandoned"], urlkey=urlkey(urls["abandoned"]), status="fetching",
                   claimed_by="a-dead-delivery", submitted_at=long_ago, updated_at=long_ago, attempts=1),
        # Queued two hours ago and never delivered.
        CaptureRow(id="waiting", url=urls["waiting"], urlkey=urlkey(urls["waiting"]), status="queued",
                   submitted_at=long_ago, updated_at=long_ago, attempts=0),
        # Being fetched right now by a live worker: must be left alone.
        CaptureRow(id="fresh", url=urls["fresh"], urlkey=urlkey(urls["fresh"]), status="fetching",
                   claimed_by="a-live-delivery", submitted_at=datetime.now(UTC), updated_at=datetime.now(UTC),
                   attempts=1),
    ]
    with EmbeddedWorkers(get_settings()) as workers:
        runtime = workers.runtime
        with runtime.database.session() as session:
            runtime.catalog.add_captures(session, rows)
        assert pipeline.requeue_stale(runtime, queued_older_than=timedelta(hours=3)) == 1
        workers.drain()
        assert pipeline.requeue_stale(runtime, queued_older_than=timedelta(hours=1)) == 1
        workers.drain()
        states = {c: views.get_capture(runtime, c)["status"] for c in ("abandoned", "waiting", "fresh")}
    assert states == {"abandoned": "archived", "waiting": "archived", "fresh": "fetching"}
    assert "/fresh" not in pages.hits
