"""FastAPI dependencies: the runtime, and the caller with the scope a route needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from archivist.access import authenticate, authorize
from archivist.core.access import Principal, Scope
from archivist.runtime import Runtime

__all__ = ["AdminCaller", "ReadCaller", "RuntimeDep", "SubmitCaller", "require"]


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def require(scope: Scope) -> Callable[..., object]:
    """A dependency that authenticates the caller and checks ``scope``."""

    async def caller(request: Request, runtime: RuntimeDep) -> Principal:
        principal = await run_in_threadpool(authenticate, runtime, request.headers.get("authorization"))
        return authorize(principal, scope)

    return caller


SubmitCaller = Annotated[Principal, Depends(require(Scope.SUBMIT))]
ReadCaller = Annotated[Principal, Depends(require(Scope.READ))]
AdminCaller = Annotated[Principal, Depends(require(Scope.ADMIN))]
