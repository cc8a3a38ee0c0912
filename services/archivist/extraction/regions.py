"""Where an element sits on the page: site chrome (header, navigation, footer, sidebar) or not.

Several steps must ignore what sits in the site's chrome: a header's "today" date is not the
publication date, a sidebar's "recent comments" are not comments, a footer's pager is not the
article's. The tests here look at the element and its ancestors' tags, ids and classes.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree
from lxml.html import HtmlElement

from archivist.extraction.text import text_content

__all__ = ["attributes", "containers", "headline_element",
    "headline_scope", "in_chrome", "is_chrome", "token_pattern", "within"]

#: Elements that can hold a whole page region (inline elements, links and images cannot).
_CONTAINERS_XPATH = (
    "//body//*[(@id or @class or @style or @hidden or @aria-hidden) and (self::div or "
    "self::section or self::aside or self::ul or self::ol or self::nav or self::footer or "
    "self::header or self::p or self::figure or self::form or self::table or self::span or "
    "self::article or self::dl or self::center or self::font)]"
)


_CONTAINER_TAGS = ("div", "section", "aside", "ul", "ol", "nav", "footer", "header", "p",
                   "figure", "form", "table", "span", "article", "dl", "center", "font")


def containers(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Block elements with an id, class or visibility attribute, each with :func:`attributes`.

    Boilerplate and comment-section detection both scan these; scanning once per page and
    sharing the list halves the cost, which is significant on large pages. The elements are
    those of :data:`_CONTAINERS_XPATH`, read by iterating over the body's elements of these
    tags: libxml2 evaluates that XPath's predicate several times slower.
    """
    bodies = list(tree.iter("body"))
    if len(bodies) != 1:
        return [(element, attributes(element)) for element in tree.xpath(_CONTAINERS_XPATH)]
    found = []
    for element in bodies[0].iter(_CONTAINER_TAGS):
        get = element.get
        if (get("id") is not None or get("class") is not None or get("style") is not None
                or get("hidden") is not None or get("aria-hidden") is not None):
            found.append((element, attributes(element)))
    return found


_CHROME_TAGS = {"header", "nav", "footer", "aside"}
#: A chrome word between separators (or the ends), captured: a class may hold several.
_CHROME_WORDS = re.compile(
    r"(?<![^\s_-])(header|masthead|top-?bar|navbar|nav|navigation|menu|footer|sidebar|"
    r"side-bar|widget|today|current-?date|date-?today|top-?nav|utility|ticker|site-?info|"
    r"breadcrumbs?|banner)(?![^\s_-])",
    re.IGNORECASE,
)
_IN_ARTICLE = etree.XPath("ancestor::article")
#: A "header" or "footer" class of an article is the article's own (title, byline, "Posted by
#: NAME on DATE" in blog footers), not the site's: keep it.
_ARTICLE_HEADER = re.compile(r"(?:article|entry|post|story)[_-]?(?:header|footer)", re.IGNORECASE)


def token_pattern(alternatives: str) -> re.Pattern[str]:
    """A case-insensitive regex matching when one whole id/class token is one of the
    ``alternatives`` (a regex alternation), searched in :func:`attributes`' output."""
    return re.compile(r"(?:^|\s)(?:" + alternatives + r")(?=\s|$)", re.IGNORECASE)


def attributes(element: HtmlElement) -> str:
    """An element's id and class, joined, for pattern matching."""
    return f"{element.get('id') or ''} {element.get('class') or ''}".strip()


#: Page builders call every block of a page a widget, so the word says nothing about where the
#: block sits. Elementor prefixes each block's kind with ``elementor-widget``
#: (``elementor-widget-post-comments``, ``elementor-widget-nav-menu``; its parts are
#: ``elementor-widget-container`` and ``-wrap``): the kind after the prefix is read.
#: vBulletin 5 lays out every page (its thread included) as a ``canvas-widget-list`` of
#: ``canvas-widget default-widget`` modules, each naming its kind (``conversation-content-widget``,
#: ``page-title-widget``) and its options (``widget-tabs``, ``widget-no-border``,
#: ``widget-no-header-buttons``), with parts ``widget-content`` and ``widget-tabs-panel``.
_BUILDER_PREFIX = re.compile(
    r"(?:^|(?<=\s))(?:elementor-widget(?:-|(?=\s|$))|(?:canvas-widget(?:-list)?|default-widget|"
    r"widget-no-[\w-]+|widget-tabs(?:-panel)?|widget-content)(?=\s|$))",
    re.IGNORECASE,
)
#: ... and of a vBulletin 5 module (``canvas-widget``), the kind before ``-widget`` is read; its
#: id (``widget_8``) only numbers it.
_CANVAS_MODULE = re.compile(r"(?:^|\s)canvas-widget(?=\s|$)", re.IGNORECASE)
_KIND_SUFFIX = re.compile(r"-widget(?=\s|$)|^widget_\d+(?=\s|$)", re.IGNORECASE)


def _layout_free(attrs: str) -> str:
    """``attrs`` without a page builder's vocabulary (:data:`_BUILDER_PREFIX`)."""
    if "idget" not in attrs and "IDGET" not in attrs:  # most blocks: no regex run at all
        return attrs
    if _CANVAS_MODULE.search(attrs):
        attrs = _KIND_SUFFIX.sub("", attrs)
    return _BUILDER_PREFIX.sub("", attrs)


