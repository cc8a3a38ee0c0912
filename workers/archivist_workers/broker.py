"""Broker construction: Redis in production, Dramatiq's in-process broker when embedded."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage, Retries

from archivist.settings import Settings
from archivist_workers.actors import Actors, declare_actors
from archivist_workers.middleware import CaptureFailures, RuntimeProvider
from archivist_workers.queue import redis_broker

__all__ = ["Setup", "build"]

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
        broker = redis_broker(settings)
    provider = RuntimeProvider(settings)
    broker.add_middleware(provider)
    broker.add_middleware(CaptureFailures(provider), before=Retries)
    broker.add_middleware(CurrentMessage())
    actors = declare_actors(broker, provider, settings)
    return Setup(broker, provider, actors)
