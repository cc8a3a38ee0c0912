"""Scheduled re-capture: the API and CLI, the scheduler loop, and its guarantee that two
schedulers never submit the same due slot twice (PostgreSQL row locks, SQLite conditional
updates). Also ``if_not_archived_within``, which skips a fetch altogether."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dramatiq.brokers.redis import RedisBroker
from fastapi.testclient import TestClient

from archivist import scheduling
from archivist.core.schedules import next_slot
from archivist.core.urls import urlkey
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import DramatiqTaskQueue
from tests.support.pages import PageServer
from tests.support.stack import json_lines, run_cli

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def test_next_slot_keeps_the_grid_and_skips_missed_slots() -> None:
    day = timedelta(days=1)
    assert next_slot(T0, day, T0) == T0 + day
    assert next_slot(T0, day, T0 + timedelta(hours=3)) == T0 + day
    assert next_slot(T0, day, T0 + 7 * day + timedelta(seconds=1)) == T0 + 8 * day


def _runtime(settings: Settings, redis_url: str) -> Runtime:
    """A producer runtime on Redis with no workers: submitted fetches wait in the queue."""
    return Runtime(settings, queue=DramatiqTaskQueue(RedisBroker(url=redis_url)))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_schedulers_never_submit_a_slot_twice(
    database: str, request: pytest.FixtureRequest, embedded_settings: Settings, redis_url: str
) -> None:
    settings = embedded_settings
    if database == "postgresql":
        settings = Settings(database_url=request.getfixturevalue("pg_url"), home=embedded_settings.home,
                            redis_url=redis_url)
    schedulers = [_runtime(settings, redis_url) for _ in range(2)]
    schedulers[0].prepare()
    urls = [f"https://example.org/page/{i}" for i in range(40)]
    for url in urls:
        scheduling.add_schedule(schedulers[0], url, timedelta(hours=1), now=T0)

    def tick(now: datetime) -> list[list[scheduling.Due]]:
        results: list[list[scheduling.Due]] = [[], []]
        barrier = threading.Barrier(2)

        def run(index: int) -> None:
            barrier.wait()
            results[index] = scheduling.run_due(schedulers[index], now=now)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    try:
        for hour in (0, 1, 2):
            now = T0 + timedelta(hours=hour, minutes=5)
            results = tick(now)
            submitted = [due.url for result in results for due in result]
            assert sorted(submitted) == sorted(urls), f"hour {hour}: {len(submitted)} submissions"
            assert {due.slot for result in results for due in result} == {T0 + timedelta(hours=hour)}
            # Nothing is due again until the next slot.
            assert scheduling.run_due(schedulers[0], now=now) == []
        listed = scheduling.list_schedules(schedulers[0])
        assert {row["next_due_timestamp"] for row in listed} == {"20300101030000"}
        with schedulers[0].database.session() as session:
            captures = [c for u in urls for c in schedulers[0].catalog.captures_for_url(session, urlkey(u))]
        assert len(captures) == 3 * len(urls)
    finally:
        for runtime in schedulers:
            runtime.close()


def test_schedule_api(client: TestClient) -> None:
    created = client.post("/v1/schedules", json={"url": "example.org/a", "interval": "1d"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"] == "https://example.org/a" and body["interval_seconds"] == 86400
    again = client.post("/v1/schedules", json={"url": "https://example.org/a", "interval": "12h"})
    assert again.json()["id"] == body["id"] and again.json()["interval_seconds"] == 43200
    assert client.post("/v1/schedules", json={"url": "example.org/b", "interval": "10s"}).status_code == 422
    assert client.post("/v1/schedules", json={"url": "example.org/b", "interval": "often"}).status_code == 422
    assert client.post("/v1/schedules", json={"url": "ftp://example.org/", "interval": "1d"}).status_code == 422
    assert [s["id"] for s in client.get("/v1/schedules").json()["schedules"]] == [body["id"]]
    assert client.delete(f"/v1/schedules/{body['id']}").status_code == 204
    assert client.delete(f"/v1/schedules/{body['id']}").status_code == 404
    assert client.get("/v1/schedules").json()["schedules"] == []


def test_schedule_commands_and_scheduler_loop_embedded(pages: PageServer, tmp_path: Path) -> None:
    url = pages.set("/scheduled", "<html><head><title>Tide tables</title></head><body><article>"
                    "<p>High water at the harbour is at six in the morning and again at night.</p>"
                    "</article></body></html>")
    env = {"ARCHIVIST_HOME": str(tmp_path / "home")}
    added = run_cli("schedule", "add", url, "--every", "1d", env=env)
    assert added.returncode == 0, added.stderr
    (schedule,) = json_lines(added.stdout)
    assert json_lines(run_cli("schedule", "list", env=env).stdout)[0]["id"] == schedule["id"]

    ran = run_cli("scheduler", "--once", env=env)
    assert ran.returncode == 0, ran.stderr
    (due,) = json_lines(ran.stdout)
    assert due["url"] == url
    assert pages.page_hits == {"/scheduled": 1}
    shown = json_lines(run_cli("show", url, "--json", env=env).stdout)[0]
    assert shown["title"] == "Tide tables" and shown["capture_ids"] == [due["capture_id"]]
    # Not due again for a day: a second run submits nothing.
    assert json_lines(run_cli("scheduler", "--once", env=env).stdout) == []
    assert pages.page_hits == {"/scheduled": 1}

    assert run_cli("schedule", "remove", url, env=env).returncode == 0
    assert json_lines(run_cli("schedule", "list", env=env).stdout) == []
    missing = run_cli("schedule", "remove", url, env=env)
    assert missing.returncode == 2 and "not_found" in missing.stderr
    assert run_cli("schedule", "add", url, "--every", "5s", env=env).returncode == 2


def test_if_not_archived_within_skips_the_fetch(workers, client: TestClient, pages: PageServer) -> None:
    url = pages.set("/recent", "<html><body><p>Recent enough to skip.</p></body></html>")
    first = client.post("/v1/captures", json={"urls": [url], "if_not_archived_within": "1d"}).json()["captures"][0]
    workers.drain()
    second = client.post("/v1/captures", json={"urls": [url], "if_not_archived_within": "1d"}).json()["captures"][0]
    workers.drain()
    assert second["existing"] is True and second["id"] == first["id"]
    assert pages.page_hits == {"/recent": 1}
    third = client.post("/v1/captures", json={"urls": [url]}).json()["captures"][0]
    workers.drain()
    assert third["existing"] is False and pages.page_hits == {"/recent": 2}
    bad = client.post("/v1/captures", json={"urls": [url], "if_not_archived_within": "soon"})
    assert bad.status_code == 422


@pytest.mark.parametrize("duration", ["3000000d", "99999999999999999999999s", "5219w"])
def test_durations_beyond_a_century_are_refused_clearly(client: TestClient, duration: str) -> None:
    """A moment that far away is outside what dates hold: a clear 422, not an overflow's 500."""
    captures = client.post("/v1/captures", json={"urls": ["http://example.org/"], "if_not_archived_within": duration})
    schedules = client.post("/v1/schedules", json={"url": "http://example.org/", "interval": duration})
    for response in (captures, schedules):
        assert response.status_code == 422, response.text
        assert "the longest is" in response.text
    assert client.post("/v1/captures", json={"urls": ["http://example.org/"],
                                             "if_not_archived_within": "5200w"}).status_code == 202


def test_the_same_url_scheduled_at_once_makes_one_schedule_and_no_error(
    embedded_settings: Settings, pg_url: str
) -> None:
    """Two clients adding the same URL at once (a double-clicked form, a retried request) both
    get the schedule: adding one that exists changes its interval, whoever inserted it first."""
    runtime = Runtime(Settings(database_url=pg_url, home=embedded_settings.home))
    runtime.prepare()
    together, results, errors = threading.Barrier(6), [], []

    def add() -> None:
        together.wait()
        try:
            results.append(scheduling.add_schedule(runtime, "https://example.org/daily", timedelta(days=1)))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runtime.close()
    assert errors == []
    assert len({result["id"] for result in results}) == 1
