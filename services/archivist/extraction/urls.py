"""Resolving the links a page writes, which may be malformed.

``urljoin`` raises ``ValueError`` on an href it cannot split (``http://[host`` reads as a broken
IPv6 literal); one such attribute in a canonical link, an ``og:image`` or a pager must not fail
the whole document, so it is treated as if it were absent.
"""

from __future__ import annotations

from urllib.parse import urljoin

__all__ = ["join_url"]


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, or ``None`` when it cannot be parsed as a URL."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None
