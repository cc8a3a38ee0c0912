"""Records: ``GET /v1/records?url=``, ``GET /v1/records/{id}``, ``GET /v1/records/{id}/diff``,
``GET /v1/history?url=``, ``GET /v1/search``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from archivist import views
from archivist.api.deps import RuntimeDep, require
from archivist.api.schemas import error_responses
from archivist.core.access import Scope

router = APIRouter(prefix="/v1", tags=["records"], dependencies=[Depends(require(Scope.READ))],
                   responses=error_responses(401, 403, 404, 422, 503))


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


@router.get("/search")
async def search_records(
    runtime: RuntimeDep,
    q: str | None = Query(None, description="Words, all required, in the title or body."),
    url_prefix: str | None = Query(None, description="Records whose URL starts with this (scheme aside)."),
    host: str | None = Query(None, description="Records of this host (www. or not)."),
    from_: str | None = Query(None, alias="from", description="Archived on or after: 2024-03-05 or a timestamp."),
    to: str | None = Query(None, description="Archived on or before (the whole day or period it names)."),
    page: int = Query(1, ge=1),
) -> dict[str, Any]:
    """Records by words, URL prefix, host and archive date, 20 a page, best matches first."""
    return await run_in_threadpool(views.search, runtime, q=q, url_prefix=url_prefix, host=host,
                                   since=from_, until=to, page=page)
