"""The whole article on one page: a paginated article's "single page" (or print) view.

Many sites that split an article over pages also link it whole: "View as single page",
"Show all" (WordPress page-link plugins), Joomla's ``&showall=1``, ``?page=all``, ``/all/``.
One fetch of that view replaces the walk of pages 2..N, and its text needs no stitching. A
print view (``?print=1``, "Printer-friendly") holds the article whole too, but it is taken
only when no single-page view is linked. Only a paginated article's page is looked at: on a
page that is the whole article already, a "Print" link changes nothing.

A link counts only when, its view marker removed (the ``showall=1`` parameter, the ``/all``
segment), it is this article's URL: "View all" in a site's menu leads to a section, not to
this article. Whether the view really holds the article is checked once it is fetched
(:func:`holds_pages`): its text must hold most of each page's article paragraphs.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement

from archivist.extraction.body import word_key
from archivist.extraction.metadata import canonical_url
from archivist.extraction.pagination import (
    _in_comments,
    _in_sidebar,
    _literal_path,
    _split_number,
    _stems,
    _strip_fragment,
    find_pages,
    same_site,
)
from archivist.extraction.parse import parse_html
from archivist.extraction.regions import in_chrome
from archivist.extraction.structured import Structured, read_structured
from archivist.extraction.text import text_content
from archivist.extraction.urls import join_url

__all__ = ["article_paragraphs", "discover_single_view", "find_single_view", "holds_pages"]

#: Link text offering the whole article on one page, in several languages.
_SINGLE_TEXT = re.compile(
    r"\b(?:view|show|read|see|display)\b.{0,30}\b(?:single[\s-]?page|one\s+page|all\s+pages)\b|"
    r"^\W*(?:view|show|see|display)\s+all\W*$|^\W*all\W*$|\bsingle[\s-]?page\b|\ball\s+pages\b|"
    r"\bon\s+one\s+page\b|\bauf\s+einer\s+seite\b|\balle\s+seiten\b|\bsur\s+une\s+(?:seule\s+)?page\b|"
    r"\b(?:toutes\s+les\s+pages|tout\s+afficher)\b|\ben\s+una\s+(?:sola\s+)?página\b|"
    r"\btodas\s+las\s+páginas\b|одной\s+страницей|на\s+одной\s+странице|все\s+страницы",
    re.IGNORECASE,
)
#: Link text offering a print view.
_PRINT_TEXT = re.compile(
    r"^\W*(?:print(?:er[\s-]friendly|able)?(?:\s+(?:version|view|this|article|page|story|format))*|"
    r"druck(?:en|version|ansicht)|imprimer|version\s+imprimable|imprimir|versión\s+para\s+imprimir|"
    r"stampa|печать|версия\s+для\s+печати)\W*$",
    re.IGNORECASE,
)
#: Query parameters that ask for the whole article (``showall=1``, Joomla; ``singlepage=1``;
#: ``sp=1``) or for its print view.
_SINGLE_PARAMS = {"showall", "show_all", "viewall", "view_all", "singlepage", "single_page", "single",
                  "onepage", "one_page", "allpages", "all_pages", "fullpage", "full_page", "sp"}
_PRINT_PARAMS = {"print", "printable", "printer", "printview", "print_view", "printerfriendly",
                 "printer_friendly", "druck", "imprimir", "imprimer"}
#: Parameter values that ask for the whole article under any name (``?page=all``, ``?view=all``)
#: or for the print view (``?view=print``, ``?mode=print``).
_SINGLE_VALUES = {"all", "single", "singlepage", "single-page", "full", "onepage"}
_PRINT_VALUES = {"print", "printable", "printer", "printview"}
#: Path segments that ask for the whole article (``/story/all/``) or its print view (``/print/``).
_SINGLE_SEGMENTS = {"all", "single", "singlepage", "single-page", "view-all", "viewall", "full", "showall"}
_PRINT_SEGMENTS = {"print", "printer", "printable", "print-view", "printview", "drucken"}
#: Longer link texts are headlines or sentences, not a view's link.
_MAX_TEXT = 60
#: A paragraph counts as the article's when it is at least this long.
_PARAGRAPH = 80
#: The share of a page's article paragraphs that a view of the whole article must hold.
_HELD_SHARE = 0.8
_PRINTS = re.compile(r"\bprint\s*\(", re.IGNORECASE)


def _without_view_marker(link: str) -> tuple[str, str | None]:
    """The link with its view marker removed, and which view it asks for (``"single"``,
    ``"print"``, or ``None`` when it carries no marker). Empty parameters say nothing
    (Joomla writes ``&showall=1&limitstart=``) and are dropped too."""
    parts = urlsplit(link)
    kinds = set()
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name, lowered = key.lower(), value.lower()
        if name in _SINGLE_PARAMS and lowered not in ("0", "false", "no") or lowered in _SINGLE_VALUES:
            kinds.add("single")
        elif name in _PRINT_PARAMS and lowered not in ("0", "false", "no") or lowered in _PRINT_VALUES:
            kinds.add("print")
        elif value:
            query.append((key, value))
    segments = []
    for segment in parts.path.split("/"):
        if segment.lower() in _SINGLE_SEGMENTS:
            kinds.add("single")
        elif segment.lower() in _PRINT_SEGMENTS:
            kinds.add("print")
        else:
            segments.append(segment)
    path = "/".join(segments) or "/"
    kind = "print" if "print" in kinds else "single" if kinds else None
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), "")), kind


def _prints_in_browser(element: HtmlElement, href: str) -> bool:
    """Whether the link only opens the browser's print dialog (``window.print()``)."""
    return href.lower().startswith("javascript:") or bool(_PRINTS.search(element.get("onclick") or ""))


