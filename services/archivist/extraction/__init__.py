"""The extraction core: article body, metadata, comments and pagination from archived HTML.

Plain Python over lxml and trafilatura: no network, no storage, no broker. Callers hand it the
archived bytes of one document's pages and get an :class:`Extraction` back. The capture
pipeline parses each fetched page once (:func:`parse_page`), finds the other pages of a
paginated article on that tree (:func:`find_pages`; :func:`page_key` says which URLs are one
page, :func:`reading_order` orders what it gathers, by :func:`page_number`; :func:`find_single_view` finds its link to the
whole article on one page, which :func:`holds_pages` checks once fetched), then hands the same
trees to :func:`extract`.
"""

from archivist.extraction.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract
from archivist.extraction.model import Comment, Extraction, SourcePage
from archivist.extraction.pagination import (
    discover_pages,
    find_pages,
    limit_pages,
    page_key,
    page_number,
    reading_order,
    same_site,
)
from archivist.extraction.parse import ParsedPage, parse_page
from archivist.extraction.single_view import (
    article_paragraphs,
    discover_single_view,
    find_single_view,
    holds_pages,
)

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "Comment",
    "Extraction",
    "ParsedPage",
    "SourcePage",
    "article_paragraphs",
    "discover_pages",
    "discover_single_view",
    "extract",
    "find_pages",
    "find_single_view",
    "holds_pages",
    "limit_pages",
    "page_key",
    "page_number",
    "parse_page",
    "reading_order",
    "same_site",
]
