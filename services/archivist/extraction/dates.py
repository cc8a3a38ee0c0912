"""Publication and modification dates, chosen by provenance rather than document order.

Taking the first date in the document (as generic date finders do) picks a site header's
"today" date or a sidebar's. We trust, in order: JSON-LD ``datePublished``; OpenGraph /
``<meta>`` publication dates; ``itemprop=datePublished`` and ``<time>`` elements outside the
site chrome; a date in the URL path; finally a date written in the byline or next to the author
element. Header, navigation, footer and sidebar dates are never used, and there is no default:
no date found gives ``None``, never the capture day.

Dates are returned as ISO 8601 calendar dates (``YYYY-MM-DD``): time zones are too often
missing or wrong on real pages to make the time of day trustworthy.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Iterator

from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader
from lxml import etree
from lxml.html import HtmlElement

from archivist.extraction.boilerplate import in_furniture
from archivist.extraction.regions import (
    attributes,
    headline_scope,
    in_chrome,
)
from archivist.extraction.structured import Structured, ld_types
from archivist.extraction.text import text_content

__all__ = ["find_dates", "parse_date"]

_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_time", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "dc.date.created",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "citation_date",
    "article.published", "originalpublicationdate", "cxenseparse:recs:publishtime",
)
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "dc.date.modified", "last-modified", "lastmod", "article.updated",
)
#: Written dates worth parsing name a year (four digits, or two after a separator: 7/7/10).
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")
#: Date-shaped pieces of a longer text: "3 mars 2022", "March 3, 2022", "3.3.2022".
_WRITTEN_DATE = re.compile(
    r"\b\d{1,2}\.?\s+[^\W\d_]{3,12}\.?,?\s+\d{4}\b|\b[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$|[-_])")
_BYLINE = re.compile(r"byline|author|dateline|posted|published|pubdate|date|time|meta|info",
                     re.IGNORECASE)
#: Where a byline splits into pieces that may each be a date ("Jane Doe | 3 March 2022").
_BYLINE_SEPARATORS = re.compile(r"\s*[|•·–—]\s*|\s{2,}")
#: XPath objects are compiled once; ``element.xpath(...)`` compiles its expression every call.
_IN_COMMENT = etree.XPath("ancestor::*[contains(@class,'comment') or contains(@id,'comment')]")
_PRECEDING = etree.XPath("count(preceding::*)")
_DATE_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
#: Without a declared language, written dates are read as English: guessing among all of
#: dateparser's locales costs tens of milliseconds a call.
_DEFAULT_LANGUAGES = ("en",)
_SUPPORTED = frozenset(default_loader.get_locale_map().keys())
#: Text longer than this around a byline is prose, not a dateline.
_MAX_DATE_TEXT = 80
_OLDEST_YEAR = 1990
#: Bound on byline candidates read, since written dates are slow to parse.
_MAX_BYLINES = 20


def _valid(date: dt.date) -> str | None:
    if _OLDEST_YEAR <= date.year <= dt.date.today().year + 1:
        return date.isoformat()
    return None


def parse_date(text: str | None, languages: list[str] | None = None) -> str | None:
    """An ISO date from ISO 8601 text or a written date in most languages (via dateparser)."""
    if not text or not text.strip():
        return None
    text = text.strip()
    match = _ISO.search(text)
    if match:
        try:
            return _valid(dt.date(*(int(part) for part in match.groups())))
        except ValueError:
            return None
    if len(text) > _MAX_DATE_TEXT or not _HAS_YEAR.search(text):
        return None
    parser = _parser(tuple(languages or ()) or _DEFAULT_LANGUAGES)
    for candidate in [text, *(match.group(0) for match in _WRITTEN_DATE.finditer(text))]:
        parsed = parser.get_date_data(candidate).date_obj
        if parsed:
            return _valid(parsed.date())
    return None


@functools.lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...]) -> DateDataParser:
    """One dateparser per language set: building one (and guessing locales) is the slow part."""
    known = [code for code in languages if code in _SUPPORTED] or list(_DEFAULT_LANGUAGES)
    return DateDataParser(languages=known, settings=_DATE_SETTINGS)


def _from_ld(data: Structured, key: str) -> str | None:
    ranked = sorted(data.objects, key=lambda obj: "Comment" in ld_types(obj))
    for obj in ranked:
        if "Comment" in ld_types(obj):
            break
        value = obj.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        date = parse_date(value) if isinstance(value, str) else None
        if date:
            return date
    return None


def _from_url(url: str) -> str | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return _valid(dt.date(*(int(part) for part in match.groups())))
    except ValueError:
        return None


def _outside_chrome(elements: Iterable[HtmlElement],
                    headline: HtmlElement | None) -> Iterator[HtmlElement]:
    """Candidates outside site chrome, comments and related-article blocks, those before the
    ``headline``'s block last.

    A date above the headline's block is a site header's date ("today") far more often than
    the article's, even when the header is not marked up as one. The candidates are tested
    lazily, as the caller reads them: callers stop at the first one that holds a date, and the
    tests are costly on a long page (the position test counts every element before one).
    """
    kept = (element for element in elements if not in_chrome(element)
            and not in_furniture(element)
            and not _IN_COMMENT(element))
    if headline is None:
        yield from kept
        return
    scope = headline_scope(headline)
    position: int | None = None
    early: list[HtmlElement] = []
    for element in kept:
        if position is None:
            position = int(_PRECEDING(headline))
        inside = element is scope or scope in element.iterancestors()
        if not inside and int(_PRECEDING(element)) < position:
            early.append(element)
        else:
            yield element
    yield from early


def _from_elements(tree: HtmlElement, prop: str, languages: list[str] | None,
                   headline: HtmlElement | None) -> str | None:
    for element in _outside_chrome(tree.xpath(f"//*[@itemprop='{prop}']"), headline):
        date = parse_date(element.get("content") or element.get("datetime")
                          or text_content(element), languages)
        if date:
            return date
    return None


def _from_time(tree: HtmlElement, languages: list[str] | None,
               headline: HtmlElement | None) -> str | None:
    for element in _outside_chrome(tree.iter("time"), headline):
        date = parse_date(element.get("datetime") or text_content(element), languages)
        if date:
            return date
    return None


def _from_byline(tree: HtmlElement, languages: list[str] | None,
                 headline: HtmlElement | None) -> str | None:
    """A written date in a byline-like element, in the author element's vicinity, or in a
    short line of the headline's own block (an unmarked "By NAME, DATE" line)."""
    candidates = [element for element in tree.iter("p", "div", "span", "small", "li", "em")
                  if _BYLINE.search(attributes(element))]
    for author in tree.xpath("//*[@rel='author' or @itemprop='author' or "
                             "contains(@class,'author') or contains(@class,'byline')]"):
        parent = author.getparent()
        if parent is not None:
            candidates.append(parent)
    if headline is not None:
        candidates.extend(element for element in headline_scope(headline).iter(
            "p", "div", "span", "small", "em", "font", "td")
            if len(text_content(element)) <= _MAX_DATE_TEXT * 2)
    # Nested candidates (a byline block and the date inside it) repeat the same texts, and
    # a written date costs dateparser milliseconds: each text is parsed once.
    parsed: dict[str, str | None] = {}

    def parse(text: str) -> str | None:
        if text not in parsed:
            parsed[text] = parse_date(text, languages)
        return parsed[text]

    for element in itertools.islice(_outside_chrome(candidates, headline), _MAX_BYLINES):
        text = " ".join(text_content(element).split())
        for piece in [text, *_BYLINE_SEPARATORS.split(text)]:
            date = parse(piece) if len(piece) <= _MAX_DATE_TEXT else None
            if date:
                return date
        for child in element.iterdescendants():
            date = parse(text_content(child)) if _BYLINE.search(attributes(child)) else None
            if date:
                return date
    return None


def find_dates(tree: HtmlElement, data: Structured, url: str, language: str | None = None, *,
               headline: HtmlElement | None) -> tuple[str | None, str | None]:
    """``(published, modified)`` as ISO dates, each ``None`` when not found.

    ``headline`` is the page's :func:`.regions.headline_element`, found once per page.
    """
    languages = [language] if language else None
    published = (
        _from_ld(data, "datePublished")
        or parse_date(data.first_meta(*_PUBLISHED_META))
        or _from_elements(tree, "datePublished", languages, headline)
        or _from_time(tree, languages, headline)
        or _from_url(url)
        or _from_ld(data, "dateCreated")
        or _from_byline(tree, languages, headline)
    )
    modified = (
        _from_ld(data, "dateModified")
        or parse_date(data.first_meta(*_MODIFIED_META))
        or _from_elements(tree, "dateModified", languages, headline)
    )
    return published, modified
