"""A request the schemas refuse, said as one sentence: the API answers it in JSON, the pages
on an error page, and both name each field and its problem the same way."""

from __future__ import annotations

import math
import re
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

__all__ = ["describe", "refusal"]

#: A lone UTF-16 surrogate: a JSON body's ``"\\ud800"`` escape reads as one, and UTF-8 has none.
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def refusal(exc: RequestValidationError, *, content_type: str) -> dict[str, Any]:
    """The API's answer to a request the schemas refuse: ``error``, ``detail`` (:func:`describe`)
    and FastAPI's own list of the problems in ``errors``, as JSON can carry them.

    Each problem echoes its ``input``, which is whatever the client sent: a body FastAPI did not
    read as JSON comes as bytes (not UTF-8, perhaps), a JSON number may be ``1e400`` or ``NaN``
    (which Python's reader takes and JSON cannot write), a string may hold a lone surrogate
    (UTF-8 cannot encode one), and the detail may quote it. Those are echoed as text instead of
    failing the answer with a 500.
    """
    errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: lambda raw: raw.decode("utf-8", "replace")})
    return _writable({"error": "invalid_input", "detail": describe(exc, content_type=content_type), "errors": errors})


def _writable(value: Any) -> Any:
    """``value`` (JSON's types) with each lone surrogate replaced by U+FFFD and each number JSON
    cannot write (infinities, NaN) as its name, so that the answer quoting it can be sent."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, list | tuple):
        return [_writable(item) for item in value]
    if isinstance(value, dict):
        return {_writable(key): _writable(item) for key, item in value.items()}
    return value
