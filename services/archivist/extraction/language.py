"""The document's language as an ISO 639-1 code.

A declared language (``<html lang>``, ``Content-Language`` meta, ``og:locale``) is what the
publisher says and costs nothing; only when none is declared do we detect it from the extracted
body text with py3langid.
"""

from __future__ import annotations

import re

import py3langid
from lxml.html import HtmlElement

from archivist.extraction.structured import Structured

__all__ = ["declared_language", "detect_language", "find_language"]

_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
#: Shorter texts are too ambiguous for the classifier to be worth trusting.
_MIN_DETECT_CHARS = 40
_DETECT_CHARS = 2000


def _code(value: str | None) -> str | None:
    match = _CODE.match((value or "").strip())
    if not match:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def declared_language(tree: HtmlElement, data: Structured) -> str | None:
    """The language the page declares about itself, if any."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language":
            candidates.append((meta.get("content") or "").split(",")[0])
    candidates.append(data.first_meta("og:locale", "language", "dc.language", "content-language",
                                      "inlanguage"))
    for candidate in candidates:
        code = _code(candidate)
        if code:
            return code
    return None


def detect_language(text: str) -> str | None:
    """The language of a text according to py3langid, or ``None`` for too little text."""
    if len(text.strip()) < _MIN_DETECT_CHARS:
        return None
    code, _score = py3langid.classify(text[:_DETECT_CHARS])
    return _code(code)


def find_language(tree: HtmlElement, data: Structured, body: str) -> str | None:
    """Declared language first, else detected from the body text."""
    return declared_language(tree, data) or detect_language(body)
