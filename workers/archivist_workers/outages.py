"""Waiting out an outage of our own servers, apart from the capture's retry budget.

The retries of a step (``ARCHIVIST_FETCH_MAX_RETRIES``...) are for the site: its 5xx, timeouts
and resets. S3, the catalog database or Redis being down is not the site's failure: a step that
meets it is retried with capped exponential backoff, without spending a retry, for as long as
``ARCHIVIST_OUTAGE_PATIENCE`` from the first failure of an unbroken run of them. Past that, the
capture fails with the server's reason. The run's start and length travel in the message's
options, so the wait survives redelivery to another worker.
"""

from __future__ import annotations

import time

import dramatiq
from dramatiq.common import compute_backoff

from archivist.core.errors import ServerUnavailable
from archivist.settings import Settings

__all__ = ["OutageOutlasted", "end_outage", "wait_for_server"]

#: Message options: when the current run of server failures began (epoch ms), and its length.
_SINCE = "outage_since"
_WAITS = "outage_waits"


class OutageOutlasted(dramatiq.Retry):
    """The server stayed down longer than the patience allows: not retried (``retry_when``),
    the capture fails with the server's reason (``CaptureFailures``)."""


def wait_for_server(message: dramatiq.Message, exc: ServerUnavailable, settings: Settings) -> dramatiq.Retry:
    """What the step raises for ``exc``: a retry after the next backoff of the outage, or
    :class:`OutageOutlasted` once it has lasted ``settings.outage_patience``.

    The caller gives back the retry Dramatiq is about to count (as for ``host_busy``).
    """
    now = int(time.time() * 1000)
    since = message.options.setdefault(_SINCE, now)
    waits = message.options.get(_WAITS, 0)
    waited = (now - since) / 1000
    if waited >= settings.outage_patience:
        return OutageOutlasted(
            f"{exc.server} was unavailable for {waited:.0f} s, longer than ARCHIVIST_OUTAGE_PATIENCE "
            f"({settings.outage_patience:g} s): {exc.message}")
    if exc.retry_after is not None:
        delay = int(exc.retry_after * 1000)
    else:
        _, delay = compute_backoff(waits, factor=settings.retry_min_backoff_ms,
                                   max_backoff=settings.retry_max_backoff_ms)
    message.options[_WAITS] = waits + 1
    return dramatiq.Retry(f"waiting for {exc.server} ({waited:.0f} s of {settings.outage_patience:g} s "
                          f"patience): {exc.message}", delay=delay)


def end_outage(message: dramatiq.Message) -> None:
    """Forget the run of server failures: the servers answered, a later outage waits anew."""
    message.options.pop(_SINCE, None)
    message.options.pop(_WAITS, None)
