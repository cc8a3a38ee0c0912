"""Records: ``GET /v1/records?url=``, ``GET /v1/records/{id}``, ``GET /v1/records/{id}/diff``,
``GET /v1/history?url=``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from archivist import views
from archivist.api.deps import RuntimeDep, require
from archivist.core.access import Scope

router = APIRouter(prefix="/v1", tags=["records"], dependencies=[Depends(require(Scope.READ))])


@router.get("/records")
async def record_by_url(
    runtime: RuntimeDep,
    url: str = Query(..., description="The document's URL (any page of it that was captured)."),
    version: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    """The latest record for a URL (or the given version) and its version list."""
    return await run_in_threadpool(views.get_record, runtime, url, version=version)


@router.get("/records/{record_id}")
async def record_by_id(
    record_id: str, runtime: RuntimeDep, version: int | None = Query(None, ge=1)
) -> dict[str, Any]:
    return await run_in_threadpool(views.get_record, runtime, record_id=record_id, version=version)


@router.get("/records/{record_id}/diff")
async def record_diff(
    record_id: str,
    runtime: RuntimeDep,
    from_version: int | None = Query(None, alias="from", ge=1, description="Default: the version before `to`."),
    to_version: int | None = Query(None, alias="to", ge=1, description="Default: the latest version."),
) -> dict[str, Any]:
    """Body as a unified diff, comments added and removed, metadata fields changed."""
    return await run_in_threadpool(
        views.record_diff, runtime, record_id=record_id, from_version=from_version, to_version=to_version
    )


@router.get("/history")
async def url_history(runtime: RuntimeDep, url: str = Query(...)) -> dict[str, Any]:
    """Every capture of the URL and its record's versions."""
    return await run_in_threadpool(views.history, runtime, url)
