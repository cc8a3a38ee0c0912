"""What changed between two versions of a record: body, comments and metadata.

Plain Python over the versions' content dicts (``archivist.core.records.CONTENT_FIELDS``), so the
API and the CLI show the same diff. The body is a unified diff (``difflib``) by line, the way
reviewers read text changes; comments are compared as whole comments (author, date, text, and the
comment they reply to), since one edited comment is one removed and one added; every other field
is reported as from/to. An image URL that differs only in its query string (a cache-buster such
as ``?v=1732700000``) names the same picture and is no change (:func:`_same_value`); nor is a
date read from a relative expression ("2 hours ago", "Updated 5 minutes ago") that lands on
another day within the range it was said to (:func:`_same_day`).
"""

from __future__ import annotations

import difflib
import json
import posixpath
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from archivist.core.records import CONTENT_FIELDS

__all__ = ["VersionDiff", "content_changed", "diff_versions"]

#: Content fields compared as a whole, from/to (the body and comments have their own forms).
METADATA_FIELDS = tuple(name for name in CONTENT_FIELDS if name not in ("body", "comments"))

#: The dates a relative expression may give, each with its ``NAME_range`` (``extraction.model``).
_DATED_FIELDS = frozenset({"published", "modified"})

#: File extensions of a URL path that names an image file, served whatever its query string.
_IMAGE_FILE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp"})


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """The changes from version ``from_version`` to ``to_version`` of one record."""

    from_version: int
    to_version: int
    body: str
    comments_added: list[dict[str, Any]] = field(default_factory=list)
    comments_removed: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.body or self.comments_added or self.comments_removed or self.metadata)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_version,
            "to": self.to_version,
            "changed": self.changed,
            "body": self.body,
            "comments": {"added": self.comments_added, "removed": self.comments_removed},
            "metadata": self.metadata,
        }


def diff_versions(
    old: Mapping[str, Any], new: Mapping[str, Any], *, from_version: int, to_version: int, context: int = 3
) -> VersionDiff:
    """Compare two versions' content. Any two versions may be given, in either order."""
    body = "".join(
        difflib.unified_diff(
            _lines(old.get("body")),
            _lines(new.get("body")),
            fromfile=f"version {from_version}",
            tofile=f"version {to_version}",
            n=context,
        )
    )
    removed, added = _unmatched_comments(old.get("comments") or [], new.get("comments") or [])
    metadata = {
        name: {"from": old.get(name), "to": new.get(name)}
        for name in METADATA_FIELDS
        if not _same_value(name, old, new)
    }
    return VersionDiff(
        from_version=from_version,
        to_version=to_version,
        body=body,
        comments_added=[comment.shown for comment in added],
        comments_removed=[comment.shown for comment in removed],
        metadata=metadata,
    )


