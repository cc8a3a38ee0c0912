"""CDX query options that are plain logic: field filters and closest-first ordering.

The filter syntax is pywb's and the Wayback CDX server's: ``[!][=|~]field:value``. Without a
prefix ``value`` is a regular expression that must match from the start of the field, ``=``
wants the field equal to ``value``, ``~`` wants ``value`` contained in it; ``!`` negates.
``filter=mime:text/html``, ``filter=!status:404``, ``filter=~url:/news/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from archivist.core.errors import InvalidInput

__all__ = ["CdxFilter", "closest_first", "parse_filter"]

_FIELD = re.compile(r"^[a-z]+$")


@dataclass(frozen=True, slots=True)
class CdxFilter:
    field: str
    value: str
    mode: str  # "regex" | "exact" | "contains"
    negate: bool
    pattern: re.Pattern[str] | None = None

    def matches(self, fields: Mapping[str, Any]) -> bool:
        actual = str(fields.get(self.field, ""))
        if self.mode == "exact":
            found = actual == self.value
        elif self.mode == "contains":
            found = self.value in actual
        else:
            found = self.pattern is not None and self.pattern.match(actual) is not None
        return found != self.negate


def parse_filter(text: str) -> CdxFilter:
    """One ``filter=`` parameter.

    Raises:
        InvalidInput: not ``[!][=|~]field:value``, or a bad regular expression.
    """
    rest = text
    negate = rest.startswith("!")
    rest = rest.removeprefix("!")
    mode = {"=": "exact", "~": "contains"}.get(rest[:1], "regex")
    if mode != "regex":
        rest = rest[1:]
    field, colon, value = rest.partition(":")
    if not colon or not _FIELD.match(field):
        raise InvalidInput(f"filter {text!r} is not [!][=|~]field:value")
    pattern = None
    if mode == "regex":
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise InvalidInput(f"filter {text!r}: bad regular expression: {exc}") from exc
    return CdxFilter(field=field, value=value, mode=mode, negate=negate, pattern=pattern)


def closest_first(rows: Iterable[tuple[datetime, Any]], target: datetime) -> list[Any]:
    """Items ordered by distance of their moment from ``target``, the earlier one first on a tie.

    Moments compare at the one-second resolution of timestamps: an item of 12:00:41.9 has the
    timestamp ``...120041`` and is at distance 0 from it, not farther than one of 12:00:40.5.
    """
    def distance(pair: tuple[datetime, Any]) -> tuple[timedelta, datetime]:
        return abs(pair[0].replace(microsecond=0) - target), pair[0]

    return [item for _, item in sorted(rows, key=distance)]
