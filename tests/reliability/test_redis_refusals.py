"""A Redis that is up but refuses writes: out of memory under ``noeviction`` ("OOM command not
allowed when used memory > 'maxmemory'"). On a redis-server of the test's own, with a real
worker process, the API in-process.

The API answers 503 naming the broker; a worker whose capture is in flight finishes it, and its
ack, refused while the server is full, goes through once the server takes writes again: one
line a retry, no traceback, nothing run twice or left unacknowledged."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path

import dramatiq
import pytest
import redis
from dramatiq.middleware import Middleware
from fastapi.testclient import TestClient

from archivist import pipeline, views
from archivist.api.app import create_app
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import redis_broker, redis_task_queue
from tests.support.pages import PageServer, Route, slow_route, wait_for
from tests.support.processes import Service
from tests.support.redis_server import RedisServer

ARTICLE = ("<html><head><title>Lock keeper</title></head><body><article><h1>Lock keeper</h1>"
           + "<p>The lock keeper opens the gates at dawn and closes them again at dusk, all year. " * 8
           + "</p></article></body></html>")


def test_a_full_redis_refuses_submissions_with_503_and_the_worker_acks_once_it_has_room(
    production_env: dict[str, str], production_settings: Settings, pages: PageServer, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path / "redis", persistent=False, options=("--maxmemory-policy", "noeviction")).start()
    env = {**production_env, "ARCHIVIST_REDIS_URL": server.url}
    settings = production_settings.model_copy(update={"redis_url": server.url})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    client = redis.Redis.from_url(server.url)
    pages.routes["/lock"] = slow_route(2.0, ARTICLE)
    worker = Service(["worker", "--processes", "1", "--threads", "1"], env, tmp_path / "worker.log").start()
    try:
        (submission,) = pipeline.submit(runtime, [pages.url("/lock")])
        wait_for(lambda: pages.hits.get("/lock"), timeout=60, what="the worker to fetch the page")
        client.config_set("maxmemory", 1)  # full, while the page is being fetched

        with TestClient(create_app(settings, runtime=runtime)) as api:
            refused = api.post("/v1/captures", json={"urls": [pages.set("/refused", ARTICLE)]})
        assert (refused.status_code, refused.json()["error"]) == (503, "queue_unavailable"), refused.text
        assert "maxmemory" in refused.json()["detail"]

        wait_for(lambda: views.get_capture(runtime, submission.id)["status"] == "archived", timeout=60,
                 what="the capture in flight to be archived")
        time.sleep(1)  # the worker's ack, sent as the capture was archived, refused
        assert client.hlen(f"{settings.redis_namespace}:fetch.msgs") == 1

        client.config_set("maxmemory", 0)  # room again
        wait_for(lambda: client.hlen(f"{settings.redis_namespace}:fetch.msgs") == 0, timeout=30,
                 what="the fetch message to be acknowledged")
    finally:
        worker.stop()
        runtime.close()
        server.stop()
    log = worker.output()
    assert "Traceback" not in log and "bug in Dramatiq" not in log, log[-4000:]
    assert pages.hits["/lock"] == 1


def test_a_redis_that_answers_nothing_is_a_503_in_seconds_and_one_line_a_retry_for_workers(
    production_env: dict[str, str], production_settings: Settings, tmp_path: Path
) -> None:
    """A Redis that accepts connections and says nothing (frozen; ``CLIENT PAUSE`` is the same to
    its clients): the API's submission fails within the client's socket timeout, and a worker's
    consumers, whose fetch times out, log one line each time instead of a traceback."""
    server = RedisServer(tmp_path / "redis", persistent=False).start()
    settings = production_settings.model_copy(update={"redis_url": server.url})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    worker = Service(["worker", "--processes", "1", "--threads", "1"],
                     {**production_env, "ARCHIVIST_REDIS_URL": server.url}, tmp_path / "worker.log").start()
    answers: list = []
    try:
        wait_for(lambda: "ready for action" in worker.output(), timeout=60, what="the worker to start")
        with TestClient(create_app(settings, runtime=runtime)) as api:
            os.kill(server.process.pid, signal.SIGSTOP)
            started = time.monotonic()
            request = threading.Thread(target=lambda: answers.append(
                api.post("/v1/captures", json={"urls": ["https://news.example.org/frozen"]})), daemon=True)
            request.start()
            request.join(timeout=30)
            seconds = time.monotonic() - started
            wait_for(lambda: "Timeout" in worker.output(), timeout=30, what="the worker to meet the frozen server")
            os.kill(server.process.pid, signal.SIGCONT)
            request.join(timeout=30)
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
        worker.stop()
        runtime.close()
        server.stop()
    assert seconds < 20, f"the submission waited {seconds:.0f} s on a frozen Redis"
    (answer,) = answers
    assert (answer.status_code, answer.json()["error"]) == (503, "queue_unavailable"), answer.text
    assert "Traceback" not in worker.output(), worker.output()[-4000:]


def test_a_redis_that_wants_a_password_refuses_submissions_with_503_saying_so(
    production_settings: Settings, tmp_path: Path
) -> None:
    """``requirepass`` set on the server and not in ARCHIVIST_REDIS_URL (NOAUTH), or another one
    in it (WRONGPASS): a 503 saying that Redis refused the credentials and where to give them. The
    client said "auth:AuthenticationError", or the server's advice on its HELLO command."""
    server = RedisServer(tmp_path / "redis", persistent=False).start()
    redis.Redis.from_url(server.url).config_set("requirepass", "harbour-master")
    wrong = server.url.replace("redis://", "redis://:not-the-password@")
    answers = {}
    try:
        for name, url in (("none", server.url), ("wrong", wrong)):
            settings = production_settings.model_copy(update={"redis_url": url})
            runtime = Runtime(settings, queue=redis_task_queue(settings))
            runtime.prepare()
            try:
                with TestClient(create_app(settings, runtime=runtime)) as api:
                    answers[name] = api.post("/v1/captures", json={"urls": [f"https://news.example.org/{name}"]})
            finally:
                runtime.close()
    finally:
        server.stop()
    for name, answer in answers.items():
        assert (answer.status_code, answer.json()["error"]) == (503, "queue_unavailable"), (name, answer.text)
        assert "Redis refused the credentials" in answer.json()["detail"], (name, answer.text)
        assert "ARCHIVIST_REDIS_URL" in answer.json()["detail"], (name, answer.text)


