"""A request the schemas refuse, said as one sentence: the API answers it in JSON, the pages
on an error page, and both name each field and its problem the same way."""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError

__all__ = ["describe"]


def describe(exc: RequestValidationError) -> str:
    """``page: Input should be greater than or equal to 1; ...``: each field and its problem."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return "; ".join(problems)
