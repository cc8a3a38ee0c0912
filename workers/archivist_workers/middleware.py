"""Cross-cutting concerns of the actors, as Dramatiq middleware.

- :class:`RuntimeProvider`: builds the process's adapters once, after the worker process boots.
- :class:`CaptureFailures`: a message that exhausted its retries ends its capture as failed,
  with the reason of the last error, so no capture is left pending when its message dies; one
  whose step ran past its time limit (never retried) ends it failed ``time_limit``; one whose
  server stayed down past the outage patience, with that server's reason.
"""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import Middleware, TimeLimitExceeded

from archivist import pipeline
from archivist.core.errors import ArchivistError, ServerUnavailable, StepTimedOut, TransientFailure
from archivist.observability import metrics
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.outages import OutageOutlasted
from archivist_workers.queue import REEXTRACT_ACTOR, DramatiqTaskQueue

__all__ = ["CaptureFailures", "RuntimeProvider", "root_cause"]

log = logging.getLogger(__name__)


def root_cause(exception: BaseException) -> BaseException:
    """The error a ``dramatiq.Retry`` was raised for, or the exception itself."""
    if isinstance(exception, dramatiq.Retry) and exception.__cause__ is not None:
        return exception.__cause__
    return exception


class RuntimeProvider(Middleware):
    """Owns the :class:`Runtime` of a worker (or embedded) process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the runtime is built when the worker process boots")
        return self._runtime

    def attach(self, broker: dramatiq.Broker) -> Runtime:
        """Build the runtime for this process (idempotent)."""
        if self._runtime is None:
            self._runtime = Runtime(self.settings, queue=DramatiqTaskQueue(broker))
        return self._runtime

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        """Build the runtime, and migrate/create the bucket if the servers answer.

        A server that is down at boot must not leave the worker without a runtime: the steps
        will meet the same outage, fail transiently and be retried until it is back.
        """
        self.attach(broker).prepare_if_reachable()

    def before_process_stop(self, broker: dramatiq.Broker) -> None:
        if self._runtime is not None:
            self._runtime.close()


class CaptureFailures(Middleware):
    """Ends the capture of a message that failed for good (a re-extraction ends none: it is
    counted as a failed extraction). Must sit before ``Retries``."""

    def __init__(self, provider: RuntimeProvider) -> None:
        self.provider = provider

    def after_process_message(self, broker, message, *, result=None, exception=None):  # noqa: ANN001
        if exception is None or not message.failed or not message.args:
            return
        failure = self._failure(broker, message, exception)
        if message.actor_name == REEXTRACT_ACTOR:
            # Re-extraction never changes a capture's status: its failure shows as an extraction's.
            metrics.EXTRACTIONS.labels("failed", failure.reason).inc()
            return
        try:
            if pipeline.fail_capture(self.provider.runtime, message.args[0], failure):
                metrics.CAPTURES_FINISHED.labels("failed", failure.reason).inc()
        except ServerUnavailable as exc:  # expected in an outage: its traceback would say nothing
            log.warning("could not mark capture %s failed (%s): %s; it stays live until reconciled",
                        message.args[0], failure.reason, exc.message)
        except Exception:  # noqa: BLE001 - the dead letter stays; reconcile or requeue finds it
            log.exception("could not mark capture %s failed; it stays live until reconciled", message.args[0])

    @staticmethod
    def _failure(broker, message, exception: BaseException) -> ArchivistError:  # noqa: ANN001
        """What ended the message: its step's time limit, or the last error once retries ran out."""
        cause = root_cause(exception)
        if isinstance(cause, TimeLimitExceeded):
            limit = broker.get_actor(message.actor_name).options["time_limit"] / 1000
            failure: ArchivistError = StepTimedOut(
                f"{message.actor_name} ran past its time limit of {limit:g} s; not retried, the same "
                "pages would take as long again")
        elif isinstance(exception, OutageOutlasted):
            failure = ArchivistError(f"gave up: {exception}", reason=cause.reason)
        else:
            if not isinstance(cause, ArchivistError):
                cause = TransientFailure(f"{type(cause).__name__}: {cause}", reason="internal_error")
            attempts = message.options.get("retries", 0)
            # Only the reason and the message are recorded: no need to rebuild the error's own class.
            failure = ArchivistError(f"gave up after {attempts} attempts: {cause.message}", reason=cause.reason)
        return failure
