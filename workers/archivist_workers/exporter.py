"""The queues as Prometheus gauges, read from Dramatiq's Redis keys at scrape time.

Dramatiq's Redis broker keeps, per queue ``Q`` under its namespace ``N``
(``ARCHIVIST_REDIS_NAMESPACE``, ``dramatiq`` by default):

- ``N:Q.msgs``: a hash of every message not acknowledged yet, waiting in the list ``N:Q`` or
  held by a worker;
- ``N:Q.DQ.msgs``: the same for the delay queue (retries waiting out their backoff);
- ``N:Q.XQ``: a sorted set of the dead letters (retries exhausted), kept for 7 days.

The API process registers a :class:`QueueCollector` for the fetch and extract queues. One
pipelined round trip per scrape; when Redis does not answer, ``archivist_redis_up`` is 0 and
the queue gauges are left out rather than reported as zero.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import redis
from dramatiq.common import dq_name, xq_name
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.backoff import NoBackoff
from redis.retry import Retry

__all__ = ["QueueCollector"]

_QUEUE_MESSAGES = ("archivist_queue_messages", "Messages on a queue not acknowledged yet: waiting or held by a worker.")
_DELAYED = ("archivist_queue_delayed_messages", "Messages on a queue's delay queue: retries waiting out their backoff.")
_DEAD_LETTERS = ("archivist_queue_dead_letters", "Dead-lettered messages of a queue (retries exhausted), kept 7 days.")
_REDIS_UP = ("archivist_redis_up", "1 when the queues could be read from Redis at this scrape, else 0.")


class QueueCollector(Collector):
    """Depth, delayed and dead-letter counts of Dramatiq queues on Redis."""

    def __init__(self, client: redis.Redis, queues: Sequence[str], *, namespace: str = "dramatiq") -> None:
        self.client = client
        self.queues = tuple(queues)
        self.namespace = namespace

    @classmethod
    def from_url(cls, url: str, queues: Sequence[str], *, namespace: str = "dramatiq") -> QueueCollector:
        """A collector with its own client: 2 s timeouts and no retries, so that a stuck or
        absent Redis costs a scrape 2 s at most and shows as ``archivist_redis_up 0``."""
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))
        return cls(client, queues, namespace=namespace)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(*_REDIS_UP)
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(*_REDIS_UP)
        try:
            counts = self._read()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        families = self._families()
        for queue, values in zip(self.queues, counts, strict=True):
            for family, value in zip(families, values, strict=True):
                family.add_metric([queue], value)
        yield from families

    def _families(self) -> tuple[GaugeMetricFamily, ...]:
        return tuple(GaugeMetricFamily(name, doc, labels=["queue"]) for name, doc in (_QUEUE_MESSAGES, _DELAYED, _DEAD_LETTERS))

    def _read(self) -> list[tuple[int, int, int]]:
        with self.client.pipeline(transaction=False) as pipe:
            for queue in self.queues:
                pipe.hlen(f"{self.namespace}:{queue}.msgs")
                pipe.hlen(f"{self.namespace}:{dq_name(queue)}.msgs")
                pipe.zcard(f"{self.namespace}:{xq_name(queue)}")
            replies = pipe.execute()
        return [tuple(replies[i : i + 3]) for i in range(0, len(replies), 3)]
