"""The extraction core: article body, metadata, comments and pagination from archived HTML.

Plain Python over lxml and trafilatura: no network, no storage, no broker. Callers hand it the
archived bytes of one document's pages and get an :class:`Extraction` back; the capture
pipeline uses :func:`discover_pages` (and :func:`page_number` to order what it gathers) to find
the pages of a paginated article first.
"""

from archivist.extraction.extract import EXTRACTOR_NAME, EXTRACTOR_VERSION, extract
from archivist.extraction.model import Comment, Extraction, SourcePage
from archivist.extraction.pagination import discover_pages, page_number

__all__ = [
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "Comment",
    "Extraction",
    "SourcePage",
    "discover_pages",
    "extract",
    "page_number",
]
