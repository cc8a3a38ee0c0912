"""A runtime that can queue work, for the commands that do (import, reextract, scheduler).

With ``ARCHIVIST_REDIS_URL`` the work goes to the Redis queue for ``archivist worker``;
without it, in-process workers run it and ``drain`` waits for them (the embedded default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from archivist.runtime import Runtime
from archivist.settings import get_settings

__all__ = ["Queued", "queued_runtime"]


@dataclass(frozen=True, slots=True)
class Queued:
    runtime: Runtime
    #: Waits until queued work is done, True, or until the ``threading.Event`` it may be given
    #: is set, False (embedded: ``EmbeddedWorkers.drain``); or None: remote workers will do it.
    drain: Callable[..., bool] | None
    #: How much queued re-extraction work is left (embedded), for progress bars.
    pending: Callable[[], int] | None


@contextmanager
def queued_runtime() -> Iterator[Queued]:
    settings = get_settings()
    if settings.redis_url:
        from archivist_workers.queue import redis_task_queue

        runtime = Runtime(settings, queue=redis_task_queue(settings))
        try:
            runtime.prepare()
            yield Queued(runtime, None, None)
        finally:
            runtime.close()
        return
    from archivist_workers.embedded import EmbeddedWorkers
    from archivist_workers.queue import EXTRACT_QUEUE

    with EmbeddedWorkers(settings) as workers:
        queue = workers.setup.broker.queues[EXTRACT_QUEUE]
        yield Queued(workers.runtime, workers.drain, lambda: queue.unfinished_tasks)
