"""Run the actors in this process, on Dramatiq's in-process broker (the embedded default)."""

from __future__ import annotations

import dramatiq
from dramatiq.common import dq_name
from dramatiq.middleware import TimeLimit

from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.broker import Setup, build
from archivist_workers.queue import EXTRACT_QUEUE, FETCH_QUEUE

__all__ = ["EmbeddedWorkers"]


class EmbeddedWorkers:
    """In-process workers with a ``drain()`` that returns once all queued work is done."""

    def __init__(self, settings: Settings, *, threads: int = 4) -> None:
        self.setup: Setup = build(settings, embedded=True)
        self.runtime: Runtime = self.setup.provider.attach(self.setup.broker)
        self.runtime.prepare()
        self._worker = dramatiq.Worker(self.setup.broker, worker_threads=threads, worker_timeout=100)

    def __enter__(self) -> EmbeddedWorkers:
        self._start_time_limits()
        self._worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._worker.stop()
        self.runtime.close()

    def _start_time_limits(self) -> None:
        """Start Dramatiq's time limits, which a worker process starts when it boots.

        A bare ``dramatiq.Worker`` never boots a process, so without this the steps of
        ``archivist archive`` and ``demo`` ran without their time limits. Only TimeLimit's own
        boot hook is called (the runtime is prepared above); its watcher is a daemon thread
        that Dramatiq never stops, and that idles once the worker has stopped.
        """
        for middleware in self.setup.broker.middleware:
            if isinstance(middleware, TimeLimit):
                middleware.after_process_boot(self.setup.broker)

    def drain(self) -> None:
        """Wait until the fetch and extract queues (and their delay queues) are empty.

        Extraction is queued by fetches, so fetch is joined first; the loop repeats in case a
        retry put a message back on either queue meanwhile.
        """
        broker = self.setup.broker
        queues = (FETCH_QUEUE, EXTRACT_QUEUE, dq_name(FETCH_QUEUE), dq_name(EXTRACT_QUEUE))
        while True:
            broker.join(FETCH_QUEUE, fail_fast=False)
            broker.join(EXTRACT_QUEUE, fail_fast=False)
            self._worker.join()
            if not any(broker.queues[name].unfinished_tasks for name in queues):
                return
