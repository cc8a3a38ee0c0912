"""The document's language as an ISO 639-1 code.

A declared language (``<html lang>``, ``Content-Language`` meta, ``og:locale``) is what the
publisher says; only when none is declared, or the body plainly is in another language (a
theme's default ``lang="en"`` on French posts), is it detected from the extracted body text
with py3langid.
"""

from __future__ import annotations

import re

import py3langid
from lxml.html import HtmlElement

from archivist.extraction.structured import ARTICLE_TYPES, Structured, ld_text, ld_types

__all__ = ["declared_language", "declared_locale", "detect_language", "document_language",
           "find_language"]

_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
#: The region of a language tag ("en-GB", "en_AU", "zh-Hant-TW"): two letters or three digits.
_REGION = re.compile(r"[-_]([a-zA-Z]{2}|\d{3})(?=$|[-_])")
#: Shorter texts are too ambiguous for the classifier to be worth trusting.
_MIN_DETECT_CHARS = 40
_DETECT_CHARS = 2000
#: A declared language is overruled only by this much body text ...
_MIN_OVERRULE_CHARS = 200
#: ... detected as another language by this much log-probability per character.
_OVERRULE_MARGIN = 1.0
#: A shorter body (of at least this many characters) overrules it only by a margin that text
#: in another script than the declared language's reaches (Japanese, Russian or Arabic on an
#: "en" page: 7 to 14 per character) and text in another language of the same script does not
#: (German or French on an "en" page: 1 to 2). Twenty characters of Chinese are a sentence.
_MIN_SCRIPT_CHARS = 20
_SCRIPT_MARGIN = 5.0
#: The start of the body that the declared language must lose for the whole sample to be read:
#: most pages are in the language they declare, and the classifier's walk over the sample costs
#: in proportion to its length.
_PROBE_CHARS = 400


def _code(value: str | None) -> str | None:
    match = _CODE.match((value or "").strip())
    if not match:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None


def declared_language(tree: HtmlElement, data: Structured,
                      content_language: str | None = None) -> str | None:
    """The language the page declares about itself, if any (see :func:`declared_locale`)."""
    locale = declared_locale(tree, data, content_language)
    return locale.partition("-")[0] if locale else None


def declared_locale(tree: HtmlElement, data: Structured,
                    content_language: str | None = None) -> str | None:
    """The language the page declares (``<html lang>``, ``<meta http-equiv=content-language>``,
    then the HTTP ``Content-Language`` header the pipeline passes as ``content_language``, as
    the HTML standard orders them; ``og:locale``, the JSON-LD article's ``inLanguage``), with
    its region when one is declared ("en-GB"), else ``None``. The region may come from another declaration of the same language: a theme's
    ``<html lang="en">`` beside ``og:locale="en_AU"``. It decides how numeric dates read
    (12/07/2019 is 12 July in Britain, December 7 in the US)."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language":
            candidates.append((meta.get("content") or "").split(",")[0])
    candidates.append((content_language or "").split(",")[0])
    candidates.append(data.first_meta("og:locale", "language", "dc.language", "content-language",
                                      "inlanguage"))
    candidates.extend(ld_text(obj.get("inLanguage")) for obj in data.objects
                      if ld_types(obj) & ARTICLE_TYPES)
    codes = [(code, candidate.strip()) for candidate in candidates
             if candidate and (code := _code(candidate))]
    if not codes:
        return None
    language = codes[0][0]
    for code, tag in codes:
        region = _REGION.search(tag) if code == language else None
        if region:
            return f"{language}-{region.group(1).upper()}"
    return language


def detect_language(text: str) -> str | None:
    """The language of a text according to py3langid, or ``None`` for too little text."""
    if len(text.strip()) < _MIN_DETECT_CHARS:
        return None
    code, _score = py3langid.classify(text[:_DETECT_CHARS])
    return _code(code)


def document_language(declared: str | None, body: str) -> str | None:
    """The declared language, unless the body plainly is in another; else the detected one.

    Themes ship ``<html lang="en">`` whatever the language of the posts: a body of at least
    :data:`_MIN_OVERRULE_CHARS` whose detected language beats the declared one by
    :data:`_OVERRULE_MARGIN` log-probability per character overrules the declaration, and a
    shorter one in another script (:data:`_SCRIPT_MARGIN`) does too. Close
    languages (Galician and Portuguese, Bokmål and Danish) stay well under that margin. A body
    whose first :data:`_PROBE_CHARS` characters read best as the declared language is not
    plainly in another: the rest of the sample is not read.
    """
    if not declared:
        return detect_language(body)
    sample = body.strip()[:_DETECT_CHARS]
    if len(sample) < _MIN_SCRIPT_CHARS:
        return declared
    if len(sample) > _PROBE_CHARS and _code(py3langid.rank(sample[:_PROBE_CHARS])[0][0]) == declared:
        return declared
    scores = dict(py3langid.rank(sample))
    best = max(scores, key=scores.__getitem__)
    code = _code(best)
    if code is None or code == declared or declared not in scores:
        return declared
    margin = (scores[best] - scores[declared]) / len(sample)
    needed = _OVERRULE_MARGIN if len(sample) >= _MIN_OVERRULE_CHARS else _SCRIPT_MARGIN
    return code if margin >= needed else declared


def find_language(tree: HtmlElement, data: Structured, body: str,
                  content_language: str | None = None) -> str | None:
    """Declared language first (unless the body overrules it), else detected from the body."""
    return document_language(declared_language(tree, data, content_language), body)
