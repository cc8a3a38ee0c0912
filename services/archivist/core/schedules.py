"""Re-capture schedules: when a URL's next capture is due.

A schedule's state is one moment, ``next_due_at``. Claiming a due slot moves it to the next
slot after ``now`` on the schedule's grid (``due + k * interval``), so a scheduler that was down
for a week submits the URL once, not once per missed interval, and the grid does not drift.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from archivist.core.errors import InvalidInput

__all__ = ["MIN_INTERVAL", "check_interval", "next_slot"]

#: Re-capturing more often than this is refused: it is load on someone else's server.
MIN_INTERVAL = timedelta(minutes=1)


def check_interval(interval: timedelta) -> timedelta:
    """The interval, if it is at least :data:`MIN_INTERVAL`.

    Raises:
        InvalidInput: shorter than the minimum.
    """
    if interval < MIN_INTERVAL:
        raise InvalidInput(f"a re-capture interval must be at least {int(MIN_INTERVAL.total_seconds())}s")
    return interval


def next_slot(due: datetime, interval: timedelta, now: datetime) -> datetime:
    """The first slot ``due + k * interval`` (k >= 1) strictly after ``now``."""
    if interval <= timedelta(0):
        raise ValueError("interval must be positive")
    missed = max(0, (now - due) // interval)
    return due + (missed + 1) * interval
