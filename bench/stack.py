"""The real stack for the benchmarks: Redis, PostgreSQL and SeaweedFS on this machine.

It reuses the test suite's servers (``tests/support``): a SeaweedFS of its own on free ports,
a fresh PostgreSQL database dropped afterwards, a Redis key prefix of its own on the shared
Redis, and a page server holding the benchmark corpus. Figures are only comparable when the
machine's load is printed beside them, so :func:`machine` says what it was.
"""

from __future__ import annotations

import gzip
import os
import platform
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from archivist.settings import get_settings
from tests.support.pages import PageServer
from tests.support.seaweed import SeaweedS3, free_port

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CORPUS = SHARED / "benchmarks" / "article-extraction" / "html"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def corpus() -> list[bytes]:
    """The benchmark's pages, decompressed, in file-name order."""
    return [gzip.decompress(path.read_bytes()) for path in sorted(CORPUS.glob("*.html.gz"))]


def machine() -> str:
    """CPU model, cores, memory and the current load, for the line above every figure."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return (f"{model}, {os.cpu_count()} cores, {int(memory) / 2**20:.1f} GiB, python {platform.python_version()}, "
            f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def median(values: list[float]) -> float:
    return statistics.median(values)


@dataclass
class Stack:
    """Where the servers are, as the ARCHIVIST_* variables a process needs to use them."""

    env: dict[str, str]
    pages: PageServer
    database_url: str

    def apply(self) -> None:
        """Point this process's settings at the stack (for in-process submitters)."""
        os.environ.update(self.env)
        get_settings.cache_clear()


@contextmanager
def running_stack(*, workdir: Path | None = None) -> Iterator[Stack]:
    """Start SeaweedFS, a fresh database and a page server; tear all of them down afterwards."""
    with tempfile.TemporaryDirectory(prefix="archivist-bench-", dir=workdir) as tmp:
        root = Path(tmp)
        s3 = SeaweedS3(root / "seaweed")
        s3.start()
        name = f"archivist_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        namespace = f"bench{uuid.uuid4().hex[:10]}"
        pages = PageServer().start()
        env = {
            "ARCHIVIST_REDIS_URL": REDIS_URL,
            "ARCHIVIST_REDIS_NAMESPACE": namespace,
            "ARCHIVIST_DATABASE_URL": database_url,
            "ARCHIVIST_S3_ENDPOINT": s3.endpoint,
            "ARCHIVIST_S3_BUCKET": "bench",
            "ARCHIVIST_HOME": str(root / "home"),
            "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1",
            # Every corpus page is served by one loopback host: lift the per-host manners that
            # would otherwise make this a benchmark of politeness.
            "ARCHIVIST_HOST_MIN_INTERVAL": "0",
            "ARCHIVIST_HOST_CONCURRENCY": "64",
            "ARCHIVIST_DEFAULT_SUBMISSIONS_PER_MINUTE": "0",
            "ARCHIVIST_WORKER_METRICS_PORT": str(free_port()),
        }
        try:
            yield Stack(env=env, pages=pages, database_url=database_url)
        finally:
            pages.stop()
            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"{namespace}*", count=1000))
            if keys:
                client.delete(*keys)
            client.close()
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            s3.stop()
