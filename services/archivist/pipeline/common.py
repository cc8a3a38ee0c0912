"""Shared by the steps: the clock, leases, and ending or reopening a capture."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from archivist.core.captures import CaptureStatus
from archivist.core.errors import (
    ArchivistError,
)
from archivist.runtime import Runtime

__all__ = ["aware", "end_failed", "extract_lease", "fail_capture", "fetch_lease", "reopen_capture", "utcnow"]

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we write is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def fetch_lease(runtime: Runtime) -> timedelta:
    """How long a fetch holds its capture without renewing (renewed after every page)."""
    settings = runtime.settings
    return timedelta(seconds=2 * settings.total_timeout + settings.host_max_wait)


def extract_lease(runtime: Runtime) -> timedelta:
    """How long an extraction may take before its capture counts as abandoned."""
    return timedelta(seconds=runtime.settings.extract_time_limit)


def end_failed(
    runtime: Runtime, capture_id: str, exc: ArchivistError, *, holder: str | None = None, attempt: int | None = None
) -> bool:
    """End the capture failed; with ``holder`` and ``attempt``, only while that fetch claim holds it
    (a delivery that lost the capture to a newer claim must not end it). False if it did not."""
    log.info("capture %s failed: %s (%s)", capture_id, exc.message, exc.reason)
    with runtime.database.session(atomic=False) as session:
        return runtime.catalog.move(session, capture_id, CaptureStatus.FAILED, reason=exc.reason,
                                    message=exc.message, holder=holder, attempt=attempt)


def fail_capture(runtime: Runtime, capture_id: str, exc: ArchivistError) -> bool:
    """End a capture as failed (used when retries are exhausted). False if it already ended."""
    with runtime.database.session(atomic=False) as session:
        return runtime.catalog.move(
            session, capture_id, CaptureStatus.FAILED, reason=exc.reason, message=exc.message
        )


def reopen_capture(runtime: Runtime, capture_id: str, target: CaptureStatus) -> bool:
    """Reopen a failed capture for an operator's requeue. False if it is not failed."""
    with runtime.database.session() as session:
        return runtime.catalog.reopen(session, capture_id, target)