def test_a_retry_that_redis_refuses_to_queue_is_queued_once_it_has_room(
    production_env: dict[str, str], production_settings: Settings, pages: PageServer, tmp_path: Path
) -> None:
    """The page fails once (a 500: a retry spent); as the worker queues the retry, Redis is full.
    Dramatiq's Retries middleware logged the refusal (one critical line) and the message was acked
    all the same once Redis had room: the retry was lost and the capture stayed ``fetching`` until
    its lease ran out and reconcile re-sent it. The retry must go out once Redis takes writes."""
    server = RedisServer(tmp_path / "redis", persistent=False, options=("--maxmemory-policy", "noeviction")).start()
    env = {**production_env, "ARCHIVIST_REDIS_URL": server.url}
    settings = production_settings.model_copy(update={"redis_url": server.url})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    client = redis.Redis.from_url(server.url)
    refused_answers = threading.Event()

    def fails_once_redis_is_full(handler) -> None:  # noqa: ANN001
        """The first answer (given once Redis is full) is a 500, later ones the article."""
        refused_answers.wait(timeout=30)
        first = pages.hits["/sluice"] == 1
        data = b"busy" if first else ARTICLE.encode()
        handler.send_response(500 if first else 200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    pages.routes["/sluice"] = Route(handler=fails_once_redis_is_full)
    worker = Service(["worker", "--processes", "1", "--threads", "1"], env, tmp_path / "worker.log").start()
    try:
        (submission,) = pipeline.submit(runtime, [pages.url("/sluice")])
        wait_for(lambda: pages.hits.get("/sluice"), timeout=60, what="the worker to fetch the page")
        client.config_set("maxmemory", 1)  # full, while the page is being fetched
        refused_answers.set()
        wait_for(lambda: "retry" in worker.output().lower() and "maxmemory" in worker.output(), timeout=30,
                 what="the worker to be refused the retry")
        time.sleep(2)
        client.config_set("maxmemory", 0)  # room again
        wait_for(lambda: views.get_capture(runtime, submission.id)["status"] == "archived", timeout=60,
                 what="the retried capture to be archived")
        wait_for(lambda: client.hlen(f"{settings.redis_namespace}:fetch.msgs") == 0, timeout=30,
                 what="the fetch message to be acknowledged")
    finally:
        worker.stop()
        runtime.close()
        server.stop()
    log = worker.output()
    assert "Traceback" not in log and "bug in Dramatiq" not in log, log[-4000:]
    assert pages.hits["/sluice"] == 2


def test_a_worker_whose_redis_credentials_are_refused_stops_at_once_saying_where_to_give_them(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    """NOAUTH (no password in ARCHIVIST_REDIS_URL) and WRONGPASS (another one) are a
    misconfiguration, not an outage: the worker ran on, its consumers restarting every 3 s as if
    Redis were down, and never took a message. It exits 2 at start with one line naming
    ARCHIVIST_REDIS_URL, without the password; given the right one, it starts."""
    server = RedisServer(tmp_path / "redis", persistent=False).start()
    redis.Redis.from_url(server.url).config_set("requirepass", "harbour-master")
    urls = {
        "none": server.url,
        "wrong": server.url.replace("redis://", "redis://:not-the-password@"),
        "right": server.url.replace("redis://", "redis://:harbour-master@"),
    }
    workers = {name: Service(["worker", "--processes", "1", "--threads", "1"],
                             {**production_env, "ARCHIVIST_REDIS_URL": url}, tmp_path / f"worker-{name}.log")
               for name, url in urls.items()}
    try:
        for worker in workers.values():
            worker.start()
        for name in ("none", "wrong"):
            wait_for(lambda name=name: workers[name].process.poll() is not None, timeout=30,
                     what=f"the worker given {name} password to stop")
        wait_for(lambda: "ready for action" in workers["right"].output(), timeout=60,
                 what="the worker given the right password to start")
    finally:
        for worker in workers.values():
            worker.stop()
        server.stop()
    for name in ("none", "wrong"):
        output = workers[name].output()
        assert workers[name].process.returncode == 2, (name, output[-3000:])
        assert "Redis refused the credentials" in output and "ARCHIVIST_REDIS_URL" in output, (name, output)
        assert "Traceback" not in output and "not-the-password" not in output, (name, output)
        assert len(output.strip().splitlines()) == 1, (name, output)


def test_a_retry_due_while_redis_is_full_goes_back_to_its_queue_once_it_has_room(
    production_env: dict[str, str], production_settings: Settings, pages: PageServer, tmp_path: Path
) -> None:
    """A retry waits in the delay queue (``fetch.DQ``); the worker takes it and holds it until its
    eta, when it moves it back to ``fetch``. Redis is full before that moment and stays full past it:
    the worker's fetch of the delay queue and the move are refused. The worker dropped the retries
    it held (or logged a traceback for the refused move), which stayed in its unacknowledged set
    until it restarted: the capture stayed ``fetching``. Once Redis has room, the retry must run."""
    server = RedisServer(tmp_path / "redis", persistent=False, options=("--maxmemory-policy", "noeviction")).start()
    backoff = {"ARCHIVIST_RETRY_MIN_BACKOFF_MS": "4000", "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "4000"}
    env = {**production_env, **backoff, "ARCHIVIST_REDIS_URL": server.url}
    settings = production_settings.model_copy(update={"redis_url": server.url})
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    runtime.prepare()
    client = redis.Redis.from_url(server.url)
    namespace = settings.redis_namespace

    def held_delayed() -> int:
        """Retries the worker has taken from the delay queue and not yet moved back."""
        return sum(client.scard(key) for key in client.keys(f"{namespace}:__acks__.*.fetch.DQ"))

    pages.set("/weir", b"busy", status=500)
    worker = Service(["worker", "--processes", "1", "--threads", "1"], env, tmp_path / "worker.log").start()
    try:
        (submission,) = pipeline.submit(runtime, [pages.url("/weir")])
        wait_for(lambda: held_delayed() == 1, timeout=60, what="the worker to hold the retry until its eta")
        client.config_set("maxmemory", 1)  # full before the retry is due, and past it
        pages.set("/weir", ARTICLE)
        time.sleep(10)
        assert pages.hits["/weir"] == 1
        client.config_set("maxmemory", 0)  # room again
        wait_for(lambda: views.get_capture(runtime, submission.id)["status"] == "archived", timeout=60,
                 what="the retry to run once Redis has room")
        wait_for(lambda: client.hlen(f"{namespace}:fetch.msgs") + client.hlen(f"{namespace}:fetch.DQ.msgs") == 0,
                 timeout=30, what="the messages to be acknowledged")
    finally:
        worker.stop()
        runtime.close()
        server.stop()
    log = worker.output()
    assert "Traceback" not in log and "bug in Dramatiq" not in log, log[-4000:]
    assert pages.hits["/weir"] == 2


def test_a_due_retry_whose_move_back_redis_refuses_is_put_back_not_held(
    production_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The narrower moment: the worker fetched the retry from the delay queue, and Redis fills up
    just as it moves the due retry back to its queue. The refused move raised out of Dramatiq's
    consumer loop as an unexpected error (a traceback) and the retry stayed in the worker's
    unacknowledged set. In-process on the broker the workers use, Redis refusing for real: a
    middleware fills it up at that send (the only one without a delay on the retried message)."""
    server = RedisServer(tmp_path / "redis", persistent=False, options=("--maxmemory-policy", "noeviction")).start()
    settings = production_settings.model_copy(update={"redis_url": server.url})
    broker = redis_broker(settings)
    client = redis.Redis.from_url(server.url)
    runs: list[int] = []
    timers: list[threading.Timer] = []

    class FillsRedisAtTheMove(Middleware):
        def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int | None) -> None:
            if message.options.get("retries") == 1 and delay is None and not timers:
                client.config_set("maxmemory", 1)
                timers.append(threading.Timer(4, client.config_set, ("maxmemory", 0)))
                timers[0].start()

    broker.add_middleware(FillsRedisAtTheMove())

    def weir() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("the first run fails")

    actor = dramatiq.actor(weir, broker=broker, queue_name="weir", max_retries=3, min_backoff=500, max_backoff=500)
    caplog.set_level(logging.INFO)
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        actor.send()
        wait_for(lambda: len(runs) == 2, timeout=60, what="the retry to run once Redis has room")
        wait_for(lambda: not any(client.scard(key) for key in client.keys(f"{broker.namespace}:__acks__.*")),
                 timeout=30, what="every message to be acknowledged")
    finally:
        worker.stop()
        for timer in timers:
            timer.cancel()
        broker.close()
        server.stop()
    assert timers, "Redis was never filled at the move"
    consumers = [record for record in caplog.records if record.name.startswith("dramatiq.worker.ConsumerThread")]
    assert consumers, "the consumers never met the refusal"
    assert not [record for record in consumers if record.exc_info or "unexpected" in record.getMessage()], caplog.text
    assert len(runs) == 2


def _stops_naming_the_url(worker: Service) -> None:
    """The worker exited 2 with one line saying Redis refused the credentials and where to give them."""
    wait_for(lambda: worker.process.poll() is not None, timeout=60, what="the worker to stop")
    output = worker.output()
    assert worker.process.returncode == 2, output[-3000:]
    said = [line for line in output.splitlines() if "Redis refused the credentials" in line]
    assert len(said) == 1 and "ARCHIVIST_REDIS_URL" in said[0], output[-3000:]
    assert "Traceback" not in output and "harbour-master" not in output, output[-3000:]


def test_a_worker_started_while_redis_is_down_stops_when_it_comes_back_wanting_a_password(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    """Started while Redis is down, the worker cannot check its credentials and waits for it (as
    it should for an outage). Redis comes back with ``requirepass``: the consumers took NOAUTH
    for a lost connection and restarted every 3 s for as long as the worker ran, taking no
    message while it looked alive. Once the server answers and refuses the credentials, the
    worker stops as it does when it starts so: one line naming ARCHIVIST_REDIS_URL, status 2."""
    server = RedisServer(tmp_path / "redis", persistent=False, password="harbour-master")
    worker = Service(["worker", "--processes", "1", "--threads", "1"],
                     {**production_env, "ARCHIVIST_REDIS_URL": server.url}, tmp_path / "worker.log").start()
    try:
        wait_for(lambda: "ready for action" in worker.output(), timeout=60, what="the worker to start")
        time.sleep(2)  # its consumers meet the server down
        assert worker.process.poll() is None, worker.output()[-3000:]
        server.start()
        _stops_naming_the_url(worker)
    finally:
        worker.stop()
        server.stop()


def test_a_worker_whose_redis_password_is_set_while_it_runs_stops_saying_so(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    """The server's password is set (or changed) while the worker runs; its connections, once
    authenticated, stay so, until they are dropped (a restart of Redis, a failover, a timeout):
    from then on it is refused. The worker stops saying so, in one line."""
    server = RedisServer(tmp_path / "redis", persistent=False).start()
    worker = Service(["worker", "--processes", "1", "--threads", "1"],
                     {**production_env, "ARCHIVIST_REDIS_URL": server.url}, tmp_path / "worker.log").start()
    try:
        wait_for(lambda: "ready for action" in worker.output(), timeout=60, what="the worker to start")
        client = redis.Redis.from_url(server.url)
        client.config_set("requirepass", "harbour-master")
        client.client_kill_filter(_type="normal", skipme=True)
        _stops_naming_the_url(worker)
    finally:
        worker.stop()
        server.stop()


def test_a_worker_whose_redis_user_may_not_run_scripts_stops_saying_so(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    """An ACL user that logs in but may not run what the broker runs (its Lua scripts: NOPERM):
    the consumers took every refusal for a lost connection and restarted every 3 s, taking no
    message while the worker looked alive. It stops with one line naming the user's URL setting,
    at start, before Dramatiq's processes start (a worker process ending while it booted left
    Dramatiq's main process waiting for it forever, one run in five)."""
    server = RedisServer(tmp_path / "redis", persistent=False).start()
    redis.Redis.from_url(server.url).acl_setuser("keeper", enabled=True, passwords=["+harbour-master"],
                                                  keys=["*"], channels=["*"], commands=["+@all", "-eval", "-evalsha"])
    url = server.url.replace("redis://", "redis://keeper:harbour-master@")
    worker = Service(["worker", "--processes", "1", "--threads", "1"],
                     {**production_env, "ARCHIVIST_REDIS_URL": url}, tmp_path / "worker.log").start()
    try:
        wait_for(lambda: worker.process.poll() is not None, timeout=60, what="the worker to stop")
    finally:
        worker.stop()
        server.stop()
    output = worker.output()
    assert worker.process.returncode == 2, output[-3000:]
    said = [line for line in output.splitlines() if "NOPERM" in line or "permission" in line]
    assert len(said) == 1 and "ARCHIVIST_REDIS_URL" in said[0], output[-3000:]
    assert "Traceback" not in output and "harbour-master" not in output, output[-3000:]
