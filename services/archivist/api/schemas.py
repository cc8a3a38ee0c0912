"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from archivist.core.durations import parse_duration

__all__ = ["CaptureRequest", "CaptureSummary", "CapturesAccepted", "ScheduleRequest", "parse_duration"]

#: One request may carry this many URLs; larger batches go through several requests.
MAX_BATCH = 10_000


class CaptureRequest(BaseModel):
    urls: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    if_not_archived_within: str | None = Field(
        default=None, description="Skip URLs archived this recently (e.g. 1d) and return that capture."
    )

    @field_validator("if_not_archived_within")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


class CaptureSummary(BaseModel):
    id: str
    url: str
    status: str
    reason: str | None = None
    message: str | None = None
    existing: bool = False


class CapturesAccepted(BaseModel):
    captures: list[CaptureSummary]


class ScheduleRequest(BaseModel):
    url: str
    interval: str = Field(description="How often to re-capture, e.g. 12h or 1d (at least 1m).")

    @field_validator("interval")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value
