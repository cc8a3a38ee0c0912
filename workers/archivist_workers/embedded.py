"""Run the actors in this process, on Dramatiq's in-process broker (the embedded default)."""

from __future__ import annotations

import threading

import dramatiq
from dramatiq.common import dq_name
from dramatiq.middleware import TimeLimit

from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.broker import Setup, build
from archivist_workers.queue import EXTRACT_QUEUE, FETCH_QUEUE

__all__ = ["EmbeddedWorkers"]

#: How often ``drain`` looks whether the work is done or it was told to stop. The main thread
#: runs Python between looks, so it acts on a signal within this time.
DRAIN_POLL_SECONDS = 0.1

#: How long stopping waits for the messages in hand before leaving their threads behind (they
#: are daemon threads: they end with the process). Short, so Ctrl-C exits within seconds.
STOP_GRACE_SECONDS = 2.0


class EmbeddedWorkers:
    """In-process workers with a ``drain()`` that returns once all queued work is done."""

    def __init__(self, settings: Settings, *, threads: int = 4) -> None:
        self.setup: Setup = build(settings, embedded=True)
        self.runtime: Runtime = self.setup.provider.attach(self.setup.broker)
        self.runtime.prepare()
        self._worker = dramatiq.Worker(self.setup.broker, worker_threads=threads, worker_timeout=100)
        self._stopped = False

    def __enter__(self) -> EmbeddedWorkers:
        self._start_time_limits()
        self._worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.stop(grace=STOP_GRACE_SECONDS):
            self.runtime.close()
        # Otherwise a thread still works with the runtime: closing it under that thread would
        # only make it fail noisily; the process is ending, and takes the thread with it.

    def stop(self, *, grace: float) -> bool:
        """Take no more messages; wait up to ``grace`` seconds for the ones being worked on.

        Returns whether every thread finished (a second call answers the same, doing nothing
        more). A thread still busy is left to the end of the process: a step it had not ended
        stays as the catalog last saw it, which the caller may settle (see ``archive_urls``).
        """
        if not self._stopped:
            self._stopped = True
            self._worker.stop(timeout=int(grace * 1000))
        return not any(thread.is_alive() for thread in self._worker.workers)

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

    def drain(self, stop: threading.Event | None = None) -> bool:
        """Wait until the fetch and extract queues (and their delay queues) are empty.

        Returns True then, or False as soon as ``stop`` is set. It polls, never joins without
        a timeout: a signal delivered while the main thread waits in C (``Queue.join``,
        ``Thread.join``) is only acted on once that wait ends, so a Ctrl-C would wait for the
        whole batch. The queues count a message until it is acknowledged, which comes after
        the messages it sent (the extraction, a retry), so an empty look is a true end; it is
        taken from two looks in a row, as the queues are read one after the other.
        """
        stop = stop or threading.Event()
        idle_looks = 0
        while idle_looks < 2:
            if stop.wait(DRAIN_POLL_SECONDS):
                return False
            idle_looks = idle_looks + 1 if self.pending() == 0 else 0
        return True

    def pending(self) -> int:
        """Messages on the fetch and extract queues and their delay queues, not yet acknowledged."""
        queues = self.setup.broker.queues
        return sum(queues[name].unfinished_tasks
                   for queue in (FETCH_QUEUE, EXTRACT_QUEUE) for name in (queue, dq_name(queue)))
