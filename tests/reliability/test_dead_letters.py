"""Dead letters as operators see them: ``archivist dlq list`` on a real Redis broker."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import dramatiq
from dramatiq.brokers.redis import RedisBroker

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
