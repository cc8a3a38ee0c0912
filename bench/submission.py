"""Submission: URLs/s accepted by the batch API and by ``archivist submit --file``, and peak RSS.

No worker runs: the benchmark measures acceptance only (validate, insert the captures, queue
one fetch message each), on the real stack of :mod:`bench.stack`. The API is a real
``archivist serve`` process fed batches of ``--batch`` URLs over loopback by one client; the
CLI is a real ``archivist submit --file`` process. Peak RSS is the process's ``VmHWM`` (API)
or ``ru_maxrss`` (CLI).

The baseline is what the components allow, measured in the same run: the same number of
capture rows inserted in one transaction with SQLAlchemy Core, plus the same number of
messages sent through the broker's pipelined enqueue; its rate is URLs over the sum of both
times. The issue's target is at least 5,000 URLs/s.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.submission [--sizes 1000 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

from archivist.adapters.catalog import CaptureRow
from archivist.core.urls import urlkey
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.queue import redis_task_queue
from bench.stack import Stack, machine, median, running_stack
from tests.support.processes import ApiServer, archivist_env


def urls(count: int, tag: str) -> list[str]:
    return [f"https://site{i % 97}.example.org/{tag}/article-{i}" for i in range(count)]


def via_api(api: ApiServer, batch: list[str], size: int) -> float:
    """Seconds to submit ``batch`` in requests of ``size`` URLs."""
    with httpx.Client(base_url=api.base_url, timeout=300) as client:
        started = time.perf_counter()
        for start in range(0, len(batch), size):
            answer = client.post("/v1/captures", json={"urls": batch[start:start + size]})
            answer.raise_for_status()
        return time.perf_counter() - started


def via_cli(stack: Stack, batch: list[str], workdir: Path) -> tuple[float, int]:
    """Seconds for ``archivist submit --file`` (process start included) and its peak RSS in KiB."""
    path = workdir / f"urls-{uuid.uuid4().hex[:8]}.txt"
    path.write_text("\n".join(batch) + "\n")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "archivist", "submit", "--file", str(path)],
                               env=archivist_env(stack.env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"archivist submit failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss


def components(runtime: Runtime, batch: list[str]) -> float:
    """Seconds the catalog and the broker need for ``batch`` with nothing of ours around them."""
    now = datetime.now(UTC)
    rows = [{"id": str(uuid.uuid4()), "url": url, "urlkey": urlkey(url), "status": "queued",
             "submitted_at": now, "updated_at": now, "attempts": 0} for url in batch]
    started = time.perf_counter()
    with runtime.database.engine.begin() as connection:
        connection.execute(CaptureRow.__table__.insert(), rows)
    runtime.queue.enqueue_fetch([row["id"] for row in rows])
    return time.perf_counter() - started


def command_time(args: list[str], stack: Stack) -> float:
    """Seconds for a command that does nothing: the process start-up that every CLI call pays."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "archivist", *args], env=archivist_env(stack.env), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--batch", type=int, default=1000, help="URLs per API request")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (the median is reported)")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    print(f"API requests of {args.batch} URLs; no workers running")
    print(f"{'URLs':>7} {'API/s':>8} {'CLI/s':>8} {'floor/s':>8} {'API/floor':>9} {'CLI/floor':>9} "
          f"{'API RSS':>8} {'CLI RSS':>8} {'captures':>9}  load")
    with running_stack() as stack, tempfile.TemporaryDirectory() as tmp:
        stack.apply()
        runtime = Runtime(get_settings(), queue=redis_task_queue(get_settings()))
        runtime.prepare()
        api = ApiServer(stack.env, Path(tmp) / "api.log").start()
        try:
            for size in args.sizes:
                api_rates, cli_rates, floor_rates, cli_rss = [], [], [], []
                for run in range(args.repeat):
                    api_rates.append(size / via_api(api, urls(size, f"api{size}r{run}"), args.batch))
                    seconds, rss = via_cli(stack, urls(size, f"cli{size}r{run}"), Path(tmp))
                    cli_rates.append(size / seconds)
                    cli_rss.append(rss)
                    floor_rates.append(size / components(runtime, urls(size, f"floor{size}r{run}")))
                with psycopg.connect(stack.database_url) as conn:
                    (captures,) = conn.execute("SELECT count(*) FROM captures").fetchone()
                api_rate, cli_rate, floor = median(api_rates), median(cli_rates), median(floor_rates)
                print(f"{size:>7} {api_rate:8.0f} {cli_rate:8.0f} {floor:8.0f} {api_rate / floor:9.2f} "
                      f"{cli_rate / floor:9.2f} {peak_rss_kib(api.process.pid) / 1024:6.0f}MB "
                      f"{max(cli_rss) / 1024:6.0f}MB {captures:>9}  {os.getloadavg()[0]:.2f}", flush=True)
            startup = median([command_time(["submit", "--help"], stack) for _ in range(3)])
            print(f"`archivist submit --help` (process start-up, included in CLI/s): {startup:.2f} s")
        finally:
            api.stop()
            runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
