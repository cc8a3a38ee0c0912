"""The local disk refuses a write (full, a quota, a file size limit) in the embedded mode:
`archivist archive` as a user runs it, under a real RLIMIT_FSIZE."""

from __future__ import annotations

import json
import os
import random
import resource
import string
import subprocess
import sys
from pathlib import Path

from archivist.core.urls import url_hash
from tests.support.pages import PageServer

SMALL = ("<html><head><title>Kept</title></head><body><article><h1>Kept</h1>"
         + "<p>A paragraph of an article long enough to be taken for one, and archived. " * 8
         + "</p></article></body></html>")


def _big_article(size: int) -> str:
    """An article of about ``size`` bytes of text that does not compress much (random words)."""
    rng = random.Random(3)
    words = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                     for _ in range(size // 6))
    return f"<html><head><title>Big</title></head><body><article><h1>Big</h1><p>{words}</p></article></body></html>"


def _cli(*args: str, home: Path, max_file_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    """``archivist ARGS...`` on the embedded store in ``home``, its files limited to ``max_file_bytes``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    environment.update({
        "ARCHIVIST_HOME": str(home), "ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1", "ARCHIVIST_HOST_MIN_INTERVAL": "0",
        "ARCHIVIST_FETCH_MAX_RETRIES": "1", "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "10",
        "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "50", "TMPDIR": str(home.parent / "tmp"),
        "COLUMNS": "1000",  # error lines unwrapped, paths whole
    })
    (home.parent / "tmp").mkdir(exist_ok=True)

    def limit() -> None:
        if max_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return subprocess.run([sys.executable, "-m", "archivist", *args], env=environment,
                          capture_output=True, text=True, timeout=120, preexec_fn=limit)


def test_a_response_that_cannot_be_spooled_to_local_disk_fails_clearly_and_spares_what_is_stored(
    pages: PageServer, tmp_path: Path
) -> None:
    """A response too big to keep in memory goes to a temporary file; when the disk refuses it
    (here a 1 MB file size limit), the capture fails naming the folder and the cause, as a
    transient failure (the disk may be freed), not an internal error with a traceback, and
    the capture archived before it is untouched."""
    home = tmp_path / "home"
    kept = _cli("archive", pages.set("/kept", SMALL), home=home)
    assert kept.returncode == 0, kept.stderr
    stored = {path: path.read_bytes() for path in (home / "objects").rglob("*") if path.is_file()}
    assert len(stored) == 1

    result = _cli("archive", "--json", pages.set("/big", _big_article(1_500_000)), home=home, max_file_bytes=1_000_000)

    assert result.returncode == 1, result.stdout + result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert (record["status"], record["reason"]) == ("failed", "temp_space_unavailable"), record
    assert "File too large" in record["message"] and str(tmp_path / "tmp") in record["message"], record
    assert "Traceback" not in result.stderr, result.stderr
    assert {path: path.read_bytes() for path in (home / "objects").rglob("*") if path.is_file()} == stored
    assert not list((tmp_path / "tmp").iterdir()), "temporary files left behind"


def test_replay_and_export_to_a_disk_that_refuses_the_file_fail_clearly_and_leave_no_half_file(
    pages: PageServer, tmp_path: Path
) -> None:
    """``replay --output`` and ``export --warc`` whose file the disk refuses (a file size limit
    below its size) say so in one line and exit 2: no traceback, no truncated file in its place,
    and a file that was there before is left as it was."""
    home = tmp_path / "home"
    url = pages.set("/big", _big_article(1_500_000))
    assert _cli("archive", url, home=home).returncode == 0
    earlier = tmp_path / "page.html"
    earlier.write_text("an earlier page")

    replayed = _cli("replay", url, "--raw", "--output", str(earlier), home=home, max_file_bytes=1_000_000)
    exported = _cli("export", "--warc", str(tmp_path / "all.warc.gz"), home=home, max_file_bytes=200_000)

    for result in (replayed, exported):
        assert result.returncode == 2, result.stderr
        said = " ".join(result.stderr.split())  # as one line, whatever the width the console wrapped it at
        assert "error (output_unwritable): cannot write" in said and "File too large" in said, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
    assert earlier.read_text() == "an earlier page"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["home", "page.html", "tmp"]


def test_a_catalog_the_disk_refuses_to_write_is_named_with_the_likely_cause(pages: PageServer, tmp_path: Path) -> None:
    """SQLite says only "disk I/O error" when the disk refuses its write (here a file size limit
    below its first page): the error names the catalog's file and what to check."""
    home = tmp_path / "home"
    result = _cli("archive", pages.set("/kept", SMALL), home=home, max_file_bytes=3000)

    assert result.returncode == 2, result.stdout + result.stderr
    said = " ".join(result.stderr.split())
    assert "error (catalog_unavailable)" in said and "disk I/O error" in said, result.stderr
    assert str(home / "catalog.sqlite3") in said and "disk full" in said, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def test_an_object_folder_that_refuses_the_snapshot_fails_the_capture_instead_of_waiting(
    pages: PageServer, tmp_path: Path
) -> None:
    """The embedded object folder cannot take the snapshot (a file stands where its folder
    goes): this machine's own disk is no server to wait out (ARCHIVIST_OUTAGE_PATIENCE), so the
    capture spends its retries and fails naming the key, the command ends, and nothing stays."""
    url = pages.set("/blocked", SMALL)
    home = tmp_path / "home"
    blocker = home / "objects" / "snapshots" / url_hash(url)
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")

    result = _cli("archive", url, "--json", home=home)

    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert (line["status"], line["reason"]) == ("failed", "storage_unavailable"), line
    assert "patience" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert blocker.read_text() == "not a folder"
