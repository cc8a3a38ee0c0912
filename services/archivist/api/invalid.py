"""A request the schemas refuse, said as one sentence: the API answers it in JSON, the pages
on an error page, and both name each field and its problem the same way."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError

__all__ = ["describe"]


def describe(exc: RequestValidationError) -> str:
    """``page: Input should be greater than or equal to 1; ...``: each field and its problem."""
    return "; ".join(_problem(error) for error in exc.errors())


def _problem(error: dict[str, Any]) -> str:
    """One problem as ``where: what``. A problem of the whole body (none sent, not an object) is
    the body's; a body that is not JSON says what JSON's parser said and where, which FastAPI
    keeps in ``ctx`` and ``loc`` and sums up as a bare "JSON decode error"."""
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        at = f" at character {loc[1]}" if len(loc) == 2 else ""
        return f"body: not JSON: {error.get('ctx', {}).get('error', error.get('msg'))}{at}"
    where = ".".join(str(part) for part in loc if part not in ("body", "query", "path"))
    if not where and loc == ("body",):
        where = "body"
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))
