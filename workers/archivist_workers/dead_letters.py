"""Dead letters on the Redis broker: list, show, requeue, purge.

Dramatiq keeps a queue's dead letters in ``{namespace}:{queue}.XQ`` (a sorted set of message ids
scored by the time they were dead-lettered, dropped ``dead_message_ttl`` later) and ``{namespace}:{queue}.XQ.msgs`` (id → encoded message), and offers no API
over them. Requeue sends a fresh copy of the message (retry count reset: dramatiq's own
``Message.copy`` merges options and cannot drop it), reopens the capture it was about, and only
then removes the dead letter, so a crash in between leaves a duplicate, never a loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker

from archivist import pipeline
from archivist.adapters.redis_errors import described
from archivist.core.captures import CaptureStatus
from archivist.core.errors import NotFound, QueueUnavailable
from archivist.runtime import Runtime
from archivist_workers.queue import EXTRACT_ACTOR, EXTRACT_QUEUE, FETCH_ACTOR, FETCH_QUEUE

__all__ = ["DEAD_LETTER_QUEUES", "DeadLetter", "DeadLetters", "reopener"]

DEAD_LETTER_QUEUES = (FETCH_QUEUE, EXTRACT_QUEUE)
#: Where a requeued message's capture goes back to, by actor, so that the message finds it there.
_REOPEN_TARGETS = {FETCH_ACTOR: CaptureStatus.QUEUED, EXTRACT_ACTOR: CaptureStatus.EXTRACTING}


def reopener(runtime: Runtime) -> Callable[[str, str], None]:
    """The ``reopen`` callback of :meth:`DeadLetters.requeue` for the CLI and the web interface."""

    def reopen(actor: str, capture_id: str) -> None:
        if actor in _REOPEN_TARGETS:
            pipeline.reopen_capture(runtime, capture_id, _REOPEN_TARGETS[actor])

    return reopen


@dataclass(frozen=True, slots=True)
class DeadLetter:
    queue: str
    id: str
    actor: str
    args: list[Any]
    enqueued_at: str | None
    expires_at: str

    def as_dict(self) -> dict[str, Any]:
        return {"queue": self.queue, "id": self.id, "actor": self.actor, "args": self.args,
                "enqueued_at": self.enqueued_at, "expires_at": self.expires_at}


def _iso_millis(millis: float | None) -> str | None:
    if millis is None:
        return None
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat().replace("+00:00", "Z")


class DeadLetters:
    """Operator access to one broker's dead-letter queues."""

    def __init__(self, broker: RedisBroker) -> None:
        self.broker = broker
        self.client: redis.Redis = broker.client

    def _keys(self, queue: str) -> tuple[str, str]:
        if queue not in DEAD_LETTER_QUEUES:
            raise NotFound(f"no queue {queue!r}; the queues are {', '.join(DEAD_LETTER_QUEUES)}")
        base = f"{self.broker.namespace}:{queue}.XQ"
        return base, f"{base}.msgs"

    def count(self, queue: str) -> int:
        ids, _ = self._keys(queue)
        return self._call(lambda: self.client.zcard(ids))

    def list(self, queue: str, *, limit: int = 100) -> list[DeadLetter]:
        ids_key, msgs_key = self._keys(queue)

        def read() -> list[DeadLetter]:
            # Redis reads a range's end as a 64-bit integer: a limit past it is no limit (-1, the last).
            entries = self.client.zrange(ids_key, 0, limit - 1 if limit <= 2**63 else -1, withscores=True)
            bodies = self.client.hmget(msgs_key, [message_id for message_id, _ in entries]) if entries else []
            letters = []
            for (message_id, score), body in zip(entries, bodies, strict=True):
                if body is None:
                    continue
                message = dramatiq.Message.decode(body)
                expires = _iso_millis(score + self.broker.dead_message_ttl) or ""
                letters.append(DeadLetter(queue, message_id.decode(), message.actor_name, list(message.args),
                                          _iso_millis(message.message_timestamp), expires))
            return letters

        return self._call(read)

    def missing(self, queue: str, message_ids: list[str]) -> list[str]:
        """Those of ``message_ids`` that are not dead letters of ``queue``: for an operator to hear
        about a mistyped id (or one of the other queue) before anything is requeued or dropped."""
        _, msgs_key = self._keys(queue)
        bodies = self._call(lambda: self.client.hmget(msgs_key, message_ids)) if message_ids else []
        return [message_id for message_id, body in zip(message_ids, bodies, strict=True) if body is None]

    def show(self, queue: str, message_id: str) -> dict[str, Any]:
        _, msgs_key = self._keys(queue)
        body = self._call(lambda: self.client.hget(msgs_key, message_id))
        if body is None:
            raise NotFound(f"no dead letter {message_id!r} on queue {queue!r}")
        return dramatiq.Message.decode(body).asdict()

    def requeue(self, queue: str, message_ids: list[str] | None, *, reopen: Callable[[str, str], None]) -> int:
        """Send dead letters back (all when ``message_ids`` is None). ``reopen(actor, capture_id)``
        puts the capture back where the message will find it. Returns how many were requeued."""
        ids_key, msgs_key = self._keys(queue)
        if message_ids is None:
            message_ids = [m.decode() for m in self._call(lambda: self.client.zrange(ids_key, 0, -1))]
        done = 0
        for message_id in message_ids:
            body = self._call(lambda message_id=message_id: self.client.hget(msgs_key, message_id))
            if body is None:
                continue
            old = dramatiq.Message.decode(body)
            if old.args:
                reopen(old.actor_name, old.args[0])
            fresh = dramatiq.Message(queue_name=old.queue_name, actor_name=old.actor_name, args=old.args,
                                     kwargs=old.kwargs, options={})
            self._call(lambda fresh=fresh: self.broker.enqueue(fresh))
            self._delete(ids_key, msgs_key, message_id)
            done += 1
        return done

    def purge(self, queue: str, message_ids: list[str] | None = None) -> int:
        """Drop dead letters (all when ``message_ids`` is None). Returns how many were dropped."""
        ids_key, msgs_key = self._keys(queue)
        if message_ids is None:
            count = self.count(queue)
            self._call(lambda: self.client.delete(ids_key, msgs_key))
            return count
        return sum(self._delete(ids_key, msgs_key, message_id) for message_id in dict.fromkeys(message_ids))

    def _delete(self, ids_key: str, msgs_key: str, message_id: str) -> bool:
        """Remove one dead letter; False if it was not there."""
        def delete() -> bool:
            with self.client.pipeline() as pipe:
                pipe.zrem(ids_key, message_id)
                pipe.hdel(msgs_key, message_id)
                return pipe.execute()[1] == 1

        return self._call(delete)

    @staticmethod
    def _call(operation: Callable[[], Any]) -> Any:
        try:
            return operation()
        except redis.RedisError as exc:
            raise QueueUnavailable(f"cannot reach the broker: {described(exc)}") from exc
