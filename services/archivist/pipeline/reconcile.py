"""Finding captures whose message was lost, by their expired leases."""

from __future__ import annotations

import logging
from datetime import timedelta

from archivist.core.captures import CaptureStatus
from archivist.pipeline.common import extract_lease, fetch_lease, utcnow
from archivist.runtime import Runtime

__all__ = ["requeue_stale"]

log = logging.getLogger(__name__)


def requeue_stale(runtime: Runtime, *, queued_older_than: timedelta, limit: int = 10_000) -> int:
    """Send again the message of every live capture that looks abandoned.

    The catalog, not the broker, is the source of truth: if the broker lost a message (Redis
    restarted without persistence, a worker died while the broker was down), this finds the
    capture it was about. A step in progress is abandoned once its lease has run out (nothing
    renews it); a queued capture once it has waited ``queued_older_than``, which should exceed
    the time the backlog takes to drain. Actors are idempotent, so a message that was only slow
    is harmless to send twice.
    """
    now = utcnow()
    with runtime.database.session() as session:
        stale = runtime.catalog.stale_captures(
            session,
            older_than={
                CaptureStatus.QUEUED: now - queued_older_than,
                CaptureStatus.FETCHING: now - fetch_lease(runtime),
                CaptureStatus.EXTRACTING: now - extract_lease(runtime),
            },
            limit=limit,
        )
        fetches = [c.id for c in stale if c.status != CaptureStatus.EXTRACTING.value]
        extracts = [c.id for c in stale if c.status == CaptureStatus.EXTRACTING.value]
    if fetches:
        runtime.queue.enqueue_fetch(fetches)
    for capture_id in extracts:
        runtime.queue.enqueue_extract(capture_id)
    if stale:
        log.warning("reconcile: re-sent %d fetch and %d extract messages", len(fetches), len(extracts))
    return len(fetches) + len(extracts)
