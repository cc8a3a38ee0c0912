"""`archivist submit --file` in chunks, on Redis, PostgreSQL and SeaweedFS S3, with no workers:
every line is recorded and queued, the output keeps the file's order, and an error stops at a
chunk boundary with the earlier chunks queued."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
from typer.testing import CliRunner

from archivist.cli import app
from archivist.core.errors import QueueUnavailable
from archivist.settings import Settings
from archivist_workers.queue import DramatiqTaskQueue
from tests.support.processes import archivist_env


def url_file(path: Path, count: int, *, bad_at: int) -> tuple[Path, list[str]]:
    """``count`` URLs, one of them unarchivable, with a comment and a blank line among them."""
    urls = [f"https://site{i % 3}.example.org/page-{i}" for i in range(count)]
    urls[bad_at] = "ftp://example.org/not-archivable"
    path.write_text("# a comment\n" + "\n".join(urls[:4]) + "\n\n" + "\n".join(urls[4:]) + "\n", encoding="utf-8")
    return path, urls


def queued_fetches(env: dict[str, str]) -> int:
    client = redis.Redis.from_url(env["ARCHIVIST_REDIS_URL"])
    try:
        return client.llen(f"{env['ARCHIVIST_REDIS_NAMESPACE']}:fetch")
    finally:
        client.close()


def captures_by_status(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM captures GROUP BY status").fetchall())


def test_submit_file_larger_than_a_chunk_queues_every_line_in_order(
    production_env: dict[str, str], tmp_path: Path
) -> None:
    path, urls = url_file(tmp_path / "urls.txt", 23, bad_at=11)
    done = subprocess.run(
        [sys.executable, "-m", "archivist", "submit", "--file", str(path), "--chunk", "5"],
        env=archivist_env(production_env), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["url"] for line in lines[:11]] == urls[:11]
    assert [line["url"] for line in lines[12:]] == urls[12:]
    assert lines[11]["status"] == "failed" and lines[11]["reason"] == "invalid_url"
    assert [line["status"] for line in lines[:11] + lines[12:]] == ["queued"] * 22
    assert len({line["id"] for line in lines}) == 23
    assert queued_fetches(production_env) == 22
    assert captures_by_status(production_env["ARCHIVIST_DATABASE_URL"]) == {"queued": 22, "failed": 1}


def test_a_failing_chunk_stops_the_submission_and_keeps_the_earlier_chunks(
    production_settings: Settings, production_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, urls = url_file(tmp_path / "urls.txt", 12, bad_at=2)
    enqueue = DramatiqTaskQueue.enqueue_fetch
    calls = []

    def broker_down_on_the_second_chunk(self: DramatiqTaskQueue, capture_ids: list[str]) -> None:
        calls.append(len(capture_ids))
        if len(calls) == 2:
            raise QueueUnavailable(f"cannot queue {len(capture_ids)} fetches: connection refused")
        enqueue(self, capture_ids)

    monkeypatch.setattr(DramatiqTaskQueue, "enqueue_fetch", broker_down_on_the_second_chunk)
    result = CliRunner().invoke(app, ["submit", "--file", str(path), "--chunk", "5"])

    assert result.exit_code == 2
    assert calls == [4, 5]  # the first chunk holds the unarchivable URL; the third is never read
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["url"] for line in lines] == [*urls[:2], urls[2], *urls[3:5]]
    assert "queue_unavailable" in result.stderr
    assert "the first 5 URLs" in result.stderr and "were not queued" in result.stderr
    assert queued_fetches(production_env) == 4
    # The failed chunk's captures are recorded as failed, as a one-call submission's would be.
    assert captures_by_status(production_env["ARCHIVIST_DATABASE_URL"]) == {"queued": 4, "failed": 6}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_submission_ends_at_a_chunk_boundary_saying_how_far_it_got(
    production_env: dict[str, str], signum: int
) -> None:
    """Ctrl-C or SIGTERM while `submit --file -` waits for more lines on its input: it exits at
    once, with 130 or 143 and one line saying how many URLs went in, and every URL it printed
    is recorded and queued (none recorded without its message)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "archivist", "submit", "--file", "-", "--chunk", "5"],
        env=archivist_env(production_env), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        urls = [f"https://site.example.org/stopped-{i}" for i in range(10)]
        process.stdin.write("".join(url + "\n" for url in urls))
        process.stdin.flush()
        printed = [json.loads(process.stdout.readline()) for _ in urls]  # two chunks went in
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr, stderr
    assert [line["url"] for line in printed] == urls and stdout == ""
    assert "interrupted: the first 10 URLs were submitted" in stderr, stderr
    assert queued_fetches(production_env) == 10
    assert captures_by_status(production_env["ARCHIVIST_DATABASE_URL"]) == {"queued": 10}
