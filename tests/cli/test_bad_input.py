"""Every ``archivist`` command, given bad input or a server that is not there, says in one line
what is wrong and exits non-zero: 2 for an argument or a setting it refuses (typer's usage
errors, ``invalid_settings``), never a traceback, never 0 for work it did not do."""

from __future__ import annotations

import contextlib
import gzip
import os
import random
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: A port nothing listens on: connecting to it is refused at once.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def run(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m archivist ARGS`` with only the given ARCHIVIST_* variables, unwrapped output."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    environment.update({"ARCHIVIST_HOME": str(home), "COLUMNS": "1000", **(env or {})})
    return subprocess.run([sys.executable, "-m", "archivist", *args], env=environment, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def said(done: subprocess.CompletedProcess[str]) -> str:
    """Stderr as one line, whatever the width the console wrapped it at."""
    assert "Traceback" not in done.stderr, done.stderr
    return " ".join(done.stderr.split())


@pytest.mark.parametrize("command", ["archive", "submit"])
def test_a_url_file_that_is_missing_or_a_folder_is_a_usage_error(tmp_path: Path, command: str) -> None:
    """Not a FileNotFoundError or IsADirectoryError traceback (exit 1) from reading it."""
    for path, problem in ((tmp_path / "missing.txt", "No such file or directory"), (tmp_path, "Is a directory")):
        done = run(command, "--file", str(path), home=tmp_path / "home", env={"ARCHIVIST_REDIS_URL": CLOSED_REDIS})
        assert done.returncode == 2, done.stderr
        message = said(done)
        assert "--file" in message and str(path) in message and problem in message, message


def test_a_url_file_of_binary_data_refuses_its_lines_one_by_one(tmp_path: Path) -> None:
    """A line that is not UTF-8 and has a percent-escape in its host was a UnicodeEncodeError
    traceback that lost the whole file; it is one URL refused, like any other."""
    urls = tmp_path / "urls.bin"
    urls.write_bytes(b"http://\xff%41.example/\n")
    done = run("archive", "--json", "--file", str(urls), home=tmp_path / "home")
    assert done.returncode == 1, done.stderr
    said(done)
    assert '"reason": "invalid_url"' in done.stdout and "not UTF-8" in done.stdout, done.stdout


@pytest.mark.parametrize(("port", "limit"), [("70000", "65535"), ("-1", "0")])
def test_serve_on_a_port_that_cannot_be_is_a_usage_error(tmp_path: Path, port: str, limit: str) -> None:
    """Not uvicorn's OverflowError traceback from bind() (exit 1)."""
    done = run("serve", "--port", port, home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    message = said(done)
    assert "--port" in message and f"equal to {limit}" in message, message


def test_extract_refuses_a_url_that_cannot_be_one(tmp_path: Path) -> None:
    """``--url`` names the page's address in the record: one no page can have was kept as it was
    and the command exited 0."""
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Some text.</p></body></html>")
    for url in ("http://exa mple.com/", "ftp://example.org/"):
        done = run("extract", str(page), "--url", url, home=tmp_path / "home")
        assert done.returncode == 2, done.stdout
        message = said(done)
        assert "--url" in message and url in message, message
    assert run("extract", str(page), "--url", "https://example.org/a", home=tmp_path / "home").returncode == 0


def test_scheduler_once_with_redis_down_fails_instead_of_exiting_0(tmp_path: Path) -> None:
    """``--once`` said "trying again in 10.0s", did not, and exited 0 with nothing submitted."""
    home = tmp_path / "home"
    assert run("schedule", "add", "http://example.org/", "--every", "1h", home=home).returncode == 0
    done = run("scheduler", "--once", home=home, env={"ARCHIVIST_REDIS_URL": CLOSED_REDIS})
    assert done.returncode == 2, done.stderr
    message = said(done)
    assert "error (queue_unavailable)" in message and "trying again" not in message, message


@pytest.mark.parametrize(("variable", "value", "problem"), [
    ("ARCHIVIST_HOST_CONCURRENCY", "0", "greater than or equal to 1"),  # archive waited forever
    ("ARCHIVIST_MAX_BODY_BYTES", "-5", "greater than or equal to 1"),  # every capture too_large
    ("ARCHIVIST_TOTAL_TIMEOUT", "0", "greater than 0"),
    ("ARCHIVIST_S3_TIMEOUT", "-1", "greater than 0"),
    ("ARCHIVIST_FETCH_MAX_RETRIES", "-2", "greater than or equal to 0"),
    ("ARCHIVIST_S3_ENDPOINT", "ftp://s3.example.org", "http"),  # was read as http://
    ("ARCHIVIST_S3_ENDPOINT", "http://127.0.0.1:99999", "port"),  # was a ValueError traceback
    ("ARCHIVIST_REDIS_URL", "redis://127.0.0.1:99999/0", "port"),  # was a ValueError traceback
    ("ARCHIVIST_REDIS_URL", "redis://127.0.0.1:6379/abc", "database number"),  # database 0 was used
    ("ARCHIVIST_REDIS_URL", "redis://127.0.0.1:6379/\u00b2", "database number"),  # a digit to isdigit: 0 too
])
def test_a_setting_out_of_its_range_is_refused_at_start(tmp_path: Path, variable: str, value: str,
                                                         problem: str) -> None:
    done = run("archive", "http://example.org/", home=tmp_path / "home", env={variable: value})
    assert done.returncode == 2, done.stdout + done.stderr
    message = said(done)
    assert "error (invalid_settings)" in message and variable in message and problem in message, message


ARTICLE = ("<html><head><title>Kept</title></head><body><article><h1>Kept</h1>"
           + "<p>A paragraph of an article long enough to be taken for one, and archived. " * 8
           + "</p></article></body></html>")


def test_a_path_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    """A file's error line names it; "[/b]" in its path was read as console markup, and the
    command ended on a MarkupError traceback (exit 1) instead of its own error (exit 2)."""
    folder = tmp_path / "odd["
    folder.mkdir()
    (folder / "b].html").write_bytes(b"")
    (folder / "b].warc.gz").write_bytes(b"")
    extracted = run("extract", str(folder / "b].html"), home=tmp_path / "home")
    imported = run("import", str(folder / "b].warc.gz"), home=tmp_path / "home")
    for done, reason in ((extracted, "empty_file"), (imported, "corrupt_warc")):
        assert done.returncode == 2, done.stderr
        message = said(done)
        assert f"error ({reason})" in message and str(folder / "b]") in message, message


def test_import_of_binary_data_says_so_briefly(tmp_path: Path) -> None:
    """warcio quotes the first "line" it cannot read: for a binary file, kilobytes of escaped
    bytes on the terminal, the reason lost among them."""
    data = tmp_path / "data.bin"
    data.write_bytes(random.Random(1).randbytes(4000))
    done = run("import", str(data), home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    message = said(done)
    assert "error (corrupt_warc)" in message and "not a WARC" in message and len(message) < 600, message


def test_replay_of_a_url_that_looks_like_markup(tmp_path: Path) -> None:
    from tests.support.pages import PageServer

    server = PageServer().start()
    try:
        url = server.set("/odd[/b]", ARTICLE)
        env = {"ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1"}
        assert run("archive", url, home=tmp_path / "home", env=env).returncode == 0
        done = run("replay", url, "--raw", home=tmp_path / "home", env=env)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert f"{url} captured" in said(done) and "<h1>Kept</h1>" in done.stdout


def test_a_url_file_with_no_url_says_so(tmp_path: Path) -> None:
    """"give at least one URL, or --file" to a user who gave a --file: which one holds none."""
    urls = tmp_path / "urls.txt"
    urls.write_text("# only a comment\n\n")
    done = run("archive", "--file", str(urls), home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    message = said(done)
    assert f"'{urls}' holds no URL" in message, message


def test_an_output_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    """"cannot write 'x/y.warc.gz': No such file or directory" left the user to guess that the
    file is not the problem, its folder is."""
    target = tmp_path / "no-such-folder" / "all.warc.gz"
    done = run("export", "--warc", str(target), home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    message = said(done)
    assert "error (output_unwritable)" in message and f"no folder '{target.parent}'" in message, message


def test_an_output_that_is_a_pipe_or_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    """``--warc /dev/stdout``, a named pipe, ``>(gzip)``: the output was written beside it as
    ``NAME.partial`` and renamed over it, which replaced the pipe (as root, the device node
    itself: ``/dev/full`` became a file) and sent the reader nothing."""
    assert run("db", "upgrade", home=tmp_path / "home").returncode == 0
    pipe = tmp_path / "out.fifo"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # open first, so the writer's open does not wait
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    environment.update({"ARCHIVIST_HOME": str(tmp_path / "home"), "COLUMNS": "1000"})
    received = b""
    try:
        with subprocess.Popen([sys.executable, "-m", "archivist", "export", "--warc", str(pipe)], env=environment,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as command:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    received += os.read(reader, 65536)
                except BlockingIOError:
                    pass
                if command.poll() is not None:
                    break
                time.sleep(0.01)
            with contextlib.suppress(BlockingIOError):
                received += os.read(reader, 65536)
            _, stderr = command.communicate(timeout=30)
    finally:
        os.close(reader)
    assert "Traceback" not in stderr.decode(), stderr
    assert command.returncode == 0, stderr
    assert stat.S_ISFIFO(os.stat(pipe).st_mode), "the pipe was replaced by a file"
    assert not (tmp_path / "out.fifo.partial").exists()
    assert gzip.decompress(received).startswith(b"WARC/1.1\r\nWARC-Type: warcinfo"), received[:100]


def _warc(*, compressed: bool) -> bytes:
    """A warcinfo record, then a response: two records, one gzip member each when compressed."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compressed)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("http://example.org/", "response", http_headers=http,
                                                  payload=io.BytesIO(b"<html><p>Kept.</p></html>")))
    return out.getvalue()


def test_import_of_an_unreadable_warc_says_what_and_where_in_one_line(tmp_path: Path) -> None:
    """A record cut inside its WARC headers was warcio's "'NoneType' object has no attribute
    'startswith'", a digest that is not base32 "Incorrect padding", and garbage after a record
    a message with warcio's line break in it, a line of garbage after a record was skipped (the
    record imported), and a gzip member cut short or broken was blamed on record 1 (whole; the
    decompressed file is read ahead): each file is one line saying what is wrong and where, and
    nothing is stored."""
    plain, compressed = _warc(compressed=False), _warc(compressed=True)
    second_member = compressed.index(b"\x1f\x8b", 10)
    digest = plain.index(b"WARC-Block-Digest: sha1:", plain.index(b"WARC-Type: response")) + 24
    cases = {
        "header-cut.warc": (plain[:plain.index(b"WARC-Target-URI")], "record 2", "WARC headers"),
        "member-cut.warc.gz": (compressed[:second_member + 30], "last gzip member", "truncated"),
        "member-crc.warc.gz": (compressed[:-8] + bytes(b ^ 0xFF for b in compressed[-8:-4]) + compressed[-4:],
                               "a gzip member", "CRC check failed"),
        "no-type.warc": (plain.replace(b"WARC-Type: response\r\n", b""), "record 2", "no WARC-Type"),
        "garbage-after.warc": (plain + b"garbage\r\n", "record 3", "garbage"),
        "garbage-line.warc": (plain[:-4] + b"garbage" + plain[-4:], "record 2", "garbage"),
        "empty.warc": (b"", "no complete WARC record", "not a WARC"),
        "bad-digest.warc": (plain[:digest] + b"ABC" + plain[digest + 32:], "record 2", "digest"),
    }
    for name, (data, _, _) in cases.items():
        (tmp_path / name).write_bytes(data)
    done = run("import", *(str(tmp_path / name) for name in cases), home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    said(done)
    lines = done.stderr.splitlines()
    assert len(lines) == len(cases), done.stderr
    for line, (name, (_, where, what)) in zip(lines, cases.items(), strict=True):
        assert line.startswith(f"error (corrupt_warc) {tmp_path / name}: ") and line.endswith("; nothing imported"), line
        assert where in line and what in line, line
        assert "NoneType" not in line and "attribute" not in line and "padding" not in line, line
        assert "record 1 " not in line, line  # the warcinfo record is whole in every file
    objects = tmp_path / "home" / "objects"
    assert not objects.exists() or not any(path.is_file() for path in objects.rglob("*"))


def test_a_private_address_refused_says_how_to_allow_it(tmp_path: Path) -> None:
    """"resolves to a non-public address; refused" left a user archiving their own intranet to
    guess that a setting allows it."""
    done = run("archive", "http://127.0.0.1:9/page", home=tmp_path / "home")
    assert done.returncode == 1, done.stdout + done.stderr
    said(done)
    assert "blocked_address" in done.stdout and "ARCHIVIST_ALLOW_PRIVATE_NETWORKS=1" in done.stdout, done.stdout


@pytest.mark.parametrize("command", [["schedule", "add", "http://example.org/", "--every", "1h"],
                                     ["schedule", "list"], ["schedule", "remove", "http://example.org/"]])
def test_schedule_with_the_catalog_down_says_so_in_one_line(tmp_path: Path, command: list[str]) -> None:
    """Preparing the runtime was outside the commands' own error handling: the error was left to
    the last-resort handler, the runtime unclosed, and psycopg's message printed on three lines."""
    done = run(*command, home=tmp_path / "home",
               env={"ARCHIVIST_DATABASE_URL": "postgresql+psycopg://127.0.0.1:1/test"})
    assert done.returncode == 2, done.stderr
    message = said(done)
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert message.startswith("error (catalog_unavailable): ") and "Connection refused" in message, message


def test_extract_of_a_tag_crowded_with_attributes_does_not_take_minutes(tmp_path: Path) -> None:
    """libxml2 checks each attribute of a tag against every one before it: a page holding one
    tag of 100,000 attributes (1.4 MB) took about three minutes to extract (run's timeout fails
    it). Its first thousand attributes are parsed; the rest of the page is read as it is."""
    page = tmp_path / "crowded.html"
    crowded = " ".join(f"data-a{number}='{number}'" for number in range(100_000))
    page.write_text(f"<html><head><title>Crowded</title></head><body><article><h1>Crowded</h1>"
                    f"<div id='crowded' {crowded}><p>{'The harbour council met on Tuesday evening. ' * 20}</p></div>"
                    "</article></body></html>")
    done = run("extract", str(page), "--json", "--url", "https://example.org/crowded", home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    said(done)
    assert "The harbour council met on Tuesday evening." in done.stdout


def test_import_reads_a_warc_from_a_pipe(tmp_path: Path) -> None:
    """``zcat crawl.warc.gz | archivist import /dev/stdin``, ``<(...)``, a named pipe: the import
    reads a file twice (it verifies the whole file first), and seeking a pipe was an OSError
    ("Illegal seek") traceback. A pipe is copied to a temporary file first."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    environment.update({"ARCHIVIST_HOME": str(tmp_path / "home"), "COLUMNS": "1000"})
    for compressed in (True, False):
        done = subprocess.run([sys.executable, "-m", "archivist", "import", "/dev/stdin"], env=environment,
                              input=_warc(compressed=compressed), capture_output=True, timeout=120)
        assert "Traceback" not in done.stderr.decode(), done.stderr.decode()
        assert done.returncode == 0, done.stderr.decode()
        assert b'"file": "/dev/stdin"' in done.stdout and b'"records": 2' in done.stdout, done.stdout
