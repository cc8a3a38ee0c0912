"""Assemble the FastAPI application: routes, error handlers, metrics, lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.exceptions import HTTPException

from archivist import __version__, web
from archivist.api.invalid import refusal
from archivist.api.middleware import HeadAsGet, RequestMetrics, serves
from archivist.api.routes import captures, records, replay, schedules
from archivist.core.errors import (
    AccessDenied,
    ArchivistError,
    CatalogUnavailable,
    InvalidInput,
    NotFound,
    QueueUnavailable,
    QuotaExceeded,
    SnapshotUnreadable,
    StorageMisconfigured,
    StorageUnavailable,
    TransientFailure,
    Unauthenticated,
)
from archivist.runtime import Runtime
from archivist.settings import Settings, get_settings

__all__ = ["create_app"]

_STATUS = (
    (Unauthenticated, 401),
    (AccessDenied, 403),
    (QuotaExceeded, 429),
    (NotFound, 404),
    (SnapshotUnreadable, 410),  # listed in the archive, but its stored copy is gone or damaged
    (InvalidInput, 422),
    (QueueUnavailable, 503),
    (CatalogUnavailable, 503),
    (StorageUnavailable, 503),
    (StorageMisconfigured, 503),  # the server's configuration, not the request: 503, never 500
    (TransientFailure, 503),
)


def _error_response(_request: Request, exc: ArchivistError) -> JSONResponse:
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
    headers = {}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="archivist"'
    retry_after = getattr(exc, "retry_after", None)
    if status in (429, 503) and retry_after:
        headers["Retry-After"] = str(max(1, round(retry_after)))
    return JSONResponse({"error": exc.reason, "detail": exc.message}, status_code=status, headers=headers)


def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A request the API's schemas refuse, in the shape of every other error (``error``, and
    ``detail`` as a sentence naming each field and its problem), with FastAPI's own list of
    the problems kept in ``errors`` for clients that read it."""
    return JSONResponse(refusal(exc, content_type=request.headers.get("content-type", "")), status_code=422)


def _http_error(request: Request, exc: HTTPException) -> Response:
    """An error raised by the framework itself (no such route, a method the path does not
    take, a body that cannot be read), in the shape of every other error; a browser asking
    for no such page outside the API's paths gets the interface's 404 page instead.

    On a 405, ``Allow`` lists every method the path takes (RFC 9110): Starlette names only
    those of the first route that matched the path, so ``PUT /v1/schedules`` would be told
    ``POST`` although ``GET`` is served there too."""
    if exc.status_code == 404 and web.wants_page(request):
        return web.error_page(request, 404, f"There is no page at {request.url.path}.")
    reason = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_methods_of(request))
    return JSONResponse({"error": reason, "detail": str(exc.detail)}, status_code=exc.status_code,
                        headers=headers)


def _methods_of(request: Request) -> list[str]:
    """The methods some route of the application serves at the request's path (asked of the
    router itself, whose routes FastAPI may nest), and HEAD with GET (:class:`HeadAsGet`)."""
    served = [method for method in _METHODS if serves(request.scope, method)]
    return [method for method in _METHODS if method in served or (method == "HEAD" and "GET" in served)]


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The API. Without Redis configured, it runs the workers in-process (embedded mode)."""
    settings = settings or get_settings()
    # What /metrics serves: the process's metrics, plus the queue gauges when on Redis.
    # (The process-wide registry is registered as one collector of this one.)
    exposed = CollectorRegistry(auto_describe=False)
    exposed.register(REGISTRY)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        if runtime is not None:
            app.state.runtime = runtime
        elif settings.redis_url:
            from archivist_workers.exporter import QueueCollector
            from archivist_workers.queue import EXTRACT_QUEUE, FETCH_QUEUE, redis_task_queue

            app.state.runtime = Runtime(settings, queue=redis_task_queue(settings))
            app.state.runtime.prepare_if_reachable()  # requests meeting an outage get 503
            app.state.queue_collector = QueueCollector.from_url(
                settings.redis_url, (FETCH_QUEUE, EXTRACT_QUEUE), namespace=settings.redis_namespace
            )
            exposed.register(app.state.queue_collector)
        else:
            from archivist_workers.embedded import EmbeddedWorkers

            embedded = EmbeddedWorkers(settings).__enter__()
            app.state.runtime = embedded.runtime
        try:
            yield
        finally:
            if embedded is not None:
                embedded.__exit__(None, None, None)
            elif runtime is None:
                app.state.runtime.close()
                exposed.unregister(app.state.queue_collector)
                app.state.queue_collector.client.close()

    app = FastAPI(title="Archivist", version=__version__, lifespan=lifespan)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestMetrics)
    app.add_exception_handler(ArchivistError, _error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.include_router(captures.router)
    app.include_router(records.router)
    app.include_router(schedules.router)
    app.include_router(replay.router)
    app.include_router(web.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(exposed), media_type=CONTENT_TYPE_LATEST)

    return app
