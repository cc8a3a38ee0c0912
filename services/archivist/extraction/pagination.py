"""The pages of a paginated article, in reading order, inferred from any one of its pages.

A page of an article split over several URLs shows where the others are in several ways; we use
them all, so that any page (including the last) leads to every page:

* links whose URL differs from this page's only by a page number (``?page=N``, ``&p=N``,
  ``/page/N``, a trailing ``/N/``, ``-N.html`` or ``/N.html``, or ``-N`` added to the first
  page's slug) or an offset (``&start=15``,
  ``?offset=20``, ``&limitstart=1``, only on an article or a forum thread: offsets page
  listings too) and which carry ``rel=next/prev`` (``<link>`` or ``<a>``), read as a page
  number ("2", "[2]", "Page 2") or as next/previous, or sit in a pager container (class or id
  with pag/pager/pagination/page-nav);
* the options of a page-jump ``<select>`` whose values are such URLs;
* "Page X of N" text, which fills in pages the pager does not link.

A ``rel=next/prev`` link to a URL of another shape is the blog's previous/next *post* (WordPress
emits these), not a page of this article. Nor is a link reading "Next article ›", "‹ Previous
post" or "Next part", or one in a blog's post navigation (Blogger's newer/older links), or in
the sidebar, whatever its URL. Listing pages (category, tag, archive, search, a page of many
teasers) are not articles: their pagination is never followed and they give ``[url]``. Nor are
comment pages (``cpage``, ``comment-page-N``), links to other hosts, or lists of other
articles: those URLs are not this page's URL with another page number.

Integration: call :func:`discover_pages` on every fetched page and fetch what is not yet known
(by :func:`page_key`: ``/story`` and ``/story?page=1`` are one page), until nothing new
appears. Each call returns its pages ordered by page number, page 1 first; merge the lists from
several pages with :func:`reading_order` (by :func:`page_number`, ``None`` meaning page 1, a
slug's number read against the first page) and hand the pages to ``extract`` in that order.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree
from lxml.html import HtmlElement

from archivist.extraction.boilerplate import PAGE_X_OF_N, in_furniture
from archivist.extraction.comments import is_thread
from archivist.extraction.metadata import canonical_url
from archivist.extraction.parse import parse_html
from archivist.extraction.regions import attributes, in_chrome
from archivist.extraction.structured import Structured, ld_types, read_structured
from archivist.extraction.text import text_content
from archivist.extraction.urls import join_url

__all__ = ["discover_pages", "find_pages", "limit_pages", "page_key", "page_number", "reading_order", "same_site"]

_PAGE_PARAMS = {"page", "p", "pg", "pagenum", "pageno", "page_no", "pagenumber", "paged",
                "pagina", "seite", "strona", "sayfa", "currentpage", "pn"}
#: Parameters that count items, not pages: phpBB's ``&start=15``, ``?offset=20``; Joomla's
#: ``limitstart`` (a page index in its pagebreak plugin, an item count in its listings).
_OFFSET_PARAMS = {"start", "offset", "limitstart"}
_PATH_PATTERNS = (
    re.compile(r"/(?:page|seite|pagina|p)[/-]?(\d{1,3})/?$", re.IGNORECASE),
    re.compile(r"/(\d{1,2})/?$"),
    re.compile(r"[-_](?:page|p)?(\d{1,2})(\.s?html?|\.php|\.aspx?)$", re.IGNORECASE),
    # /story/2.html: the folder is page 1 (``/story/``), the extension goes with the number.
    re.compile(r"/(\d{1,2})\.(?:s?html?|php|aspx?)$", re.IGNORECASE),
)
_PAGER = re.compile(r"pagination|paginat|pager|paging|page-?nav|page-?links|page-?numbers|"
                    r"pages|pagelist|^pag(?:es|ing|e-?list)?$", re.IGNORECASE)
_NEXT_PREV = re.compile(
    r"^\W*(?:next|prev|previous|older|newer|continue|weiter|zurück|nächste|vorherige|suivante?|"
    r"précédente?|siguiente|anterior|próxima|próximo|successiva|avanti|precedente|indietro|"
    r"volgende|vorige|następna|poprzednia|следующая|предыдущая|далее|назад)\b.{0,20}$|"
    r"^[«»‹›<>→←❯❮▶◀►◄〉〈⟩⟨\s]+$|^\W*(?:次へ|次のページ|前へ|前のページ|下一页|上一页|下一頁|上一頁)\W*$",
    re.IGNORECASE,
)
_PAGE_OF = re.compile(rf"\b{PAGE_X_OF_N}\b", re.IGNORECASE)
#: Where a word of :data:`_PAGE_OF` can start: its first letters, in every case that the
#: case-insensitive pattern accepts (``ſ`` is a long s, ``İ`` and ``ı`` are Turkish i's). One
#: leading character class, never an alternation of two: ``re`` then skips to the next
#: position that may start a word instead of trying each branch everywhere (2.5 times faster).
_PAGE_WORD = re.compile(r"[pPsSſсС](?:[aAáÁ][gG]|[eE][iIİı][tT][eE]|[tT][rR]|[тТ])")
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)
#: The same text nodes as "smart" strings, which know their element: made only on a match.
_HOLDERS = etree.XPath(".//text()")
#: A number after "part", "episode", "chapter"... (``saga-part-2.html``) numbers the articles of
#: a series, each with its own title: it is no page number.
_SERIES_NUMBER = re.compile(r"(?<![a-z])(?:part|teil|partie|parte|episode|chapter|kapitel|season|vol|volume)"
                            r"[-_/]?$", re.IGNORECASE)
#: A number after a dash or an underscore at the end of a URL's last path segment
#: (``/story-title-2``, ``/story_2/``, ``/covid-19.html``). Alone it is ambiguous (``/covid-19``
#: is no page 19): it is a page number only against the article's first page, the same URL
#: without it, that the page is or that its pager links (:func:`_slug_page`).
_SLUG_NUMBER = re.compile(r"[-_](\d{1,2})(\.s?html?|\.php|\.aspx?)?/?$", re.IGNORECASE)
#: A file extension that :func:`_split_number` keeps when it cuts ``-2.html`` out of a path.
_EXTENSION = re.compile(r"(?:\.s?html?|\.php|\.aspx?)$", re.IGNORECASE)
_ABSOLUTE = re.compile(r"https?://([^/?#]*)", re.IGNORECASE)
_LISTING_PATH = re.compile(r"/(?:tags?|category|categories|topics?|archives?|author|search|"
                           r"section|label)(?:/|$)", re.IGNORECASE)
#: The site's front page: a number added to it pages the blog, not an article.
_FRONT_PAGE = re.compile(r"^/?(?:index\.\w+)?$", re.IGNORECASE)
_COMMENT_PAGE = re.compile(r"comment-page-\d+|[?&]cpage=", re.IGNORECASE)
#: Query parameters that say how the reader arrived, not which document this is.
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|source|from|cmpid|ito|ns_\w+)$",
                       re.IGNORECASE)
_LISTING_ARTICLES = 3
_ARTICLE_PARAGRAPHS = 3
_ARTICLE_PARAGRAPH = 150
#: "Next article ›", "Previous post", "Article suivant", "Next part" (of a series, an article
#: of its own), "← Older": a link to a neighbouring item of the site, not a page of this one,
#: even when its URL has this page's shape (``/articles/41``, ``/articles/43``).
_OTHER_ITEM = re.compile(r"\b(?:article|post|story|stories|entry|item|news|part|episode|"
                         r"installment|older|newer|artikel|beitrag|artículo|articolo|"
                         r"artigo|notícia|noticia)s?\b|\bстать|\bзапис", re.IGNORECASE)
#: A sidebar or one of its widgets (WordPress's ``widget-area``, ``sidebar-1``), by a whole
#: class or id token; not a layout's ``sidebar-right`` on the wrapper of the whole content.
_SIDEBAR = re.compile(r"(?:^|\s)(?:sidebar|side-bar|sidebar-\d+|sidebar-(?:primary|secondary)|"
                      r"widget|widgets|widget-area)(?=\s|$)", re.IGNORECASE)
_IN_ARTICLE = etree.XPath("ancestor::article")
#: The markup of links to the blog's neighbouring posts, whatever their text: Blogger's
#: ``blog-pager-newer-link``, WordPress's ``post-navigation`` (a whole token: the post's own
#: page links, ``wp_link_pages()``, are ``post-nav-links``), a theme's ``next-post``.
_POST_NAVIGATION = re.compile(r"(?<![a-z])(?:newer|older)(?![a-z])|(?:^|\s)(?:post-navigation|post-nav|"
                              r"postnav)(?=\s|$)|(?:next|prev|previous)[-_]?(?:post|entry|article|"
                              r"story)", re.IGNORECASE)
_PAGE_WORD_IN_TEXT = re.compile(r"\bpages?\b", re.IGNORECASE)
#: A link that names a page by its number: "3", "[3]", "(3)", "3 »", "Page 3", "Seite 3".
_PAGE_LABEL = re.compile(r"^[\[(]?\s*(?:page|seite|página|pagina|strona|страница)?\s*(\d{1,3})"
                         r"\s*[\])]?\s*[.»›>→]?$", re.IGNORECASE)
#: Pager links read "3", "Next »" or "Last page"; longer link texts are headlines.
_MAX_PAGER_TEXT = 15
_LISTING_HEADINGS = 6
#: A teaser's excerpt is a paragraph at least this long.
_EXCERPT = 80


@dataclass(frozen=True, slots=True)
class _Numbered:
    template: str
    number: int | None
    #: The template's path.
    path: str
    #: Whether ``number`` is an offset (:data:`_OFFSET_PARAMS`), the count of items before
    #: the page, rather than a page number.
    offset: bool = False


def _strip_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def _page_parameter(query: list[tuple[str, str]]) -> int | None:
    """The index in ``query`` of the parameter holding the page number (or offset), if any.

    ``p`` is the page number only when no other page parameter is there: WordPress's plain
    permalinks page a post as ``?p=123&page=2``, where ``p`` is the post. Its value is decimal
    digits (``str.isdigit`` takes ``²`` too, which ``int`` refuses).
    """
    found = [index for index, (key, value) in enumerate(query)
             if key.lower() in _PAGE_PARAMS | _OFFSET_PARAMS and value.isdecimal()]
    unambiguous = [index for index in found if query[index][0].lower() != "p"]
    return (unambiguous or found or [None])[0]


def _site(netloc: str) -> str:
    """The site a URL's host names: the host less a leading ``www.``, which a site may or may
    not write (``example.com`` links its pages as ``https://www.example.com/...``)."""
    host = netloc.lower()
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, other: str) -> bool:
    """Whether two URLs are on one site: the same host, give or take a leading ``www.``."""
    return _site(urlsplit(url).netloc) == _site(urlsplit(other).netloc)


