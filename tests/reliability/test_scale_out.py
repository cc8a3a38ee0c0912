"""Scale-out: several worker hosts on one Redis, S3 and PostgreSQL, nothing shared but those.

Each "host" is an ``archivist worker`` subprocess with an ``ARCHIVIST_HOME`` and a ``TMPDIR`` of
its own, so nothing one keeps on its local disk or in its memory can reach another.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis

from archivist import pipeline, scheduling, views
from archivist.adapters.catalog import CaptureRow
from archivist.core.urls import urlkey
from archivist_workers.queue import FETCH_QUEUE
from tests.conftest import REDIS_URL
from tests.support.pages import PageServer, Route, slow_route, wait_for
from tests.support.processes import ApiServer, Service, archivist_env
from tests.support.seaweed import free_port

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"


class Hosts:
    """Worker hosts started on demand, each with its own home, TMPDIR and metrics port."""

    def __init__(self, env: dict[str, str], root: Path) -> None:
        self.env = env
        self.root = root
        self.started: list[Service] = []

    def start(self, name: str, threads: int = 2, **settings: str) -> Service:
        home, tmp = self.root / name / "home", self.root / name / "tmp"
        home.mkdir(parents=True)
        tmp.mkdir()
        env = {**self.env, **settings, "ARCHIVIST_HOME": str(home), "TMPDIR": str(tmp),
               "ARCHIVIST_WORKER_METRICS_PORT": str(free_port())}
        worker = Service(["worker", "--processes", "1", "--threads", str(threads)], env,
                         self.root / f"{name}.log").start()
        self.started.append(worker)
        wait_for(lambda: "ready for action" in worker.output(), timeout=60, what=f"worker {name} to start")
        return worker


@pytest.fixture
def hosts(production_runtime, production_env: dict[str, str], tmp_path: Path) -> Iterator[Hosts]:
    started = Hosts(production_env, tmp_path / "hosts")
    yield started
    for worker in started.started:
        worker.stop()


def finished(runtime, capture_ids: list[str]) -> list[dict] | None:
    captures = [views.get_capture(runtime, capture_id) for capture_id in capture_ids]
    return captures if all(c["status"] in ("archived", "failed") for c in captures) else None


class Visits:
    """What the site saw: each request's start and end, and the most in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.starts: list[float] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def route(self, body: str, seconds: float) -> Route:
        def answer(handler) -> None:  # noqa: ANN001
            with self.lock:
                self.starts.append(time.monotonic())
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                time.sleep(seconds)
                data = body.encode()
                handler.send_response(200)
                handler.send_header("Content-Type", "text/html")
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
            finally:
                with self.lock:
                    self.in_flight -= 1

        return Route(handler=answer)


def test_workers_on_three_hosts_share_one_host_budget_and_one_robots_txt(
    hosts: Hosts, production_runtime, pages: PageServer
) -> None:
    limits = {"ARCHIVIST_HOST_CONCURRENCY": "2", "ARCHIVIST_HOST_MIN_INTERVAL": "0.3"}
    for name in ("a", "b", "c"):
        hosts.start(name, threads=3, **limits)
    visits = Visits()
    pages.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    for number in range(12):
        pages.routes[f"/p/{number}"] = visits.route(ARTICLE.format(f"Page {number}"), 0.2)

    submissions = pipeline.submit(production_runtime, [pages.url(f"/p/{number}") for number in range(12)])
    done = wait_for(lambda: finished(production_runtime, [s.id for s in submissions]), timeout=120,
                    what="the captures")

    assert {c["status"] for c in done} == {"archived"}
    assert pages.hits["/robots.txt"] == 1, "robots.txt is fetched once per cache period, by any one worker"
    assert visits.most_in_flight <= 2
    spacing = [later - earlier for earlier, later in zip(visits.starts, visits.starts[1:], strict=False)]
    # Slots are booked 0.3 s apart; a request leaves within milliseconds of its slot (connecting
    # to the site is the request's own time), never with the next one.
    assert min(spacing) > 0.3 - 0.05, sorted(spacing)[:5]


