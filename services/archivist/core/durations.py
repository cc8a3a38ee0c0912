"""Durations as people type them: ``30s``, ``15m``, ``12h``, ``1d``, ``2w``.

Here rather than beside the API's schemas, so that the CLI parses them without importing the
web framework.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["LONGEST", "parse_duration"]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: The longest duration accepted, about a century. A moment much further from now is outside
#: what dates (and the catalog's columns) can hold.
LONGEST = timedelta(weeks=5200)


def parse_duration(text: str) -> timedelta:
    """``30s``, ``15m``, ``12h``, ``1d``, ``2w`` to a timedelta, at most :data:`LONGEST`.

    Raises:
        ValueError: anything else, or a longer duration.
    """
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m, 12h, 1d or 2w")
    count, unit = int(match.group(1)), _UNITS[match.group(2)]
    if count > LONGEST / timedelta(**{unit: 1}):
        raise ValueError(f"{text.strip()!r} is longer than the longest duration accepted, {LONGEST.days // 7}w")
    return timedelta(**{unit: count})
