r"""CDX query options that are plain logic: field names, filters and closest-first ordering.

The filter syntax is pywb's: ``[!][=|~]field:value``. Without a prefix the field must contain
``value``, ``=`` wants it equal to ``value``, ``~`` makes ``value`` a regular expression that
must match from the start of the field; ``!`` negates. ``filter=mime:html``,
``filter=!=status:404``, ``filter=~url:.*\.php$``.

Fields are named as in pywb's JSON lines (``url``, ``mime``, ``status``...); the Wayback
Machine's names for them (``original``, ``mimetype``, ``statuscode``) are read as the same
fields, in ``filter=``, as pywb reads them.

The regular expression is the caller's, so it is run by the ``regex`` library (``re``'s syntax)
with a time limit per field: a pattern that backtracks catastrophically (``(.*?,?)*\d\d\d``)
would otherwise hold the process for hours, and ``re`` cannot be interrupted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import regex

from archivist.core.errors import InvalidInput

__all__ = ["FIELDS", "MATCH_TIMEOUT", "CdxFilter", "closest_first", "field_name", "parse_filter"]

#: Seconds a filter's regular expression may take on one field; any sane one takes microseconds.
MATCH_TIMEOUT = 0.1

_FIELD = re.compile(r"^[a-z]+$")

#: The fields of a CDX line, in ``cdxj-indexer``'s order.
FIELDS = ("urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset", "filename")
#: The Wayback Machine's CDX server names of the same fields (pywb's ``CDX_ALT_FIELDS``).
_ALIASES = {"original": "url", "mimetype": "mime", "statuscode": "status"}


def field_name(name: str) -> str:
    """The CDX field ``name`` stands for (``statuscode`` is ``status``).

    Raises:
        InvalidInput: no such field.
    """
    field = _ALIASES.get(name, name)
    if field not in FIELDS:
        raise InvalidInput(f"unknown CDX field {name!r}; the fields are {', '.join(FIELDS)} "
                           f"(or {', '.join(_ALIASES)})")
    return field


@dataclass(frozen=True, slots=True)
class CdxFilter:
    field: str
    value: str
    mode: str  # "regex" | "exact" | "contains"
    negate: bool
    pattern: regex.Pattern[str] | None = None

    def matches(self, fields: Mapping[str, Any]) -> bool:
        """Whether the line passes.

        Raises:
            InvalidInput: the regular expression ran past ``MATCH_TIMEOUT`` on the field.
        """
        actual = str(fields.get(self.field, ""))
        if self.mode == "exact":
            found = actual == self.value
        elif self.mode == "contains":
            found = self.value in actual
        else:
            try:
                found = self.pattern is not None and self.pattern.match(actual, timeout=MATCH_TIMEOUT) is not None
            except TimeoutError as exc:
                raise InvalidInput(f"filter {self.field}:{self.value} takes too long to match (over "
                                   f"{MATCH_TIMEOUT}s on one line): simplify the regular expression") from exc
        return found != self.negate


def parse_filter(text: str) -> CdxFilter:
    """One ``filter=`` parameter.

    Raises:
        InvalidInput: not ``[!][=|~]field:value``, an unknown field, or a bad regular expression.
    """
    rest = text
    negate = rest.startswith("!")
    rest = rest.removeprefix("!")
    mode = {"=": "exact", "~": "regex"}.get(rest[:1], "contains")
    if mode != "contains":
        rest = rest[1:]
    name, colon, value = rest.partition(":")
    if not colon or not _FIELD.match(name):
        raise InvalidInput(f"filter {text!r} is not [!][=|~]field:value")
    field = field_name(name)
    pattern = None
    if mode == "regex":
        try:
            pattern = regex.compile(value)
        except regex.error as exc:
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
