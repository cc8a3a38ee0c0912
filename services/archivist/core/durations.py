"""Durations as people type them: ``30s``, ``15m``, ``12h``, ``1d``, ``2w``.

Here rather than beside the API's schemas, so that the CLI parses them without importing the
web framework.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["parse_duration"]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``30s``, ``15m``, ``12h``, ``1d``, ``2w`` to a timedelta.

    Raises:
        ValueError: anything else.
    """
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m, 12h, 1d or 2w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