def _split_number(url: str) -> _Numbered:
    """The URL with its page-number component cut out, and that number (``None`` if absent).

    A number whose URL is otherwise the site's front page (``/?p=123``, ``/page/2/``) is no
    page of an article: it pages the blog's index, or it is the id of a post (WordPress's
    plain permalinks). The whole URL is then the template, without a number.
    """
    parts = urlsplit(url)
    whole = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(key)]
    query = list(whole)
    number = None
    offset = False
    index = _page_parameter(query)
    if index is not None:
        key, value = query.pop(index)
        number, offset = int(value), key.lower() in _OFFSET_PARAMS
    path = parts.path
    if number is None:
        for pattern in _PATH_PATTERNS:
            match = pattern.search(path)
            if match and not _SERIES_NUMBER.search(path, 0, match.start(1)):
                number = int(match.group(1))
                path = path[:match.start()] + (match.group(2) if match.lastindex == 2 else "")
                break
    if number is not None and not query and _FRONT_PAGE.match(path):
        path, query, number, offset = parts.path, whole, None, False
    return _template(parts.netloc, path, query, number, offset=offset)


def _template(netloc: str, path: str, query: list[tuple[str, str]], number: int | None, *,
              offset: bool = False) -> _Numbered:
    """A page URL's :class:`_Numbered`, its page number (or offset) cut out of ``path`` and
    ``query`` already."""
    path = path.rstrip("/") or "/"
    # Without the scheme and the www.: http://example.com/story is https://www.example.com/story.
    template = urlunsplit(("", _site(netloc), path, urlencode(sorted(query)), ""))
    return _Numbered(template, number, path, offset)


