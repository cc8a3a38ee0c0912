"""CPU per capture: the pipeline's fetch step (which extracts in the same delivery) in one process.

The worker benchmark (:mod:`bench.pipeline`) measures what a deployment gets, but on a shared
2-core machine its figures move with everyone else's load. This one calls
``pipeline.fetch_capture`` directly, one capture at a time in this process (it fetches, stores,
then extracts from memory and records the version: the whole capture), on the real stack
(:mod:`bench.stack`, messages really queued to Redis), and times each capture with
``time.thread_time``: the CPU of our code and its clients, in the thread that runs them,
without the queue consumer and without the servers' own CPU. (Not ``process_time``: the page
server, standing in for the web sites, is a thread of this process, and its CPU is not ours.)

The baseline is bare ``trafilatura.extract(html, include_comments=False)`` on the same pages in
the same process; the ratio is bare / capture, the share of the issue's target (>= 0.85).

It also counts what a capture asks of the servers, which does not drift with the machine:
statements and transactions sent to PostgreSQL (each a round trip; psycopg sends a
transaction's BEGIN as a command of its own and its COMMIT as another) and commands run by
Redis. On this kind of machine one PostgreSQL round trip costs about 0.14 ms of the client's
CPU and 0.08 ms of the server's, whatever the statement.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.steps [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import redis
import trafilatura
from sqlalchemy import event

from archivist import pipeline
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.queue import redis_task_queue
from bench.pipeline import SERVERS, CpuSnapshot, serve
from bench.stack import corpus, machine, median, running_stack


class ServerCalls:
    """PostgreSQL statements and explicit transactions sent by ``runtime``, and Redis commands."""

    def __init__(self, runtime: Runtime) -> None:
        self.statements = self.transactions = 0
        self._redis = redis.Redis.from_url(runtime.settings.redis_url)
        engine = runtime.database.engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *_args: object) -> None:
        self.statements += 1

    def _commit(self, connection) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
        # An autocommit connection's COMMIT is a no-op: no BEGIN was sent, and nothing is sent.
        if not connection.connection.driver_connection.autocommit:
            self.transactions += 1

    def redis_commands(self) -> int:
        """Commands Redis has run so far (the INFO that reads it included)."""
        return int(self._redis.info("stats")["total_commands_processed"])


def one_pass(
    runtime: Runtime, urls: list[str], calls: ServerCalls
) -> tuple[float, tuple[float, float, float], dict[str, float]]:
    """CPU seconds of all captures of ``urls``: the fetch delivery, which extracts the pages it
    holds, and the extract message's step wherever that delivery did not (code from before
    in-delivery extraction always needs it); per capture, the PostgreSQL statements, the
    explicit transactions and the Redis commands they sent; and each server's CPU ms per
    capture meanwhile (nothing else uses them during the pass)."""
    ids = [s.id for s in pipeline.submit(runtime, urls)]
    statements, transactions, commands = calls.statements, calls.transactions, calls.redis_commands()
    before = CpuSnapshot.take()
    spent = 0.0
    for capture_id in ids:
        started = time.thread_time()
        outcome = pipeline.fetch_capture(runtime, capture_id, delivery=f"bench-{capture_id}")
        extraction = getattr(outcome, "extraction", None)
        if extraction is None:
            extraction = pipeline.extract_capture(runtime, capture_id)
        spent += time.thread_time() - started
        if extraction.skipped or extraction.failed_reason:
            raise RuntimeError(f"capture {capture_id} did not archive: {extraction}")
    after = CpuSnapshot.take()
    commands = calls.redis_commands() - commands - 1
    servers = {name: (after.named(name) - before.named(name)) / len(ids) * 1000 for name in SERVERS}
    return spent, ((calls.statements - statements) / len(ids), (calls.transactions - transactions) / len(ids),
                   commands / len(ids)), servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus (the median is reported)")
    args = parser.parse_args(argv)

    pages = corpus()
    print(f"machine: {machine()}")
    with running_stack() as stack:
        stack.apply()
        runtime = Runtime(get_settings(), queue=redis_task_queue(get_settings()))
        runtime.prepare()
        calls = ServerCalls(runtime)
        try:
            one_pass(runtime, serve(stack, pages[:10], "warm", 1), calls)
            captures, bares = [], []
            servers: dict[str, list[float]] = {name: [] for name in SERVERS}
            for run in range(args.repeat):
                spent, (statements, transactions, commands), used = one_pass(
                    runtime, serve(stack, pages, f"steps{run}", 1), calls)
                for name, value in used.items():
                    servers[name].append(value)
                started = time.thread_time()
                for body in pages:
                    trafilatura.extract(body, include_comments=False)
                bares.append((time.thread_time() - started) / len(pages) * 1000)
                captures.append(spent / len(pages) * 1000)
        finally:
            runtime.close()
    ours, bare = median(captures), median(bares)
    print(f"{len(pages)} pages, {args.repeat} passes; load {os.getloadavg()[0]:.2f}")
    print(f"capture          {ours:6.1f} ms CPU/page  (runs: {', '.join(f'{v:.1f}' for v in captures)})")
    print(f"bare trafilatura {bare:6.1f} ms CPU/page  (runs: {', '.join(f'{v:.1f}' for v in bares)})")
    print(f"ratio bare / ours {bare / ours:.2f}")
    print("servers' CPU ms/capture: " + ", ".join(
        f"{label} {median(servers[name]):.2f} (runs: {', '.join(f'{v:.2f}' for v in servers[name])})"
        for name, label in SERVERS.items()))
    print(f"per capture (last pass): {statements:.2f} PostgreSQL statements in {transactions:.2f} explicit "
          f"transactions ({statements + 2 * transactions:.2f} round trips), {commands:.2f} Redis commands")
    return 0


if __name__ == "__main__":
    sys.exit(main())
