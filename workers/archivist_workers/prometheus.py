"""Dramatiq's Prometheus middleware, with its retry count and delayed-message gauge read right.

Upstream (dramatiq 2.x) both go wrong on every retry, since a retry waits out its backoff on
the delay queue:

- ``dramatiq_message_retries_total`` counts a message whenever it is enqueued with a
  ``retries`` option: once when Retries puts it on the delay queue, and again when the worker
  that held it there puts it back on its queue once due. Every retry counted twice.
- ``dramatiq_delayed_messages_inprogress`` (delayed messages held in a worker's memory) goes up
  in the process that takes the message off the delay queue and down only if that same process
  later runs it; but a due message goes back through the broker and any process, of any worker,
  may run it, so the gauge only grows. It is also a gauge of multiprocess mode ``all``: one
  series per process id, kept after the process has stopped.

Here a retry is counted when it goes onto the delay queue only, and the delayed gauge goes down
in the process that holds the message, when it hands it back to the broker; its mode is
``livesum`` (summed over live processes, as ``dramatiq_messages_inprogress`` is).
"""

from __future__ import annotations

from dramatiq.common import dq_name
from dramatiq.middleware.prometheus import Prometheus

__all__ = ["WorkerPrometheus"]


class WorkerPrometheus(Prometheus):
    def after_process_boot(self, broker) -> None:  # noqa: ANN001 - Dramatiq's hook
        super().after_process_boot(broker)
        import prometheus_client as prom  # after the multiprocess directory is set, as upstream

        self.inprogress_delayed_messages = prom.Gauge(
            "dramatiq_delayed_messages_inprogress",
            "The number of delayed messages in memory.",
            ["queue_name", "actor_name"],
            registry=prom.CollectorRegistry(),
            multiprocess_mode="livesum",
        )

    def after_enqueue(self, broker, message, delay) -> None:  # noqa: ANN001 - Dramatiq's hook
        if delay is not None:  # onto the delay queue (a retry waiting out its backoff)
            super().after_enqueue(broker, message, delay)
        elif message.message_id in self.delayed_messages:  # this process hands its due message back
            self.delayed_messages.discard(message.message_id)
            self.inprogress_delayed_messages.labels(dq_name(message.queue_name), message.actor_name).dec()