def _as_first_page(url: str) -> _Numbered:
    """``url`` read as an article's first page, whatever number its path ends in (``/covid-19``,
    ``/covid-19.html``): its whole path is the template, and it has no number."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(key)]
    return _template(parts.netloc, parts.path, query, None)


def _slug_page(url: str) -> _Numbered | None:
    """``url`` read as its first page's URL with a page number added at the end of its slug
    (``/story-title-3``: page 3 of ``/story-title``; ``/covid-19-2.html``: page 2 of
    ``/covid-19.html``), or ``None`` when its path ends in no such number (2 to 99, not a
    series' ``part-2``) or a query parameter numbers its page. The template is the first
    page's (:func:`_as_first_page`)."""
    parts = urlsplit(url)
    match = _SLUG_NUMBER.search(parts.path)
    if match is None or int(match.group(1)) < 2 or _SERIES_NUMBER.search(parts.path, 0, match.start(1)):
        return None
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(key)]
    if _page_parameter(query) is not None:
        return None
    return _template(parts.netloc, parts.path[:match.start()] + (match.group(2) or ""), query,
                     int(match.group(1)))


def _readings(url: str) -> list[_Numbered]:
    """The ways to read this page's URL: as written (:func:`_split_number`), and when its path
    ends in a slug number, also as the first page (:func:`_as_first_page`) and as that page of
    the URL without it (:func:`_slug_page`). :func:`find_pages` takes the one its pager
    confirms."""
    written = _split_number(url)
    slug = _slug_page(url)
    if slug is None:
        return [written]
    return list(dict.fromkeys((written, _as_first_page(url), slug)))


