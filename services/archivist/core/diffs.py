"""What changed between two versions of a record: body, comments and metadata.

Plain Python over the versions' content dicts (``archivist.core.records.CONTENT_FIELDS``), so the
API and the CLI show the same diff. The body is a unified diff (``difflib``) by line, the way
reviewers read text changes; comments are compared as whole comments (author, date, text, and the
comment they reply to), since one edited comment is one removed and one added; every other field
is reported as from/to. An image URL that differs only in its query string (a cache-buster such
as ``?v=1732700000``) names the same picture and is no change (:func:`_same_value`).
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
    old_comments = _comment_keys(old.get("comments") or [])
    new_comments = _comment_keys(new.get("comments") or [])
    added = _multiset_minus(new_comments, [key for key, _ in old_comments])
    removed = _multiset_minus(old_comments, [key for key, _ in new_comments])
    metadata = {
        name: {"from": old.get(name), "to": new.get(name)}
        for name in METADATA_FIELDS
        if not _same_value(name, old.get(name), new.get(name))
    }
    return VersionDiff(
        from_version=from_version,
        to_version=to_version,
        body=body,
        comments_added=added,
        comments_removed=removed,
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
        or sorted(key for key, _ in _comment_keys(old.get("comments") or []))
        != sorted(key for key, _ in _comment_keys(new.get("comments") or []))
        or any(not _same_value(name, old.get(name), new.get(name)) for name in METADATA_FIELDS)
    )


def _same_value(name: str, old: Any, new: Any) -> bool:
    """Whether a metadata field's two values are the same to a reader.

    Sites stamp the URLs of their images with a deploy or render time (``?v=1732700000``,
    ``?ver=6.4``, ``?itok=...``) to defeat caches: every capture then finds a new image URL for
    the same picture. A URL whose path names an image file is compared without its query string
    (and fragment); another URL (``/image.php?id=7``) is compared whole, its query may choose the
    picture.
    """
    if name == "image" and isinstance(old, str) and isinstance(new, str):
        return _image_file(old) == _image_file(new)
    return old == new


def _image_file(url: str) -> str:
    """``url`` without its query and fragment when its path names an image file, else as it is."""
    parts = urlsplit(url)
    if posixpath.splitext(parts.path)[1].lower() not in _IMAGE_FILE_EXTENSIONS:
        return url
    return parts._replace(query="", fragment="").geturl()


def _lines(text: str | None) -> list[str]:
    lines = (text or "").splitlines()
    return [line + "\n" for line in lines]


def _comment_keys(comments: list[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Each comment's identity for comparison, and the comment as the diff shows it.

    The identity is who, when and what, and which comment it replies to; not its position in
    the list, which a comment added above it shifts. For the same reason a reply's ``parent`` (an
    index) is replaced by the comment it names: shown as that comment's author, date and text
    (``in_reply_to``), compared by its author and date alone, so that a comment edited is the one
    change and its replies, which still answer it, are none. A reply moved under a comment of
    another author or day is one removed and one added, as an edit is.
    """

    def own(comment: Mapping[str, Any]) -> dict[str, Any]:
        return {"author": comment.get("author"), "published": comment.get("published"), "text": comment.get("text")}

    def replying_to(comment: Mapping[str, Any]) -> dict[str, Any] | None:
        parent = comment.get("parent")
        valid = isinstance(parent, int) and not isinstance(parent, bool) and 0 <= parent < len(comments)
        return own(comments[parent]) if valid else None

    keys = []
    for comment in comments:
        shown, identity = own(comment), own(comment)
        if (parent := replying_to(comment)) is not None:
            shown["in_reply_to"] = parent
            identity["in_reply_to"] = {"author": parent["author"], "published": parent["published"]}
        keys.append((json.dumps(identity, sort_keys=True, ensure_ascii=False), shown))
    return keys


def _multiset_minus(left: list[tuple[str, dict[str, Any]]], right: list[str]) -> list[dict[str, Any]]:
    """The comments of ``left`` (keyed) whose key is not matched one-for-one in ``right``, in
    ``left``'s order.

    Counted, not searched for in a list: a thread of thousands of comments took seconds
    (quadratic) to diff, holding an API worker thread all the while.
    """
    remaining = Counter(right)
    out = []
    for key, shown in left:
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            out.append(shown)
    return out
