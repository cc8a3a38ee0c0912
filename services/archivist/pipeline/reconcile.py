"""Finding captures whose message was lost, by their expired leases."""

from __future__ import annotations

import logging
from datetime import timedelta

from archivist.core.captures import CaptureStatus
from archivist.core.errors import QueueUnavailable
from archivist.pipeline.common import extract_lease, fetch_lease, utcnow
from archivist.runtime import Runtime

__all__ = ["LOST_WHEN_NOTHING_WAITS", "requeue_stale"]

log = logging.getLogger(__name__)

#: A capture queued this long while the broker holds no fetch message has lost its message: its
#: submission commits the capture a moment before sending the message, never minutes before.
LOST_WHEN_NOTHING_WAITS = timedelta(minutes=1)


def requeue_stale(runtime: Runtime, *, queued_older_than: timedelta, limit: int = 10_000) -> int:
    """Send again the message of every live capture that looks abandoned.

    The catalog, not the broker, is the source of truth: if the broker lost a message (Redis
    restarted without persistence, a worker died while the broker was down), this finds the
    capture it was about. A step in progress is abandoned once its lease has run out (nothing
    renews it); a queued capture once it has waited ``queued_older_than``, or at once if it
    was last sent before the broker's memory begins (:meth:`TaskQueue.kept_since`: a Redis
    without persistence restarted since, its queues empty), or after :data:`LOST_WHEN_NOTHING_WAITS`
    if the broker holds no fetch message at all (:meth:`TaskQueue.holds_fetches`: there is
    nothing for it to wait behind; the process that recorded it died before sending it, or the
    broker lost it). Actors are idempotent, so a message that was only slow is harmless to send
    twice.

    Each capture is touched as its message is re-sent (an abandoned fetch has its expired lease
    revoked too, so that the new message's claim takes it, and the dead holder, were it only
    slow, can renew it no more), so that behind a backlog longer than its period it gets one more
    message per period, not one per run, and two runs at once (two schedulers overlapping in a
    restart, or the scheduler and an operator) send it one between them.
    """
    kept_since = runtime.queue.kept_since()
    holds_fetches = runtime.queue.holds_fetches()
    now = utcnow()
    queued_before = now - queued_older_than
    if kept_since is not None:
        queued_before = max(queued_before, kept_since)
    if holds_fetches is False:
        queued_before = max(queued_before, now - LOST_WHEN_NOTHING_WAITS)
    older_than = {
        CaptureStatus.QUEUED: queued_before,
        CaptureStatus.FETCHING: now - fetch_lease(runtime),
        CaptureStatus.EXTRACTING: now - extract_lease(runtime),
    }
    with runtime.database.session() as session:
        stale = runtime.catalog.stale_captures(session, older_than=older_than, limit=limit)
    waiting = {c.id: c.updated_at for c in stale}
    with runtime.database.session() as session:
        touched = runtime.catalog.mark_resent(session, list(waiting), now=now, older_than=older_than)
    fetches = [capture_id for capture_id, status in touched if status != CaptureStatus.EXTRACTING.value]
    extracts = [capture_id for capture_id, status in touched if status == CaptureStatus.EXTRACTING.value]
    try:
        if fetches:
            runtime.queue.enqueue_fetch(fetches)
        for capture_id in extracts:
            runtime.queue.enqueue_extract(capture_id)
    except QueueUnavailable:
        with runtime.database.session() as session:
            runtime.catalog.unmark_resent(session, {capture_id: waiting[capture_id] for capture_id, _ in touched}, now=now)
        raise
    if fetches or extracts:
        log.warning("reconcile: re-sent %d fetch and %d extract messages", len(fetches), len(extracts))
    return len(fetches) + len(extracts)
