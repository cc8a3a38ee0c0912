"""End-to-end throughput: pages/s archived by N worker processes, against bare trafilatura.

The stack is real (Redis, PostgreSQL, SeaweedFS; see :mod:`bench.stack`) and the pages are the
extraction benchmark's 181 pages, decompressed and served by a loopback HTTP server, each
under ``--copies`` distinct URLs per run so that nothing is a revisit. For each N, ``archivist
worker --processes N`` runs, a warm-up batch is archived, then each timed run submits every URL
at once (the batch submission path) and waits until all are archived.

Throughput is pages archived over (last ``finished_at`` - ``submitted_at``), from the catalog,
so polling adds nothing. CPU per page is the worker processes' user+system time over the run;
beside it, that of the servers (every PostgreSQL, SeaweedFS and Redis process on the machine),
which share the workers' cores here and so count against the pipeline at N = 2.
The baseline is ``trafilatura.extract(html, include_comments=False)`` over the same pages in a
pool of N processes, timed just before each run (the worker idle), and the ratio is the median
over the runs of ours / that baseline: the issue's target is at least 0.85.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.pipeline [--workers 1 2] [--repeat 3] [--copies 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import trafilatura

from archivist import pipeline
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.queue import redis_task_queue
from bench.stack import Stack, corpus, machine, median, running_stack
from tests.support.pages import wait_for
from tests.support.processes import Service
from tests.support.seaweed import free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _bare(html: bytes) -> int:
    return len(trafilatura.extract(html, include_comments=False) or "")


def bare_rate(pages: list[bytes], processes: int) -> float:
    """Pages/s of bare trafilatura over ``pages`` in a pool of ``processes`` (after a warm-up)."""
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_bare, pages[: processes * 2], chunksize=1)
        started = time.perf_counter()
        pool.map(_bare, pages, chunksize=4)
        return len(pages) / (time.perf_counter() - started)


#: The servers a capture uses, by process name: they share the workers' cores on this machine.
SERVERS = {"postgres": "PostgreSQL", "weed": "SeaweedFS", "redis-server": "Redis"}


@dataclass(frozen=True)
class CpuSnapshot:
    """User+system CPU seconds of every process, with its parent and name, at one moment."""

    seconds: dict[int, float]
    parents: dict[int, int]
    names: dict[int, str]

    @classmethod
    def take(cls) -> CpuSnapshot:
        seconds, parents, names = {}, {}, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            name, fields = raw[raw.index("(") + 1:raw.rindex(")")], raw.rsplit(")", 1)[1].split()
            pid = int(entry.name)
            parents[pid], names[pid] = int(fields[1]), name
            seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return cls(seconds, parents, names)

    def tree(self, root: int) -> float:
        """CPU seconds of ``root`` and every process below it."""
        total, frontier = 0.0, [root]
        while frontier:
            pid = frontier.pop()
            total += self.seconds.get(pid, 0.0)
            frontier.extend(child for child, parent in self.parents.items() if parent == pid)
        return total

    def named(self, name: str) -> float:
        """CPU seconds of every process called ``name``."""
        return sum(seconds for pid, seconds in self.seconds.items() if self.names[pid] == name)


def serve(stack: Stack, pages: list[bytes], tag: str, copies: int) -> list[str]:
    """Serve every page under ``copies`` distinct URLs tagged ``tag``; return those URLs."""
    urls = []
    for copy in range(copies):
        for index, body in enumerate(pages):
            urls.append(stack.pages.set(f"/{tag}/c{copy}x{index:04d}", body))
    return urls


def wait_archived(database_url: str, ids: list[str], *, timeout: float = 1800) -> None:
    """Wait until every capture in ``ids`` is archived or failed."""
    with psycopg.connect(database_url) as conn:
        def done() -> bool:
            (left,) = conn.execute("SELECT count(*) FROM captures WHERE id = ANY(%s) AND status NOT IN "
                                   "('archived', 'failed')", (ids,)).fetchone()
            conn.commit()
            return left == 0

        wait_for(done, timeout=timeout, interval=0.5, what="the captures to be archived")


def archive(stack: Stack, runtime: Runtime, urls: list[str]) -> tuple[int, float, int]:
    """Submit ``urls`` as one batch and wait for all; (archived, seconds, failed)."""
    ids = [s.id for s in pipeline.submit(runtime, urls)]
    wait_archived(stack.database_url, ids)
    with psycopg.connect(stack.database_url) as conn:
        archived, failed, seconds = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'archived'), count(*) FILTER (WHERE status = 'failed'), "
            "extract(epoch FROM max(finished_at) - min(submitted_at)) FROM captures WHERE id = ANY(%s)", (ids,)
        ).fetchone()
    return archived, float(seconds), failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker processes to try")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker process")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per N (the median is reported)")
    parser.add_argument("--copies", type=int, default=3, help="URLs per corpus page per run")
    parser.add_argument("--profile", type=Path, help="record the workers with py-spy into this folder "
                        "(collapsed stacks, one file per N); profiled runs are slower")
    args = parser.parse_args(argv)

    pages = corpus()
    print(f"machine: {machine()}")
    print(f"{len(pages)} corpus pages x {args.copies} copies per run, {args.threads} threads per worker process")
    print("servers: CPU ms per page of every process of that name on the machine, as the workers' is")
    print(f"{'N':>2} {'ours p/s':>9} {'bare p/s':>9} {'ratio':>6} {'CPU ms/page':>12} {' '.join(SERVERS.values())} "
          f"{'failed':>6}  load")
    with running_stack() as stack:
        stack.env["ARCHIVIST_WORKER_METRICS_PORT"] = str(free_port())
        stack.apply()
        workdir = Path(stack.env["ARCHIVIST_HOME"])
        workdir.mkdir(parents=True, exist_ok=True)
        runtime = Runtime(get_settings(), queue=redis_task_queue(get_settings()))
        runtime.prepare()
        for n in args.workers:
            worker = Service(["worker", "--processes", str(n), "--threads", str(args.threads)], stack.env,
                             workdir / f"worker-{n}.log").start()
            try:
                archive(stack, runtime, serve(stack, pages[:20], f"warm{n}", 1))
                rates, bares, cpus, failures = [], [], [], 0
                servers: dict[str, list[float]] = {name: [] for name in SERVERS}
                for run in range(args.repeat):
                    # Timed next to the run it is compared with: this machine's speed drifts.
                    bares.append(bare_rate(pages * args.copies, n))
                    urls = serve(stack, pages, f"n{n}r{run}", args.copies)
                    before = CpuSnapshot.take()
                    spy = None
                    if args.profile and run == 0:
                        args.profile.mkdir(parents=True, exist_ok=True)
                        spy = subprocess.Popen(["py-spy", "record", "--pid", str(worker.process.pid), "--subprocesses",
                                                "--format", "raw", "--rate", "200", "--nonblocking",
                                                "-o", str(args.profile / f"workers-{n}.txt")],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                        time.sleep(1)
                    archived, seconds, failed = archive(stack, runtime, urls)
                    if spy is not None:
                        spy.send_signal(signal.SIGINT)
                        spy.wait()
                    after = CpuSnapshot.take()
                    cpus.append((after.tree(worker.process.pid) - before.tree(worker.process.pid)) / len(urls) * 1000)
                    for name in SERVERS:
                        servers[name].append((after.named(name) - before.named(name)) / len(urls) * 1000)
                    rates.append(archived / seconds)
                    failures += failed
                ratios = [ours / bare for ours, bare in zip(rates, bares, strict=True)]
                ratio = median(ratios)
                print(f"{n:>2} {median(rates):9.1f} {median(bares):9.1f} {ratio:6.2f} {median(cpus):12.1f} "
                      f"{' '.join(f'{median(servers[name]):>{len(label)}.1f}' for name, label in SERVERS.items())} "
                      f"{failures:>6}  {os.getloadavg()[0]:.2f}  (ratio per run: {', '.join(f'{r:.2f}' for r in ratios)})",
                      flush=True)
            finally:
                worker.stop()
                if "Traceback" in worker.output():
                    print(worker.output()[-3000:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
