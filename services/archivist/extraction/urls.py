"""Resolving the links a page writes, which may be malformed.

Links resolve as a browser resolves them (:func:`archivist.core.urls.join`: a backslash in the
path is a slash). An href that cannot be split (``http://[host`` reads as a broken IPv6
literal) must not fail the whole document from a canonical link, an ``og:image`` or a pager,
so it is treated as if it were absent.
"""

from __future__ import annotations

from archivist.core.urls import join

__all__ = ["join_url"]


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, or ``None`` when it cannot be parsed as a URL."""
    try:
        return join(base, href)
    except ValueError:
        return None
