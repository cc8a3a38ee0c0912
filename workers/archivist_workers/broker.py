"""Broker construction: Redis in production, Dramatiq's in-process broker when embedded."""

from __future__ import annotations

import dramatiq
from archivist.settings import Settings
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries

from archivist_workers.actors import Actors, declare_actors
from archivist_workers.middleware import CaptureFailures, RuntimeProvider

__all__ = ["Setup", "build"]

#: A worker that stops heartbeating for this long has its messages handed to another worker.
HEARTBEAT_TIMEOUT_MS = 15_000
#: Run the broker's maintenance (which requeues a dead worker's messages) on every call.
MAINTENANCE_CHANCE = 1_000_000


class Setup:
    """A broker with our middleware and actors declared on it."""

    def __init__(self, broker: dramatiq.Broker, provider: RuntimeProvider, actors: Actors) -> None:
        self.broker = broker
        self.provider = provider
        self.actors = actors


def build(settings: Settings, *, embedded: bool | None = None) -> Setup:
    """Build the broker the settings select (Redis when ``ARCHIVIST_REDIS_URL`` is set)."""
    use_stub = embedded if embedded is not None else not settings.redis_url
    if use_stub:
        broker: dramatiq.Broker = StubBroker()
    else:
        broker = RedisBroker(
            url=settings.redis_url,
            heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
            maintenance_chance=MAINTENANCE_CHANCE,
        )
    provider = RuntimeProvider(settings)
    broker.add_middleware(provider)
    broker.add_middleware(CaptureFailures(provider), before=Retries)
    actors = declare_actors(broker, provider, settings)
    return Setup(broker, provider, actors)
