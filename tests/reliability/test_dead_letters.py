"""Dead letters as operators see them: ``archivist dlq list`` on a real Redis broker."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from typer.testing import CliRunner

from archivist.cli import app
from archivist.settings import get_settings
from archivist_workers.queue import FETCH_ACTOR, FETCH_QUEUE
from tests.support.processes import archivist_env


def dead_letter(broker: RedisBroker, capture_id: str) -> None:
    """Dead-letter a fetch message the way a worker does once its retries are spent (a nack)."""
    message = dramatiq.Message(queue_name=FETCH_QUEUE, actor_name=FETCH_ACTOR, args=(capture_id,),
                               kwargs={}, options={})
    broker.enqueue(message)
    consumer = broker.consume(FETCH_QUEUE, prefetch=1, timeout=100)
    held = next(m for m in (next(consumer) for _ in range(50)) if m is not None)
    consumer.nack(held)
    consumer.close()


def test_dlq_list_says_when_a_dead_letter_expires_not_when_it_died(redis_url: str, redis_namespace: str) -> None:
    """Dramatiq scores a dead letter by the time it was dead-lettered and drops it a TTL later
    (7 days): an expiry of "now" would tell the operator it is about to vanish."""
    broker = RedisBroker(url=redis_url, namespace=redis_namespace)
    dead_letter(broker, "capture-1")
    broker.close()

    listed = subprocess.run(
        [sys.executable, "-m", "archivist", "dlq", "list", "--queue", "fetch"],
        env=archivist_env({"ARCHIVIST_REDIS_URL": redis_url, "ARCHIVIST_REDIS_NAMESPACE": redis_namespace}),
        capture_output=True, text=True, timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    (letter,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert letter["args"] == ["capture-1"]
    expires = datetime.fromisoformat(letter["expires_at"].replace("Z", "+00:00"))
    ttl = timedelta(milliseconds=broker.dead_message_ttl)
    assert abs(expires - (datetime.now(UTC) + ttl)) < timedelta(minutes=1), letter


def test_dlq_purge_and_requeue_refuse_ids_that_are_not_dead_letters(
    redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id that is not a dead letter of the queue (mistyped, of the other queue, already gone)
    is an error that names it, before anything is dropped or sent; a purge counts what it dropped."""
    broker = RedisBroker(url=redis_url, namespace=redis_namespace)
    dead_letter(broker, "capture-1")
    monkeypatch.setenv("ARCHIVIST_REDIS_URL", redis_url)
    monkeypatch.setenv("ARCHIVIST_REDIS_NAMESPACE", redis_namespace)
    get_settings.cache_clear()
    (letter,) = [json.loads(line) for line in CliRunner().invoke(app, ["dlq", "list"]).stdout.splitlines()]
    dead = f"{redis_namespace}:{FETCH_QUEUE}.XQ"

    for args in (["purge", letter["id"], "no-such-id"], ["requeue", letter["id"], "no-such-id"],
                 ["purge", "--queue", "extract", letter["id"]]):
        refused = CliRunner().invoke(app, ["dlq", *args])
        assert refused.exit_code == 2, refused.stderr
        assert "not_found" in refused.stderr and args[-1] in refused.stderr.replace("\n", ""), refused.stderr
        assert broker.client.zcard(dead) == 1, args

    purged = CliRunner().invoke(app, ["dlq", "purge", letter["id"], letter["id"]])
    assert purged.exit_code == 0, purged.stderr
    assert "purged 1 message(s)" in purged.stderr
    assert broker.client.zcard(dead) == 0
    broker.close()


def test_dlq_list_says_when_it_shows_only_some(redis_url: str, redis_namespace: str, monkeypatch) -> None:
    """On a queue of thousands of dead letters the listing stops at ``--limit`` (100): the operator
    is told how many there are in all, not left to take the page for the whole."""
    broker = RedisBroker(url=redis_url, namespace=redis_namespace)
    for n in range(3):
        dead_letter(broker, f"capture-{n}")
    broker.close()
    monkeypatch.setenv("ARCHIVIST_REDIS_URL", redis_url)
    monkeypatch.setenv("ARCHIVIST_REDIS_NAMESPACE", redis_namespace)
    get_settings.cache_clear()

    some = CliRunner().invoke(app, ["dlq", "list", "--limit", "2"])
    assert some.exit_code == 0, some.stderr
    assert len(some.stdout.splitlines()) == 2
    assert "2 of 3" in some.stderr and "--limit" in some.stderr, some.stderr
    every = CliRunner().invoke(app, ["dlq", "list"])
    assert len(every.stdout.splitlines()) == 3 and every.stderr == ""


def test_dlq_list_with_a_limit_beyond_redis_integers_lists_them_all(
    redis_url: str, redis_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``--limit`` past a 64-bit integer went to ZRANGE as it was, and Redis's "value is not an
    integer or out of range" was reported as a broker that cannot be reached (queue_unavailable)."""
    broker = RedisBroker(url=redis_url, namespace=redis_namespace)
    dead_letter(broker, "capture-1")
    broker.close()
    monkeypatch.setenv("ARCHIVIST_REDIS_URL", redis_url)
    monkeypatch.setenv("ARCHIVIST_REDIS_NAMESPACE", redis_namespace)
    get_settings.cache_clear()
    listed = CliRunner().invoke(app, ["dlq", "list", "--limit", "99999999999999999999"])
    assert listed.exit_code == 0, listed.stderr
    (letter,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert letter["args"] == ["capture-1"]