def _without_tracking(url: str) -> str:
    """The URL less its tracking parameters: a pager that tags its links (``utm_source=pager``)
    must not make the same page two pages, fetched twice."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in query if not _TRACKING.match(key)]
    if len(kept) == len(query):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def page_number(url: str, first: str | None = None) -> int | None:
    """The page number written in a URL (``?page=3``, ``/page/3``, ``/3/``), else ``None``.

    An offset parameter (``&start=30``, ``?offset=20``) counts items, and the URL does not
    say how many a page holds: its number is the position of the page's first item, the
    offset plus one, which orders the pages as page numbers do (``start=0`` is page 1).

    A number at the end of a slug (``/story-title-3``) is ambiguous alone (``/covid-19``): it
    counts against ``first``, the URL of the article's first page, when the URL is ``first``
    with it added; ``first`` itself is page 1 (``None``) whatever its slug ends in.
    """
    if first is not None:
        first_page = _as_first_page(first).template
        if _as_first_page(url).template == first_page:
            return None
        slug = _slug_page(url)
        if slug is not None and slug.template == first_page:
            return slug.number
    numbered = _split_number(url)
    if numbered.offset and numbered.number is not None:
        return numbered.number + 1
    return numbered.number


def reading_order(urls: Sequence[str]) -> list[str]:
    """An article's page URLs in reading order: by :func:`page_number` (none is page 1), then in
    the order given. A number at the end of a slug counts when the first page is among them
    (``/story``, ``/story-2``, ``/story-3``) or, if it is not, when two or more of them add one
    to the same URL (page 1 failed to fetch)."""
    firsts = {_as_first_page(url).template: url for url in urls}
    slugs = Counter(slug.template for url in urls if (slug := _slug_page(url)) is not None)
    first = next((firsts[template] for template in slugs if template in firsts), None)
    if first is None:
        template = next((template for template, count in slugs.most_common(1) if count >= 2), None)
        first = None if template is None else "https:" + template
    return sorted(urls, key=lambda url: (page_number(url, first) or 1, urls.index(url)))


def page_key(url: str) -> tuple[str, int]:
    """Which page of which document a URL stands for: two URLs with one key are one page.

    The key is the URL less its page number, tracking parameters and fragment, with the page
    number (:func:`page_number`, 1 when it has none): ``/story`` and ``/story?page=1``, which a
    pager links for the same page 1, have one key.
    """
    return _split_number(url).template, page_number(url) or 1


def _has_article_text(tree: HtmlElement) -> bool:
    """Whether some block holds several long paragraphs: an article, not a list of teasers."""
    for parent in {paragraph.getparent() for paragraph in tree.iter("p")
                   if len(text_content(paragraph)) >= _ARTICLE_PARAGRAPH}:
        if parent is not None and sum(
                1 for child in parent if child.tag == "p"
                and len(text_content(child)) >= _ARTICLE_PARAGRAPH) >= _ARTICLE_PARAGRAPHS:
            return True
    return False


def _looks_like_listing(tree: HtmlElement, data: Structured, url: str) -> bool:
    """Category, tag, archive and search pages, or pages made of many linked teasers.

    A URL or teaser count that looks like a listing is overruled by article text on the page
    (several long paragraphs in one block), since articles carry "latest news" boxes too, and
    by a forum thread's posts (XenForo sets each in an ``<article>``).
    """
    types = set().union(*(ld_types(obj) for obj in data.objects)) if data.objects else set()
    if types & {"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle"}:
        return False
    if types & {"CollectionPage", "ItemList", "SearchResultsPage"}:
        return True
    articles = [element for element in tree.iter("article") if not in_chrome(element)]
    linked_headings = [heading for heading in tree.iter("h2", "h3", "h4")
                       if heading.find(".//a") is not None and not in_chrome(heading)]
    looks = (bool(_LISTING_PATH.search(urlsplit(url).path)) or len(articles) >= _LISTING_ARTICLES
             or len(linked_headings) >= _LISTING_HEADINGS
             or _teaser_run(linked_headings) >= _LISTING_ARTICLES)
    return looks and not _has_article_text(tree) and not is_thread(tree)


def _teaser_run(linked_headings: list[HtmlElement]) -> int:
    """The most teasers in one run: sibling blocks of one tag and class (a blog index's
    ``div.entry``, a list's ``li``), each holding a linked heading and an excerpt, outside
    related/"more stories" blocks (an article's own, which list headlines too)."""
    runs: Counter[tuple[HtmlElement | None, str, str]] = Counter()
    for heading in linked_headings:
        block = next(heading.iterancestors("div", "li", "article", "section"), None)
        if block is not None and not in_furniture(block) and any(
                len(text_content(paragraph)) >= _EXCERPT for paragraph in block.iter("p")):
            runs[(block.getparent(), block.tag, block.get("class") or "")] += 1
    return max(runs.values(), default=0)


def _in_pager(element: HtmlElement) -> bool:
    for node in element.iterancestors():
        if node.tag == "body":
            return False
        if any(_PAGER.search(token) for token in attributes(node).split()):
            return True
    return False


def _in_post_navigation(element: HtmlElement) -> bool:
    """Whether a link is (in) the navigation to the previous and next posts of a blog."""
    for node in itertools.chain((element,), element.iterancestors()):
        if node.tag == "body":
            return False
        if _POST_NAVIGATION.search(attributes(node)):
            return True
    return False


def _in_sidebar(element: HtmlElement) -> bool:
    """Whether a link is in the site's sidebar, an ``<aside>`` outside the article or a
    sidebar/widget block: a widget paged on the server ("Popular 1 2 3") links this page's URL
    with a page parameter too, but pages its own list."""
    for node in element.iterancestors():
        if node.tag == "body":
            return False
        if (node.tag == "aside" and not _IN_ARTICLE(node)) or _SIDEBAR.search(attributes(node)):
            return True
    return False


def _in_comments(element: HtmlElement) -> bool:
    return any("comment" in attributes(node).lower() for node in element.iterancestors())


def _pages_a_section(element: HtmlElement) -> bool:
    """Whether a link pages a section of its own below the article (reviews, reader comments
    under an unmarked heading, "What readers say"), not the article: the nearest block around
    it that holds a heading holds a subheading but no ``<h1>`` and no paragraph of the
    article's prose."""
    for node in element.iterancestors():
        if node.tag in ("body", "article", "main"):
            return False
        headings = [heading.tag for heading in node.iter("h1", "h2", "h3", "h4")]
        if headings:
            return "h1" not in headings and not any(
                len(" ".join(text_content(paragraph).split())) >= _ARTICLE_PARAGRAPH
                for paragraph in node.iter("p"))
    return False


def _stems(templates: Iterable[_Numbered]) -> tuple[str, ...] | None:
    """Strings that the href of a page of this article must contain, or ``None`` if unknown.

    A page's URL path, once :func:`_split_number` cuts the page number out, equals a template's
    path: so it starts with that path, less a trailing file extension (``-2.html`` becomes
    ``.html``). Only the root path ``/`` gives no usable stem.
    """
    stems = []
    for numbered in templates:
        if numbered.path == "/":
            return None
        extension = _EXTENSION.search(numbered.path)
        stems.append(numbered.path[:extension.start()] if extension else numbered.path)
    return tuple(stems)


def _literal_path(href: str) -> bool:
    """Whether resolving ``href`` leaves its path as written, and cannot fail.

    So it is for a root-relative path and an absolute URL with an ASCII host (a non-ASCII or
    bracketed host is checked, and may be refused, when parsed), unless dot segments, tabs or
    newlines are in it: resolving removes those.
    """
    if "/." in href or "\t" in href or "\r" in href or "\n" in href:
        return False
    if href.startswith("/"):
        return not href.startswith("//")
    absolute = _ABSOLUTE.match(href)
    if absolute is None:
        return False
    host = absolute.group(1)
    return host.isascii() and "[" not in host and "]" not in host


def _links(tree: HtmlElement, base: str,
           stems: tuple[str, ...] | None) -> Iterator[tuple[HtmlElement, str, str]]:
    """(element, absolute URL, rel) for every link that could point to another page.

    Only the cheap tests run here; the costly ones (ancestors, link text) are left to the
    caller, which runs them only on the few links whose URL has this page's shape. Resolving
    every href is itself costly on pages of hundreds of links, so an href whose path is written
    out in full (``/path`` or ``http(s)://host/path``, which resolving leaves as it is) and
    contains none of the ``stems`` (see :func:`_stems`) is skipped unresolved: its URL cannot
    have this page's shape.
    """
    for element in tree.iter("a", "link"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        rel = (element.get("rel") or "").lower()
        if element.tag == "link" and not {"next", "prev", "previous"} & set(rel.split()):
            continue
        if stems is not None and not any(stem in href for stem in stems) and _literal_path(href):
            continue
        link = join_url(base, href)
        if link is not None:
            yield element, _strip_fragment(link), rel


def _dropdown_pages(tree: HtmlElement, base: str, url: str,
                    templates: set[str]) -> Iterator[tuple[_Numbered, str]]:
    """The pages listed in a page-jump ``<select>``, whose options' values are the pages' URLs
    (a script goes to the one chosen). A select counts when two or more of its options are
    different URLs of this page's shape: one alone is a coincidence."""
    for select in tree.iter("select"):
        if _in_comments(select) or _in_sidebar(select):
            continue
        pages = []
        for option in select.iter("option"):
            value = (option.get("value") or "").strip()
            link = join_url(base, value) if "/" in value or "?" in value else None
            if link is None or not same_site(link, url) or _COMMENT_PAGE.search(link):
                continue
            numbered = _split_number(_strip_fragment(link))
            if numbered.template in templates:
                pages.append((numbered, _strip_fragment(link)))
        if len({link for _, link in pages}) >= 2:
            yield from pages


def _adjacent_post_link(element: HtmlElement) -> bool:
    """Whether a ``<link rel=next/prev>`` is WordPress's link to the adjacent post, which carries
    the post's headline as its title (``adjacent_posts_rel_link_wp_head``); a page's own rel
    links have no title, or one that says "page"."""
    title = " ".join((element.get("title") or "").split())
    return bool(title) and not (_PAGE_WORD_IN_TEXT.search(title) or _PAGE_LABEL.match(title))


def _names_other_item(text: str) -> bool:
    """Whether a link's text names another article or post rather than a page (a theme puts
    ``rel=next`` on its "Article suivant ›" link as well as on "Next post")."""
    return bool(_OTHER_ITEM.search(text) and not _PAGE_WORD_IN_TEXT.search(text))


def _current_number(tree: HtmlElement, own: int | None) -> tuple[int | None, int | None]:
    """This page's number and the page count, from the number in its URL (``own``) and
    "Page X of N" text.

    A "Page X of N" counts only outside the site chrome and the comment section (a comments
    pager or a sidebar's list says it too), and only when X agrees with the number in the
    page's URL (a photo gallery's "Page 1 of 20" on page 2 is not the article's).

    The page's text is searched as its text nodes joined by spaces, whitespace left as it is
    (the pattern's ``\\s`` takes any run of it). The pattern is only tried where one of its
    words starts, since a case-insensitive search of every position of a long page is slow.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    nodes = _TEXT_NODES(root)
    text = " ".join(nodes)
    starts: list[int] | None = None
    for start in _PAGE_WORD.finditer(text):
        match = _PAGE_OF.match(text, start.start())
        if not match:
            continue
        current, total = int(match.group(1)), int(match.group(2))
        if not 1 <= current <= total or own not in (None, current):
            continue
        if starts is None:
            starts = list(itertools.accumulate((len(node) + 1 for node in nodes), initial=0))
        holder = _text_holder(_HOLDERS(root)[bisect.bisect_right(starts, match.start()) - 1])
        if holder is not None and (in_chrome(holder) or _in_comments(holder)
                                   or "comment" in attributes(holder).lower()):
            continue
        return own or current, total
    return own, None


def _text_holder(node: Any) -> HtmlElement | None:
    """The element whose content a text node is (for a tail, the element's parent)."""
    element = node.getparent()
    return element.getparent() if node.is_tail and element is not None else element


def _with_number(sample: str, sample_number: int, number: int) -> str:
    """Rewrite a page URL of the same article for another page number (or offset)."""
    parts = urlsplit(sample)
    query = parse_qsl(parts.query, keep_blank_values=True)
    index = _page_parameter(query)
    if index is not None and query[index][1] == str(sample_number):
        query[index] = (query[index][0], str(number))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    for pattern in _PATH_PATTERNS:
        match = pattern.search(parts.path)
        if match and int(match.group(1)) == sample_number:
            path = parts.path[:match.start(1)] + str(number) + parts.path[match.end(1):]
            return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    match = _SLUG_NUMBER.search(parts.path)
    if match and int(match.group(1)) == sample_number:
        # Page 1 is the slug without a number (``/story``, not ``/story-1``).
        path = (parts.path[:match.start()] + (match.group(2) or "") if number == 1
                else parts.path[:match.start(1)] + str(number) + parts.path[match.end(1):])
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return sample


def _offset_step(numbers: Iterable[_Numbered]) -> int | None:
    """The items per page of an offset pager: the greatest common divisor of the offsets
    shown (15 for ``start=15``, ``start=30``), ``None`` when none is above 0."""
    step = math.gcd(*(numbered.number or 0 for numbered in numbers if numbered.offset))
    return step or None


def _page_of(numbered: _Numbered, step: int | None) -> int | None:
    """The page number of a URL of this article: its page number, or its offset over
    ``step`` (``None`` when the step is unknown); 1 when the URL has none."""
    if not numbered.number:
        return 1
    if numbered.offset:
        return numbered.number // step + 1 if step and numbered.number % step == 0 else None
    return numbered.number


def find_pages(tree: HtmlElement, data: Structured, url: str, *, max_pages: int = 20) -> list[str]:
    """:func:`discover_pages` on an already parsed page and its structured data."""
    if max_pages < 1 or _looks_like_listing(tree, data, url) or _COMMENT_PAGE.search(url):
        return [url]
    base_element = tree.find(".//base[@href]")
    base = (join_url(url, base_element.get("href")) or url) if base_element is not None else url
    readings = _readings(_strip_fragment(url))
    canonical = _readings(canonical_url(tree, url))
    templates = {numbered.template for numbered in (*readings, *canonical)}
    pager_links: list[tuple[_Numbered, str, int | None]] = []
    for element, link, rel in _links(tree, base, _stems((*readings, *canonical))):
        if not same_site(link, url) or _COMMENT_PAGE.search(link):
            continue
        numbered = _link_reading(link, templates)
        if numbered is None:
            continue
        if element.tag == "a" and (_in_comments(element) or _in_post_navigation(element)
                                   or _in_sidebar(element) or _pages_a_section(element)):
            continue
        if element.tag == "link" and _adjacent_post_link(element):
            continue
        rels = set(rel.split())
        text = " ".join(text_content(element).split()) if element.tag == "a" else ""
        if _names_other_item(text):
            continue
        label = _PAGE_LABEL.match(text)
        in_pager = _in_pager(element)
        if label or (in_pager and len(text) <= _MAX_PAGER_TEXT) or rels & {
                "next", "prev", "previous"} or _NEXT_PREV.match(text):
            pager_links.append((numbered, link, int(label.group(1)) if label else None))
    pager_links.extend((numbered, link, None)
                       for numbered, link in _dropdown_pages(tree, base, url, templates))
    if any(numbered.offset for numbered, _, _ in pager_links) and not (
            _has_article_text(tree) or is_thread(tree)):
        # Offsets page listings (a forum's topic list) far more often than documents: they
        # count only on a page that is an article or a thread.
        pager_links = [entry for entry in pager_links if not entry[0].offset]
    own = _confirmed_reading(readings, canonical, pager_links)
    if len(readings) > 1:
        # A slug number read one way: the links of the other readings are other articles'.
        kept = {own.template, canonical[0].template}
        pager_links = [entry for entry in pager_links if entry[0].template in kept]
    numbered_links = {link: numbered for numbered, link, _ in pager_links}
    step = _offset_step([own, *(numbered for numbered, _, _ in pager_links)])
    by_number: dict[int, str] = {}
    for numbered, link, label in pager_links:
        number = _page_of(numbered, step)
        if number is not None and label in (None, number):
            by_number.setdefault(number, _without_tracking(link))
    own_number = _page_of(own, step) if own.number else None
    current, total = _current_number(tree, own_number)
    if current is None:
        current = 1
    by_number.pop(current, None)
    by_number[current] = url
    numbered_links[url] = own
    samples = [(number, numbered_links.get(link) or _split_number(link)) for number, link in by_number.items()]
    samples = [(number, numbered) for number, numbered in samples
               if numbered.number and _page_of(numbered, step) == number]
    if total and samples and total <= max_pages * 5:
        sample_number, sample = samples[0]
        sample_url = by_number[sample_number]
        for number in range(1, total + 1):
            if number not in by_number:
                by_number[number] = _with_number(sample_url, sample.number or 0, (
                    (number - 1) * (step or 0) if sample.offset else number))
    return limit_pages([by_number[number] for number in sorted(by_number)], url, max_pages)


def _link_reading(link: str, templates: set[str]) -> _Numbered | None:
    """A link's URL read as a page of one of ``templates``: as written, else as a first page's
    URL with a slug number added (``/story-2`` of ``/story``), else as a first page whose slug
    ends in a number (``/covid-19.html``, which reads as page 19 of ``/covid.html``); ``None``
    when no reading fits."""
    numbered = _split_number(link)
    if numbered.template in templates:
        return numbered
    slug = _slug_page(link)
    if slug is not None and slug.template in templates:
        return slug
    first = _as_first_page(link)
    return first if first.template in templates else None


def _confirmed_reading(readings: list[_Numbered], canonical: list[_Numbered],
                       pager_links: list[tuple[_Numbered, str, int | None]]) -> _Numbered:
    """Of the ways to read this page's URL (:func:`_readings`), the one its pager links: the
    reading that most links share a template with, the URL as written on a tie.

    Read as page N of a URL without its slug number (``/story-3`` of ``/story``), the page
    counts only when that first page is in view, linked by the pager or the page's canonical
    URL: ``/article-12`` linking ``/article-13`` as "Next" are two articles of one pattern.
    """
    counts = Counter(numbered.template for numbered, _, _ in pager_links)
    first_pages = {numbered.template for numbered, _, _ in pager_links if numbered.number is None}
    first_pages |= {numbered.template for numbered in canonical if numbered.number is None}
    confirmed = [numbered for numbered in readings
                 if numbered is readings[0] or numbered.number is None or numbered.template in first_pages]
    return max(confirmed, key=lambda numbered: counts[numbered.template])


def limit_pages(pages: list[str], url: str, max_pages: int) -> list[str]:
    """At most ``max_pages`` of an article's ``pages`` (in reading order, ``url`` among them):
    the window that starts at page 1 and moves forward only as far as needed to include ``url``.

    A caller that wants to know whether an article has more pages than it will fetch asks
    :func:`find_pages` for one more and limits the answer itself.
    """
    if len(pages) <= max_pages:
        return pages
    start = max(0, pages.index(url) - max_pages + 1)
    return pages[start:start + max_pages]


def discover_pages(html: bytes | str, url: str, *, max_pages: int = 20) -> list[str]:
    """All page URLs of the article this page belongs to, page 1 first, ``url`` included.

    Absolute URLs on ``url``'s site only (its host, give or take ``www.``), at most ``max_pages``; ``[url]`` when the page is not
    paginated or is a listing page.
    """
    tree = parse_html(html)
    return find_pages(tree, read_structured(tree), url, max_pages=max_pages)
