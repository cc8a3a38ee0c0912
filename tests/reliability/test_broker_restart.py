"""A Redis that keeps nothing on disk, restarted under the stack: the messages it held are gone,
and the catalog alone knows which captures still wait for one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import redis

from tests.support.pages import PageServer, slow_route, wait_for
from tests.support.processes import ApiServer, Service, archivist_env
from tests.support.redis_server import RedisServer

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"


def _reconcile(env: dict[str, str]) -> str:
    """``archivist reconcile`` as an operator runs it, with its defaults."""
    done = subprocess.run([sys.executable, "-m", "archivist", "reconcile"], env=archivist_env(env),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_captures_queued_when_redis_lost_its_messages_are_resent_by_the_next_reconcile(
    pages: PageServer, pg_url: str, s3_endpoint: str, s3_bucket: str, redis_namespace: str, tmp_path: Path
) -> None:
    """Captures queued (no worker up) and one being fetched when a Redis without persistence
    restarts: the API keeps taking submissions, the fetch in flight ends archived, and the next
    reconcile, with its defaults, re-sends the queued captures whose messages went with the
    restart (not an hour later): every capture ends archived, each once."""
    redis_server = RedisServer(tmp_path / "redis", persistent=False).start()
    env = {
        "ARCHIVIST_REDIS_URL": redis_server.url, "ARCHIVIST_REDIS_NAMESPACE": redis_namespace,
        "ARCHIVIST_DATABASE_URL": pg_url, "ARCHIVIST_S3_ENDPOINT": s3_endpoint, "ARCHIVIST_S3_BUCKET": s3_bucket,
        "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1", "ARCHIVIST_HOST_MIN_INTERVAL": "0",
        "ARCHIVIST_HOME": str(tmp_path / "home"),
        "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "100", "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "1000",
    }
    api = ApiServer(env, tmp_path / "api.log")
    workers: list[Service] = []
    try:
        api.start()
        pages.routes["/in-flight"] = slow_route(4.0, ARTICLE.format("in flight"))
        workers.append(Service(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "w0.log").start())
        fetched = api.submit(pages.url("/in-flight"))
        wait_for(lambda: pages.hits.get("/in-flight"), timeout=60, what="the worker to fetch the slow page")
        redis_server.restart()  # while the page is being fetched
        assert wait_for(lambda: api.finished(fetched), timeout=60, what="the fetch in flight")["status"] == "archived"
        next_one = api.submit(pages.set("/next", ARTICLE.format("next")))  # the worker consumes again
        assert wait_for(lambda: api.finished(next_one), timeout=60, what="a capture after the restart")["status"] == "archived"
        workers.pop().stop()

        queued = [api.submit(pages.set(f"/queued-{n}", ARTICLE.format(f"queued {n}"))) for n in range(3)]
        redis_server.restart()  # no worker was up: the three messages are gone
        after = api.submit(pages.set("/after", ARTICLE.format("after")))  # the API reconnects
        workers.append(Service(["worker", "--processes", "1", "--threads", "2"], env, tmp_path / "w1.log").start())
        wait_for(lambda: api.finished(after), timeout=60, what="the capture submitted after the restart")
        assert [api.status(c)["status"] for c in queued] == ["queued"] * 3

        assert "requeued 3 stale capture(s)" in _reconcile(env)
        for capture_id in queued:
            assert wait_for(lambda c=capture_id: api.finished(c), timeout=60,
                            what="a lost capture to end")["status"] == "archived"
        assert "requeued 0 stale capture(s)" in _reconcile(env)  # sent once, not at every run
        assert all(pages.hits[f"/queued-{n}"] == 1 for n in range(3))
    finally:
        for worker in workers:
            worker.stop()
        api.stop()
        redis_server.stop()


def test_a_retry_held_by_a_worker_when_redis_restarts_runs_after_the_restart(
    production_env: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    """A worker holds a retry (taken from ``fetch.DQ``, waiting for its eta) when Redis, keeping an
    append-only file, restarts: the restart kept the retry in the worker's unacknowledged set,
    while the worker's consumer, restarted on the lost connection, dropped what it held: the
    capture stayed ``fetching`` until the worker itself restarted. The retry must run once Redis
    is back."""
    server = RedisServer(tmp_path / "redis", persistent=True).start()
    env = {**production_env, "ARCHIVIST_REDIS_URL": server.url,
           "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "6000", "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "6000"}
    client = redis.Redis.from_url(server.url)
    namespace = production_env["ARCHIVIST_REDIS_NAMESPACE"]
    pages.set("/jetty", b"busy", status=500)
    api = ApiServer(env, tmp_path / "api.log")
    worker = Service(["worker", "--processes", "1", "--threads", "1"], env, tmp_path / "worker.log")
    try:
        api.start()
        worker.start()
        capture_id = api.submit(pages.url("/jetty"))
        wait_for(lambda: sum(client.scard(key) for key in client.keys(f"{namespace}:__acks__.*.fetch.DQ")) == 1,
                 timeout=60, what="the worker to hold the retry until its eta")
        pages.set("/jetty", ARTICLE.format("jetty"))
        server.restart()
        assert wait_for(lambda: api.finished(capture_id), timeout=60, what="the retry to run")["status"] == "archived"
    finally:
        worker.stop()
        api.stop()
        server.stop()
    assert pages.hits["/jetty"] == 2
    assert "Traceback" not in worker.output(), worker.output()[-4000:]
