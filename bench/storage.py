"""Storage: bytes stored per capture against the raw bytes, and what an unchanged re-capture adds.

``archivist worker`` on the real stack (:mod:`bench.stack`) captures every corpus page once,
then the same URLs again with unchanged pages. From the catalog: raw payload bytes, bytes
stored (the WARC objects in S3, request and response records, each its own gzip member), and
the bytes the re-capture added (revisit records, which hold headers but no body).

The baseline is the corpus pages gzipped alone at level 6 (``zlib``), in the same run: the
size of the bodies with nothing of ours around them.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.storage
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

import psycopg

from archivist import pipeline
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.queue import redis_task_queue
from bench.pipeline import serve, wait_archived
from bench.stack import corpus, machine, running_stack
from tests.support.processes import Service
from tests.support.seaweed import free_port

TOTALS = ("SELECT count(*), count(*) FILTER (WHERE kind = 'revisit'), sum(payload_length), sum(stored_length) "
          "FROM snapshots WHERE capture_id = ANY(%s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    pages = corpus()
    print(f"machine: {machine()}")
    with running_stack() as stack:
        stack.env["ARCHIVIST_WORKER_METRICS_PORT"] = str(free_port())
        stack.apply()
        runtime = Runtime(get_settings(), queue=redis_task_queue(get_settings()))
        runtime.prepare()
        home = Path(stack.env["ARCHIVIST_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        worker = Service(["worker", "--processes", "2", "--threads", "2"], stack.env, home / "worker.log").start()
        try:
            urls = serve(stack, pages, "store", 1)
            figures = []
            for _ in ("first", "again"):
                ids = [s.id for s in pipeline.submit(runtime, urls)]
                wait_archived(stack.database_url, ids)
                with psycopg.connect(stack.database_url) as conn:
                    figures.append(conn.execute(TOTALS, (ids,)).fetchone())
            objects = sum(1 for _ in runtime.store.list("snapshots/"))
        finally:
            worker.stop()
            runtime.close()
    raw = sum(len(page) for page in pages)
    gzipped = sum(len(gzip.compress(page, compresslevel=6)) for page in pages)
    (n1, _, payload1, stored1), (n2, revisits, payload2, stored2) = figures
    print(f"{len(pages)} pages, {raw / 2**20:.2f} MiB raw; {objects} objects in the bucket; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"first capture:   {n1} snapshots, payload {payload1:,} B, stored {stored1:,} B "
          f"({stored1 / n1:,.0f} B per capture), stored/raw {stored1 / payload1:.3f}")
    print(f"bare gzip -6:    {gzipped:,} B, gzip/raw {gzipped / raw:.3f}; ours/bare {stored1 / gzipped:.3f}")
    print(f"re-capture:      {n2} snapshots, {revisits} revisits, stored {stored2:,} B "
          f"({stored2 / n2:,.0f} B per capture; {stored2 / stored1:.3f} of the first)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