def test_a_recapture_on_another_host_is_a_revisit_and_two_at_once_make_one_version(
    hosts: Hosts, production_runtime, pages: PageServer
) -> None:
    """The revisit and version decisions read the catalog, not what a worker remembers."""
    url = pages.set("/story", ARTICLE.format("Story"))
    first = hosts.start("a", threads=1)
    (submission,) = pipeline.submit(production_runtime, [url])
    wait_for(lambda: finished(production_runtime, [submission.id]), timeout=60, what="the first capture")
    first.stop()

    visits = Visits()
    pages.routes["/story"] = visits.route(ARTICLE.format("Story"), 3.0)  # longer than an idle consumer sleeps (1 s)
    hosts.start("b", threads=1, dramatiq_queue_prefetch="1")  # one message each: one goes to each host
    hosts.start("c", threads=1, dramatiq_queue_prefetch="1")
    both = pipeline.submit(production_runtime, [url, url])
    wait_for(lambda: finished(production_runtime, [s.id for s in both]), timeout=60, what="the re-captures")
    assert visits.most_in_flight == 2, "the two re-captures ran at once, one on each host"

    seen = views.history(production_runtime, url)
    assert [(c["status"], c["kind"]) for c in seen["captures"]] == [
        ("archived", "response"), ("archived", "revisit"), ("archived", "revisit")]
    assert len(seen["versions"]) == 1
    assert sorted(seen["versions"][0]["capture_ids"]) == sorted([submission.id, *(s.id for s in both)])


def removed(folder: Path) -> bool:
    """Whether ``folder`` could be deleted: a killed worker's child process may still be writing
    into it for a moment after its main process is gone."""
    try:
        shutil.rmtree(folder)
    except OSError:
        return False
    return True


def test_a_lost_worker_host_leaves_its_captures_to_another(hosts: Hosts, production_runtime, pages: PageServer,
                                                           tmp_path: Path) -> None:
    """SIGKILL, then its home and TMPDIR deleted: the survivor redelivers and completes the capture,
    from the site and the shared servers alone."""
    pages.routes["/slow"] = slow_route(3, ARTICLE.format("Slow"))
    big = pages.set("/big", ARTICLE.format("Big").replace("</p>", "words " * 200_000 + "</p>"))  # spooled to TMPDIR
    hosts.env["ARCHIVIST_WORKER_HEARTBEAT_TIMEOUT_MS"] = "3000"
    lost = hosts.start("lost", threads=2)
    submissions = pipeline.submit(production_runtime, [big, pages.url("/slow")])
    wait_for(lambda: pages.hits.get("/slow"), timeout=30, what="the fetch to start")
    lost.signal(signal.SIGKILL)
    lost.process.wait()
    wait_for(lambda: removed(tmp_path / "hosts" / "lost"), timeout=10, what="the lost host's disk to go")

    hosts.start("survivor", threads=2)
    done = wait_for(lambda: finished(production_runtime, [s.id for s in submissions]), timeout=90,
                    what="the survivor to complete the captures")
    assert [c["status"] for c in done] == ["archived", "archived"], done
    for submission in submissions:
        with production_runtime.database.session() as session:
            keys = [s.storage_key for s in production_runtime.catalog.snapshots_for_captures(
                session, [submission.id]).get(submission.id, [])]
        assert keys and all(production_runtime.store.exists(key) for key in keys)
    assert views.get_record(production_runtime, big)["title"] == "Big"


