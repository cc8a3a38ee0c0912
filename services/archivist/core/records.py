"""Records and their versions.

A record is one document, identified by its canonical URL. It gains a version only when the
extracted content changes from the version in force at the capture's time (its history is in
capture time, not in the order captures are archived: see ``pipeline.extracting._place``).
The fingerprint covers the body, the comments and the metadata, and
nothing that varies between identical captures (capture ids, times, extractor version). Equal
fingerprints mean the same content; different ones are checked with
:func:`archivist.core.diffs.content_changed`, since comments listed in another order are the
same comments.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["CONTENT_FIELDS", "content_fingerprint", "has_content"]

#: The record fields that make up its content. A change in any of them makes a new version.
#: A date's range (``published_range``, ``modified_range``: the days a relative date such as
#: "3 days ago" may stand for) qualifies its date and is compared with it, not on its own.
CONTENT_FIELDS = (
    "url",
    "pages",
    "title",
    "authors",
    "published",
    "modified",
    "sitename",
    "language",
    "description",
    "tags",
    "categories",
    "image",
    "body",
    "comments",
)


def content_fingerprint(content: Mapping[str, Any]) -> str:
    """A stable SHA-256 over the content fields, in a canonical JSON form."""
    canonical = json.dumps(
        {key: content.get(key) for key in CONTENT_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def has_content(content: Mapping[str, Any]) -> bool:
    """Whether the content says anything: a title, body text or a comment.

    Metadata alone (a site name, a language guessed from nothing) is not a document.
    """
    return bool(content.get("title") or (content.get("body") or "").strip() or content.get("comments"))