def _below(path: str, stem: str) -> bool:
    """Whether ``path`` is the article's path ``stem`` or extends it (``/story/full``,
    ``/story.print.html``), not another slug that starts alike (``/story-of-the-week``)."""
    return path == stem or path.startswith(stem) and path[len(stem)] in "/."


def find_single_view(tree: HtmlElement, data: Structured, url: str, pages: list[str]) -> str | None:
    """The URL of the whole article on one page that this page links, or ``None``.

    ``pages`` are the article's pages found on this page (:func:`find_pages`): with fewer than
    two, the page is the whole article and no view is looked for. A single-page view wins over
    a print view; a link that only prints in the browser is none.
    """
    if len(pages) < 2:
        return None
    base_element = tree.find(".//base[@href]")
    base = (join_url(url, base_element.get("href")) or url) if base_element is not None else url
    numbered = [_split_number(_strip_fragment(page)) for page in (url, canonical_url(tree, url), *pages)]
    article = {page.template for page in numbered}
    stems = _stems(numbered)  # None for an article at the site's root (``/?p=123``): no filter
    found: dict[str, str] = {}
    for element in tree.iter("a"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:")):
            continue
        # A view's URL holds the article's path (see :func:`_stems`): the others are dropped
        # unresolved when their path is written out, else before the costly parsing below.
        if stems is not None and not any(stem in href for stem in stems) and _literal_path(href):
            continue
        link = join_url(base, href)
        if link is None or not same_site(link, url) or (
                stems is not None and not any(stem in link for stem in stems)):
            continue
        if _prints_in_browser(element, href):
            continue
        link = _strip_fragment(link)
        stripped, kind = _without_view_marker(link)
        if kind is not None:
            if _split_number(stripped).template not in article:
                continue
        elif _split_number(link).template not in article and any(
                _below(urlsplit(link).path, stem) for stem in stems or ()):
            text = " ".join(text_content(element).split()) or (element.get("title") or "").strip()
            if len(text) <= _MAX_TEXT:
                kind = "single" if _SINGLE_TEXT.search(text) else "print" if _PRINT_TEXT.match(text) else None
        # The ancestors last, on the few links left: a page may have hundreds.
        if kind is not None and not (_in_comments(element) or _in_sidebar(element)):
            found.setdefault(kind, link)
    return found.get("single") or found.get("print")


def discover_single_view(html: bytes | str, url: str) -> str | None:
    """:func:`find_single_view` on a page's HTML, its pages found with :func:`find_pages`."""
    tree = parse_html(html)
    data = read_structured(tree)
    return find_single_view(tree, data, url, find_pages(tree, data, url))


def article_paragraphs(tree: HtmlElement) -> list[str]:
    """The page's long paragraphs outside the site chrome and the comments, as word keys:
    the text a view of the whole article must hold. Read before extraction cuts the tree."""
    paragraphs = []
    for paragraph in tree.iter("p"):
        text = text_content(paragraph)
        if len(text) >= _PARAGRAPH and not in_chrome(paragraph) and not _in_comments(paragraph):
            paragraphs.append(word_key(text))
    return paragraphs


def holds_pages(view: HtmlElement, view_paragraphs: list[str], pages: list[list[str]]) -> bool:
    """Whether a page (``view``, whose :func:`article_paragraphs` are ``view_paragraphs``) is
    the whole article of which ``pages`` (each page's article paragraphs) are parts: it has
    more article paragraphs than each, and its text holds most of each one's. Another article
    that a "single page" link leads to holds none of them."""
    if not pages or not all(pages) or any(len(view_paragraphs) <= len(page) for page in pages):
        return False
    body = view.find("body")
    text = word_key(text_content(body if body is not None else view))
    return all(sum(paragraph in text for paragraph in page) >= _HELD_SHARE * len(page) for page in pages)
