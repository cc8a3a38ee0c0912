"""The actors: thin wrappers that hand a capture id to the pipeline.

They are declared on a given broker (not at import time), so the same code runs on Redis in
production and on Dramatiq's in-process broker in the embedded default.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import dramatiq
from dramatiq.middleware import CurrentMessage, TimeLimitExceeded

from archivist import pipeline
from archivist.core.errors import HostBusy, ServerUnavailable, TransientFailure
from archivist.observability import metrics
from archivist.settings import Settings
from archivist_workers.middleware import RuntimeProvider
from archivist_workers.outages import OutageOutlasted, end_outage, wait_for_server
from archivist_workers.outcomes import observe
from archivist_workers.queue import (
    EXTRACT_ACTOR,
    EXTRACT_QUEUE,
    FETCH_ACTOR,
    FETCH_QUEUE,
    REEXTRACT_ACTOR,
)

__all__ = ["Actors", "declare_actors"]

log = logging.getLogger(__name__)


Outcome = pipeline.FetchOutcome | pipeline.ExtractOutcome | pipeline.ReextractOutcome


@dataclass(frozen=True, slots=True)
class Actors:
    fetch_capture: dramatiq.Actor
    extract_capture: dramatiq.Actor
    reextract_capture: dramatiq.Actor


def _retry_when(max_retries: int) -> Callable[[int, BaseException], bool]:
    """Retry transient failures and unexpected errors, up to ``max_retries`` times.

    A step that ran past its time limit is not retried: every page is fetched within the
    fetch limits, so what overran is the extraction of the same pages, which would take as
    long again (:class:`~archivist_workers.middleware.CaptureFailures` ends the capture).
    Nor is one whose server stayed down past ``ARCHIVIST_OUTAGE_PATIENCE`` (:class:`OutageOutlasted`).
    """

    def retry_when(retries: int, exception: BaseException) -> bool:
        return retries < max_retries and not isinstance(exception, TimeLimitExceeded | OutageOutlasted)

    return retry_when


def _give_back_the_retry(message: dramatiq.Message) -> None:
    """Keep the message's retry count where it was, though Dramatiq is about to add one.

    Waiting for a host's turn (``HostBusy``) is politeness, not a failed attempt: counted, a
    batch of one site's pages spent its retries queueing behind itself and failed ``host_busy``
    while the site was fine. Dramatiq's Retries middleware adds one to ``retries`` for every
    retry, Retry included, so one is taken off first. The same goes for waiting for one of our
    own servers (:mod:`archivist_workers.outages`): the retries are the site's budget.
    """
    message.options["retries"] = message.options.get("retries", 0) - 1


def _spend_a_retry(step_name: str, capture_id: str, message: dramatiq.Message,
                   exc: TransientFailure) -> dramatiq.Retry:
    """The retry of a transient failure that counts against the capture's retries (the site's
    5xx, a timeout, this machine's full disk), logged as one line."""
    end_outage(message)
    log.warning("%s %s: %s (%s, transient: retried while retries last)", step_name, capture_id, exc.message,
                exc.reason)
    return dramatiq.Retry(exc.message, delay=int(exc.retry_after * 1000) if exc.retry_after is not None else None)


def _step(step: Callable[[str], Outcome], settings: Settings) -> Callable[[str], None]:
    """The one wrapper around every actor: metrics from the outcome, and retries.

    A transient failure (a site or server down, a host's turn to wait for) is expected: it
    becomes Dramatiq's own ``Retry``, after the delay its server named (``Retry-After``) or
    else the usual backoff, and is logged as one line naming the capture and the reason.
    Dramatiq logs any other exception with its traceback; a transient failure's traceback
    would only repeat, at every retry, where the network call was made. One of our own
    servers being down spends no retry: the step waits for it (:mod:`archivist_workers.outages`).
    The outcome is observed here, not returned: Dramatiq has no use for actor results.
    """

    @functools.wraps(step)
    def run(capture_id: str) -> None:
        message = CurrentMessage.get_current_message()
        try:
            outcome = step(capture_id)
        except HostBusy as exc:
            metrics.STEP_ERRORS.labels(step.__name__, exc.reason).inc()
            _give_back_the_retry(message)
            raise dramatiq.Retry(exc.message, delay=int((exc.retry_after or 1.0) * 1000)) from exc
        except ServerUnavailable as exc:
            metrics.STEP_ERRORS.labels(step.__name__, exc.reason).inc()
            if exc.local:  # this machine's own disk: nothing to wait out
                raise _spend_a_retry(step.__name__, capture_id, message, exc) from exc
            retry = wait_for_server(message, exc, settings)
            if isinstance(retry, OutageOutlasted):
                log.warning("%s %s: %s (%s, giving up)", step.__name__, capture_id, retry, exc.reason)
            else:
                _give_back_the_retry(message)
                log.warning("%s %s: %s (%s, retried in %.1f s; no retry spent)",
                            step.__name__, capture_id, retry, exc.reason, retry.delay / 1000)
            raise retry from exc
        except TransientFailure as exc:
            metrics.STEP_ERRORS.labels(step.__name__, exc.reason).inc()
            raise _spend_a_retry(step.__name__, capture_id, message, exc) from exc
        except Exception:
            end_outage(message)
            metrics.STEP_ERRORS.labels(step.__name__, "internal_error").inc()
            raise
        observe(outcome)

    return run


def declare_actors(broker: dramatiq.Broker, provider: RuntimeProvider, settings: Settings) -> Actors:
    def fetch_capture(capture_id: str) -> pipeline.FetchOutcome:
        message = CurrentMessage.get_current_message()
        # Retries counts the deliveries before this one; at the maximum, a failure is final.
        last_attempt = message.options.get("retries", 0) >= settings.fetch_max_retries
        return pipeline.fetch_capture(provider.runtime, capture_id, delivery=message.message_id,
                                      last_attempt=last_attempt)

    def extract_capture(capture_id: str) -> pipeline.ExtractOutcome:
        return pipeline.extract_capture(provider.runtime, capture_id)

    def reextract_capture(capture_id: str) -> pipeline.ReextractOutcome:
        return pipeline.reextract_capture(provider.runtime, capture_id)

    common = {
        "broker": broker,
        "min_backoff": settings.retry_min_backoff_ms,
        "max_backoff": settings.retry_max_backoff_ms,
    }
    return Actors(
        fetch_capture=dramatiq.actor(
            _step(fetch_capture, settings),
            actor_name=FETCH_ACTOR,
            queue_name=FETCH_QUEUE,
            retry_when=_retry_when(settings.fetch_max_retries),
            # Every page, then their extraction (see pipeline.extract_fetched).
            time_limit=int((settings.total_timeout * (settings.max_pages + 1) + settings.extract_time_limit) * 1000),
            **common,
        ),
        extract_capture=dramatiq.actor(
            _step(extract_capture, settings),
            actor_name=EXTRACT_ACTOR,
            queue_name=EXTRACT_QUEUE,
            retry_when=_retry_when(settings.extract_max_retries),
            time_limit=int(settings.extract_time_limit * 1000),
            **common,
        ),
        reextract_capture=dramatiq.actor(
            _step(reextract_capture, settings),
            actor_name=REEXTRACT_ACTOR,
            queue_name=EXTRACT_QUEUE,
            retry_when=_retry_when(settings.extract_max_retries),
            time_limit=int(settings.extract_time_limit * 1000),
            **common,
        ),
    )
