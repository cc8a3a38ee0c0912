"""Find the other pages of a paginated article."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html

__all__ = ["discover_pages"]


def discover_pages(html: bytes | str, url: str, *, max_pages: int = 20) -> list[str]:
    """The URLs of the document's pages that this page links to with ``rel=prev/next``.

    Same host only; the page itself is included. Order is not significant.
    """
    tree = lxml.html.fromstring(html)
    host = urlsplit(url).netloc
    found = [url]
    for href in tree.xpath("//link[@rel='prev' or @rel='next']/@href"):
        absolute = urljoin(url, href.strip())
        if urlsplit(absolute).netloc == host and absolute not in found:
            found.append(absolute)
    return found[:max_pages]
