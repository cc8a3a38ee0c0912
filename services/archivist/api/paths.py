"""The archived URL a replay path names (``/web/{ts}/{url}``, ``/replay/{ts}/{url}``), as the
client sent it.

The router hands a ``{path:path}`` parameter percent-decoded, which changes the URL: an archived
``/tags/c%23`` would become ``/tags/c#`` (a fragment, then dropped) and ``/a%2Fb`` would become
``/a/b``. The same part of the path is taken still encoded from the raw request path.
"""

from __future__ import annotations

from urllib.parse import unquote

from fastapi import Request

__all__ = ["archived_target"]


def archived_target(path: str, request: Request) -> str:
    """The archived URL whose decoded form is ``path`` (the end of the request's path), plus the
    request's query."""
    rest = _undecoded_tail(request.scope.get("raw_path"), path)
    query = request.url.query
    return f"{rest}?{query}" if query else rest


def _undecoded_tail(raw_path: bytes | None, tail: str) -> str:
    """The end of ``raw_path``, after one of its slashes, that decodes to ``tail`` (``tail`` itself
    if none does).

    Decoded segment by segment as the server decoded the whole path (UTF-8, an escape that is not
    UTF-8 read as U+FFFD), so that ``/caf%E9`` is found again although ``tail`` holds
    ``/caf\ufffd``. A slash is one character either way and ends any byte sequence, so the
    segments' lengths add up; the one suffix as long as ``tail`` is then compared once.
    """
    try:
        raw = (raw_path or b"").decode("utf-8")
    except UnicodeDecodeError:
        return tail
    segments = raw.split("/")
    length = -1
    for index in range(len(segments) - 1, 0, -1):
        length += len(unquote(segments[index])) + 1
        if length >= len(tail):
            rest = "/".join(segments[index:])
            return rest if length == len(tail) and unquote(rest) == tail else tail
    return tail
