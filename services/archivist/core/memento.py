"""Time in the replay and Memento vocabulary: 14-digit timestamps, HTTP dates, Link headers.

pywb and the Wayback Machine name a moment by a 1 to 14 digit timestamp (``YYYYMMDDhhmmss``);
a shorter one is a prefix ("around then"). RFC 7089 names it by an RFC 1123 date. Both are
converted here, and the Memento ``Link`` header and link-format TimeMap are rendered here, so
the API routes only assemble responses.
"""

from __future__ import annotations

import calendar
import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from archivist.core.errors import InvalidInput

__all__ = [
    "Memento",
    "format_http_date",
    "link_header",
    "parse_http_date",
    "parse_timestamp",
    "timemap_link_format",
    "timestamp_of",
]

_TIMESTAMP = re.compile(r"^\d{1,14}$")


@dataclass(frozen=True, slots=True)
class Memento:
    """One archived state of a URL: where to replay it and when it was captured."""

    uri: str
    moment: datetime


def timestamp_of(moment: datetime) -> str:
    """The 14-digit UTC timestamp of a moment (naive moments are taken as UTC)."""
    return _utc(moment).strftime("%Y%m%d%H%M%S")


def parse_timestamp(text: str, *, upper: bool = False) -> datetime:
    """A 1 to 14 digit timestamp as a UTC moment.

    A prefix names a period; by default its first second, with ``upper`` its last one (as the
    CDX server reads ``from`` and ``to``). ``2024`` is 2024-01-01T00:00:00, or with ``upper``
    2024-12-31T23:59:59.

    Raises:
        InvalidInput: not 1 to 14 digits.
    """
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        raise InvalidInput(f"{text!r} is not a timestamp of 1 to 14 digits (YYYYMMDDhhmmss)")
    padded = text + ("99991231235959" if upper else "00000101000000")[len(text):]
    year, month, day = int(padded[0:4]), int(padded[4:6]), int(padded[6:8])
    hour, minute, second = int(padded[8:10]), int(padded[10:12]), int(padded[12:14])
    year = max(year, 1)
    month = min(max(month, 1), 12)
    day = min(max(day, 1), calendar.monthrange(year, month)[1])
    return datetime(year, month, day, min(hour, 23), min(minute, 59), min(second, 59), tzinfo=UTC)


def format_http_date(moment: datetime) -> str:
    """RFC 1123 date in GMT, as ``Memento-Datetime`` and ``Accept-Datetime`` use."""
    return email.utils.format_datetime(_utc(moment), usegmt=True)


def parse_http_date(text: str) -> datetime:
    """An RFC 1123 date (``Accept-Datetime``) as a UTC moment.

    Raises:
        InvalidInput: not an HTTP date, or one outside the years 1 to 9999 once in UTC (a number
            too large for the calendar is an OverflowError in the standard library).
    """
    try:
        moment = email.utils.parsedate_to_datetime(text)
        if moment is None:
            raise ValueError("no date")
        return _utc(moment)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise InvalidInput(f"{text!r} is not an RFC 1123 date") from exc


def link_header(*, original: str, timegate: str, timemap: str, memento: Memento | None = None,
                related: Sequence[tuple[str, Memento]] = ()) -> str:
    """The ``Link`` header of a memento or TimeGate response (RFC 7089 section 5).

    ``related`` are (``first`` | ``prev`` | ``next`` | ``last``, memento) pairs, written as the
    ``"first memento"``... relations, so that a client can step through time from here.
    """
    links = [
        f'<{original}>; rel="original"',
        f'<{timegate}>; rel="timegate"',
        f'<{timemap}>; rel="timemap"; type="application/link-format"',
    ]
    if memento is not None:
        links.append(f'<{memento.uri}>; rel="memento"; datetime="{format_http_date(memento.moment)}"')
    links.extend(f'<{other.uri}>; rel="{rel} memento"; datetime="{format_http_date(other.moment)}"'
                 for rel, other in related)
    return ", ".join(links)


def timemap_link_format(*, original: str, timegate: str, self_uri: str, mementos: Sequence[Memento]) -> str:
    """A TimeMap in ``application/link-format`` (RFC 7089 section 5.1.1), mementos oldest first."""
    lines = [
        f'<{original}>; rel="original"',
        f'<{timegate}>; rel="timegate"',
    ]
    self_link = f'<{self_uri}>; rel="self"; type="application/link-format"'
    if mementos:
        self_link += (
            f'; from="{format_http_date(mementos[0].moment)}"; until="{format_http_date(mementos[-1].moment)}"'
        )
    lines.append(self_link)
    last = len(mementos) - 1
    for index, memento in enumerate(mementos):
        rel = "memento"
        if index == 0:
            rel = "first memento"
        if index == last:
            rel = "last memento" if index else "first last memento"
        lines.append(f'<{memento.uri}>; rel="{rel}"; datetime="{format_http_date(memento.moment)}"')
    return ",\n".join(lines) + "\n"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
