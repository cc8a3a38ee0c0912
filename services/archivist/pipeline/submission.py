"""Submission: validate, record and enqueue URLs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from archivist.adapters.catalog import CaptureRow, NewCapture
from archivist.core.captures import TERMINAL, CaptureStatus
from archivist.core.errors import (
    Interrupted,
    InvalidInput,
    QueueUnavailable,
)
from archivist.core.urls import canonicalize, shown_input, urlkey
from archivist.pipeline.common import utcnow
from archivist.runtime import Runtime

__all__ = ["Submission", "left_by_interrupted_run", "submit"]


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
    runtime: Runtime, urls: Iterable[str], *, if_not_archived_within: timedelta | None = None, resume: bool = False
) -> list[Submission]:
    """Validate, record and enqueue each URL. Returns one :class:`Submission` per input, in order.

    An invalid URL becomes a failed capture with reason ``invalid_url``: the caller sees why,
    and the batch goes on. With ``if_not_archived_within``, a URL captured (and not failed)
    within that window returns the existing capture instead of a new one. With ``resume``, the
    captures an interrupted run of these URLs left are taken up (see :func:`left_by_interrupted_run`).

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
    if resume:
        urls = list(urls)
    with runtime.database.session() as session:
        left = left_by_interrupted_run(runtime, session, urls) if resume else {}
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
            if key in left:
                earlier = left.pop(key)
                results.append(Submission(earlier.id, earlier.url, earlier.status, earlier.reason, earlier.message,
                                          existing=True))
                if CaptureStatus(earlier.status) not in TERMINAL:
                    to_enqueue.append(earlier.id)
                continue
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


def left_by_interrupted_run(runtime: Runtime, session: Session, urls: Iterable[str]) -> dict[str, CaptureRow]:
    """The captures that an interrupted run of these URLs left, by URL key: to finish or to report.

    A run stopped before the end (Ctrl-C on ``archivist archive``) leaves its unreached URLs'
    captures ``queued`` and the ones it was fetching failed ``interrupted``. Such a newest
    capture names that run's batch by its submission time (one ``submit`` stamps all of its
    captures with one time). Every capture of the batch that is a URL's newest, but the
    ``interrupted`` ones (they get a new capture), is returned: the unfinished ones get their
    fetch message again (a step some live holder still has is left to it: the claim is
    conditional), the finished ones are reported as they ended rather than fetched again. So
    running the same command again resumes the batch; once it is done, a run captures anew.
    """
    max_length = runtime.settings.max_url_length
    newest: dict[str, CaptureRow] = {}
    for raw in urls:
        try:
            key = urlkey(canonicalize(raw, max_length=max_length))
        except InvalidInput:
            continue
        if key not in newest and (capture := runtime.catalog.newest_capture(session, key)) is not None:
            newest[key] = capture
    batches = {capture.submitted_at for capture in newest.values()
               if capture.status == CaptureStatus.QUEUED.value or capture.reason == Interrupted.reason}
    return {key: capture for key, capture in newest.items()
            if capture.submitted_at in batches and capture.reason != Interrupted.reason}
