"""Ctrl-C and SIGTERM on the long commands besides `archivist archive` (import, reextract,
export), each run as a user runs it: a process of its own, signalled once its work has started.

As in test_interrupt.py, each test waits for a condition, never a fixed time, and bounds the time
to exit generously: the suite runs on two busy cores.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist.runtime import Runtime
from archivist.settings import Settings
from tests.e2e.test_interrupt import held_route
from tests.support.pages import PageServer, wait_for

#: Generous: a loaded machine may run Python slowly, but a stop must not wait for the whole job.
EXIT_WITHIN = 15.0


def story_warc(path: Path, count: int) -> Path:
    """A WARC of ``count`` HTML responses on a few hosts, as another crawler writes one (each
    with a few KiB that do not compress: an export of them fills a pipe's buffer)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(count):
            noise = random.Random(i).randbytes(2048).hex()
            body = (f"<html><head><title>Story {i}</title></head><body><article><p>"
                    + f"Story {i} goes on with words of its own. " * 30 + f"</p><p>{noise}</p></article></body></html>"
                    ).encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"http://site{i % 5}.example.org/story/{i}", "response", payload=io.BytesIO(body),
                http_headers=headers, warc_headers_dict={"WARC-Date": "2024-01-02T03:04:05Z"}))
    return path


def start(*args: str, text: bool = True) -> subprocess.Popen:
    """``archivist ARGS`` on the test's settings (the embedded_settings environment)."""
    return subprocess.Popen([sys.executable, "-m", "archivist", *args], env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text)


def stop(process: subprocess.Popen, signum: int) -> tuple:
    """Send ``signum`` to the running process; its output and how long it took to exit."""
    assert process.poll() is None, process.communicate()
    signalled = time.monotonic()
    process.send_signal(signum)
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    return stdout, stderr, time.monotonic() - signalled


