"""Latency: submit -> archived record, p50/p95/p99, at a light steady load.

``archivist worker --processes N`` runs on the real stack (:mod:`bench.stack`); one URL of the
corpus (each at a URL of its own) is submitted every ``1/--rate`` seconds for ``--seconds``,
and the latency of each capture is its ``finished_at - submitted_at`` in the catalog.

The baseline is the floor that extraction alone sets: bare ``trafilatura.extract`` on each of
the same pages, one after another in this process, with the same percentiles. The issue's
target is p95 < 1 s for a local page.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.latency [--rate 4] [--seconds 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg
import trafilatura

from archivist import pipeline
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.queue import redis_task_queue
from bench.pipeline import archive, serve, wait_archived
from bench.stack import corpus, machine, running_stack
from tests.support.processes import Service
from tests.support.seaweed import free_port


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=4.0, help="URLs submitted per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker process")
    args = parser.parse_args(argv)

    pages = corpus()
    count = int(args.rate * args.seconds)
    print(f"machine: {machine()}")
    with running_stack() as stack:
        stack.env["ARCHIVIST_WORKER_METRICS_PORT"] = str(free_port())
        stack.apply()
        runtime = Runtime(get_settings(), queue=redis_task_queue(get_settings()))
        runtime.prepare()
        home = Path(stack.env["ARCHIVIST_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        worker = Service(["worker", "--processes", str(args.workers), "--threads", str(args.threads)], stack.env,
                         home / "worker.log").start()
        try:
            archive(stack, runtime, serve(stack, pages[:20], "warm", 1))
            urls = serve(stack, (pages * (count // len(pages) + 1))[:count], "steady", 1)
            ids = []
            started = time.perf_counter()
            for index, url in enumerate(urls):
                delay = started + index / args.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                ids.extend(s.id for s in pipeline.submit(runtime, [url]))
            wait_archived(stack.database_url, ids, timeout=600)
            with psycopg.connect(stack.database_url) as conn:
                rows = conn.execute("SELECT status, extract(epoch FROM finished_at - submitted_at) FROM captures "
                                    "WHERE id = ANY(%s)", (ids,)).fetchall()
        finally:
            worker.stop()
            runtime.close()
    latencies = [float(seconds) for status, seconds in rows if status == "archived"]
    bare = []
    for body in (pages * (count // len(pages) + 1))[:count]:
        started = time.perf_counter()
        trafilatura.extract(body, include_comments=False)
        bare.append(time.perf_counter() - started)
    ours, floor = percentiles(latencies), percentiles(bare)
    print(f"{count} URLs at {args.rate}/s, {args.workers} worker processes x {args.threads} threads; "
          f"{len(latencies)} archived, {len(rows) - len(latencies)} failed; load {os.getloadavg()[0]:.2f}")
    print(f"{'':<22} {'p50':>7} {'p95':>7} {'p99':>7}")
    print(f"{'submit -> archived':<22} " + " ".join(f"{v * 1000:5.0f}ms" for v in ours))
    print(f"{'bare trafilatura':<22} " + " ".join(f"{v * 1000:5.0f}ms" for v in floor))
    print(f"{'ratio':<22} " + " ".join(f"{a / b:7.1f}" for a, b in zip(ours, floor, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
