"""The capture pipeline's steps: submit, fetch, extract. Actors call these; so do tests.

Each step is idempotent. It first claims its edge of the capture state machine with a
conditional update; a redelivered message that finds the step taken does nothing (or, for a
fetch that finished but whose extraction message was lost, re-sends that message). Permanent
failures end the capture with a reason here; transient ones propagate so the broker retries.
"""

from archivist.pipeline.common import fail_capture, reopen_capture
from archivist.pipeline.extracting import extract_capture, reextract_capture, reextract_targets
from archivist.pipeline.fetching import fetch_capture, store_snapshot
from archivist.pipeline.outcomes import ExtractOutcome, FetchOutcome, PageOutcome, ReextractOutcome
from archivist.pipeline.reconcile import requeue_stale
from archivist.pipeline.submission import Submission, submit

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
