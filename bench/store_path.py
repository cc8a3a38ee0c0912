"""CPU of a capture's store path alone: politeness, the HTTP fetch, the WARC and the S3 put.

:mod:`bench.steps` times the whole capture, in which these parts are about a fifth; their
changes drown in the extraction's noise there. This runs only them, as ``_fetch_one`` does, on
the real stack (:mod:`bench.stack`: Redis for the host gate, SeaweedFS for the put, the loopback
page server for the pages): ``politeness.request`` around ``fetcher.fetch``, then
``payload_digest`` and ``store_snapshot``. Each part is timed with ``time.thread_time`` (the page
server is a thread of this process: its CPU is not ours); beside them, SeaweedFS's and Redis's
CPU per capture and the Redis commands a capture sends, which do not drift with the machine.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.store_path [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, datetime

import redis

from archivist.pipeline.fetching import store_snapshot
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist.warc import payload_digest
from bench.pipeline import CpuSnapshot, serve
from bench.stack import corpus, machine, median, running_stack

PARTS = ("fetch", "store")


def own_seaweed(snapshot: CpuSnapshot) -> float:
    """CPU seconds of the SeaweedFS this process started (other sessions on the machine run theirs)."""
    return sum(snapshot.tree(pid) for pid, parent in snapshot.parents.items()
               if parent == os.getpid() and snapshot.names[pid] == "weed")


def one_pass(runtime: Runtime, urls: list[str], tag: str) -> tuple[dict[str, float], float, float, float]:
    """CPU ms per capture of each part; our SeaweedFS's and Redis's CPU ms and Redis's commands per capture."""
    spent = dict.fromkeys(PARTS, 0.0)
    counter = redis.Redis.from_url(runtime.settings.redis_url)
    commands = int(counter.info("stats")["total_commands_processed"])
    before = CpuSnapshot.take()
    submitted = datetime.now(UTC)
    for url in urls:
        started = time.thread_time()
        with runtime.politeness.request(url):
            result = runtime.fetcher.fetch(url, may_follow=runtime.politeness.check_robots)
        fetched = time.thread_time()
        try:
            payload_digest(result.final.body)
            key = f"{tag}/{submitted:%Y%m%d%H%M%S}-{uuid.uuid4().hex}.warc.gz"
            store_snapshot(runtime, key, result.exchanges, result.final.started_at, None)
        finally:
            result.close()
        spent["fetch"] += fetched - started
        spent["store"] += time.thread_time() - fetched
    after = CpuSnapshot.take()
    sent = int(counter.info("stats")["total_commands_processed"]) - commands - 1
    counter.close()
    per = 1000 / len(urls)
    return ({part: value * per for part, value in spent.items()}, (own_seaweed(after) - own_seaweed(before)) * per,
            (after.named("redis-server") - before.named("redis-server")) * per, sent / len(urls))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the corpus (the median is reported)")
    args = parser.parse_args(argv)

    pages = corpus()
    print(f"machine: {machine()}")
    with running_stack() as stack:
        stack.apply()
        runtime = Runtime(get_settings())
        runtime.prepare()
        try:
            one_pass(runtime, serve(stack, pages[:20], "warm", 1), "warm")
            runs = [one_pass(runtime, serve(stack, pages, f"p{run}", 1), f"p{run}") for run in range(args.repeat)]
        finally:
            runtime.close()
    print(f"{len(pages)} pages, {args.repeat} passes; load {os.getloadavg()[0]:.2f}; CPU ms per capture, median (runs)")
    for part in PARTS:
        values = [run[0][part] for run in runs]
        print(f"  {part:<28} {median(values):6.2f}  ({', '.join(f'{v:.2f}' for v in values)})")
    totals = [sum(run[0].values()) for run in runs]
    print(f"  {'fetch + store':<28} {median(totals):6.2f}  ({', '.join(f'{v:.2f}' for v in totals)})")
    for index, label in ((1, "SeaweedFS"), (2, "Redis (whole server)"), (3, "Redis commands/capture")):
        values = [run[index] for run in runs]
        print(f"  {label:<28} {median(values):6.2f}  ({', '.join(f'{v:.2f}' for v in values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
