"""The capture pipeline's steps: submit, fetch, extract. Actors call these; so do tests.

Each step is idempotent. It first claims its edge of the capture state machine with a
conditional update; a redelivered message that finds the step taken does nothing (or, for a
fetch that finished but whose extraction message was lost, re-sends that message). Permanent
failures end the capture with a reason here; transient ones propagate so the broker retries.

The names below are imported from their step's module on first use (PEP 562): submitting
needs none of the extraction stack, and ``archivist submit`` starts half a second sooner
without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archivist.pipeline.common import fail_capture, reopen_capture
    from archivist.pipeline.extracting import extract_capture, reextract_capture, reextract_targets
    from archivist.pipeline.fetching import fetch_capture, store_snapshot
    from archivist.pipeline.outcomes import ExtractOutcome, FetchOutcome, PageOutcome, ReextractOutcome
    from archivist.pipeline.reconcile import requeue_stale
    from archivist.pipeline.submission import Submission, submit

#: Each public name and the step module that defines it.
_MODULES = {
    "ExtractOutcome": "outcomes",
    "FetchOutcome": "outcomes",
    "PageOutcome": "outcomes",
    "ReextractOutcome": "outcomes",
    "Submission": "submission",
    "extract_capture": "extracting",
    "fail_capture": "common",
    "fetch_capture": "fetching",
    "reextract_capture": "extracting",
    "reextract_targets": "extracting",
    "reopen_capture": "common",
    "requeue_stale": "reconcile",
    "store_snapshot": "fetching",
    "submit": "submission",
}

__all__ = [
    "ExtractOutcome",
    "FetchOutcome",
    "PageOutcome",
    "ReextractOutcome",
    "Submission",
    "extract_capture",
    "fail_capture",
    "fetch_capture",
    "reextract_capture",
    "reextract_targets",
    "reopen_capture",
    "requeue_stale",
    "store_snapshot",
    "submit",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value
    return value
