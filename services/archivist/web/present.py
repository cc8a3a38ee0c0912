"""Shapes for the templates: a timeline's calendar months, a comment thread, a diff's rows.

Pure functions over the read side's dicts (``archivist.views``), kept out of the templates so
that the templates only lay things out, and so that they can be tested without a browser.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CaptureMark", "DiffRow", "Month", "SideRow", "capture_marks", "comment_thread", "diff_rows",
           "months", "side_by_side"]


@dataclass(frozen=True, slots=True)
class CaptureMark:
    """One capture on the timeline: when, and whether it brought new content."""

    id: str
    timestamp: str  # 14 digits: the snapshot's, or the submission's for a capture without one
    state: str  # new | unchanged | failed | pending
    label: str
    reason: str | None
    replayable: bool
    redirected_from: str | None = None  # the URL submitted, when its redirects ended on this one

    @property
    def day(self) -> tuple[int, int, int]:
        return int(self.timestamp[0:4]), int(self.timestamp[4:6]), int(self.timestamp[6:8])

    @property
    def time(self) -> str:
        return f"{self.timestamp[8:10]}:{self.timestamp[10:12]}:{self.timestamp[12:14]}"


_LABELS = {"new": "new content", "unchanged": "unchanged (revisit)", "failed": "failed", "pending": "in progress"}


def capture_marks(captures: Iterable[Mapping[str, Any]]) -> list[CaptureMark]:
    """The history's captures as marks: new content (a full response), unchanged (a revisit),
    failed, or still in progress. Only captures with a stored snapshot can be replayed. A capture
    submitted as another URL that redirected here says so: it is not a capture of this URL as given."""
    marks = []
    for capture in captures:
        if capture["status"] == "failed":
            state = "failed"
        elif capture["status"] != "archived":
            state = "pending"
        else:
            state = "unchanged" if capture["kind"] == "revisit" else "new"
        timestamp = capture["timestamp"] or "".join(ch for ch in capture["submitted_at"] if ch.isdigit())[:14]
        marks.append(CaptureMark(capture["id"], timestamp, state, _LABELS[state], capture["reason"],
                                 replayable=capture["timestamp"] is not None and state != "failed",
                                 redirected_from=capture.get("redirected_from")))
    return marks


@dataclass(slots=True)
class Month:
    """A calendar month with its captures by day: ``weeks`` of seven day numbers (0 outside)."""

    year: int
    month: int
    weeks: list[list[int]]
    days: dict[int, list[CaptureMark]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{calendar.month_name[self.month]} {self.year}"


def months(marks: Sequence[CaptureMark]) -> list[Month]:
    """The months that have captures, newest first, each laid out Monday to Sunday."""
    found: dict[tuple[int, int], Month] = {}
    for mark in marks:
        year, month, day = mark.day
        entry = found.get((year, month))
        if entry is None:
            entry = found[(year, month)] = Month(year, month, calendar.Calendar().monthdayscalendar(year, month))
        entry.days.setdefault(day, []).append(mark)
    return [found[key] for key in sorted(found, reverse=True)]


def comment_thread(comments: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Comments as a tree: each with its ``replies``, from the ``parent`` index of each comment.

    A parent that is missing, out of range or not earlier in the list makes the comment a
    top-level one: a bad index never hides a comment or loops.
    """
    nodes = [{**comment, "index": i, "replies": []} for i, comment in enumerate(comments)]
    roots = []
    for i, node in enumerate(nodes):
        parent = node.get("parent")
        if isinstance(parent, int) and 0 <= parent < i:
            nodes[parent]["replies"].append(node)
        else:
            roots.append(node)
    return roots


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: str  # hunk | context | removed | added
    text: str


@dataclass(frozen=True, slots=True)
class SideRow:
    """One row of a side-by-side diff: the old line on the left, the new one on the right."""

    left: str | None
    right: str | None
    kind: str  # hunk | context | changed | removed | added


def diff_rows(unified: str) -> list[DiffRow]:
    """A unified diff (``difflib``) as rows for an inline view; the file header lines are dropped."""
    rows = []
    for line in unified.splitlines():
        if line.startswith(("--- ", "+++ ")):
            continue
        if line.startswith("@@"):
            rows.append(DiffRow("hunk", line))
        elif line.startswith("-"):
            rows.append(DiffRow("removed", line[1:]))
        elif line.startswith("+"):
            rows.append(DiffRow("added", line[1:]))
        else:
            rows.append(DiffRow("context", line[1:]))
    return rows


def side_by_side(rows: Sequence[DiffRow]) -> list[SideRow]:
    """Inline rows paired up: a run of removed lines faces the run of added lines after it."""
    out: list[SideRow] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        for i in range(max(len(removed), len(added))):
            left = removed[i] if i < len(removed) else None
            right = added[i] if i < len(added) else None
            kind = "changed" if left is not None and right is not None else ("removed" if right is None else "added")
            out.append(SideRow(left, right, kind))
        removed.clear()
        added.clear()

    for row in rows:
        if row.kind == "removed":
            if added:
                flush()
            removed.append(row.text)
        elif row.kind == "added":
            added.append(row.text)
        else:
            flush()
            out.append(SideRow(row.text, row.text, row.kind))
    flush()
    return out
