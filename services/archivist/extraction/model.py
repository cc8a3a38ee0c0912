"""Value types exchanged between the extraction core and the rest of the service.

They are plain frozen dataclasses so that the catalog, the API and the CLI can serialise them
without knowing how extraction works.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Comment", "Extraction", "SourcePage"]


@dataclass(frozen=True, slots=True)
class SourcePage:
    """One archived HTTP response body, as fetched (never re-fetched).

    ``body`` is the raw payload bytes; ``content_type`` is the response's Content-Type header,
    used for the declared charset; ``captured`` is when the body was fetched, against which a
    relative date ("3 days ago") is read (none is read without it); ``content_language`` is
    the response's Content-Language header, the language the server declares for a page that
    does not declare its own (no ``<html lang>``).
    """

    url: str
    body: bytes
    content_type: str | None = None
    captured: datetime | None = None
    content_language: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader comment. ``parent`` is the index in the comment list of the comment replied to.

    ``published_range`` is the first and last day ``published`` may be, when it was read from
    a relative date ("3 days ago", said to the day; see ``dates.RelativeDate``), else ``None``.
    """

    author: str | None
    published: str | None
    text: str
    parent: int | None = None
    published_range: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction found in one document (one or several pages stitched in reading order).

    ``published_range`` and ``modified_range`` are the first and last day each date may be,
    when it was read from a relative date ("Updated 5 minutes ago"), as a comment's.
    """

    url: str
    pages: tuple[str, ...]
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    sitename: str | None = None
    language: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: str | None = None
    body: str = ""
    comments: tuple[Comment, ...] = field(default_factory=tuple)
    published_range: tuple[str, str] | None = None
    modified_range: tuple[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict: tuples become lists, comments become dicts. A date's range is there
        only when it has one: a written date is the day it says."""
        data = _without_empty_ranges(asdict(self))
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        data["comments"] = [_without_empty_ranges(comment) for comment in data["comments"]]
        return data


def _without_empty_ranges(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without its ``None`` date ranges, its ranges as lists."""
    return {key: list(value) if key in _RANGES and value is not None else value
            for key, value in data.items() if not (key in _RANGES and value is None)}


#: The date range fields (``Comment.published_range``, ``Extraction.modified_range``...).
_RANGES = frozenset({"published_range", "modified_range"})
