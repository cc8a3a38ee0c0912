"""Identifiers the archive issues."""

from __future__ import annotations

import uuid

__all__ = ["is_issued_id"]


def is_issued_id(text: str) -> bool:
    """Whether ``text`` can name a capture, record, schedule or key: every id the archive issues
    is a UUID, written as ``str(uuid)`` writes it.

    Any other text given by a caller (in a path, a query, a form) names nothing, so it is looked
    up nowhere: some of it (a NUL) PostgreSQL refuses even to compare.
    """
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False
