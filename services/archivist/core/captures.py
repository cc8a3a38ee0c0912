"""The capture state machine.

A capture is one submission of one URL. Its status only moves forward along these edges, and
every actor claims its step with a conditional update on the status, so a message delivered
twice finds the step already taken and does nothing (idempotent actors)::

    queued ──> fetching ──> extracting ──> archived
       │          │  ▲           │
       │          └──┘ (the same delivery after a crash, or once the lease expired)
       └──────────┴──────────────┴──────> failed ──> queued | extracting  (operator requeue)

Nothing automatic leaves ``failed``: only an operator requeueing a dead letter reopens a capture
(back to ``queued`` for a fetch, ``extracting`` for an extraction). Re-extraction is not a
status: it makes record versions, not captures.
"""

from __future__ import annotations

import enum

__all__ = ["REOPEN_TARGETS", "TERMINAL", "CaptureStatus", "can_move", "can_reopen", "sources_of", "spn_status"]


class CaptureStatus(enum.StrEnum):
    QUEUED = "queued"
    FETCHING = "fetching"
    EXTRACTING = "extracting"
    ARCHIVED = "archived"
    FAILED = "failed"


TERMINAL = frozenset({CaptureStatus.ARCHIVED, CaptureStatus.FAILED})

_EDGES: dict[CaptureStatus, frozenset[CaptureStatus]] = {
    CaptureStatus.QUEUED: frozenset({CaptureStatus.FETCHING, CaptureStatus.FAILED}),
    # fetching -> fetching: a redelivered fetch message re-claims an interrupted fetch.
    CaptureStatus.FETCHING: frozenset(
        {CaptureStatus.FETCHING, CaptureStatus.EXTRACTING, CaptureStatus.FAILED}
    ),
    CaptureStatus.EXTRACTING: frozenset({CaptureStatus.ARCHIVED, CaptureStatus.FAILED}),
    CaptureStatus.ARCHIVED: frozenset(),
    CaptureStatus.FAILED: frozenset(),
}

#: Where an operator's dead-letter requeue may send a failed capture (see :func:`can_reopen`).
REOPEN_TARGETS = frozenset({CaptureStatus.QUEUED, CaptureStatus.EXTRACTING})


def can_move(current: CaptureStatus, target: CaptureStatus) -> bool:
    """Whether a capture in ``current`` may move to ``target``."""
    return target in _EDGES[current]


def can_reopen(current: CaptureStatus, target: CaptureStatus) -> bool:
    """Whether an operator may reopen a capture: only from ``failed``, only to a live step."""
    return current is CaptureStatus.FAILED and target in REOPEN_TARGETS


def sources_of(target: CaptureStatus) -> frozenset[CaptureStatus]:
    """Every status from which ``target`` can be reached in one step (for conditional updates)."""
    return frozenset(status for status, edges in _EDGES.items() if target in edges)


def spn_status(status: CaptureStatus) -> str:
    """The Wayback "Save Page Now" status word: pending, success or error."""
    if status is CaptureStatus.ARCHIVED:
        return "success"
    if status is CaptureStatus.FAILED:
        return "error"
    return "pending"
