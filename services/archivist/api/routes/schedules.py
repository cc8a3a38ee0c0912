"""Re-capture schedules: ``POST /v1/schedules``, ``GET /v1/schedules``, ``DELETE /v1/schedules/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from archivist import scheduling
from archivist.access import charge_submissions
from archivist.api.deps import ReadCaller, RuntimeDep, SubmitCaller
from archivist.api.schemas import ScheduleRequest, error_responses, parse_duration

router = APIRouter(prefix="/v1/schedules", tags=["schedules"],
                   responses=error_responses(400, 401, 403, 422, 503))


@router.post("", status_code=201)
async def add_schedule(body: ScheduleRequest, runtime: RuntimeDep, caller: SubmitCaller) -> dict[str, Any]:
    """Re-capture the URL every ``interval``; the first capture is due at once, so the schedule
    counts as one URL against the caller's submission quota, and each capture the scheduler
    submits for it later counts against the same key's quota then."""
    await run_in_threadpool(charge_submissions, runtime, caller, 1)
    return await run_in_threadpool(scheduling.add_schedule, runtime, body.url, parse_duration(body.interval),
                                   key_id=caller.key_id)


@router.get("")
async def list_schedules(runtime: RuntimeDep, _caller: ReadCaller) -> dict[str, Any]:
    return {"schedules": await run_in_threadpool(scheduling.list_schedules, runtime)}


@router.delete("/{schedule_id}", status_code=204, responses=error_responses(404))
async def remove_schedule(schedule_id: str, runtime: RuntimeDep, _caller: SubmitCaller) -> Response:
    await run_in_threadpool(scheduling.remove_schedule, runtime, schedule_id)
    return Response(status_code=204)
