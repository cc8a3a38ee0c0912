"""FastAPI dependencies: the runtime, and the caller with the scope a route needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from archivist.access import authenticate, authorize
from archivist.core.access import Principal, Scope
from archivist.runtime import Runtime

__all__ = ["KEY_COOKIE", "AdminCaller", "ReadCaller", "RuntimeDep", "SubmitCaller", "require"]


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


#: A browser cannot send a bearer header on every link it follows (replay, the web pages):
#: it may carry the key in this cookie instead, set by the web interface's sign-in.
KEY_COOKIE = "archivist_key"


def _credentials(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        return header
    cookie = request.cookies.get(KEY_COOKIE)
    return f"Bearer {cookie}" if cookie else None


def require(scope: Scope) -> Callable[..., object]:
    """A dependency that authenticates the caller (bearer header or key cookie) and checks ``scope``."""

    async def caller(request: Request, runtime: RuntimeDep) -> Principal:
        principal = await run_in_threadpool(authenticate, runtime, _credentials(request))
        return authorize(principal, scope)

    return caller


SubmitCaller = Annotated[Principal, Depends(require(Scope.SUBMIT))]
ReadCaller = Annotated[Principal, Depends(require(Scope.READ))]
AdminCaller = Annotated[Principal, Depends(require(Scope.ADMIN))]
