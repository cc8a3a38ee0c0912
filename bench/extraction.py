#!/usr/bin/env python3
"""Benchmark the extraction core against bare trafilatura on the article-extraction benchmark.

Runs ``archivist.extraction.extract`` and ``trafilatura.extract`` (the benchmark's setting:
``include_comments=False``) over the shared benchmark's 181 pages in this one process, scores
both with the shared scorer (imported from ``../shared/benchmarks/score_extraction.py``, never
copied), and prints F1, precision, recall and pages/s for each, plus our/trafilatura ratios.

Timing is CPU time of this process (``time.process_time``) around the extract calls only: the
pages are read and un-gzipped first, and each extractor gets one untimed warm-up call.

Usage (from the repository root):
  PYTHONPATH=services python bench/extraction.py [--shared ../shared] [--out DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from archivist.extraction import EXTRACTOR_VERSION, SourcePage, extract

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


def load(data_dir: Path) -> tuple[dict, dict[str, str]]:
    """Ground truth and every page's HTML text, by benchmark id."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf8"))
    pages = {}
    for path in sorted((data_dir / "html").glob("*.html.gz")):
        with gzip.open(path, "rt", encoding="utf8") as handle:
            pages[path.name.split(".")[0]] = handle.read()
    return truth, pages


def ours(html: str, url: str) -> str:
    """Our body text for one page, the way the service calls the core."""
    page = SourcePage(url=url, body=html.encode("utf8"), content_type="text/html; charset=utf-8")
    return extract([page]).body


def bare_trafilatura(html: str, url: str) -> str:
    """The benchmark's trafilatura setting."""
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def run(fn: Callable[[str, str], str], truth: dict, pages: dict[str, str],
        repeat: int) -> tuple[dict[str, str], float]:
    """Outputs of the first pass and the best pages/s over ``repeat`` passes."""
    first = next(iter(pages))
    fn(pages[first], truth[first].get("url") or "")
    outputs: dict[str, str] = {}
    best = 0.0
    for _ in range(repeat):
        start = time.process_time()
        for item_id, html in pages.items():
            text = fn(html, truth[item_id].get("url") or "")
            outputs.setdefault(item_id, text)
        best = max(best, len(pages) / (time.process_time() - start))
    return outputs, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared folder holding benchmarks/ (default: %(default)s)")
    parser.add_argument("--out", type=Path, help="write each system's {id: text} JSON here")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes (best is kept)")
    parser.add_argument("--only-ours", action="store_true", help="skip bare trafilatura")
    args = parser.parse_args(argv)

    benchmarks = args.shared.resolve() / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    import score_extraction  # the shared scorer, exactly as published

    truth, pages = load(benchmarks / "article-extraction")
    systems: list[tuple[str, Callable[[str, str], str]]] = [("archivist", ours)]
    if not args.only_ours:
        systems.append(("trafilatura", bare_trafilatura))
    print(f"{len(pages)} pages; archivist {EXTRACTOR_VERSION}; "
          f"python {platform.python_version()} on {platform.machine()}, one process")
    print(f"{'system':<12} {'F1':>6} {'prec':>6} {'recall':>6} {'pages/s':>8}")
    figures = {}
    for name, fn in systems:
        outputs, rate = run(fn, truth, pages, args.repeat)
        scores = score_extraction.score(truth, outputs, n_bootstrap=0)
        figures[name] = {**scores, "pages_per_s": rate}
        print(f"{name:<12} {scores['f1']:6.3f} {scores['precision']:6.3f} "
              f"{scores['recall']:6.3f} {rate:8.1f}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.json").write_text(
                json.dumps(outputs, ensure_ascii=False, indent=1, sort_keys=True),
                encoding="utf8")
    if "trafilatura" in figures:
        ours_, base = figures["archivist"], figures["trafilatura"]
        print(f"{'ratio':<12} {ours_['f1'] / base['f1']:6.3f} "
              f"{ours_['precision'] / base['precision']:6.3f} "
              f"{ours_['recall'] / base['recall']:6.3f} "
              f"{ours_['pages_per_s'] / base['pages_per_s']:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