def test_two_api_processes_share_captures_keys_and_quotas(
    hosts: Hosts, production_env: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    """Two API processes behind a load balancer: what one took, the other knows."""
    env = {**production_env, "ARCHIVIST_AUTH_REQUIRED": "1"}
    created = subprocess.run([sys.executable, "-m", "archivist", "keys", "create", "robot", "--scope", "submit",
                              "--scope", "read", "--rate", "4"], env=archivist_env(env), capture_output=True,
                             text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    key = {"Authorization": f"Bearer {json.loads(created.stdout)['key']}"}
    one, two = (ApiServer(env, tmp_path / f"api-{n}.log").start() for n in (1, 2))
    try:
        hosts.start("a", threads=1)
        url = pages.set("/story", ARTICLE.format("Story"))
        if time.time() % 60 > 45:  # the quota's one-minute window must hold the submissions
            time.sleep(60.5 - time.time() % 60)
        unfetchable = ["ftp://a.example/", "ftp://b.example/", "ftp://c.example/"]  # counted, failed at once
        assert httpx.post(f"{one.base_url}/v1/captures", json={"urls": unfetchable[:2]}, headers=key,
                          timeout=10).status_code == 202
        over = httpx.post(f"{two.base_url}/v1/captures", json={"urls": unfetchable}, headers=key, timeout=10)
        assert over.status_code == 429, "four URLs a minute for the key, whichever API process took them"
        first = httpx.post(f"{one.base_url}/v1/captures", json={"urls": [url]}, headers=key, timeout=10)
        assert first.status_code == 202, first.text
        capture_id = first.json()["captures"][0]["id"]
        wait_for(lambda: httpx.get(f"{two.base_url}/v1/captures/{capture_id}", headers=key,
                                   timeout=10).json()["status"] == "archived", timeout=60, what="the capture")
        again = httpx.post(f"{two.base_url}/v1/captures", json={"urls": [url], "if_not_archived_within": "1h"},
                           headers=key, timeout=10).json()["captures"][0]
        assert (again["id"], again["existing"]) == (capture_id, True)
        assert pages.hits["/story"] == 1
        replayed = httpx.get(f"{two.base_url}/web/{url}", headers=key, timeout=10, follow_redirects=True)
        assert replayed.status_code == 200 and "Story" in replayed.text

        revoked = subprocess.run([sys.executable, "-m", "archivist", "keys", "revoke", json.loads(created.stdout)["id"]],
                                 env=archivist_env(env), capture_output=True, text=True, timeout=60)
        assert revoked.returncode == 0, revoked.stderr
        for api in (one, two):
            assert httpx.get(f"{api.base_url}/v1/captures/{capture_id}", headers=key, timeout=10).status_code == 401

    finally:
        one.stop()
        two.stop()


def test_two_schedulers_at_once_submit_a_slot_once_and_resend_an_abandoned_fetch_once(
    hosts: Hosts, production_runtime, production_env: dict[str, str], pages: PageServer, tmp_path: Path
) -> None:
    """A compose restart's overlap: two schedulers looking and reconciling every few tenths of a
    second, a schedule due and a fetch whose worker died long ago, no worker yet."""
    scheduled = pages.set("/scheduled", ARTICLE.format("Scheduled"))
    abandoned = pages.set("/abandoned", ARTICLE.format("Abandoned"))
    scheduling.add_schedule(production_runtime, scheduled, timedelta(hours=1))
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    with production_runtime.database.session() as session:
        production_runtime.catalog.add_captures(session, [CaptureRow(
            id="abandoned", url=abandoned, urlkey=urlkey(abandoned), status="fetching", claimed_by="dead-worker",
            submitted_at=long_ago, updated_at=long_ago, attempts=1)])
    env = {**production_env, "ARCHIVIST_RECONCILE_INTERVAL": "0.3"}
    schedulers = [Service(["scheduler", "--poll", "0.2"], env, tmp_path / f"scheduler-{n}.log").start() for n in (1, 2)]
    try:
        wait_for(lambda: sum(s.output().count("re-sent") for s in schedulers) >= 1, timeout=60,
                 what="a scheduler to reconcile")
        time.sleep(2)  # a few more looks and reconciles each
        queue = redis.Redis.from_url(REDIS_URL)
        try:
            assert queue.hlen(f"{production_env['ARCHIVIST_REDIS_NAMESPACE']}:{FETCH_QUEUE}.msgs") == 2, [
                s.output()[-2000:] for s in schedulers]
        finally:
            queue.close()
        hosts.start("a", threads=2)
        wait_for(lambda: finished(production_runtime, ["abandoned"]), timeout=60, what="the abandoned capture")
        with production_runtime.database.session() as session:
            captures = production_runtime.catalog.captures_for_url(session, urlkey(scheduled))
        assert len(captures) == 1
        wait_for(lambda: finished(production_runtime, [captures[0].id]), timeout=60, what="the scheduled capture")
    finally:
        for scheduler in schedulers:
            scheduler.stop()
    assert (pages.hits["/scheduled"], pages.hits["/abandoned"]) == (1, 1)
