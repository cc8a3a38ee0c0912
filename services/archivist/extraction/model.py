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
    """A reader comment. ``parent`` is the index in the comment list of the comment replied to."""

    author: str | None
    published: str | None
    text: str
    parent: int | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction found in one document (one or several pages stitched in reading order)."""

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

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict: tuples become lists, comments become dicts."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        data["comments"] = [dict(comment) for comment in data["comments"]]
        return data