def captures(settings: Settings) -> dict[str, str]:
    """Every capture's status, read from the embedded catalog as it is being written."""
    path = settings.home / "catalog.sqlite3"
    if not path.exists():
        return {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as connection:
        try:
            return dict(connection.execute("select id, status from captures").fetchall())
        except sqlite3.OperationalError:  # the schema is not there yet
            return {}


def assert_snapshots_whole(settings: Settings) -> None:
    """Every snapshot the catalog holds has its whole object in the store (a WARC that gunzips)."""
    runtime = Runtime(settings)
    try:
        with runtime.database.session() as session:
            ids = list(captures(settings))
            for rows in runtime.catalog.snapshots_for_captures(session, ids).values():
                for row in rows:
                    with runtime.store.open(row.storage_key) as stream:
                        assert gzip.decompress(stream.read()).startswith(b"WARC/"), row.storage_key
    finally:
        runtime.close()


def test_a_stopped_import_exits_at_once_and_the_same_command_completes_it(
    embedded_settings: Settings, tmp_path: Path
) -> None:
    """Ctrl-C in the middle of a file: the import stops between two records within seconds,
    prints the file's report (``stopped``) and one line saying what was done, exit status 130.
    Nothing imported is half there. Importing the file again imports the rest, skips what was
    imported, and finishes the extractions the stop left: every record ends archived, once."""
    total = 400
    warc = story_warc(tmp_path / "stories.warc.gz", total)
    process = start("import", str(warc))
    wait_for(lambda: len(captures(embedded_settings)) >= 10 or process.poll() is not None, timeout=120,
             what="the import under way")
    stdout, stderr, took = stop(process, signal.SIGINT)
    assert process.returncode == 130, stdout + stderr
    assert took < EXIT_WITHIN, took
    assert "Traceback" not in stderr, stderr
    (report,) = [json.loads(line) for line in stdout.splitlines()]
    assert report["stopped"] is True and 10 <= report["imported"] < total, report
    assert f"interrupted: {report['imported']} records imported" in stderr, stderr
    assert "run the same command again" in stderr, stderr
    first = captures(embedded_settings)
    assert set(report["capture_ids"]) <= set(first) and len(first) < total
    assert set(first.values()) <= {"extracting", "archived"}, first
    assert_snapshots_whole(embedded_settings)

    again = subprocess.run([sys.executable, "-m", "archivist", "import", str(warc)], env=dict(os.environ),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    (second,) = [json.loads(line) for line in again.stdout.splitlines()]
    assert second["imported"] == total - len(first) and second["skipped"] == {"already_imported": len(first)}
    assert second["resumed"] == sum(status == "extracting" for status in first.values())
    assert "stopped" not in second
    final = captures(embedded_settings)
    assert len(final) == total and set(final.values()) == {"archived"}
    assert_snapshots_whole(embedded_settings)



def test_a_stopped_reextract_exits_at_once_and_running_it_again_is_safe(
    embedded_settings: Settings, tmp_path: Path
) -> None:
    """SIGTERM once the re-extraction of a few hundred records has begun: it stops within
    seconds (not when the queue is worked through), says so, exit status 143, and the records
    keep their versions; running it again completes without a new version."""
    imported = subprocess.run([sys.executable, "-m", "archivist", "import",
                               str(story_warc(tmp_path / "stories.warc.gz", 300))],
                              env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert imported.returncode == 0, imported.stderr
    process = start("reextract", "--all")
    assert process.stderr is not None
    assert process.stderr.readline().strip() == "re-extracting 300 records"
    stdout, stderr, took = stop(process, signal.SIGTERM)
    assert process.returncode == 143, stdout + stderr
    assert took < EXIT_WITHIN, took
    assert "Traceback" not in stderr, stderr
    assert json.loads(stdout) == {"records": 300, "queued": False, "new_versions": 0, "stopped": True}
    assert "interrupted: 0 new versions so far, of 300 records; running the same command again is safe" in stderr

    again = subprocess.run([sys.executable, "-m", "archivist", "reextract", "--all"], env=dict(os.environ),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout) == {"records": 300, "queued": False, "new_versions": 0}
    assert set(captures(embedded_settings).values()) == {"archived"}


def imported_archive(tmp_path: Path, count: int) -> None:
    """An archive of ``count`` snapshots, imported from another crawler's WARC."""
    imported = subprocess.run([sys.executable, "-m", "archivist", "import", str(story_warc(tmp_path / "in.warc.gz", count))],
                              env=dict(os.environ), capture_output=True, text=True, timeout=600)
    assert imported.returncode == 0, imported.stderr


def warc_records(data: bytes) -> list[str]:
    """The WARC-Types of a gzipped WARC's records; fails on a record cut short."""
    return [record.rec_type for record in ArchiveIterator(io.BytesIO(data), check_digests="raise")]


def test_an_export_to_stdout_stopped_while_it_writes_ends_at_a_record_boundary(
    embedded_settings: Settings, tmp_path: Path
) -> None:
    """SIGINT while the export to stdout is blocked on a full pipe (its reader is slow): once
    the reader reads on, the export ends after the record it was writing, says how much it
    wrote, exit status 130, and what it wrote is a WARC of whole records, not all of them."""
    imported_archive(tmp_path, 100)
    process = start("export", "--warc", "-", text=False)
    assert process.stdout is not None
    head = b""
    while len(head) < 20_000:  # a few snapshots are out; the pipe then fills as nobody reads
        chunk = os.read(process.stdout.fileno(), 20_000 - len(head))
        assert chunk, process.communicate()
        head += chunk
    stdout, errors, took = stop(process, signal.SIGINT)
    stderr = errors.decode()
    assert process.returncode == 130, stderr
    assert took < EXIT_WITHIN, took
    assert "Traceback" not in stderr, stderr
    kinds = warc_records(head + stdout)
    snapshots = kinds.count("response")
    # the export's warcinfo, then each snapshot whole: its own warcinfo, its request and response
    assert kinds[0] == "warcinfo" and kinds[1:] == ["warcinfo", "request", "response"] * snapshots, kinds
    assert 5 < snapshots < 100, kinds
    assert f"interrupted: wrote {snapshots} snapshots" in stderr, stderr


def test_an_export_to_a_file_stopped_while_it_writes_leaves_no_file(embedded_settings: Settings, tmp_path: Path) -> None:
    """SIGTERM while the export writes its file: it exits 143 saying the file was not written,
    and leaves neither the file nor its partial one. The partial file is a pipe here, whose
    reader holds the export in the middle of its writing until the signal is sent; the same
    command run again writes the whole file."""
    imported_archive(tmp_path, 100)
    target = tmp_path / "out.warc.gz"
    partial = tmp_path / "out.warc.gz.partial"
    os.mkfifo(partial)
    reader = os.open(partial, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(reader, True)
    try:
        process = start("export", "--warc", str(target))
        received = 0
        deadline = time.monotonic() + 120
        while received < 20_000:  # a few snapshots are out; the pipe then fills as nobody reads
            chunk = os.read(reader, 20_000 - received)  # empty until the export opens the pipe
            assert chunk or (process.poll() is None and time.monotonic() < deadline), process.communicate(timeout=5)
            received += len(chunk)
            time.sleep(0 if chunk else 0.05)
        assert process.poll() is None, process.communicate(timeout=5)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        while os.read(reader, 1 << 16):  # read on, so that the export reaches its next record
            pass
        stdout, stderr = process.communicate(timeout=30)
        took = time.monotonic() - signalled
    finally:
        os.close(reader)
        process.kill()
    assert process.returncode == 143, stdout + stderr
    assert took < EXIT_WITHIN, took
    assert "Traceback" not in stderr, stderr
    assert f"interrupted: {target} was not written (the partial file is removed)" in stderr, stderr
    assert not target.exists() and not partial.exists()

    again = subprocess.run([sys.executable, "-m", "archivist", "export", "--warc", str(target)], env=dict(os.environ),
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert warc_records(target.read_bytes()).count("response") == 100 and not partial.exists()


def test_a_stopped_scheduler_exits_at_once_saying_so(embedded_settings: Settings, pages: PageServer) -> None:
    """SIGTERM while the embedded scheduler's workers fetch a due page (held by the server):
    it exits within seconds, not when the page answers, with status 143 and one line."""
    release = threading.Event()
    pages.routes["/held"] = held_route(release)
    added = subprocess.run([sys.executable, "-m", "archivist", "schedule", "add", pages.url("/held"), "--every", "1h"],
                           env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr
    process = start("scheduler", "--poll", "1")
    wait_for(lambda: pages.page_hits.get("/held") or process.poll() is not None, timeout=120,
             what="the due page being fetched")
    try:
        stdout, stderr, took = stop(process, signal.SIGTERM)
    finally:
        release.set()  # the server's thread held on the page ends with the test
    assert process.returncode == 143, stdout + stderr
    assert took < EXIT_WITHIN, took
    assert "Traceback" not in stderr, stderr
    assert "stopped: starting the scheduler again is safe" in stderr, stderr
