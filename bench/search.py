#!/usr/bin/env python3
"""Benchmark record search: index upkeep on writes, and query latency, on SQLite or PostgreSQL.

Writes ``--records`` synthetic records (a Zipf-distributed vocabulary, ``--words`` words of body
each) through ``Catalog.add_record`` (so the search entry and the full-text index are kept as the
pipeline keeps them), then times each query of a fixed set ``--repeat`` times and prints the
median and 95th percentile, with the plan PostgreSQL chose for the word query.

Usage (from the repository root; the database should be empty, it is migrated first):
  PYTHONPATH=services python bench/search.py --database-url sqlite:////tmp/search.sqlite3
  PYTHONPATH=services python bench/search.py --database-url postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from archivist import views
from archivist.adapters.catalog import NewVersion
from archivist.core.urls import urlkey
from archivist.runtime import Runtime
from archivist.settings import Settings

QUERIES = {
    "common word": {"q": "w1"},
    "two words": {"q": "w3 w40"},
    "rare word": {"q": "w4000"},
    "host and words": {"q": "w2", "host": "site7.example"},
    "url prefix": {"url_prefix": "https://site3.example/news/1"},
    "date range": {"since": "2026-01-10", "until": "2026-01-12"},
    "latest (home page)": {},
    "words, page 5": {"q": "w5", "page": 5},
}


def fill(runtime: Runtime, *, records: int, words: int, seed: int = 7) -> float:
    """Write the records; their rate per second, index upkeep included."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(1, 5001)]
    weights = [1 / i for i in range(1, 5001)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    began = time.perf_counter()
    for batch in range(0, records, 500):
        with runtime.database.session() as session:
            for n in range(batch, min(records, batch + 500)):
                url = f"https://site{n % 10}.example/news/{n}"
                at = start + timedelta(minutes=5 * n)
                body = " ".join(rng.choices(vocabulary, weights, k=words))
                title = " ".join(rng.choices(string.ascii_lowercase, k=3)) + f" {rng.choice(vocabulary)}"
                runtime.catalog.add_record(session, str(uuid.uuid4()), url, urlkey(url), NewVersion(
                    fingerprint=uuid.uuid4().hex, content={"url": url, "title": title, "body": body},
                    extractor_name="bench", extractor_version="1", created_at=at, captured_at=at,
                    source_capture_id=None))
    return records / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    runtime = Runtime(Settings(database_url=args.database_url))
    runtime.database.migrate()
    report: dict = {"database": runtime.database.engine.dialect.name, "records": args.records,
                    "body_words": args.words}
    report["writes_per_second"] = round(fill(runtime, records=args.records, words=args.words))
    report["queries"] = {}
    for name, params in QUERIES.items():
        views.search(runtime, **params)  # warm-up
        times, total = [], 0
        for _ in range(args.repeat):
            began = time.perf_counter()
            total = views.search(runtime, **params)["total"]
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        report["queries"][name] = {"matches": total, "median_ms": round(statistics.median(times), 1),
                                   "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}
    if not runtime.database.is_sqlite:
        with runtime.database.engine.connect() as connection:
            plan = connection.execute(text(
                "EXPLAIN SELECT id FROM record_search WHERE document @@ plainto_tsquery('simple', 'w4000')")).scalars()
            report["plan_rare_word"] = [line.strip() for line in plan]
    runtime.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
