"""SIGTERM to ``archivist serve``, as ``docker compose stop`` or a process manager sends it to the
main process, with a request in flight: the request is answered and the process exits 0. (The
worker's side is ``tests/reliability/test_delivery.py::test_sigterm_finishes_in_flight_work``.)"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx

from archivist import pipeline, views
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer, wait_for
from tests.support.processes import ApiServer
from tests.support.s3_proxy import S3Proxy

ARTICLE = ("<html><head><title>Night ferry</title></head><body><article><h1>Night ferry</h1>"
           + "<p>The night ferry leaves at eleven and reaches the island before the fishing boats. " * 8
           + "</p></article></body></html>")


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
