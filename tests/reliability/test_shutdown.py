"""SIGTERM to the long-running processes, as ``docker compose stop`` or a process manager sends it
to the main process: ``archivist worker`` with a capture in flight, ``archivist serve`` with a
request in flight. Each finishes what it was doing and exits 0, promptly."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from archivist import pipeline, views
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer, slow_route, wait_for
from tests.support.processes import ApiServer, Service
from tests.support.s3_proxy import S3Proxy

ARTICLE = ("<html><head><title>Night ferry</title></head><body><article><h1>Night ferry</h1>"
           + "<p>The night ferry leaves at eleven and reaches the island before the fishing boats. " * 8
           + "</p></article></body></html>")


def test_a_worker_told_to_stop_finishes_the_capture_in_flight_and_exits_0(
    production_env: dict[str, str], production_runtime: Runtime, pages: PageServer, tmp_path: Path
) -> None:
    pages.routes["/ferry"] = slow_route(3.0, ARTICLE)
    worker = Service(["worker", "--processes", "1", "--threads", "1"], production_env, tmp_path / "w.log").start()
    try:
        (submission,) = pipeline.submit(production_runtime, [pages.url("/ferry")])
        wait_for(lambda: pages.hits.get("/ferry"), timeout=60, what="the fetch to start")
        worker.signal(signal.SIGTERM, group=False)
        started = time.monotonic()
        code = worker.process.wait(timeout=30)
        seconds = time.monotonic() - started
    finally:
        worker.stop()
    capture = views.get_capture(production_runtime, submission.id)
    assert code == 0, worker.output()[-3000:]
    assert seconds < 15, seconds
    assert capture["status"] == "archived", capture  # by this worker, before it exited
    assert pages.hits["/ferry"] == 1


@pytest.fixture
def proxy(s3_endpoint: str) -> Iterator[S3Proxy]:
    server = S3Proxy(s3_endpoint).start()
    yield server
    server.stop()


def test_the_api_told_to_stop_answers_the_request_in_flight_and_exits_0(
    production_env: dict[str, str], production_settings: Settings, proxy: S3Proxy, pages: PageServer,
    tmp_path: Path,
) -> None:
    """A replay waiting on a slow object store when SIGTERM comes is answered whole."""
    settings = production_settings.model_copy(update={"s3_endpoint": proxy.endpoint})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    url = pages.set("/ferry", ARTICLE)
    (submission,) = pipeline.submit(runtime, [url])
    pipeline.fetch_capture(runtime, submission.id, delivery="d1")
    timestamp = views.get_capture(runtime, submission.id)["timestamp"]
    runtime.close()
    api = ApiServer({**production_env, "ARCHIVIST_S3_ENDPOINT": proxy.endpoint}, tmp_path / "api.log").start()
    try:
        proxy.hold("GET", "/snapshots/", 2.0)
        with httpx.Client(timeout=30) as client:
            answers: list[httpx.Response] = []
            request = threading.Thread(target=lambda: answers.append(
                client.get(f"{api.base_url}/web/{timestamp}id_/{url}")))
            request.start()
            wait_for(lambda: proxy.spoiled, timeout=10, what="the replay to reach the object store")
            api.signal(signal.SIGTERM, group=False)
            request.join(timeout=30)
        code = api.process.wait(timeout=30)
    finally:
        api.stop()
    assert [answer.status_code for answer in answers] == [200], api.output()[-3000:]
    assert b"Night ferry" in answers[0].content
    assert code == 0, api.output()[-3000:]
