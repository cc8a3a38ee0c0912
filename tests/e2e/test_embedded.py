"""The embedded path end to end: `archivist archive` with no servers, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.pages import PageServer


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    environment.update({"ARCHIVIST_HOME": str(home), "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1",
                        "ARCHIVIST_HOST_MIN_INTERVAL": "0", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "archivist", *args], env=environment, capture_output=True, text=True, timeout=timeout
    )


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_archive_prints_one_record_per_url_and_keeps_it(seed_site: PageServer, seed: dict, tmp_path: Path) -> None:
    page3 = seed_site.url(seed["pages"]["3"])
    result = run_cli("archive", "--json", page3, home=tmp_path)
    assert result.returncode == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["status"] == "archived"
    assert record["title"] == seed["title"]
    assert record["version"] == 1
    for key in ("url", "pages", "authors", "published", "modified", "sitename", "language", "description",
                "tags", "categories", "image", "body", "comments", "version", "capture_ids", "extractor"):
        assert key in record, key
    assert record["extractor"]["name"] == "archivist"
    # Submitted on page 3: the record is the whole article, from page 1, with its comments.
    assert record["pages"] == [seed_site.url(seed["pages"][n]) for n in ("1", "2", "3")]
    assert record["body"].split("\n\n") == seed["body_paragraphs_stitched"]
    assert [(c["author"], c["text"]) for c in record["comments"]] == [
        (c["author"], c["text"]) for c in seed["comments"]]
    assert record["published"] == seed["date"] and record["authors"] == [seed["author"]]
    # Every page of the article was fetched, once.
    assert sorted(seed_site.hits) == sorted([*seed["served_as"], "/robots.txt"])
    assert set(seed_site.hits.values()) == {1}
    # The raw responses are in the local object store, as WARC.
    stored = list((tmp_path / "objects" / "snapshots").rglob("*.warc.gz"))
    assert len(stored) == 3

    # Capturing again an unchanged page makes no new version and stores revisits.
    again = run_cli("archive", "--json", page3, home=tmp_path)
    assert again.returncode == 0, again.stderr
    (second,) = records(again.stdout)
    assert second["version"] == 1
    assert len(second["capture_ids"]) == 2

    shown = run_cli("history", page3, "--json", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    history = json.loads(shown.stdout)
    assert [c["kind"] for c in history["captures"]] == ["response", "revisit"]
    assert len(history["versions"]) == 1


def test_archive_reports_bad_input_as_failed_captures(pages: PageServer, tmp_path: Path) -> None:
    pdf = pages.set("/file.pdf", b"%PDF-1.4 binary", headers={"Content-Type": "application/pdf"})
    missing = pages.url("/missing")
    big = pages.set("/big", "<html><body>" + "x" * 2_000_000 + "</body></html>")
    result = run_cli("archive", "--json", "ftp://example.org/", "http://exa mple.org/", pdf, missing, big,
                     home=tmp_path, env={"ARCHIVIST_MAX_BODY_BYTES": "1000000"})
    assert result.returncode == 1, result.stdout + result.stderr
    reasons = [(r["status"], r.get("reason")) for r in records(result.stdout)]
    assert reasons == [
        ("failed", "invalid_url"),
        ("failed", "invalid_url"),
        ("failed", "not_html"),
        ("failed", "http_4xx"),
        ("failed", "too_large"),
    ]


def test_archive_reports_a_retried_outage_in_one_line_per_retry(pages: PageServer, tmp_path: Path) -> None:
    """A site answering 503 is retried, then fails: each retry is one warning naming the capture
    and the reason, not a traceback (which would only say where the request was made)."""
    from tests.support.pages import Route

    pages.routes["/down"] = Route(body=b"<html>maintenance</html>", status=503)
    result = run_cli("archive", "--json", pages.url("/down"), home=tmp_path,
                     env={"ARCHIVIST_FETCH_MAX_RETRIES": "2", "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "10",
                          "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "50"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert [(r["status"], r.get("reason")) for r in records(result.stdout)] == [("failed", "http_5xx")]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("(http_5xx, transient") == 3, result.stderr  # the first try and two retries


def test_archive_holds_its_steps_to_their_time_limits(pages: PageServer, tmp_path: Path) -> None:
    """The in-process workers of ``archivist archive`` enforce the steps' time limits as worker
    processes do: a page that takes seconds to extract ends failed ``time_limit`` (the fetch
    step's limit is 3 s here), not archived after as long as it takes."""
    from tests.reliability.test_time_limits import EXPENSIVE

    url = pages.set("/expensive", EXPENSIVE)
    result = run_cli("archive", "--json", url, home=tmp_path,
                     env={"ARCHIVIST_TOTAL_TIMEOUT": "1", "ARCHIVIST_MAX_PAGES": "1", "ARCHIVIST_EXTRACT_TIME_LIMIT": "1"})
    assert [(r["status"], r.get("reason")) for r in records(result.stdout)] == [("failed", "time_limit")], (
        result.stdout + result.stderr)
    assert pages.page_hits["/expensive"] == 1


def test_extract_command_reads_local_files(tmp_path: Path, seed: dict) -> None:
    from tests.support.paths import SEED

    result = run_cli("extract", "--json", str(SEED / "page3.html"), str(SEED / "page1.html"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = records(result.stdout)
    assert [Path(line["source"]).name for line in lines] == ["page3.html", "page1.html"]
    assert lines[0]["title"] == seed["title"]


def test_extract_command_refuses_files_that_are_not_html(tmp_path: Path, seed: dict) -> None:
    from tests.support.paths import SEED

    files = {
        "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        "empty.html": b"",
        "blank.html": b" \n\t\n",
        "data.html": b'{"title": "not a page"}\n',
        "broken.html.gz": b"<html>not compressed</html>",
        "noise.bin": bytes(range(256)) * 8,
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    result = run_cli("extract", "--json", *(str(tmp_path / name) for name in files),
                     str(SEED / "page1.html"), home=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = " ".join(result.stderr.split())
    for name, problem in (("report.pdf", "not HTML but a PDF document"),
                          ("photo.png", "not HTML but a PNG image"),
                          ("empty.html", "the file is empty"), ("blank.html", "the file is empty"),
                          ("data.html", "not HTML: no HTML markup"),
                          ("broken.html.gz", "not a valid gzip file"),
                          ("noise.bin", "not HTML but binary data")):
        assert f"{name}: {problem}" in errors
    # The good file among them is still extracted.
    assert [Path(line["source"]).name for line in records(result.stdout)] == ["page1.html"]


def test_demo_archives_the_bundled_sample_site(tmp_path: Path) -> None:
    result = run_cli("demo", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["status"] == "archived"
    assert record["title"] == "Harbour Town Votes to Keep Its Lighthouse Lit"
    assert len(record["pages"]) == 3


def test_archive_reads_a_relative_byline_date_against_the_capture_time(pages: PageServer, tmp_path: Path) -> None:
    paragraph = "<p>The coastal road was closed after high waves threw rocks onto the carriageway overnight.</p>"
    url = pages.set("/news/storm-road", (
        '<html lang="de"><head><title>Sturm sperrt Küstenstraße</title></head><body><article>'
        '<h1>Sturm sperrt Küstenstraße</h1><div class="story-meta"><a rel="author" href="/lee">Dana Lee</a>'
        ' &middot; <span>vor 3 Tagen</span></div>' + paragraph * 4 + "</article></body></html>"))
    before = datetime.now(UTC)
    result = run_cli("archive", "--json", url, home=tmp_path)
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stderr
    (record,) = records(result.stdout)
    assert record["published"] in {(moment - timedelta(days=3)).date().isoformat() for moment in (before, after)}
