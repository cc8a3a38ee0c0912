"""Assemble the FastAPI application: routes, error handlers, metrics, lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from archivist import __version__
from archivist.api.routes import captures, records, replay, schedules
from archivist.core.errors import (
    ArchivistError,
    CatalogUnavailable,
    InvalidInput,
    NotFound,
    QueueUnavailable,
    StorageUnavailable,
    TransientFailure,
)
from archivist.runtime import Runtime
from archivist.settings import Settings, get_settings

__all__ = ["create_app"]

_STATUS = (
    (NotFound, 404),
    (InvalidInput, 422),
    (QueueUnavailable, 503),
    (CatalogUnavailable, 503),
    (StorageUnavailable, 503),
    (TransientFailure, 503),
)


def _error_response(_request: Request, exc: ArchivistError) -> JSONResponse:
    status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
    return JSONResponse({"error": exc.reason, "detail": exc.message}, status_code=status)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The API. Without Redis configured, it runs the workers in-process (embedded mode)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedded = None
        if runtime is not None:
            app.state.runtime = runtime
        elif settings.redis_url:
            from archivist_workers.queue import DramatiqTaskQueue
            from dramatiq.brokers.redis import RedisBroker

            app.state.runtime = Runtime(settings, queue=DramatiqTaskQueue(RedisBroker(url=settings.redis_url)))
            app.state.runtime.prepare()
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

    app = FastAPI(title="Archivist", version=__version__, lifespan=lifespan)
    app.add_exception_handler(ArchivistError, _error_response)  # type: ignore[arg-type]
    app.include_router(captures.router)
    app.include_router(records.router)
    app.include_router(schedules.router)
    app.include_router(replay.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