#: The page's main content landmark: ``<main>``, ``role=main``, or a wrapper id that themes give it.
_MAIN_IDS = re.compile(r"^(?:main|primary|content|main-?content|site-?content)$", re.IGNORECASE)


def is_chrome(element: HtmlElement) -> bool:
    """Whether this element itself is site chrome (not looking at ancestors)."""
    return _chrome_by(element) is not None


def _chrome_by(element: HtmlElement) -> str | None:
    """``"tag"`` when the element's tag makes it chrome, ``"class"`` when its id or class does,
    None when it is not chrome."""
    tag = element.tag if isinstance(element.tag, str) else ""
    attrs = attributes(element)
    if _ARTICLE_HEADER.search(attrs):
        return None
    if tag in _CHROME_TAGS:
        return None if tag in ("header", "footer") and _IN_ARTICLE(element) else "tag"
    words = {word.lower() for word in _CHROME_WORDS.findall(_layout_free(attrs))} if attrs else set()
    if not words or (words <= {"header", "footer"} and _IN_ARTICLE(element)):
        return None  # an article's own header or footer by its class, as by its tag
    return "class"


def _is_main(element: HtmlElement) -> bool:
    return element.tag == "main" or element.get("role") == "main" or bool(_MAIN_IDS.match(element.get("id") or ""))


def in_chrome(element: HtmlElement) -> bool:
    """Whether this element or one of its ancestors is site chrome.

    From the page's main content (``<main>``, ``#main``, ``#content``...) up, a class naming a
    header or a sidebar describes the layout it wraps (``header-style-2``, ``has_sidebar``),
    since no header or sidebar holds the main content: only a chrome tag counts there.
    """
    node: HtmlElement | None = element
    above_main = False
    while node is not None and node.tag not in ("body", "html"):
        above_main = above_main or _is_main(node)
        chrome = _chrome_by(node)
        if chrome == "tag" or (chrome == "class" and not above_main):
            return True
        node = node.getparent()
    return False


_HEADLINE_CLASS = re.compile(
    r"(?:^|\s)(?:(?:article|entry|post|story|news|page)[_-]?)?(?:title|headline|heading)"
    r"(?=\s|$)",
    re.IGNORECASE,
)
_MIN_HEADLINE_WORDS = 3
#: This many paragraphs this long are an article's prose, not a teaser's or a sidebar's lines.
_MIN_PROSE = 100
_MIN_PROSE_PARAGRAPHS = 2


def headline_element(tree: HtmlElement) -> HtmlElement | None:
    """The article's headline: the first ``<h1>`` outside the chrome, else (old table layouts)
    the first element outside the chrome whose class says title/headline, else an unmarked
    ``<h2>`` headline (:func:`_h2_headline`).

    Bylines, dates and decks are looked for around it.
    """
    has_h1 = False
    for h1 in tree.iter("h1"):
        if text_content(h1).strip():
            if not in_chrome(h1):
                return h1
            has_h1 = True
    for element in tree.iter("h2", "h3", "div", "span", "p", "td", "font", "b", "strong"):
        if (_HEADLINE_CLASS.search(attributes(element))
                and len(text_content(element).split()) >= _MIN_HEADLINE_WORDS
                and not in_chrome(element)):
            return element
    return _h2_headline(tree, has_h1=has_h1)


def _h2_headline(tree: HtmlElement, *, has_h1: bool) -> HtmlElement | None:
    """The headline of a page that sets it in an unmarked ``<h2>`` (blogs, old sites, pages
    whose only ``<h1>`` is the site name): the ``<h2>`` outside the chrome that the
    ``<title>`` names, else, on a page without ``<h1>``, the first one that the article's
    text follows (with an ``<h1>`` in the chrome, that is a subheading).

    A sidebar's or a teaser list's ``<h2>`` ("About me", "Latest news") is followed by a
    short text or links, not by paragraphs of prose.
    """
    candidates = [h2 for h2 in tree.iter("h2") if not in_chrome(h2)]
    title = next(tree.iter("title"), None)
    named = " ".join(text_content(title).split()).casefold() if title is not None else ""
    for h2 in candidates:
        text = " ".join(text_content(h2).split()).casefold()
        if text and text in named and (len(text.split()) >= _MIN_HEADLINE_WORDS
                                       or 2 * len(text) >= len(named)):
            return h2
    if has_h1:
        return None
    return next((h2 for h2 in candidates if text_content(h2).strip() and _prose_follows(h2)),
                None)


def _prose_follows(heading: HtmlElement) -> bool:
    """Whether paragraphs of prose come after ``heading`` before the next heading of its
    level, among its following siblings."""
    paragraphs = 0
    for sibling in heading.itersiblings():
        if sibling.tag in ("h1", "h2"):
            break
        if isinstance(sibling.tag, str):
            paragraphs += sum(1 for paragraph in sibling.iter("p")
                              if len(" ".join(text_content(paragraph).split())) >= _MIN_PROSE)
    return paragraphs >= _MIN_PROSE_PARAGRAPHS


def headline_scope(headline: HtmlElement) -> HtmlElement:
    """The headline's own block: its grandparent (headline, deck, byline and date live there)."""
    scope = headline.getparent() if headline.getparent() is not None else headline
    return scope.getparent() if scope.getparent() is not None else scope


def within(element: HtmlElement, regions: Collection[HtmlElement]) -> bool:
    """Whether ``element`` is one of ``regions`` or inside one (a set, for long lists)."""
    return bool(regions) and (element in regions
                              or any(node in regions for node in element.iterancestors()))
