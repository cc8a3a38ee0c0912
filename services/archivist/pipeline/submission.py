"""Submission: validate, record and enqueue URLs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from archivist.adapters.catalog import NewCapture
from archivist.core.captures import CaptureStatus
from archivist.core.errors import (
    InvalidInput,
    QueueUnavailable,
)
from archivist.core.urls import canonicalize, shown_input, urlkey
from archivist.pipeline.common import utcnow
from archivist.runtime import Runtime

__all__ = ["Submission", "submit"]


@dataclass(frozen=True, slots=True)
class Submission:
    """One submitted URL and what became of it at submission time."""

    id: str
    url: str
    status: str
    reason: str | None = None
    message: str | None = None
    existing: bool = False


def submit(
    runtime: Runtime, urls: Iterable[str], *, if_not_archived_within: timedelta | None = None
) -> list[Submission]:
    """Validate, record and enqueue each URL. Returns one :class:`Submission` per input, in order.

    An invalid URL becomes a failed capture with reason ``invalid_url``: the caller sees why,
    and the batch goes on. With ``if_not_archived_within``, a URL captured (and not failed)
    within that window returns the existing capture instead of a new one.

    Raises:
        QueueUnavailable: the broker refused the batch; its captures are marked failed.
    """
    now = utcnow()
    max_length = runtime.settings.max_url_length
    queued, failed = CaptureStatus.QUEUED.value, CaptureStatus.FAILED.value
    # Plain dicts, not CaptureRow objects: nobody reads these rows back here, and the ORM's
    # per-attribute instrumentation is per-URL work that the INSERT does not need.
    captures: list[NewCapture] = []
    results: list[Submission] = []
    to_enqueue: list[str] = []
    with runtime.database.session() as session:
        for raw in urls:
            capture_id = str(uuid.uuid4())
            try:
                url = canonicalize(raw, max_length=max_length)
            except InvalidInput as exc:
                shown = shown_input(raw, max_length=max_length)
                captures.append({
                    "id": capture_id, "url": shown, "urlkey": "", "status": failed, "reason": exc.reason,
                    "message": exc.message, "submitted_at": now, "updated_at": now, "finished_at": now,
                    "attempts": 0,
                })
                results.append(Submission(capture_id, shown, failed, exc.reason, exc.message))
                continue
            key = urlkey(url)
            if if_not_archived_within is not None:
                recent = runtime.catalog.latest_capture(session, key, since=now - if_not_archived_within)
                if recent is not None:
                    results.append(Submission(recent.id, recent.url, recent.status, existing=True))
                    continue
            captures.append({
                "id": capture_id, "url": url, "urlkey": key, "status": queued, "reason": None, "message": None,
                "submitted_at": now, "updated_at": now, "finished_at": None, "attempts": 0,
            })
            results.append(Submission(capture_id, url, queued))
            to_enqueue.append(capture_id)
        runtime.catalog.insert_captures(session, captures)
    if to_enqueue:
        try:
            runtime.queue.enqueue_fetch(to_enqueue)
        except QueueUnavailable as exc:
            with runtime.database.session() as session:
                for capture_id in to_enqueue:
                    runtime.catalog.move(
                        session, capture_id, CaptureStatus.FAILED, reason=exc.reason, message=exc.message
                    )
            raise
    return results
