"""``archivist worker`` serves the metrics of all its processes, and none of a previous run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from archivist import pipeline, views
from archivist.observability.workers import metrics_dir
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_task_queue
from tests.support.pages import PageServer, Route, wait_for
from tests.support.processes import Service
from tests.support.seaweed import free_port


def scrape(port: int) -> dict[tuple[str, tuple], float] | None:
    try:
        answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
    except httpx.HTTPError:
        return None
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_worker_port_exports_archivist_metrics_and_forgets_old_runs(
    redis_url: str, redis_namespace: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    port = free_port()
    env = {"ARCHIVIST_REDIS_URL": redis_url, "ARCHIVIST_REDIS_NAMESPACE": redis_namespace,
           "ARCHIVIST_HOME": str(home), "ARCHIVIST_WORKER_METRICS_PORT": str(port)}
    # A previous run's counter, written the way worker processes write theirs.
    stale_dir = metrics_dir(Settings(home=home, worker_metrics_port=port))
    stale_dir.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-c",
         "from archivist.observability import metrics; metrics.CAPTURES_FINISHED.labels('archived', '').inc(1000)"],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(stale_dir)}, check=True,
    )
    assert list(stale_dir.iterdir())

    worker = Service(["worker", "--processes", "2", "--threads", "1"], env, tmp_path / "worker.log").start()
    try:
        samples = wait_for(lambda: scrape(port), timeout=60, what="the worker metrics port")
        # Each worker process wrote its unlabelled counters at import: served through the port.
        assert samples[("archivist_revisits_total", ())] == 0
        assert ("archivist_captures_total", (("reason", ""), ("status", "archived"))) not in samples
    finally:
        worker.stop()
        print(worker.output()[-3000:])


def test_a_second_worker_on_a_taken_metrics_port_leaves_the_first_ones_metrics_alone(
    redis_url: str, redis_namespace: str, tmp_path: Path
) -> None:
    """Another ``archivist worker`` already serves this port and counts into its directory: a
    second one started with the same port must not empty that directory under it (its counts
    would vanish from the port). It runs all the same, unexported, and says so."""
    home = tmp_path / "home"
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        theirs = metrics_dir(Settings(home=home, worker_metrics_port=port))
        theirs.mkdir(parents=True)
        (theirs / "counter_1.db").write_bytes(b"their counts")
        env = {"ARCHIVIST_REDIS_URL": redis_url, "ARCHIVIST_REDIS_NAMESPACE": redis_namespace,
               "ARCHIVIST_HOME": str(home), "ARCHIVIST_WORKER_METRICS_PORT": str(port)}
        worker = Service(["worker", "--processes", "1", "--threads", "1"], env, tmp_path / "worker.log").start()
        try:
            wait_for(lambda: "ready for action" in worker.output(), timeout=60, what="the second worker to run")
            assert worker.process.poll() is None
        finally:
            worker.stop()
    assert f"metrics port {port} is in use" in worker.output(), worker.output()[-3000:]
    assert (theirs / "counter_1.db").read_bytes() == b"their counts"
    assert [p.name for p in theirs.iterdir()] == ["counter_1.db"]
    (own,) = [p for p in theirs.parent.iterdir() if p != theirs]
    assert any(own.iterdir()), "the second worker counted into a directory of its own"


def summed(samples: dict[tuple[str, tuple], float], name: str) -> float:
    return sum(value for (sample, _), value in samples.items() if sample == name)


def test_retries_and_delayed_messages_read_right(production_env: dict[str, str], production_settings: Settings,
                                                 pages: PageServer, tmp_path: Path) -> None:
    """A page down on every attempt: each retry waits out its backoff on the delay queue, held
    in some worker process's memory, then runs in any process. Afterwards no delayed message is
    in memory, and each retry was counted once."""
    port = free_port()
    env = {**production_env, "ARCHIVIST_WORKER_METRICS_PORT": str(port), "ARCHIVIST_FETCH_MAX_RETRIES": "3",
           "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "300", "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "600"}
    pages.routes["/down"] = Route(body=b"<html>maintenance</html>", status=503)
    worker = Service(["worker", "--processes", "2", "--threads", "1"], env, tmp_path / "worker.log").start()
    try:
        wait_for(lambda: scrape(port), timeout=60, what="the worker metrics port")
        runtime = Runtime(production_settings, queue=redis_task_queue(production_settings))
        try:
            (submission,) = pipeline.submit(runtime, [pages.url("/down")])
            wait_for(lambda: views.get_capture(runtime, submission.id)["status"] == "failed", timeout=60,
                     what="the capture to fail")
        finally:
            runtime.close()
        assert pages.page_hits["/down"] == 4

        samples = wait_for(lambda: (s := scrape(port)) and summed(s, "dramatiq_messages_total") >= 4 and s,
                           timeout=10, what="the last delivery's metrics")
        assert summed(samples, "dramatiq_message_retries_total") == 3, samples
        delayed = {labels: value for (name, labels), value in samples.items()
                   if name == "dramatiq_delayed_messages_inprogress"}
        assert delayed and all(value == 0 for value in delayed.values()), delayed  # each queue's, not just their sum
        assert summed(samples, "dramatiq_messages_inprogress") == 0, samples
    finally:
        worker.stop()
        print(worker.output()[-3000:])
