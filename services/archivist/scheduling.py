"""Scheduled re-capture: schedules as data, and the scheduler's tick.

A tick claims every due slot and submits those URLs through :func:`archivist.pipeline.submit`.
The claim commits before the submission (at most once per slot): two schedulers running at the
same time never submit the same slot twice, and a scheduler that dies between the two loses
that slot, not the schedule (the next slot comes due as usual).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from archivist import pipeline
from archivist.adapters.catalog import ScheduleRow
from archivist.core.errors import CatalogConflict, InvalidInput, NotFound
from archivist.core.keys import warc_timestamp
from archivist.core.schedules import check_interval, next_slot
from archivist.core.urls import canonicalize, urlkey
from archivist.runtime import Runtime

__all__ = ["Due", "add_schedule", "list_schedules", "remove_schedule", "run_due", "schedule_view"]

log = logging.getLogger(__name__)

#: Slots claimed per transaction: bounds how long a tick holds row locks.
CLAIM_BATCH = 500


@dataclass(frozen=True, slots=True)
class Due:
    """One claimed slot and the capture submitted for it."""

    schedule_id: str
    url: str
    slot: datetime
    capture_id: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def schedule_view(row: ScheduleRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "interval_seconds": row.interval_seconds,
        "next_due_at": _aware(row.next_due_at).isoformat().replace("+00:00", "Z"),
        "next_due_timestamp": warc_timestamp(_aware(row.next_due_at)),
        "last_submitted_at": _aware(row.last_submitted_at).isoformat().replace("+00:00", "Z")
        if row.last_submitted_at else None,
        "last_capture_id": row.last_capture_id,
    }


def add_schedule(runtime: Runtime, url: str, interval: timedelta, *, now: datetime | None = None) -> dict[str, Any]:
    """Schedule ``url`` every ``interval``; the first capture is due at once.

    Adding a URL that already has a schedule changes its interval and keeps its next slot.
    So does adding it while another request adds it too: the one that finds its insert beaten
    by the URL's unique key (CatalogConflict) looks again, finds that schedule and updates it,
    instead of failing a request that asked for what now exists.

    Raises:
        InvalidURL: the URL is not valid.
        InvalidInput: the interval is below the minimum.
    """
    canonical = canonicalize(url, max_length=runtime.settings.max_url_length)
    seconds = int(check_interval(interval).total_seconds())
    now = now or datetime.now(UTC)
    try:
        return _put_schedule(runtime, canonical, seconds, now)
    except CatalogConflict:
        return _put_schedule(runtime, canonical, seconds, now)


def _put_schedule(runtime: Runtime, canonical: str, seconds: int, now: datetime) -> dict[str, Any]:
    """Insert the schedule of ``canonical``, or change the interval of the one it has."""
    with runtime.database.session() as session:
        row = runtime.catalog.get_schedule_by_url(session, canonical)
        if row is None:
            row = runtime.catalog.add_schedule(
                session,
                ScheduleRow(id=str(uuid.uuid4()), url=canonical, urlkey=urlkey(canonical),
                            interval_seconds=seconds, next_due_at=now, created_at=now),
            )
        else:
            row.interval_seconds = seconds
        return schedule_view(row)


def list_schedules(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.database.session() as session:
        return [schedule_view(row) for row in runtime.catalog.schedules(session)]


def remove_schedule(runtime: Runtime, id_or_url: str) -> None:
    """Remove a schedule by id or by URL.

    Raises:
        NotFound: no such schedule.
    """
    with runtime.database.session() as session:
        row = runtime.catalog.get_schedule(session, id_or_url)
        if row is None:
            try:
                row = runtime.catalog.get_schedule_by_url(session, canonicalize(id_or_url))
            except InvalidInput:
                row = None
        if row is None:
            raise NotFound(f"no schedule {id_or_url!r}")
        runtime.catalog.delete_schedule(session, row.id)


def run_due(runtime: Runtime, *, now: datetime | None = None) -> list[Due]:
    """Claim every slot due at ``now`` and submit its URL. Returns what was submitted.

    Raises:
        QueueUnavailable: the broker refused the submissions (their slots stay claimed and
            their captures are marked failed by :func:`pipeline.submit`).
    """
    now = now or datetime.now(UTC)
    submitted: list[Due] = []
    while True:
        claimed: list[tuple[str, str, datetime]] = []
        with runtime.database.session() as session:
            for row in runtime.catalog.due_schedules(session, now, limit=CLAIM_BATCH):
                due = _aware(row.next_due_at)
                following = next_slot(due, timedelta(seconds=row.interval_seconds), now)
                if runtime.catalog.claim_slot(session, row.id, due=row.next_due_at, next_due=following, now=now):
                    claimed.append((row.id, row.url, due))
        if not claimed:
            return submitted
        submissions = pipeline.submit(runtime, [url for _, url, _ in claimed])
        with runtime.database.session() as session:
            for (schedule_id, url, due), submission in zip(claimed, submissions, strict=True):
                runtime.catalog.note_scheduled_capture(session, schedule_id, submission.id)
                submitted.append(Due(schedule_id, url, due, submission.id))
        log.info("scheduler: submitted %d due captures", len(claimed))
