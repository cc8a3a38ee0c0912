"""What a step did, for the metrics wrapper and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ExtractOutcome", "FetchOutcome", "PageOutcome", "ReextractOutcome"]


@dataclass(slots=True)
class PageOutcome:
    status: int | None
    received_bytes: int = 0
    stored_bytes: int = 0
    revisit: bool = False
    seconds: float = 0.0


@dataclass(slots=True)
class ExtractOutcome:
    capture_id: str
    new_version: bool = False
    seconds: float = 0.0
    failed_reason: str | None = None
    latency_seconds: float | None = None
    skipped: bool = False


@dataclass(slots=True)
class FetchOutcome:
    """``extraction`` is set when the fetch delivery extracted the pages itself; ``missing_pages``
    says which pages of the article failed for good, so were archived around; ``more_pages``
    that the article has more pages than ``max_pages``, which were not fetched."""

    capture_id: str
    pages: list[PageOutcome] = field(default_factory=list)
    missing_pages: list[str] = field(default_factory=list)
    more_pages: bool = False
    failed_reason: str | None = None
    skipped: bool = False
    extraction: ExtractOutcome | None = None


@dataclass(slots=True)
class ReextractOutcome:
    capture_id: str
    new_version: bool = False
    seconds: float = 0.0
    failed_reason: str | None = None
    skipped: bool = False
