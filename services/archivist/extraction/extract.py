"""Turn a document's archived pages into an :class:`Extraction`."""

from __future__ import annotations

from collections.abc import Sequence

import trafilatura

from archivist.extraction.model import Extraction, SourcePage

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "extract"]

EXTRACTOR_NAME = "archivist"
#: Bumped whenever the output for the same input can change, so re-extraction makes new versions.
EXTRACTOR_VERSION = f"0.1+trafilatura.{trafilatura.__version__}"


def _decode(page: SourcePage) -> str:
    charset = None
    if page.content_type and "charset=" in page.content_type.lower():
        charset = page.content_type.lower().split("charset=")[-1].split(";")[0].strip() or None
    try:
        return page.body.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return page.body.decode("utf-8", errors="replace")


def extract(pages: Sequence[SourcePage]) -> Extraction:
    """Extract one document from its pages, given in reading order (page 1 first)."""
    if not pages:
        raise ValueError("extract() needs at least one page")
    bodies: list[str] = []
    first: dict = {}
    for page in pages:
        document = trafilatura.bare_extraction(
            _decode(page), url=page.url, include_comments=False, with_metadata=True, fast=True
        )
        data = document.as_dict() if document is not None else {}
        if not first:
            first = data
        if data.get("text"):
            bodies.append(data["text"])
    tags = tuple(t.strip() for raw in first.get("tags") or () for t in raw.split(",") if t.strip())
    author = first.get("author")
    return Extraction(
        url=pages[-1].url,
        pages=tuple(page.url for page in pages),
        title=first.get("title"),
        authors=tuple(a.strip() for a in author.split(";")) if author else (),
        published=first.get("date"),
        sitename=first.get("sitename"),
        language=first.get("language"),
        description=first.get("description"),
        tags=tags,
        categories=tuple(first.get("categories") or ()),
        image=first.get("image"),
        body="\n\n".join(bodies),
    )
