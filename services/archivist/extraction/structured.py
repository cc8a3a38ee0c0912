"""Read the machine-readable metadata a page declares: JSON-LD objects and ``<meta>`` tags.

Declared metadata is the most reliable provenance for title, dates, authors and comments, so
every metadata step starts here. JSON-LD is read with ``json`` directly (not extruct) because
only a handful of keys are needed and this runs on every page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

__all__ = ["ARTICLE_TYPES", "Structured", "ld_text", "ld_types", "read_structured"]

#: schema.org types of the document itself (an article, a post, a report): what a page's
#: JSON-LD says about the main content, as opposed to its images, comments or web page shell.
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle", "TechArticle",
    "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "LiveBlogPosting",
    "SocialMediaPosting", "Review",
})
#: JSON-LD nested deeper than this is skipped like malformed JSON: real graphs and reply
#: threads nest a few dozen levels at most, and the readers of its values (:func:`ld_text`,
#: the image and comment readers) recurse, one call a level, so a crafted script of
#: ``{"name": {"name": ...}}`` nested a thousand deep crashed the page's extraction.
_MAX_LD_DEPTH = 200
#: The keys whose ``{"@id": ...}`` references :func:`_resolve_references` follows.
_REFERENCE_KEYS = ("author", "creator", "publisher")
#: An HTML character reference with its final ``;``: without one, ``html.unescape`` reads the
#: legacy names too, and a URL's ``&copy=2`` or ``&para=3`` would become "©=2", "¶=3".
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass(slots=True)
class Structured:
    """JSON-LD objects (nested ones flattened out) and meta tags keyed by lower-cased name."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)

    def first_meta(self, *names: str) -> str | None:
        """The first non-empty content among ``names``, in the order given."""
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None


class _TooDeep(ValueError):
    """A JSON-LD value nests deeper than :data:`_MAX_LD_DEPTH`."""


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON value, each before the objects nested in it, in document order.

    An explicit stack, not recursion: each level of nested generators would cost every object
    below it one more resumption, and JSON-LD graphs nest deeply.

    Raises:
        _TooDeep: the value nests deeper than :data:`_MAX_LD_DEPTH`.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_LD_DEPTH:
            raise _TooDeep(f"JSON-LD nested more than {_MAX_LD_DEPTH} levels")
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if isinstance(item, dict):
            yield item
        stack.extend(reversed([(child, depth + 1) for child in children if isinstance(child, (dict, list))]))


def ld_types(obj: dict[str, Any]) -> set[str]:
    """The ``@type`` of a JSON-LD object as a set of bare names (``schema:Article`` → Article).

    A ``@type`` that is neither a string nor a list (a number, an object) names no type.
    """
    raw = obj.get("@type")
    if isinstance(raw, str):
        names = [raw]
    elif isinstance(raw, list):
        names = [name for name in raw if isinstance(name, str)]
    else:
        names = []
    return {name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names}


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as text: strings as is, objects by ``name``/``@value``, lists by first."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return ld_text(value.get("name") or value.get("@value"))
    if isinstance(value, list) and value:
        return ld_text(value[0])
    return None


def _unescape(text: str) -> str:
    """``text`` with its character references (ended by ``;``) decoded."""
    return _ENTITY.sub(lambda match: html.unescape(match.group(0)), text) if "&" in text else text


def _unescape_strings(obj: dict[str, Any]) -> dict[str, Any]:
    """A JSON object with the HTML entities in its strings (and its lists' strings) decoded.

    CMSs build JSON-LD from the same escaped strings as their HTML, so a headline or a name
    arrives as ``"Caf&eacute; &amp; Bar"``; a ``json.loads`` object hook, so each object of
    any depth is done once, bottom up.
    """
    for key, value in obj.items():
        if isinstance(value, str):
            obj[key] = _unescape(value)
        elif isinstance(value, list):
            obj[key] = [_unescape(item) if isinstance(item, str) else item for item in value]
    return obj


def _resolve_references(objects: list[dict[str, Any]]) -> None:
    """Replace a bare ``{"@id": ...}`` author, creator or publisher by the object of that id.

    Graphs (Yoast's on WordPress, most news CMSs) name the people and the publisher once and
    refer to them by id: ``"author": {"@id": ".../#/schema/person/1"}``. Only these keys are
    resolved, one level, so no reference can make a reader loop.
    """
    named = {obj["@id"]: obj for obj in objects
             if isinstance(obj.get("@id"), str) and len(obj.keys() - {"@id", "@type"}) > 0}
    if not named:
        return

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and value.keys() <= {"@id", "@type"}:
            return named.get(value.get("@id"), value) if isinstance(value.get("@id"), str) else value
        return value

    for obj in objects:
        for key in _REFERENCE_KEYS:
            value = obj.get(key)
            if isinstance(value, list):
                obj[key] = [resolve(item) for item in value]
            elif value is not None:
                obj[key] = resolve(value)


def _page_key(url: str) -> str | None:
    """``url`` compared as a page: host, path without a final ``/`` and query; no fragment."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return f"{parts.hostname}{parts.path.rstrip('/')}?{parts.query}"


def _named_pages(obj: dict[str, Any]) -> set[str]:
    """The pages a JSON-LD object says it is: its ``url``, ``mainEntityOfPage`` and ``@id``."""
    found = set()
    for value in (obj.get("url"), obj.get("mainEntityOfPage"), obj.get("@id")):
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and (key := _page_key(value)):
            found.add(key)
    return found


def _own_articles_first(objects: list[dict[str, Any]], urls: tuple[str, ...]) -> list[dict[str, Any]]:
    """``objects`` with the articles that name another page (teasers of other stories in the
    same ``@graph``) moved after the others, when one article names this page."""
    own = {key for url in urls if (key := _page_key(url))}
    named = [_named_pages(obj) if ld_types(obj) & ARTICLE_TYPES else set() for obj in objects]
    if not any(pages & own for pages in named):
        return objects
    elsewhere = [bool(pages) and not pages & own for pages in named]
    return ([obj for obj, other in zip(objects, elsewhere, strict=True) if not other]
            + [obj for obj, other in zip(objects, elsewhere, strict=True) if other])


def read_structured(tree: HtmlElement, *, urls: tuple[str, ...] = ()) -> Structured:
    """Collect JSON-LD and meta tags from a parsed page; malformed JSON-LD is skipped, and so
    is JSON-LD nested too deep to read (:data:`_MAX_LD_DEPTH`; ``json`` itself gives up on
    about a thousand levels with a ``RecursionError``).

    ``urls`` are the page's own (its URL, its canonical URL): of several article objects, the
    one that names one of them comes before those that name other pages.
    """
    found = Structured()
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            # strict=False: CMSs paste descriptions and bodies with their raw line breaks
            # into JSON-LD strings, which search engines read all the same.
            found.objects.extend(list(_walk(json.loads(script.text.strip().rstrip(";"), strict=False,
                                                   object_hook=_unescape_strings))))
        except (ValueError, RecursionError):
            continue
    _resolve_references(found.objects)
    found.objects = _own_articles_first(found.objects, urls)
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        # One tag may name its value several ways (``property="article:published"
        # itemprop="datePublished dateCreated"``): it counts under each.
        names = [meta.get("property") or "", meta.get("name") or "", *(meta.get("itemprop") or "").split()]
        # Themes escape an escaped title again ("&amp;amp;"): what lxml leaves is decoded.
        value = _unescape(content)
        for key in dict.fromkeys(name.strip().lower() for name in names if name.strip()):
            found.meta.setdefault(key, []).append(value)
    return found
