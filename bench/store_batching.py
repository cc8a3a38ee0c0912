"""What one S3 object per capture costs the object store, against one object per batch.

Section 2 of docs/PERFORMANCE.md finds SeaweedFS spending about 3 ms of CPU per capture on
this machine, for one PUT of one snapshot object, and names several captures per WARC object
as the way to share that cost. This measures the saving before anyone builds it: the same
bytes (the corpus pages, each gzipped at level 6 like a snapshot's WARC member) are stored
once as one object per capture and once as one object per batch of K captures (concatenated
gzip members, as in a WARC file), through the production ``S3ObjectStore`` into a versioned
bucket on a real ``weed mini``. Reported per capture: the server's CPU (user+system of the
``weed`` process), the client's CPU (the storing thread) and the wall time.

Usage (from the repository root):
  PYTHONPATH=services:workers:. python -m bench.store_batching [--captures 543] [--batch 1 8 32]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zlib
from pathlib import Path

from archivist.adapters.storage import S3ObjectStore
from bench.pipeline import CpuSnapshot
from bench.stack import corpus, machine, median
from tests.support.seaweed import SeaweedS3


def gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def store(s3: SeaweedS3, objects_store: S3ObjectStore, members: list[bytes], batch: int,
          tag: str) -> tuple[float, float, float]:
    """Store ``members`` ``batch`` to an object; (server CPU, client CPU, wall) ms per capture."""
    objects = [b"".join(members[i:i + batch]) for i in range(0, len(members), batch)]
    before = CpuSnapshot.take()
    client_started, started = time.thread_time(), time.perf_counter()
    for number, body in enumerate(objects):
        objects_store.put(f"{tag}/{number:06d}.warc.gz", io.BytesIO(body), len(body), content_type="application/warc",
                  metadata={"capture-id": f"{tag}-{number}"})
    wall, client = time.perf_counter() - started, time.thread_time() - client_started
    server = CpuSnapshot.take().tree(s3.process.pid) - before.tree(s3.process.pid)
    return tuple(1000 * value / len(members) for value in (server, client, wall))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=543, help="captures stored per run")
    parser.add_argument("--batch", type=int, nargs="+", default=[1, 8, 32], help="captures per object")
    parser.add_argument("--repeat", type=int, default=3, help="runs per batch size (the median is reported)")
    args = parser.parse_args(argv)

    pages = corpus()
    members = [gzip_member(pages[i % len(pages)]) for i in range(args.captures)]
    print(f"machine: {machine()}")
    print(f"{args.captures} captures, {sum(map(len, members)) / len(members) / 1024:.1f} KiB each, gzipped")
    print(f"{'captures/object':>15} {'server CPU ms':>13} {'client CPU ms':>13} {'wall ms':>8} "
          f"{'CPU vs 1':>8}  (per capture; the baseline is one object per capture, as stored now)")
    with tempfile.TemporaryDirectory(prefix="archivist-bench-") as tmp:
        s3 = SeaweedS3(Path(tmp) / "seaweed")
        s3.start()
        try:
            objects_store = S3ObjectStore(s3.endpoint, bucket="bench")
            objects_store.ensure_bucket()
            store(s3, objects_store, members[:32], 1, "warm")
            baseline = None
            for batch in [1, *(size for size in args.batch if size != 1)]:
                runs = [store(s3, objects_store, members, batch, f"b{batch}r{run}") for run in range(args.repeat)]
                server, client, wall = (median([run[i] for run in runs]) for i in range(3))
                baseline = baseline or server + client
                print(f"{batch:>15} {server:13.2f} {client:13.2f} {wall:8.2f} {(server + client) / baseline:8.2f}",
                      flush=True)
        finally:
            s3.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
