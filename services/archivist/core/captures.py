"""The capture state machine.

A capture is one submission of one URL. Its status only moves forward along these edges, and
every actor claims its step with a conditional update on the status, so a message delivered
twice finds the step already taken and does nothing (idempotent actors)::

                  ┌─────────────────────────┐ (only the delivery holding the fetch step)
                  │                         ▼
    queued ──> fetching ──> extracting ──> archived
       │          │  ▲           │
       │          └──┘ (the same delivery after a crash, or once the lease expired)
       └──────────┴──────────────┴──────> failed ──> queued | extracting  (operator requeue)

The fetch delivery extracts the pages it holds itself, then writes their snapshot rows, the
record version and the capture's end in one transaction, where nobody could see ``extracting``
in between: it moves the capture from ``fetching`` to ``archived`` at once (see
:data:`HELD_EDGES`).

Nothing automatic leaves ``failed``: only an operator requeueing a dead letter reopens a capture
(back to ``queued`` for a fetch, ``extracting`` for an extraction). Re-extraction is not a
status: it makes record versions, not captures.
"""

from __future__ import annotations

import enum

__all__ = ["HELD_EDGES", "REOPEN_TARGETS", "TERMINAL", "CaptureStatus", "can_move", "can_reopen", "sources_of", "spn_status"]


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

#: Edges out of ``fetching`` that only the delivery holding the fetch step may take: the catalog
#: checks the holder, so an extract message (or any other step) can never archive a capture that
#: some fetch delivery is working on.
HELD_EDGES = frozenset({CaptureStatus.ARCHIVED})

#: Where an operator's dead-letter requeue may send a failed capture (see :func:`can_reopen`).
REOPEN_TARGETS = frozenset({CaptureStatus.QUEUED, CaptureStatus.EXTRACTING})


def can_move(current: CaptureStatus, target: CaptureStatus, *, holding: bool = False) -> bool:
    """Whether a capture in ``current`` may move to ``target``; ``holding``: by the fetch step's holder."""
    return target in _EDGES[current] or (holding and current is CaptureStatus.FETCHING and target in HELD_EDGES)


def can_reopen(current: CaptureStatus, target: CaptureStatus) -> bool:
    """Whether an operator may reopen a capture: only from ``failed``, only to a live step."""
    return current is CaptureStatus.FAILED and target in REOPEN_TARGETS


def sources_of(target: CaptureStatus) -> frozenset[CaptureStatus]:
    """Every status from which anyone can reach ``target`` in one step (for conditional updates).

    The held edges are not among them: the catalog writes those with the holder's check.
    """
    return frozenset(status for status, edges in _EDGES.items() if target in edges)


def spn_status(status: CaptureStatus) -> str:
    """The Wayback "Save Page Now" status word: pending, success or error."""
    if status is CaptureStatus.ARCHIVED:
        return "success"
    if status is CaptureStatus.FAILED:
        return "error"
    return "pending"
