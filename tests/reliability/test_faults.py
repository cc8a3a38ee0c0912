"""Fault injection on the real stack: 500 URLs while workers are SIGKILLed, Redis restarts and
S3 goes away for 10 seconds. At the end every URL has exactly one capture, archived or failed
with a reason, and nothing is stored twice.

Run alone with ``pytest -m faults -s`` to see the figures.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest
from minio import Minio

from tests.support.pages import PageServer, slow_route, wait_for
from tests.support.processes import ApiServer, Service
from tests.support.redis_server import RedisServer
from tests.support.seaweed import SeaweedS3

pytestmark = pytest.mark.faults

URLS = 500
ARTICLE = ("<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
           + "<p>Paragraph {n} of a story that is long enough to be taken for an article. " * 8
           + "</p></article></body></html>")


def test_nothing_lost_nothing_duplicated(pages: PageServer, pg_url: str, redis_namespace: str, tmp_path: Path) -> None:
    rng = random.Random(7)
    expected_failures = set()
    for n in range(URLS):
        if n % 20 == 7:
            pages.set(f"/p/{n}", "gone", status=404, headers={"Content-Type": "text/plain"})
            expected_failures.add(n)
        elif n % 25 == 3:
            pages.routes[f"/p/{n}"] = slow_route(1.0, ARTICLE.format(n=n))
        else:
            pages.set(f"/p/{n}", ARTICLE.format(n=n))

    redis_server = RedisServer(tmp_path / "redis").start()
    s3 = SeaweedS3(tmp_path / "s3")
    s3.start()
    env = {
        "ARCHIVIST_REDIS_URL": redis_server.url, "ARCHIVIST_REDIS_NAMESPACE": redis_namespace,
        "ARCHIVIST_DATABASE_URL": pg_url, "ARCHIVIST_S3_ENDPOINT": s3.endpoint, "ARCHIVIST_S3_BUCKET": "faults",
        "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1", "ARCHIVIST_HOST_MIN_INTERVAL": "0", "ARCHIVIST_HOST_CONCURRENCY": "16",
        "ARCHIVIST_HOME": str(tmp_path / "home"), "ARCHIVIST_WORKER_HEARTBEAT_TIMEOUT_MS": "3000",
        "ARCHIVIST_FETCH_MAX_RETRIES": "10", "ARCHIVIST_EXTRACT_MAX_RETRIES": "10",
        "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "500", "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "8000",
        # Short leases and a frequent reconcile, so the scheduler rescues abandoned captures in seconds.
        "ARCHIVIST_TOTAL_TIMEOUT": "5", "ARCHIVIST_HOST_MAX_WAIT": "2", "ARCHIVIST_EXTRACT_TIME_LIMIT": "30",
        "ARCHIVIST_RECONCILE_INTERVAL": "5", "ARCHIVIST_RECONCILE_QUEUED_AFTER": "120",
    }
    api = ApiServer(env, tmp_path / "api.log").start()
    workers = [Service(["worker", "--processes", "1", "--threads", "4"], env, tmp_path / f"w{i}.log").start()
               for i in range(2)]
    scheduler = Service(["scheduler", "--poll", "1"], env, tmp_path / "scheduler.log").start()
    events: list[str] = []
    started = time.monotonic()

    def chaos() -> None:
        def at(moment: float) -> None:
            time.sleep(max(0.0, moment - (time.monotonic() - started)))

        for moment, index in sorted((rng.uniform(2, 25), i % 2) for i in range(4)):
            at(moment)
            workers[index].signal(signal.SIGKILL)
            workers[index].process.wait()
            events.append(f"{time.monotonic() - started:5.1f}s SIGKILL worker {index}")
            workers[index].start()
        at(8)
        redis_server.restart()
        events.append(f"{time.monotonic() - started:5.1f}s Redis restarted")
        at(12)
        s3.stop()
        events.append(f"{time.monotonic() - started:5.1f}s S3 stopped")
        time.sleep(10)
        s3.start()
        events.append(f"{time.monotonic() - started:5.1f}s S3 back")

    urls = [pages.url(f"/p/{n}") for n in range(URLS)]
    try:
        answer = httpx.post(f"{api.base_url}/v1/captures", json={"urls": urls}, timeout=60)
        assert answer.status_code == 202, answer.text
        ids = [c["id"] for c in answer.json()["captures"]]
        chaos_thread = threading.Thread(target=chaos, daemon=True)
        chaos_thread.start()

        live: list = []

        def all_done() -> bool:
            with psycopg.connect(pg_url) as conn:
                live[:] = conn.execute("SELECT id, status, attempts, updated_at FROM captures "
                                       "WHERE status NOT IN ('archived', 'failed')").fetchall()
            return not live and not chaos_thread.is_alive()

        try:
            wait_for(all_done, timeout=360, interval=1, what="every capture to finish")
        except AssertionError:
            print("still live:", live[:20], "\nevents:", events)
            for service in (*workers, scheduler):
                print(f"--- {service.log.name} (last lines)\n" + "\n".join(service.output().splitlines()[-40:]))
            raise
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.stop()
        scheduler.stop()
        api.stop()

    with psycopg.connect(pg_url) as conn:
        captures = conn.execute("SELECT id, url, status, reason, attempts FROM captures").fetchall()
        snapshots = conn.execute("SELECT capture_id, storage_key FROM snapshots").fetchall()
        versions = conn.execute("SELECT record_id, count(*) FROM record_versions GROUP BY record_id").fetchall()
    keys = {o.object_name for o in Minio(s3.endpoint.split("://")[1], secure=False).list_objects("faults", recursive=True)}
    s3.stop()
    redis_server.stop()

    by_url = Counter(url for _, url, _, _, _ in captures)
    outcomes = Counter((status, reason) for _, _, status, reason, _ in captures)
    redelivered = sum(1 for *_, attempts in captures if attempts > 1)
    print(f"\n{URLS} URLs in {elapsed:.1f}s with faults:\n  " + "\n  ".join(events))
    print(f"  outcomes: {dict(outcomes)}; fetched more than once: {redelivered}")
    print(f"  snapshots {len(snapshots)}, stored objects {len(keys)}, records {len(versions)}")
    resent = [line.split("reconcile: ", 1)[1] for line in scheduler.output().splitlines() if "reconcile: " in line]
    print(f"  reconcile: {resent or 'nothing to re-send'}")

    assert sorted(c[0] for c in captures) == sorted(ids)
    assert set(by_url.values()) == {1}, "one capture per submitted URL"
    assert all(status in ("archived", "failed") for _, _, status, _, _ in captures)
    failed = {url for _, url, status, _, _ in captures if status == "failed"}
    assert failed == {pages.url(f"/p/{n}") for n in expected_failures}
    assert all(reason == "http_4xx" for _, _, status, reason, _ in captures if status == "failed")
    archived = URLS - len(expected_failures)
    assert len(snapshots) == archived and len({c for c, _ in snapshots}) == archived
    assert keys == {key for _, key in snapshots}, "no orphaned or duplicated objects"
    assert len(versions) == archived and all(count == 1 for _, count in versions)
