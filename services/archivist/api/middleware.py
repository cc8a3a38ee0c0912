"""ASGI middleware of the HTTP API: what every request costs and how it ended, as metrics; HEAD
wherever GET is served."""

from __future__ import annotations

import time

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archivist.observability.metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS, status_class

__all__ = ["HeadAsGet", "RequestMetrics", "serves"]

#: Methods counted under their own name; anything else a client sends is ``other``, so that
#: the label keeps a bounded set of values.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """Counts each HTTP request by route template, method and status class, and times it until
    its response's last byte is sent (a replay or a CDX listing streams).

    The route is the template the router matched (``/web/{path:path}``, never the URL asked
    for), or ``unmatched``: label values stay a bounded set whatever clients request. A request
    whose handler raised counts as ``5xx``, which is what the server error handler outside this
    middleware answers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except BaseException:
            status = 500
            raise
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"] if scope["method"] in _METHODS else "other"
            HTTP_REQUESTS.labels(route, method, status_class(status)).inc()
            HTTP_REQUEST_DURATION.labels(route).observe(time.perf_counter() - started)


def serves(scope: Scope, method: str) -> bool:
    """Whether a route of the application serves ``method`` at the request's path."""
    routes = scope["app"].router.routes
    return any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)


class HeadAsGet:
    """Answers HEAD wherever GET is served, as RFC 9110 asks of every general-purpose server: the
    request runs as its GET and the body is left out, headers kept (``Content-Length`` included).

    FastAPI serves a route only the methods it declares (Starlette's own routes add HEAD to GET),
    so HEAD was a 405 everywhere but the replay routes, which declare it and are left to answer it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or serves(scope, "HEAD"):
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
