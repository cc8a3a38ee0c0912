"""Parse a page's HTML once into the lxml tree that every extraction step shares.

Parsing is the single most expensive step after body extraction, so each page is parsed exactly
once; steps that must modify the tree (body extraction) run last, after the read-only ones. The
fetch step parses a page for pagination discovery and hands the same tree to extraction
(:class:`ParsedPage`), so a captured page is parsed once in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

from archivist.core.markup import bounded_attributes
from archivist.extraction.decode import decode_html
from archivist.extraction.metadata import canonical_url
from archivist.extraction.model import SourcePage
from archivist.extraction.structured import Structured, read_structured

__all__ = ["ParsedPage", "parse_html", "parse_page"]

_PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
# lxml.html picks each element's class in a Python callback, called whenever an element is
# first touched from Python: on every page, hundreds of thousands of calls between our steps
# and trafilatura's (it works on copies of this tree, which keep this parser). The classes it
# adds for form fields (``FormElement.fields``, ``InputElement.value``...) are used by neither,
# so every element gets the plain ``HtmlElement`` class, chosen in C.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity,
))
#: lxml refuses a str that carries an XML encoding declaration; it is meaningless once decoded.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_html(html: bytes | str, content_type: str | None = None) -> HtmlElement:
    """Decode (see :mod:`.decode`) and parse a document; never raises on junk input, and a tag
    crowded with attributes keeps its first thousand (:func:`~archivist.core.markup.bounded_attributes`)."""
    text = bounded_attributes(_XML_DECLARATION.sub("", decode_html(html, content_type), count=1))
    if not text.strip():
        text = "<html><body></body></html>"
    try:
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except (ValueError, lxml.etree.ParserError):
        return lxml.html.document_fromstring("<html><body></body></html>", parser=_PARSER)



@dataclass(frozen=True, slots=True)
class ParsedPage:
    """A page with its parsed tree, to share one parse between pagination and extraction.

    Extraction consumes the tree (body extraction cuts it), so a ParsedPage is extracted once;
    read-only steps such as :func:`~archivist.extraction.pagination.find_pages` may come before.
    """

    source: SourcePage
    tree: HtmlElement
    #: The page's JSON-LD and meta tags, read once for pagination and extraction alike.
    structured: Structured


def parse_page(page: SourcePage) -> ParsedPage:
    """Parse ``page`` with its declared charset (see :func:`parse_html`)."""
    tree = parse_html(page.body, page.content_type)
    urls = (page.url, canonical_url(tree, page.url))
    return ParsedPage(page, tree, read_structured(tree, urls=urls))
