"""How full the queues are, for the operations page: on Redis or on the in-process broker.

The same three numbers the Prometheus exporter reads (:mod:`archivist_workers.exporter`), per
queue: messages waiting or held by a worker, retries waiting out their backoff, dead letters.
The in-process broker of embedded mode keeps them in memory and is read directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name, xq_name

from archivist.adapters.redis_errors import described
from archivist.core.errors import QueueUnavailable
from archivist_workers.queue import EXTRACT_QUEUE, FETCH_QUEUE

__all__ = ["QueueDepth", "queue_depths"]


@dataclass(frozen=True, slots=True)
class QueueDepth:
    queue: str
    waiting: int
    delayed: int
    dead: int


def queue_depths(broker: dramatiq.Broker) -> list[QueueDepth]:
    """The fetch and extract queues' depths.

    Raises:
        QueueUnavailable: Redis did not answer.
    """
    queues = (FETCH_QUEUE, EXTRACT_QUEUE)
    if isinstance(broker, StubBroker):
        return [
            QueueDepth(q, _size(broker, q), _size(broker, dq_name(q)), len(broker.dead_letters_by_queue.get(q, ())))
            for q in queues
        ]
    if not isinstance(broker, RedisBroker):
        raise QueueUnavailable(f"cannot read the queues of a {type(broker).__name__}")
    try:
        with broker.client.pipeline(transaction=False) as pipe:
            for q in queues:
                pipe.hlen(f"{broker.namespace}:{q}.msgs")
                pipe.hlen(f"{broker.namespace}:{dq_name(q)}.msgs")
                pipe.zcard(f"{broker.namespace}:{xq_name(q)}")
            replies = pipe.execute()
    except redis.RedisError as exc:
        raise QueueUnavailable(f"cannot reach the broker: {described(exc)}") from exc
    return [QueueDepth(q, *replies[3 * i : 3 * i + 3]) for i, q in enumerate(queues)]


def _size(broker: StubBroker, queue: str) -> int:
    found = broker.queues.get(queue)
    return found.qsize() if found is not None else 0
