"""API keys and scopes, through a real API process on PostgreSQL and Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from archivist.cli import app
from archivist.settings import get_settings
from tests.support.processes import ApiServer, archivist_env


def cli(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "archivist", *args], env=archivist_env(env),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture(scope="module")
def module_auth_env(module_production_env: dict[str, str]) -> dict[str, str]:
    return {**module_production_env, "ARCHIVIST_AUTH_REQUIRED": "1"}


@pytest.fixture
def auth_env(module_auth_env: dict[str, str], pg_url: str) -> dict[str, str]:
    """The module's variables, the catalog (and so every key) emptied for this test."""
    return module_auth_env


@pytest.fixture(scope="module")
def api(module_auth_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """One API for the module's tests: each makes keys of its own, and quotas count per key."""
    server = ApiServer(module_auth_env, tmp_path_factory.mktemp("api") / "api.log").start()
    yield server
    server.stop()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_scopes_and_revocation(api: ApiServer, auth_env: dict[str, str]) -> None:
    submitter = cli(auth_env, "keys", "create", "robot", "--scope", "submit")
    reader = cli(auth_env, "keys", "create", "viewer", "--scope", "read")
    body = {"urls": ["ftp://not-archivable.example/"]}
    with httpx.Client(base_url=api.base_url, timeout=10) as client:
        anonymous = client.post("/v1/captures", json=body)
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        assert client.post("/v1/captures", json=body, headers={"Authorization": "Basic abc"}).status_code == 401
        assert client.post("/v1/captures", json=body, headers=bearer("ak_wrong")).status_code == 401
        denied = client.post("/v1/captures", json=body, headers=bearer(reader["key"]))
        assert denied.status_code == 403 and denied.json()["error"] == "forbidden"

        accepted = client.post("/v1/captures", json=body, headers=bearer(submitter["key"]))
        assert accepted.status_code == 202
        capture_id = accepted.json()["captures"][0]["id"]
        assert client.get(f"/v1/captures/{capture_id}").status_code == 401
        assert client.get(f"/v1/captures/{capture_id}", headers=bearer(reader["key"])).json()["status"] == "failed"

        cli(auth_env, "keys", "revoke", submitter["id"])
        assert client.post("/v1/captures", json=body, headers=bearer(submitter["key"])).status_code == 401
        assert client.get("/healthz").status_code == 200


def test_keys_are_stored_hashed(auth_env: dict[str, str]) -> None:
    created = cli(auth_env, "keys", "create", "robot", "--scope", "admin")
    with psycopg.connect(auth_env["ARCHIVIST_DATABASE_URL"]) as conn:
        stored = conn.execute("SELECT key_hash, prefix FROM api_keys WHERE id = %s", (created["id"],)).fetchone()
        dump = json.dumps(conn.execute("SELECT * FROM api_keys").fetchall(), default=str)
    assert created["key"] not in dump
    assert stored[0] != created["key"] and len(stored[0]) == 64
    assert created["key"].startswith(stored[1])


def test_per_key_submission_quota(api: ApiServer, auth_env: dict[str, str]) -> None:
    key = cli(auth_env, "keys", "create", "limited", "--scope", "submit", "--rate", "3")["key"]
    urls = ["ftp://a.example/", "ftp://b.example/"]
    with httpx.Client(base_url=api.base_url, timeout=10, headers=bearer(key)) as client:
        assert client.post("/v1/captures", json={"urls": urls}).status_code == 202
        over = client.post("/v1/captures", json={"urls": urls})
        assert over.status_code == 429
        assert over.json()["error"] == "quota_exceeded"
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        assert client.post("/v1/captures", json={"urls": urls[:1]}).status_code == 202  # refused ones cost nothing


def test_a_schedule_counts_against_the_submission_quota(api: ApiServer, auth_env: dict[str, str]) -> None:
    """A schedule's first capture is due at once: adding schedules was a way round the quota."""
    key = cli(auth_env, "keys", "create", "scheduler", "--scope", "submit", "--scope", "read", "--rate", "2")["key"]
    with httpx.Client(base_url=api.base_url, timeout=10, headers=bearer(key)) as client:
        for name in ("a", "b"):
            added = client.post("/v1/schedules", json={"url": f"https://{name}.example/", "interval": "1h"})
            assert added.status_code == 201, added.text
        over = client.post("/v1/schedules", json={"url": "https://c.example/", "interval": "1h"})
        assert over.status_code == 429 and over.json()["error"] == "quota_exceeded"
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        urls = [schedule["url"] for schedule in client.get("/v1/schedules").json()["schedules"]]
        assert sorted(urls) == ["https://a.example/", "https://b.example/"]


def fresh_quota_window() -> None:
    """Wait for a new one-minute quota window if this one is nearly over, so a test's charges
    all fall in one window."""
    if time.time() % 60 > 40:
        time.sleep(60.5 - time.time() % 60)


def run_scheduler_once(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "archivist", "scheduler", "--once"], env=archivist_env(env),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def captures_of(env: dict[str, str]) -> list[str]:
    with psycopg.connect(env["ARCHIVIST_DATABASE_URL"]) as conn:
        return sorted(row[0] for row in conn.execute("SELECT url FROM captures").fetchall())


def test_a_schedules_later_captures_are_charged_to_its_key(api: ApiServer, auth_env: dict[str, str]) -> None:
    """A key's quota bounds what the key causes to be fetched, its schedules' captures included."""
    key = cli(auth_env, "keys", "create", "scheduler", "--scope", "submit", "--rate", "5")["key"]
    fresh_quota_window()
    with httpx.Client(base_url=api.base_url, timeout=10, headers=bearer(key)) as client:
        for name in ("a", "b"):
            assert client.post("/v1/schedules", json={"url": f"https://{name}.example/", "interval": "1h"}).status_code == 201
        run_scheduler_once(auth_env)  # both due at once: two captures, charged to the key
        assert captures_of(auth_env) == ["https://a.example/", "https://b.example/"]

        over = client.post("/v1/captures", json={"urls": ["ftp://c.example/", "ftp://d.example/"]})
        assert over.status_code == 429, over.text  # 2 schedules + 2 captures + 2 > 5
        assert client.post("/v1/captures", json={"urls": ["ftp://c.example/"]}).status_code == 202


def test_a_schedule_over_its_keys_quota_waits_for_the_next_window(api: ApiServer, auth_env: dict[str, str]) -> None:
    key = cli(auth_env, "keys", "create", "scheduler", "--scope", "submit", "--scope", "read", "--rate", "2")["key"]
    fresh_quota_window()
    with httpx.Client(base_url=api.base_url, timeout=10, headers=bearer(key)) as client:
        for name in ("a", "b"):
            assert client.post("/v1/schedules", json={"url": f"https://{name}.example/", "interval": "1h"}).status_code == 201
        started = datetime.now(UTC)
        run_scheduler_once(auth_env)  # the key's minute is spent: nothing submitted, nothing lost

        assert captures_of(auth_env) == []
        schedules = client.get("/v1/schedules").json()["schedules"]
        for schedule in schedules:
            next_due = datetime.fromisoformat(schedule["next_due_at"].replace("Z", "+00:00"))
            assert started < next_due <= started + timedelta(seconds=61), schedule
            assert schedule["last_capture_id"] is None


def test_a_revoked_keys_schedules_capture_nothing(api: ApiServer, auth_env: dict[str, str]) -> None:
    created = cli(auth_env, "keys", "create", "scheduler", "--scope", "submit")
    with httpx.Client(base_url=api.base_url, timeout=10, headers=bearer(created["key"])) as client:
        assert client.post("/v1/schedules", json={"url": "https://a.example/", "interval": "1h"}).status_code == 201
    cli(auth_env, "keys", "revoke", created["id"])

    run_scheduler_once(auth_env)

    assert captures_of(auth_env) == []


def test_open_read_lets_anyone_read_but_not_submit(auth_env: dict[str, str], tmp_path: Path) -> None:
    server = ApiServer({**auth_env, "ARCHIVIST_OPEN_READ": "1"}, tmp_path / "open.log").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            assert client.get("/v1/captures/unknown").status_code == 404
            assert client.post("/v1/captures", json={"urls": ["http://example.com/"]}).status_code == 401
    finally:
        server.stop()


@pytest.mark.parametrize("rate", ["0", "-5"])
def test_a_key_quota_below_one_url_a_minute_is_refused_not_stored(auth_env: dict[str, str], rate: str) -> None:
    """``--rate 0`` fell back to the default quota (600) and ``--rate -5`` made the key unlimited,
    both silently: the operator who typed them meant neither."""
    cli(auth_env, "db", "upgrade")
    done = subprocess.run([sys.executable, "-m", "archivist", "keys", "create", "odd", "--scope", "submit",
                           "--rate", rate], env=archivist_env(auth_env), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout
    assert "--rate" in done.stderr and "greater than or equal to 1" in done.stderr
    assert cli(auth_env, "keys", "list") == {}


@pytest.mark.parametrize(("name", "rate", "problem"), [
    ("x" * 201, "60", "name"), ("  ", "60", "name"), ("robot", str(2**31), "rate"),
])
def test_keys_create_refuses_what_the_catalog_cannot_hold(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, name: str, rate: str, problem: str
) -> None:
    """A blank name, one longer than the catalog column, or a quota past its integer range is
    bad input (exit 2, ``invalid_input``), not PostgreSQL's DataError as a traceback."""
    monkeypatch.setenv("ARCHIVIST_DATABASE_URL", pg_url)
    get_settings.cache_clear()
    done = CliRunner().invoke(app, ["keys", "create", name, "--scope", "submit", "--rate", rate])
    assert done.exit_code == 2, done.output
    assert "invalid_input" in done.stderr and problem in done.stderr, done.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM api_keys").fetchone()[0] == 0
