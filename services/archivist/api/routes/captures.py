"""Submissions and their status: ``POST /v1/captures``, ``GET /v1/captures/{id}``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from archivist import pipeline, views
from archivist.access import charge_submissions
from archivist.api.deps import ReadCaller, RuntimeDep, SubmitCaller
from archivist.api.schemas import (
    CaptureRequest,
    CapturesAccepted,
    CaptureSummary,
    error_responses,
    parse_duration,
)
from archivist.observability import metrics

router = APIRouter(prefix="/v1/captures", tags=["captures"],
                   responses=error_responses(400, 401, 403, 422, 503))


@router.post("", status_code=202, response_model=CapturesAccepted, responses=error_responses(429))
async def submit_captures(body: CaptureRequest, runtime: RuntimeDep, caller: SubmitCaller) -> CapturesAccepted:
    """Queue each URL for capture. Invalid URLs come back as failed captures with a reason."""
    await run_in_threadpool(charge_submissions, runtime, caller, len(body.urls))
    window = parse_duration(body.if_not_archived_within) if body.if_not_archived_within else None
    submissions = await run_in_threadpool(pipeline.submit, runtime, body.urls, if_not_archived_within=window)
    # One increment per distinct outcome, not per URL: a label lookup takes a lock, and a batch
    # of 1,000 URLs has one or two outcomes.
    outcomes = Counter(
        ("rejected" if item.status == "failed" else "accepted", item.reason or "") for item in submissions
    )
    for (outcome, reason), count in outcomes.items():
        metrics.SUBMISSIONS.labels(outcome, reason).inc(count)
    return CapturesAccepted(
        captures=[
            CaptureSummary(id=s.id, url=s.url, status=s.status, reason=s.reason, message=s.message, existing=s.existing)
            for s in submissions
        ]
    )


@router.get("/{capture_id}", responses=error_responses(404))
async def get_capture(capture_id: str, runtime: RuntimeDep, _caller: ReadCaller) -> dict[str, Any]:
    """Where the capture is: queued, fetching, extracting, archived or failed (with a reason)."""
    return await run_in_threadpool(views.get_capture, runtime, capture_id)