def content_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether :func:`diff_versions` would report a change, without building the body's diff.

    Content whose fingerprint differs can still be the same content to a reader: comments
    listed in another order (a site sorting them by votes, or newest first) are the same
    comments. A new version is made only for a change the diff can show.
    """
    return (
        _lines(old.get("body")) != _lines(new.get("body"))
        or any(_unmatched_comments(old.get("comments") or [], new.get("comments") or []))
        or any(not _same_value(name, old, new) for name in METADATA_FIELDS)
    )


def _same_value(name: str, old_content: Mapping[str, Any], new_content: Mapping[str, Any]) -> bool:
    """Whether a metadata field's two values are the same to a reader.

    Sites stamp the URLs of their images with a deploy or render time (``?v=1732700000``,
    ``?ver=6.4``, ``?itok=...``) to defeat caches: every capture then finds a new image URL for
    the same picture. A URL whose path names an image file is compared without its query string
    (and fragment); another URL (``/image.php?id=7``) is compared whole, its query may choose the
    picture. A date read from a relative expression ("Updated 5 minutes ago") is the same date
    as another within its range (:func:`_same_day`).
    """
    old, new = old_content.get(name), new_content.get(name)
    if name == "image" and isinstance(old, str) and isinstance(new, str):
        return _image_file(old) == _image_file(new)
    if name in _DATED_FIELDS:
        return _same_day(_days(old, old_content.get(f"{name}_range")), _days(new, new_content.get(f"{name}_range")))
    return old == new


def _days(date: str | None, date_range: list[str] | None) -> tuple[str, str] | None:
    """The first and last day ``date`` may be: its range when it was read from a relative
    expression ("3 days ago"), else that day alone; ``None`` without a date."""
    if date is None:
        return None
    return (date_range[0], date_range[1]) if date_range else (date, date)


def _same_day(old: tuple[str, str] | None, new: tuple[str, str] | None) -> bool:
    """Whether two dates' days (:func:`_days`) can be the same day: a site that says a comment's
    age ("2 hours ago", then "yesterday", then "3 days ago") dates it anew at each capture, and the
    capture's own clock puts it on one day or the next; two written dates are the same only
    when equal (ISO dates compare as text)."""
    if old is None or new is None:
        return old is new
    return old[0] <= new[1] and new[0] <= old[1]


def _image_file(url: str) -> str:
    """``url`` without its query and fragment when its path names an image file, else as it is."""
    parts = urlsplit(url)
    if posixpath.splitext(parts.path)[1].lower() not in _IMAGE_FILE_EXTENSIONS:
        return url
    return parts._replace(query="", fragment="").geturl()


def _lines(text: str | None) -> list[str]:
    lines = (text or "").splitlines()
    return [line + "\n" for line in lines]


@dataclass(frozen=True, slots=True)
class _KeyedComment:
    """A comment as the diff compares it (:func:`_keyed_comments`)."""

    #: Who, when and what, and which comment it replies to, as one hashable text.
    key: str
    #: The same without the dates, for comments whose dates are read from relative expressions.
    undated: str
    days: tuple[str, str] | None
    parent_days: tuple[str, str] | None
    #: The comment as the diff shows it.
    shown: dict[str, Any]


def _keyed_comments(comments: list[Mapping[str, Any]]) -> list[_KeyedComment]:
    """Each comment's identity for comparison, and the comment as the diff shows it.

    The identity is who, when and what (its words: a comment's text is kept with the lines its
    markup breaks it into, and a site that wraps its source anew, "the\n  light" for "the light",
    changes none of them), and which comment it replies to; not its position in
    the list, which a comment added above it shifts. For the same reason a reply's ``parent`` (an
    index) is replaced by the comment it names: shown as that comment's author, date and text
    (``in_reply_to``), compared by its author and date alone, so that a comment edited is the one
    change and its replies, which still answer it, are none. A reply moved under a comment of
    another author or day is one removed and one added, as an edit is.
    """

    def own(comment: Mapping[str, Any]) -> dict[str, Any]:
        return {"author": comment.get("author"), "published": comment.get("published"), "text": comment.get("text")}

    def compared(comment: Mapping[str, Any]) -> dict[str, Any]:
        return {**own(comment), "text": _words(comment.get("text"))}

    def parent_of(comment: Mapping[str, Any]) -> Mapping[str, Any] | None:
        parent = comment.get("parent")
        valid = isinstance(parent, int) and not isinstance(parent, bool) and 0 <= parent < len(comments)
        return comments[parent] if valid else None

    keyed = []
    for comment in comments:
        shown, identity = own(comment), compared(comment)
        undated = {"author": comment.get("author"), "text": identity["text"]}
        parent = parent_of(comment)
        if parent is not None:
            shown["in_reply_to"] = own(parent)
            identity["in_reply_to"] = {"author": parent.get("author"), "published": parent.get("published")}
            undated["in_reply_to"] = {"author": parent.get("author")}
        keyed.append(_KeyedComment(
            key=json.dumps(identity, sort_keys=True, ensure_ascii=False),
            undated=json.dumps(undated, sort_keys=True, ensure_ascii=False),
            days=_days(comment.get("published"), comment.get("published_range")),
            parent_days=None if parent is None else _days(parent.get("published"), parent.get("published_range")),
            shown=shown,
        ))
    return keyed


def _words(text: str | None) -> str | None:
    """``text`` with every run of white space, line breaks included, as one space."""
    return None if text is None else " ".join(text.split())


def _unmatched_comments(
    old: list[Mapping[str, Any]], new: list[Mapping[str, Any]]
) -> tuple[list[_KeyedComment], list[_KeyedComment]]:
    """The comments of ``old`` not in ``new`` (removed) and of ``new`` not in ``old`` (added),
    each in its list's order.

    Paired one-for-one by identity first (counted, not searched for in a list: a thread of
    thousands of comments took seconds, quadratic, to diff, holding an API worker thread all the
    while); then what is left by author, text and the author replied to, with dates that can be
    the same day (:func:`_same_day`): a comment dated "2 hours ago" at one capture and "3 days
    ago" at the next is the same comment. Only comments of the same author and text are
    searched for such a pair.
    """
    old_keyed, new_keyed = _keyed_comments(old), _keyed_comments(new)
    removed = _unpaired(old_keyed, [comment.key for comment in new_keyed])
    added = _unpaired(new_keyed, [comment.key for comment in old_keyed])
    candidates: dict[str, list[_KeyedComment]] = {}
    for comment in removed:
        candidates.setdefault(comment.undated, []).append(comment)
    paired: set[int] = set()
    still_added = []
    for comment in added:
        same = candidates.get(comment.undated, [])
        match = next((earlier for earlier in same if _same_day(earlier.days, comment.days)
                      and _same_day(earlier.parent_days, comment.parent_days)), None)
        if match is None:
            still_added.append(comment)
        else:
            same.remove(match)
            paired.add(id(match))
    return [comment for comment in removed if id(comment) not in paired], still_added


def _unpaired(left: list[_KeyedComment], right: list[str]) -> list[_KeyedComment]:
    """The comments of ``left`` whose key is not matched one-for-one in ``right``, in ``left``'s
    order."""
    remaining = Counter(right)
    out = []
    for comment in left:
        if remaining[comment.key] > 0:
            remaining[comment.key] -= 1
        else:
            out.append(comment)
    return out
