"""The archived URL a replay path names (``/web/{ts}/{url}``, ``/replay/{ts}/{url}``), as the
client sent it.

The router hands a ``{path:path}`` parameter percent-decoded, which changes the URL: an archived
``/tags/c%23`` would become ``/tags/c#`` (a fragment, then dropped) and ``/a%2Fb`` would become
``/a/b``. The same part of the path is taken still encoded from the raw request path.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from fastapi import Request

__all__ = ["archived_target"]

_HEX_PAIR = re.compile(rb"[0-9A-Fa-f]{2}")


def archived_target(path: str, request: Request) -> str:
    """The archived URL whose decoded form is ``path`` (the end of the request's path), plus the
    request's query."""
    rest = _undecoded_tail(request.scope.get("raw_path"), path)
    query = request.url.query
    return f"{rest}?{query}" if query else rest


def _undecoded_tail(raw_path: bytes | None, tail: str) -> str:
    """The end of ``raw_path`` whose percent-decoding is ``tail`` (``tail`` itself if none is)."""
    wanted = tail.encode("utf-8")
    decoded = unquote_to_bytes(raw_path or b"")
    if not raw_path or not decoded.endswith(wanted):
        return tail
    # Walk over the decoded bytes before the tail as unquote does: "%XX" is one byte, any other
    # character one byte.
    position = 0
    for _ in range(len(decoded) - len(wanted)):
        escape = raw_path[position:position + 1] == b"%" and _HEX_PAIR.fullmatch(raw_path[position + 1:position + 3])
        position += 3 if escape else 1
    try:
        return raw_path[position:].decode("utf-8")
    except UnicodeDecodeError:
        return tail
