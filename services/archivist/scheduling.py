"""Scheduled re-capture: schedules as data, and the scheduler's tick.

A tick claims every due slot and submits those URLs through :func:`archivist.pipeline.submit`.
The claim commits before the submission (at most once per slot): two schedulers running at the
same time never submit the same slot twice, and a scheduler that dies between the two loses
that slot, not the schedule (the next slot comes due as usual).

A schedule set with an API key charges each of its captures to that key's submission quota, as
if the key had submitted the URL then: a key's quota bounds what it causes to be fetched. A slot
over the quota waits for the key's next quota window; a revoked key's schedules capture nothing
more (their slots pass) until someone sets them again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from archivist import pipeline
from archivist.access import active_principal, charge_submissions
from archivist.adapters.catalog import ScheduleRow
from archivist.core.errors import CatalogConflict, InvalidInput, NotFound, QuotaExceeded
from archivist.core.keys import warc_timestamp
from archivist.core.schedules import check_interval, next_slot
from archivist.core.urls import canonicalize, urlkey
from archivist.runtime import Runtime

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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


def add_schedule(runtime: Runtime, url: str, interval: timedelta, *, key_id: str | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """Schedule ``url`` every ``interval``; the first capture is due at once. Its captures are
    charged to the quota of API key ``key_id`` (None: no key's).

    Adding a URL that already has a schedule changes its interval and keeps its next slot; the
    key that set it last is the one charged.
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
        return _put_schedule(runtime, canonical, seconds, now, key_id)
    except CatalogConflict:
        return _put_schedule(runtime, canonical, seconds, now, key_id)


def _put_schedule(runtime: Runtime, canonical: str, seconds: int, now: datetime, key_id: str | None) -> dict[str, Any]:
    """Insert the schedule of ``canonical``, or change the interval of the one it has."""
    with runtime.database.session() as session:
        row = runtime.catalog.get_schedule_by_url(session, canonical)
        if row is None:
            row = runtime.catalog.add_schedule(
                session,
                ScheduleRow(id=str(uuid.uuid4()), url=canonical, urlkey=urlkey(canonical),
                            interval_seconds=seconds, next_due_at=now, created_at=now, key_id=key_id),
            )
        else:
            row.interval_seconds = seconds
            row.key_id = key_id
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

    A schedule set with a key is charged to its quota first (see the module's docstring).

    Raises:
        QueueUnavailable: the broker refused the submissions (their slots stay claimed and
            their captures are marked failed by :func:`pipeline.submit`), or the quota's Redis
            is down (nothing claimed; the next tick tries again).
    """
    now = now or datetime.now(UTC)
    submitted: list[Due] = []
    while True:
        claimed: list[tuple[str, str, datetime]] = []
        postponed = 0
        with runtime.database.session() as session:
            for row in runtime.catalog.due_schedules(session, now, limit=CLAIM_BATCH):
                due = _aware(row.next_due_at)
                following = next_slot(due, timedelta(seconds=row.interval_seconds), now)
                postpone_to = _uncharged(runtime, session, row, following, now)
                if postpone_to is not None:
                    postponed += runtime.catalog.postpone_slot(session, row.id, due=row.next_due_at,
                                                               next_due=postpone_to)
                elif runtime.catalog.claim_slot(session, row.id, due=row.next_due_at, next_due=following, now=now):
                    claimed.append((row.id, row.url, due))
        if not claimed:
            if postponed:  # a batch of postponed slots: later ones may be due still
                continue
            return submitted
        submissions = pipeline.submit(runtime, [url for _, url, _ in claimed])
        with runtime.database.session() as session:
            for (schedule_id, url, due), submission in zip(claimed, submissions, strict=True):
                runtime.catalog.note_scheduled_capture(session, schedule_id, submission.id)
                submitted.append(Due(schedule_id, url, due, submission.id))
        log.info("scheduler: submitted %d due captures", len(claimed))


def _uncharged(runtime: Runtime, session: Session, row: ScheduleRow, following: datetime, now: datetime) -> datetime | None:
    """Charge the due slot's capture to the schedule's key; None if charged (or no key's), else
    the moment to postpone the slot to: the key's next quota window when over its quota, the
    next slot when the key was revoked.

    The charge is taken before the slot is claimed: on PostgreSQL the row is locked, so the
    claim that follows cannot lose it to another scheduler.
    """
    if row.key_id is None:
        return None
    owner = active_principal(runtime, session, row.key_id)
    if owner is None:
        log.warning("scheduler: the key of the schedule of %s was revoked; not capturing it", row.url)
        return following
    try:
        charge_submissions(runtime, owner, 1)
    except QuotaExceeded as exc:
        log.info("scheduler: %s waits %.0f s for its key's quota", row.url, exc.retry_after)
        return now + timedelta(seconds=max(1.0, exc.retry_after))
    return None
