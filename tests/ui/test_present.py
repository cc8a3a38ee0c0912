"""The shapes the templates lay out: comment threads, diff rows, calendar months, capture marks."""

from __future__ import annotations

from archivist.core.diffs import diff_versions
from archivist.web import present


def test_a_thread_nests_replies_and_keeps_comments_with_bad_parents() -> None:
    comments = [{"text": "a", "parent": None}, {"text": "b", "parent": 0}, {"text": "c", "parent": 1},
                {"text": "d", "parent": 7}, {"text": "e", "parent": 4}, {"text": "f", "parent": "0"}]
    roots = present.comment_thread(comments)
    assert [c["text"] for c in roots] == ["a", "d", "e", "f"]
    assert roots[0]["replies"][0]["text"] == "b" and roots[0]["replies"][0]["replies"][0]["text"] == "c"


def test_side_by_side_pairs_removed_with_added_lines() -> None:
    old = {"body": "one\ntwo\nthree\nfour\nfive"}
    new = {"body": "one\nTWO\nthree\nfour\nfive\nsix"}
    rows = present.diff_rows(diff_versions(old, new, from_version=1, to_version=2).body)
    side = present.side_by_side(rows)
    assert [(r.left, r.right, r.kind) for r in side if r.kind != "context"] == [
        ("@@ -1,5 +1,6 @@", "@@ -1,5 +1,6 @@", "hunk"), ("two", "TWO", "changed"), (None, "six", "added")]
    assert [r.kind for r in rows].count("removed") == 1


def test_marks_and_months() -> None:
    captures = [
        {"id": "1", "timestamp": "20260305101500", "submitted_at": "2026-03-05T10:15:00Z", "status": "archived",
         "kind": "response", "reason": None},
        {"id": "2", "timestamp": "20260305111500", "submitted_at": "2026-03-05T11:15:00Z", "status": "archived",
         "kind": "revisit", "reason": None},
        {"id": "3", "timestamp": None, "submitted_at": "2026-04-01T08:00:00.5Z", "status": "failed",
         "kind": None, "reason": "http_4xx"},
    ]
    marks = present.capture_marks(captures)
    assert [(m.state, m.replayable, m.time) for m in marks] == [
        ("new", True, "10:15:00"), ("unchanged", True, "11:15:00"), ("failed", False, "08:00:00")]
    months = present.months(marks)
    assert [m.name for m in months] == ["April 2026", "March 2026"]
    assert [m.id for m in months[1].days[5]] == ["1", "2"] and months[1].weeks[0][:3] == [0, 0, 0]
