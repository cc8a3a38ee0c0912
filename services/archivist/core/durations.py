"""Durations as people type them: ``30s``, ``15m``, ``12h``, ``1d``, ``2w``.

Here rather than beside the API's schemas, so that the CLI parses them without importing the
web framework.
"""

from __future__ import annotations

import re
from datetime import timedelta

from archivist.core.errors import InvalidDuration

__all__ = ["MAX_DURATION", "parse_duration"]

#: The longest duration taken: a century. Windows and intervals are added to and taken from
#: today's date, and a few thousand years more would leave the calendar (a 500, not a refusal).
MAX_DURATION = timedelta(days=36_525)

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400, "weeks": 604_800}


def parse_duration(text: str) -> timedelta:
    """``30s``, ``15m``, ``12h``, ``1d``, ``2w`` to a timedelta, up to ``MAX_DURATION``.

    Raises:
        InvalidDuration: anything else, or a duration past ``MAX_DURATION``.
    """
    match = _DURATION.match(text or "")
    if not match:
        raise InvalidDuration(f"{text!r} is not a duration like 30s, 15m, 12h, 1d or 2w")
    count, unit = int(match.group(1)), _UNITS[match.group(2)]
    # Compared before building the timedelta: past about 2.7 million years it cannot be built.
    if count * _SECONDS[unit] > MAX_DURATION.total_seconds():
        raise InvalidDuration(f"{text.strip()!r} is too long a duration: the longest is {MAX_DURATION.days}d")
    return timedelta(**{unit: count})
