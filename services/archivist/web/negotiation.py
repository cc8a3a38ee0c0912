"""Whether a request outside every route is a browser's, to be answered with a page.

The API's errors are JSON (``{error, detail}``) and its clients keep them; a person who types a
wrong address into a browser should see the interface's own page, not a JSON document.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["wants_page"]

#: The API's own paths answer JSON whatever the client accepts.
_API_PREFIXES = ("/v1/", "/cdx/")
_API_PATHS = ("/v1", "/cdx", "/metrics", "/healthz", "/openapi.json")
_PAGE_TYPES = ("text/html", "application/xhtml+xml")


def wants_page(request: Request) -> bool:
    """A GET or HEAD outside the API's paths from a client that ranks HTML above JSON (a
    browser's ``Accept``; ``*/*``, as curl and HTTP libraries send, ranks them equal)."""
    path = request.url.path
    if request.method not in ("GET", "HEAD") or path in _API_PATHS or path.startswith(_API_PREFIXES):
        return False
    ranks = _ranks(request.headers.get("accept", ""))
    html = max(_rank(ranks, media_type) for media_type in _PAGE_TYPES)
    return html > _rank(ranks, "application/json")


def _ranks(accept: str) -> dict[str, float]:
    """The ``Accept`` header's media ranges and their weights (RFC 9110 12.5.1)."""
    ranks: dict[str, float] = {}
    for item in accept.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        if not media_range:
            continue
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(1.0, max(0.0, float(value)))
                except ValueError:
                    weight = 0.0
        ranks[media_range.lower()] = weight
    return ranks


def _rank(ranks: dict[str, float], media_type: str) -> float:
    """The weight the client gives ``media_type``: its own range, else ``type/*``, else ``*/*``."""
    for media_range in (media_type, media_type.split("/")[0] + "/*", "*/*"):
        if media_range in ranks:
            return ranks[media_range]
    return 0.0
