r"""CDX query options that are plain logic: field names, filters, collapsing, closest-first ordering.

The filter syntax is pywb's: ``[!][=|~]field:value``. Without a prefix the field must contain
``value``, ``=`` wants it equal to ``value``, ``~`` makes ``value`` a regular expression that
must match from the start of the field; ``!`` negates. ``filter=mime:html``,
``filter=!=status:404``, ``filter=~url:.*\.php$``.

Fields are named as in pywb's JSON lines (``url``, ``mime``, ``status``...); the Wayback
Machine's names for them (``original``, ``mimetype``, ``statuscode``) are read as the same
fields, in ``filter=``, ``fl=`` and ``collapse=``, as pywb reads them.

The regular expression is the caller's, so it is run by the ``regex`` library (``re``'s syntax)
with a time limit per field: a pattern that backtracks catastrophically (``(.*?,?)*\d\d\d``)
would otherwise hold the process for hours, and ``re`` cannot be interrupted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import regex

from archivist.core.errors import InvalidInput

__all__ = ["FIELDS", "MATCH_TIMEOUT", "CdxFilter", "Collapse", "closest_first", "collapse", "field_name", "parse_collapse",
           "parse_fields", "parse_filter"]

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


def parse_fields(text: str) -> list[tuple[str, str]]:
    """An ``fl=`` list (``timestamp,original,statuscode``) as (name as asked, field) pairs, in its
    order: a line answers under the names its client asked for.

    Raises:
        InvalidInput: an unknown field, or no field at all.
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise InvalidInput(f"fl={text!r} names no field; the fields are {', '.join(FIELDS)}")
    return [(name, field_name(name)) for name in names]


@dataclass(frozen=True, slots=True)
class Collapse:
    """One ``collapse=field[:N]`` (the Wayback CDX server's): of adjacent lines whose ``field``
    (its first ``N`` characters) is the same, only the first is kept."""

    field: str
    length: int | None

    def token(self, fields: Mapping[str, Any]) -> str:
        return str(fields.get(self.field, ""))[: self.length]


def parse_collapse(text: str) -> Collapse:
    """One ``collapse=`` parameter: ``digest``, ``timestamp:8``...

    Raises:
        InvalidInput: an unknown field, or a length that is not a positive number.
    """
    name, colon, length = text.partition(":")
    if colon and not (length.isascii() and length.isdigit() and int(length) > 0):
        raise InvalidInput(f"collapse={text!r}: the length after ':' must be a positive number")
    return Collapse(field=field_name(name.strip()), length=int(length) if colon else None)


def collapse(lines: Iterable[Mapping[str, Any]], rules: Sequence[Collapse]) -> Iterator[Mapping[str, Any]]:
    """``lines`` less each one whose tokens (one a rule) equal those of the line kept before it."""
    if not rules:
        yield from lines
        return
    last = None
    for fields in lines:
        token = tuple(rule.token(fields) for rule in rules)
        if token != last:
            last = token
            yield fields


def closest_first(rows: Iterable[tuple[datetime, Any]], target: datetime) -> list[Any]:
    """Items ordered by distance of their moment from ``target``, the earlier one first on a tie.

    Moments compare at the one-second resolution of timestamps: an item of 12:00:41.9 has the
    timestamp ``...120041`` and is at distance 0 from it, not farther than one of 12:00:40.5.
    """
    def distance(pair: tuple[datetime, Any]) -> tuple[timedelta, datetime]:
        return abs(pair[0].replace(microsecond=0) - target), pair[0]

    return [item for _, item in sorted(rows, key=distance)]
