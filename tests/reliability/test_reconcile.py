"""``archivist reconcile`` (and the scheduler's run of it) against a backlog, on PostgreSQL and Redis."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import redis

from archivist import pipeline
from archivist.adapters.catalog import CaptureRow
from archivist.core.errors import QueueUnavailable
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.queue import EXTRACT_QUEUE, FETCH_QUEUE, redis_task_queue
from tests.support.redis_server import RedisServer


def reconcile_once(settings: Settings) -> int:
    runtime = Runtime(settings, queue=redis_task_queue(settings))
    try:
        return pipeline.requeue_stale(runtime, queued_older_than=timedelta(hours=1))
    finally:
        runtime.close()


def test_a_stale_capture_is_resent_once_per_period_not_at_every_run(
    pg_url: str, redis_url: str, redis_namespace: str, tmp_path
) -> None:
    """Captures still queued after an hour behind a long backlog, and an abandoned extraction:
    reconcile re-sends each once, then waits as long again. Two runs at once (the scheduler and
    an operator) send one message each between them, and the runs a minute apart send nothing,
    instead of one more message per capture per run piling onto the backlog."""
    settings = Settings(home=tmp_path / "home", database_url=pg_url, redis_url=redis_url,
                        redis_namespace=redis_namespace)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    rows = [CaptureRow(id=f"waiting-{n}", url=f"http://example.org/{n}", urlkey=f"org,example)/{n}", status="queued",
                       submitted_at=long_ago, updated_at=long_ago, attempts=0) for n in range(40)]
    rows.append(CaptureRow(id="extracting", url="http://example.org/x", urlkey="org,example)/x", status="extracting",
                           submitted_at=long_ago, updated_at=long_ago, attempts=1))
    runtime = Runtime(settings)
    runtime.prepare()
    with runtime.database.session() as session:
        runtime.catalog.add_captures(session, rows)
    runtime.close()

    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(reconcile_once, [settings, settings]))
    assert sum(sent) == 41, sent
    assert [reconcile_once(settings) for _ in range(3)] == [0, 0, 0]

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.hlen(f"{redis_namespace}:{FETCH_QUEUE}.msgs") == 40
        assert client.hlen(f"{redis_namespace}:{EXTRACT_QUEUE}.msgs") == 1
    finally:
        client.close()


def test_an_abandoned_fetch_is_resent_once_by_two_schedulers_and_once_per_lease(
    pg_url: str, redis_url: str, redis_namespace: str, tmp_path
) -> None:
    """Two schedulers (a restart's overlap) reconciling one fetch whose worker died: one message
    between them, and none from later runs while it waits its turn; a worker's claim of it works.
    Each run sent one more, piling duplicates onto the queue behind a backlog."""
    settings = Settings(home=tmp_path / "home", database_url=pg_url, redis_url=redis_url,
                        redis_namespace=redis_namespace)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    runtime = Runtime(settings)
    runtime.prepare()
    with runtime.database.session() as session:
        runtime.catalog.add_captures(session, [CaptureRow(
            id="abandoned", url="http://example.org/a", urlkey="org,example)/a", status="fetching",
            claimed_by="dead-worker-message", submitted_at=long_ago, updated_at=long_ago, attempts=1)])

    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(reconcile_once, [settings, settings]))
    assert sum(sent) == 1, sent
    assert [reconcile_once(settings) for _ in range(2)] == [0, 0]
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.hlen(f"{redis_namespace}:{FETCH_QUEUE}.msgs") == 1
    finally:
        client.close()
    with runtime.database.session() as session:
        claim = runtime.catalog.claim_fetch(session, "abandoned", delivery="new-message",
                                            lease_expired=datetime.now(UTC) - timedelta(minutes=5))
        assert claim is not None and claim.attempts == 2
        assert not runtime.catalog.touch(session, "abandoned", delivery="dead-worker-message", attempt=1)
    runtime.close()


def test_captures_whose_messages_could_not_be_sent_are_resent_at_the_next_run(
    pg_url: str, redis_url: str, redis_namespace: str, tmp_path
) -> None:
    """The broker is down when reconcile runs: the captures are not left looking freshly sent
    (which would hold them back another period), so the next run, with the broker back, sends them."""
    settings = Settings(home=tmp_path / "home", database_url=pg_url, redis_url=redis_url,
                        redis_namespace=redis_namespace)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    runtime = Runtime(settings)
    runtime.prepare()
    with runtime.database.session() as session:
        runtime.catalog.add_captures(session, [
            CaptureRow(id=f"waiting-{n}", url=f"http://example.org/{n}", urlkey=f"org,example)/{n}", status="queued",
                       submitted_at=long_ago, updated_at=long_ago, attempts=0) for n in range(3)])
    runtime.close()

    with pytest.raises(QueueUnavailable):
        reconcile_once(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    assert reconcile_once(settings) == 3


def test_reconcile_runs_on_a_redis_that_does_not_answer_info(pg_url: str, redis_namespace: str, tmp_path) -> None:
    """A Redis that refuses INFO (renamed away, as some managed services do) cannot say when it
    started: reconcile falls back to the waiting time alone instead of failing at every run."""
    server = RedisServer(tmp_path / "redis", persistent=False, options=("--rename-command", "INFO", "")).start()
    try:
        settings = Settings(home=tmp_path / "home", database_url=pg_url, redis_url=server.url,
                            redis_namespace=redis_namespace)
        long_ago = datetime.now(UTC) - timedelta(hours=2)
        just_now = datetime.now(UTC)
        runtime = Runtime(settings)
        runtime.prepare()
        with runtime.database.session() as session:
            runtime.catalog.add_captures(session, [
                CaptureRow(id=f"{name}-{n}", url=f"http://example.org/{name}/{n}", urlkey=f"org,example)/{name}/{n}",
                           status="queued", submitted_at=moment, updated_at=moment, attempts=0)
                for name, moment in (("waiting", long_ago), ("fresh", just_now)) for n in range(2)])
        runtime.close()
        assert reconcile_once(settings) == 2
    finally:
        server.stop()


def test_captures_queued_a_while_with_no_fetch_message_in_the_broker_are_resent_without_waiting_the_hour(
    pg_url: str, redis_url: str, redis_namespace: str, tmp_path
) -> None:
    """What an API process killed between committing a batch and sending its messages leaves:
    captures queued minutes ago, and no fetch message anywhere in the broker (none waiting, held
    by a worker or waiting out a backoff). Nothing is in front of them to wait behind, so
    reconcile sends them at once, not an hour later; while the broker holds fetch messages, a
    capture queued minutes ago may be waiting behind them and is left alone."""
    settings = Settings(home=tmp_path / "home", database_url=pg_url, redis_url=redis_url,
                        redis_namespace=redis_namespace)
    minutes_ago = datetime.now(UTC) - timedelta(minutes=3)
    runtime = Runtime(settings)
    runtime.prepare()
    with runtime.database.session() as session:
        runtime.catalog.add_captures(session, [
            CaptureRow(id=f"unsent-{n}", url=f"http://example.org/{n}", urlkey=f"org,example)/{n}", status="queued",
                       submitted_at=minutes_ago, updated_at=minutes_ago, attempts=0) for n in range(3)])
    runtime.close()

    queue = redis_task_queue(settings)
    queue.enqueue_fetch(["another-capture"])  # a fetch message in the broker: they may be behind it
    assert reconcile_once(settings) == 0
    redis.Redis.from_url(redis_url).delete(f"{redis_namespace}:{FETCH_QUEUE}.msgs", f"{redis_namespace}:{FETCH_QUEUE}")
    assert reconcile_once(settings) == 3
    assert reconcile_once(settings) == 0  # their messages are in the broker now
