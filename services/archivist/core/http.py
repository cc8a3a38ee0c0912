"""HTTP header lists as archived: ``[(name, value), ...]`` in the order received."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["header"]


def header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)
