"""Turn a document's archived pages into an :class:`Extraction`.

Each page is parsed once; the read-only steps (structured data, metadata, comments, dates,
authors) run on the tree first, body extraction (which cuts the tree) last. For a multi-page
document the body is the pages' bodies in reading order (a page whose body repeats an earlier
page's is the same page under another URL and is skipped; a page that holds every earlier
page's text is the article's single-page view, and its body replaces theirs), comments are
merged without repeats, and metadata comes from page 1, completed from later pages where page 1
lacks a field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import trafilatura

from archivist.extraction.authors import find_authors
from archivist.extraction.body import extract_body, word_key
from archivist.extraction.boilerplate import (
    boilerplate_elements,
    deck_elements,
    link_lists,
)
from archivist.extraction.comments import find_comments, merge_comments
from archivist.extraction.dates import DateContext, date_range, find_dates
from archivist.extraction.language import declared_locale, document_language
from archivist.extraction.metadata import Metadata, canonical_url, find_metadata
from archivist.extraction.model import Comment, Extraction, SourcePage
from archivist.extraction.parse import ParsedPage, parse_page
from archivist.extraction.regions import containers, headline_element
from archivist.extraction.single_view import article_paragraphs, holds_pages
from archivist.extraction.text import lines_text, text_content

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "extract"]

T = TypeVar("T")

EXTRACTOR_NAME = "archivist"
#: Bumped whenever the output for the same input can change, so re-extraction makes new versions.
EXTRACTOR_VERSION = f"1.6+trafilatura.{trafilatura.__version__}"


@dataclass(slots=True)
class _PageResult:
    canonical: str
    metadata: Metadata
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    language: str | None
    body: str
    comments: list[Comment]
    #: A forum thread's first post on this page (its body on page 1, a reply on later pages).
    first_post: Comment | None = None

    def as_later_page(self) -> _PageResult:
        """This page read as a later page of its document: a forum thread's first post here
        is a reply, so it joins the comments instead of the body."""
        if self.first_post is None:
            return self
        shifted = [dataclasses.replace(comment, parent=None if comment.parent is None
                                       else comment.parent + 1) for comment in self.comments]
        return dataclasses.replace(self, body="", comments=[self.first_post, *shifted])


def _holds(body: str, text: str) -> bool:
    """Whether ``body`` holds the first line of ``text`` (compared by words)."""
    return word_key(text.partition("\n")[0]) in word_key(body)


def _extract_page(parsed: ParsedPage) -> _PageResult:
    page, tree, data = parsed.source, parsed.tree, parsed.structured
    headline = headline_element(tree)
    metadata = find_metadata(tree, data, page.url, headline=headline)
    dates = DateContext(declared_locale(tree, data, page.content_language), page.captured)
    language = dates.language
    scanned = containers(tree)
    # Comments first: a comment section (named so or not) dates and names no article.
    section = find_comments(tree, data, scanned, dates)
    published, modified = find_dates(tree, data, page.url, dates, headline=headline,
                                     comments=section.regions)
    authors = find_authors(tree, data, headline=headline, comments=section.regions)
    if published is None and section.first_post is not None:
        published = section.first_post.published  # a thread was posted when its first post was
    furniture = boilerplate_elements(tree, scanned) + deck_elements(tree) + link_lists(tree)
    if section.opening_post is not None and section.opening_post.tag == "li":
        # A post set as a list item (vBulletin's ``li.b-post``, ``li.postbit``) is a block of
        # the thread: read as one, its paragraphs stay paragraphs instead of one "- " item.
        section.opening_post.tag = "div"
    canonical = canonical_url(tree, page.url)
    # A headline set on two lines ("Kicker<br>Headline") may come out as two paragraphs.
    headings = [text for element in [*tree.iter("h1"), *([] if headline is None else [headline])]
                for text in (text_content(element), *lines_text(element).split("\n"))]
    body = extract_body(
        tree, page.url, remove=section.regions + furniture,
        titles=[metadata.title or "", *headings], comments=[c.text for c in section.comments],
        language=language,
    )
    if section.first_post is not None and not _holds(body, section.first_post.text):
        # trafilatura drops blocks whose class says "comment", as a forum's opening post may
        # have (Invision's ``article.cPost.ipsComment``): the post's own text is the body.
        body = "\n\n".join(section.first_post.text.split("\n"))
    if not authors and section.author:
        authors = (section.author,)
    return _PageResult(canonical, metadata, authors, published, modified, language, body,
                       section.comments, section.first_post)


def _first(values: Sequence[T | None]) -> T | None:
    """The first non-empty value: page 1's, else the next page that has one."""
    return next((value for value in values if value), None)


def extract(pages: Sequence[SourcePage | ParsedPage]) -> Extraction:
    """Extract one document from its pages, given in reading order (page 1 first).

    A page already parsed (for pagination discovery) is given as a :class:`ParsedPage`; its
    tree is consumed.

    Raises:
        ValueError: when ``pages`` is empty.
    """
    if not pages:
        raise ValueError("extract() needs at least one page")
    results: list[_PageResult] = []
    bodies: list[str] = []  # each page's own body, to recognise a page under a second URL
    paragraphs: list[list[str]] = []  # each used page's article text, to recognise a whole view
    used: list[SourcePage] = []
    for page in pages:
        parsed = page if isinstance(page, ParsedPage) else parse_page(page)
        own = article_paragraphs(parsed.tree) if len(pages) > 1 else []
        whole = bool(results) and holds_pages(parsed.tree, own, paragraphs)
        result = _extract_page(parsed)
        if result.body and result.body in bodies:
            continue  # the same page reached under two URLs (``/story`` and ``?page=1``)
        if whole:
            # The article's single-page view, fetched with the page submitted (see
            # ``single_view``): its body is the whole text; the pages keep their metadata and
            # comments (a last page's thread that the view may not show).
            results = [dataclasses.replace(earlier, body="") for earlier in results]
            used = []
        paragraphs.append(own)
        bodies.append(result.body)
        results.append(result.as_later_page() if results else result)
        used.append(parsed.source)
    first = results[0]
    body = "\n\n".join(result.body for result in results if result.body)
    language = document_language(_first([r.language for r in results]), body)
    published, modified = _first([r.published for r in results]), _first([r.modified for r in results])
    return Extraction(
        url=first.canonical,
        pages=tuple(page.url for page in used),
        title=_first([r.metadata.title for r in results]),
        authors=_first([r.authors for r in results]) or (),
        published=_plain(published),
        modified=_plain(modified),
        sitename=_first([r.metadata.sitename for r in results]),
        language=language,
        description=_first([r.metadata.description for r in results]),
        tags=_first([r.metadata.tags for r in results]) or (),
        categories=_first([r.metadata.categories for r in results]) or (),
        image=_first([r.metadata.image for r in results]),
        body=body,
        comments=tuple(merge_comments(r.comments for r in results)),
        published_range=date_range(published),
        modified_range=date_range(modified),
    )


def _plain(date: str | None) -> str | None:
    """``date`` as a plain ISO string (a :class:`RelativeDate`'s range goes in its own field)."""
    return None if date is None else str(date)
