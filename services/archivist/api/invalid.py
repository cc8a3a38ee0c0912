"""A request the schemas refuse, said as one sentence: the API answers it in JSON, the pages
on an error page, and both name each field and its problem the same way."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError

__all__ = ["describe"]


def describe(exc: RequestValidationError, *, content_type: str | None = None) -> str:
    """``page: Input should be greater than or equal to 1; ...``: each field and its problem.

    ``content_type``: the request's, given for a JSON API. FastAPI reads a body as JSON only
    under a JSON type, so one sent as text/plain, form data or with no type reaches the schema
    as bytes or not at all, and its problem is that type, not the body's shape.
    """
    if content_type is not None and not _is_json(content_type) and any(
            tuple(error.get("loc", ())) == ("body",) for error in exc.errors()):
        return f"body: must be JSON sent as Content-Type: application/json (this request's is {content_type or 'none'})"
    return "; ".join(_problem(error) for error in exc.errors())


def _is_json(content_type: str) -> bool:
    """Whether FastAPI reads a body of this type as JSON: ``*/json`` or ``*/*+json``."""
    subtype = content_type.split(";")[0].strip().lower().partition("/")[2]
    return subtype == "json" or subtype.endswith("+json")


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
