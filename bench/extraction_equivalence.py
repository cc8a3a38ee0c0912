#!/usr/bin/env python3
"""Record every output of the extraction core, to prove a refactoring changes none of them.

Runs ``extract([SourcePage(url, html)])`` and ``discover_pages(html, url)`` on the 181 pages of
the shared article-extraction benchmark, the seed fixture's pages and the demo site's pages
(each alone, with and without a capture time, and each article's pages stitched), and writes
one JSON of all outputs. Speed work on the extractor must leave this JSON byte-identical: save
it before a change, and compare after every step with ``--compare``. ``discover_pages`` also
runs under a few URL variants of each page (a page number added, a fragment and tracking
parameters), so that its URL handling is exercised on pages whose own URL is not paginated.

It also prints the CPU milliseconds per page (``time.process_time``, best of ``--repeat``
passes) of ``extract``, of bare ``trafilatura.extract(html, include_comments=False)`` and of
``discover_pages`` over the benchmark pages, run in turn on each page, and the ratio of bare
trafilatura's time to ours (the speed ratio, as in ``bench/extraction.py``).

Usage (from the repository root):
  PYTHONPATH=services python bench/extraction_equivalence.py --out /tmp/before.json
  PYTHONPATH=services python bench/extraction_equivalence.py --out /tmp/after.json \\
      --compare /tmp/before.json
  PYTHONPATH=services python bench/extraction_equivalence.py --no-record --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura

from archivist.extraction import SourcePage, discover_pages, extract

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT / ".." / "shared"
#: The module, not the function that the package exports under the same name.
extract_module = importlib.import_module("archivist.extraction.extract")
body_module = importlib.import_module("archivist.extraction.body")
DEMO = ROOT / "services" / "archivist" / "demo"
SEED_HOST = "https://www.irrawaddy.org"
DEMO_HOST = "http://127.0.0.1:8000"
CONTENT_TYPE = "text/html; charset=utf-8"
#: A capture time, so that relative dates ("3 days ago") are read too, as in the pipeline.
CAPTURED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def benchmark_pages(shared: Path) -> list[tuple[str, str, bytes]]:
    """(name, url, body) of every benchmark page, in id order."""
    data = shared / "benchmarks" / "article-extraction"
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf8"))
    pages = []
    for path in sorted((data / "html").glob("*.html.gz")):
        item_id = path.name.split(".")[0]
        with gzip.open(path, "rb") as handle:
            pages.append((item_id, truth[item_id].get("url") or "", handle.read()))
    return pages


def article_pages(shared: Path) -> list[list[tuple[str, str, bytes]]]:
    """The seed fixture's and the demo site's articles, each as its pages in reading order."""
    seed_dir = shared / "fixtures" / "seed-article"
    seed = json.loads((seed_dir / "expected.json").read_text(encoding="utf8"))
    seed_pages = [(f"seed-{n}", SEED_HOST + seed["pages"][n], (seed_dir / f"page{n}.html")
                   .read_bytes()) for n in ("1", "2", "3")]
    demo_pages = [(f"demo-{n}", f"{DEMO_HOST}/story.php?id=7&page={n}",
                   (DEMO / f"story-{n}.html").read_bytes()) for n in (1, 2, 3)]
    return [seed_pages, demo_pages]


def url_variants(url: str) -> list[str]:
    """The page's URL, and variants that exercise pagination's URL handling."""
    if not url:
        return [url]
    joiner = "&" if "?" in url else "?"
    return [url, f"{url}{joiner}page=2", f"{url}{joiner}utm_source=x#frag"]


def body_inputs(url: str, body: bytes) -> dict[str, Any]:
    """What ``extract`` hands the body step for one page: the elements cut (as tree paths, a
    set, since their order and nesting do not change what is cut), the titles and comments.

    A stricter check than the output alone: it catches a change that happens not to alter any
    benchmark page's text.
    """
    seen: dict[str, Any] = {}
    original = extract_module.extract_body

    def spy(tree: Any, page_url: str, *, remove: Any = (), titles: Any = (),
            comments: Any = (), language: str | None = None) -> str:
        remove = list(remove)
        root = tree.getroottree()
        seen.update(remove=sorted({root.getpath(element) for element in remove}),
                    titles=list(titles), comments=list(comments), language=language)
        return original(tree, page_url, remove=remove, titles=seen["titles"],
                        comments=seen["comments"], language=language)

    extract_module.extract_body = spy
    try:
        extract([SourcePage(url, body, CONTENT_TYPE)])
    finally:
        extract_module.extract_body = original
    return seen


def record(shared: Path, *, pages_only: bool = False) -> dict[str, Any]:
    """Every output, keyed by page (or article) name (only ``discover_pages``'s with
    ``pages_only``)."""
    out: dict[str, Any] = {}
    singles = benchmark_pages(shared)
    articles = article_pages(shared)
    for name, url, body in singles + [page for pages in articles for page in pages]:
        for variant in url_variants(url):
            out[f"pages/{name}/{variant}"] = discover_pages(body, variant)
            out[f"pages-3/{name}/{variant}"] = discover_pages(body, variant, max_pages=3)
        if pages_only:
            continue
        out[f"extract/{name}"] = extract([SourcePage(url, body, CONTENT_TYPE)]).as_dict()
        out[f"body-inputs/{name}"] = body_inputs(url, body)
        out[f"extract-untyped/{name}"] = extract([SourcePage(url, body)]).as_dict()
        out[f"extract-captured/{name}"] = extract([SourcePage(url, body, CONTENT_TYPE,
                                                              CAPTURED)]).as_dict()
    for pages in articles if not pages_only else ():
        name = pages[0][0].rsplit("-", 1)[0]
        sources = [SourcePage(url, body, CONTENT_TYPE) for _, url, body in pages]
        out[f"extract-stitched/{name}"] = extract(sources).as_dict()
        out[f"extract-reversed/{name}"] = extract(sources[::-1]).as_dict()
        out[f"extract-captured/{name}"] = extract(
            [SourcePage(url, body, CONTENT_TYPE, CAPTURED) for _, url, body in pages]).as_dict()
    return out


def timings(pages: list[tuple[str, str, bytes]], repeat: int, *,
            pages_only: bool = False, captured: datetime | None = None) -> dict[str, float]:
    """CPU milliseconds per page of ``extract``, bare trafilatura and ``discover_pages`` (only
    the last with ``pages_only``), and of the part of ``extract`` spent in trafilatura's
    ``bare_extraction`` ("extract: trafilatura") and outside it ("extract: ours").

    The three run one after the other on each page, so that the machine's load, which moves
    CPU times by tens of percent on a shared machine, weighs on all three alike and their
    ratio holds. Each figure is from the pass where ``extract`` was fastest, out of ``repeat``
    passes after one warm-up pass. ``captured`` is passed to ``extract`` as the capture time
    (the pipeline passes one: relative dates are then read too).
    """
    steps: dict[str, Callable[[str, bytes], object]] = {
        "extract": lambda url, body: extract([SourcePage(url, body, CONTENT_TYPE, captured)]),
        "trafilatura": lambda url, body: trafilatura.extract(
            body.decode("utf8"), url=url, include_comments=False),
        "discover_pages": lambda url, body: discover_pages(body, url),
    }
    if pages_only:
        steps = {"discover_pages": steps["discover_pages"]}
    inside = [0.0]
    bare_extraction = trafilatura.bare_extraction

    def timed_bare_extraction(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return bare_extraction(*args, **kwargs)
        finally:
            inside[0] += time.process_time() - start

    best: dict[str, float] = {}
    body_module.trafilatura.bare_extraction = timed_bare_extraction
    try:
        for index in range(repeat + 1):
            spent = dict.fromkeys(steps, 0.0)
            inside[0] = 0.0
            for _, url, body in pages:
                for name, step in steps.items():
                    start = time.process_time()
                    step(url, body)
                    spent[name] += time.process_time() - start
            figures = {name: value * 1000 / len(pages) for name, value in spent.items()}
            if "extract" in figures:
                figures["extract: trafilatura"] = inside[0] * 1000 / len(pages)
                figures["extract: ours"] = figures["extract"] - figures["extract: trafilatura"]
            first = next(iter(steps))
            if index and (not best or figures[first] < best[first]):
                best = figures
    finally:
        body_module.trafilatura.bare_extraction = bare_extraction
    return best


def compare(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    """Human-readable differences, one per differing key (empty when identical)."""
    diffs = [f"missing: {key}" for key in old if key not in new]
    diffs += [f"extra: {key}" for key in new if key not in old]
    for key in old.keys() & new.keys():
        if old[key] != new[key]:
            fields = ([f for f in old[key] if old[key].get(f) != new[key].get(f)]
                      if isinstance(old[key], dict) else ["pages"])
            diffs.append(f"differs: {key} ({', '.join(fields)})")
    return sorted(diffs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared folder holding benchmarks/ and fixtures/")
    parser.add_argument("--out", type=Path, help="write all outputs here (JSON)")
    parser.add_argument("--compare", type=Path, help="a JSON written earlier by --out")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (best is kept)")
    parser.add_argument("--no-timing", action="store_true", help="only record and compare")
    parser.add_argument("--no-record", action="store_true", help="only time")
    parser.add_argument("--pages-only", action="store_true",
                        help="only discover_pages (compared with the same keys of --compare)")
    parser.add_argument("--captured", action="store_true",
                        help="time extract with a capture time, as the pipeline calls it")
    args = parser.parse_args(argv)

    shared = args.shared.resolve()
    outputs = {} if args.no_record else record(shared, pages_only=args.pages_only)
    text = json.dumps(outputs, ensure_ascii=False, indent=1, sort_keys=True)
    if args.out and not args.no_record:
        args.out.write_text(text, encoding="utf8")
    print(f"{len(outputs)} outputs recorded")
    if not args.no_timing:
        figures = timings(benchmark_pages(shared), args.repeat, pages_only=args.pages_only,
                          captured=CAPTURED if args.captured else None)
        print(f"CPU ms/page over the benchmark pages, best of {args.repeat}: "
              + ", ".join(f"{name} {value:.2f}" for name, value in figures.items()))
        if "extract" in figures:
            print(f"speed ratio (trafilatura / extract): "
                  f"{figures['trafilatura'] / figures['extract']:.2f}")
    if args.compare and not args.no_record:
        old = json.loads(args.compare.read_text(encoding="utf8"))
        if args.pages_only:
            old = {key: value for key, value in old.items() if key.startswith("pages")}
        diffs = compare(json.loads(text), old)
        for line in diffs:
            print(line)
        print("IDENTICAL" if not diffs else f"{len(diffs)} outputs differ")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
