"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from archivist.core.durations import parse_duration

__all__ = [
    "CaptureRequest",
    "CaptureSummary",
    "CapturesAccepted",
    "ErrorBody",
    "ScheduleRequest",
    "error_responses",
    "parse_duration",
]

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


class ErrorBody(BaseModel):
    """Every error the API answers, whatever its status: a stable reason to branch on and a
    sentence for people."""

    error: str = Field(description="What went wrong, as a stable word: not_found, invalid_input, invalid_url...")
    detail: str = Field(description="What went wrong, for people: names the input or the server at fault.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For a request the schemas refuse (422): each field's problem, as FastAPI lists it."
    )


_ERROR_MEANINGS = {
    400: "The request is malformed (a header or body that cannot be read).",
    401: "Authentication is on and no valid API key was given.",
    403: "The API key lacks the scope this route needs.",
    404: "Nothing archived or stored under that identifier or URL.",
    410: "The capture is archived, but its stored copy is gone (`snapshot_missing`) or damaged (`corrupt_warc`).",
    422: "An input is invalid: `detail` names it and its problem.",
    429: "The API key's submission rate is used up; `Retry-After` says when to retry.",
    503: "PostgreSQL, Redis or S3 cannot be reached or is misconfigured; retry later.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors a route can answer, each with :class:`ErrorBody`.

    Given for 422, this replaces FastAPI's default validation-error schema, which is not the
    shape the API sends (see ``archivist.api.app``)."""
    return {status: {"model": ErrorBody, "description": _ERROR_MEANINGS[status]} for status in statuses}
