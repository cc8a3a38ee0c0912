"""What the Dramatiq worker costs per message, beyond the capture itself.

``bench/pipeline.py`` measures a real ``archivist worker`` and ``bench/steps.py`` the capture
alone; the difference between them moves by more than itself with the machine's load. This
measures the difference directly: a Dramatiq ``Worker`` in this process, on the real Redis, with
the broker, middleware and actors ``archivist worker`` runs (:func:`archivist_workers.broker.build`
plus :class:`~archivist_workers.prometheus.WorkerPrometheus`, metrics in multiprocess mode), but
with ``pipeline.fetch_capture`` replaced by a stand-in that sleeps ``--step-ms`` (the GIL let go,
as during a capture's network waits) and returns a typical outcome (one page fetched, extracted,
a new version). What remains is the consumer threads, the worker threads, our middleware and
``_step`` wrapper, the metrics, the acks: timed with the CPU of each thread, and with the Redis
commands sent. The consumers poll while their prefetch is full, so their cost depends on the
message rate: the default step time gives about the rate of one worker process at 4 threads.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.worker_overhead [--messages 400] [--threads 4] [--step-ms 160]
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid

import redis

from bench.stack import REDIS_URL, machine, median


def thread_seconds() -> dict[int, tuple[str, float]]:
    """CPU seconds of each live thread of this process, with the thread's role (its class, and
    the queue of a consumer)."""
    seconds = {}
    for thread in threading.enumerate():
        try:
            clock = time.pthread_getcpuclockid(thread.ident)
            spent = time.clock_gettime(clock)
        except (OSError, TypeError):  # ended meanwhile, or not started
            continue
        queue = getattr(thread, "queue_name", None)
        seconds[thread.ident] = (type(thread).__name__ + (f" {queue}" if queue else ""), spent)
    return seconds


class Dispatches:
    """Calls of the broker's Redis script (fetch, ack, enqueue...: one round trip each), by command."""

    def __init__(self, broker) -> None:  # noqa: ANN001 - a RedisBroker
        self.counts: collections.Counter[str] = collections.Counter()
        self._script = broker.scripts["dispatch"]
        broker.scripts["dispatch"] = self

    def __call__(self, *, keys, args, client=None):  # noqa: ANN001, ANN204 - redis-py's Script call
        self.counts[args[0]] += 1
        return self._script(keys=keys, args=args, client=client)


def run(args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float], float]:
    """One timed run: (CPU ms per message by thread role, round trips per message by command, msg/s)."""
    import dramatiq

    from archivist import pipeline
    from archivist.settings import get_settings
    from archivist_workers.broker import build
    from archivist_workers.prometheus import WorkerPrometheus
    from archivist_workers.queue import DramatiqTaskQueue

    handled = threading.Semaphore(0)

    def stand_in(_runtime, capture_id: str, *, delivery: str, last_attempt: bool) -> pipeline.FetchOutcome:  # noqa: ANN001
        time.sleep(args.step_ms / 1000)
        handled.release()
        page = pipeline.PageOutcome(status=200, received_bytes=50_000, stored_bytes=12_000, seconds=0.05)
        return pipeline.FetchOutcome(capture_id, pages=[page], extraction=pipeline.ExtractOutcome(
            capture_id, new_version=True, seconds=0.02, latency_seconds=1.0))

    pipeline.fetch_capture = stand_in
    setup = build(get_settings(), embedded=False)
    broker = setup.broker
    prometheus = WorkerPrometheus()
    broker.add_middleware(prometheus)
    # Its metrics (the exposition server is a fork of the CLI's). Not the broker's whole process_boot: the
    # runtime would migrate a catalog, and TimeLimit's timer thread (one wake-up a second) is left out.
    prometheus.after_process_boot(broker)
    setup.provider.attach(broker)  # connects to nothing: the stand-in uses none of its adapters
    dispatches = Dispatches(broker)
    warm_up = args.threads * 4
    DramatiqTaskQueue(broker).enqueue_fetch([str(uuid.uuid4()) for _ in range(warm_up + args.messages)])
    worker = dramatiq.Worker(broker, worker_threads=args.threads)
    worker.start()
    try:
        for _ in range(warm_up):
            handled.acquire()
        dispatches.counts.clear()
        before, started = thread_seconds(), time.perf_counter()
        for _ in range(args.messages):
            handled.acquire()
        time.sleep(args.step_ms / 1000 + 0.05)  # the last acks (they follow the step)
        after, seconds = thread_seconds(), time.perf_counter() - started
    finally:
        worker.stop()
        broker.close()
    cpu: collections.Counter[str] = collections.Counter()
    for ident, (role, spent) in after.items():
        cpu[role] += (spent - before.get(ident, (role, 0.0))[1]) * 1000 / args.messages
    trips = {command: count / args.messages for command, count in dispatches.counts.items()}
    return dict(cpu), trips, args.messages / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400, help="messages timed per run")
    parser.add_argument("--threads", type=int, default=4, help="worker threads")
    parser.add_argument("--step-ms", type=float, default=160, help="wall time of the stand-in step (sleeping)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (the median is reported)")
    args = parser.parse_args(argv)

    # As `archivist worker` does: metrics in multiprocess mode, set before prometheus_client is imported.
    metrics, namespace = tempfile.mkdtemp(prefix="archivist-bench-metrics-"), f"bench{uuid.uuid4().hex[:10]}"
    os.environ.update({"PROMETHEUS_MULTIPROC_DIR": metrics, "dramatiq_prom_db": metrics,
                       "ARCHIVIST_REDIS_URL": REDIS_URL, "ARCHIVIST_REDIS_NAMESPACE": namespace})
    print(f"machine: {machine()}")
    print(f"{args.messages} messages per run, {args.threads} threads, a {args.step_ms:g} ms step that sleeps")
    try:
        runs = [run(args) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(metrics, ignore_errors=True)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    roles = sorted({role for cpu, _, _ in runs for role in cpu}, key=lambda role: -runs[0][0].get(role, 0.0))
    for role in roles:
        print(f"  {role:28} {median([cpu.get(role, 0.0) for cpu, _, _ in runs]):6.3f} CPU ms/message")
    totals = [sum(cpu.values()) for cpu, _, _ in runs]
    print(f"  {'total':28} {median(totals):6.3f} CPU ms/message  (runs: {', '.join(f'{t:.3f}' for t in totals)})")
    commands = sorted({command for _, trips, _ in runs for command in trips})
    print("Redis round trips per message: " + ", ".join(
        f"{command} {median([trips.get(command, 0.0) for _, trips, _ in runs]):.2f}" for command in commands))
    print(f"{median([rate for _, _, rate in runs]):.1f} messages/s; load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
