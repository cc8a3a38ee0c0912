"""HTTP as archived: header lists ``[(name, value), ...]`` in the order received; payload sniffing and decoding."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

__all__ = ["content_wbits", "header", "looks_like_html"]


def header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def content_wbits(encoding: str, head: bytes) -> int:
    """zlib's ``wbits`` for a body in Content-Encoding ``encoding`` (gzip, x-gzip or deflate).

    RFC 9110's "deflate" is the zlib format, but some servers send the bare deflate stream, which
    browsers accept too; the two tell apart by the zlib header's first two bytes (``head``):
    compression method 8 and a check value that makes them a multiple of 31.
    """
    if encoding != "deflate":
        return zlib.MAX_WBITS | 32  # gzip, or zlib, told apart by zlib itself
    wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


def looks_like_html(head: bytes) -> bool:
    """Whether a payload that came without a Content-Type starts as an HTML document does.

    The fetcher archives such a payload as a page only when it does, and replay rewrites an
    untyped payload as HTML only when it does: an untyped image from an imported WARC is
    served as it was.
    """
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f")[:512].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")) or b"<html" in start
