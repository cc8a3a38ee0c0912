"""HTTP as archived: header lists ``[(name, value), ...]`` in the order received, and payload sniffing."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["header", "looks_like_html"]


def header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def looks_like_html(head: bytes) -> bool:
    """Whether a payload that came without a Content-Type starts as an HTML document does.

    The fetcher archives such a payload as a page only when it does, and replay rewrites an
    untyped payload as HTML only when it does: an untyped image from an imported WARC is
    served as it was.
    """
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f")[:512].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")) or b"<html" in start
