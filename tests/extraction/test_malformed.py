"""Malformed markup a real page can carry must not cost the whole document its extraction.

One bad attribute (a canonical link with a broken IPv6 host, a JSON-LD ``@type`` that is a
number) used to raise out of :func:`extract`, and the capture failed with nothing recorded.
"""

from __future__ import annotations

import json

from archivist.extraction import discover_pages

from .conftest import article, page

URL = "https://news.example.com/politics/budget-vote"


def _ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_unparseable_canonical_link_falls_back_to_the_page_url() -> None:
    result = page(article(head='<link rel="canonical" href="http://[news.example.com/vote">'),
                  url=URL)
    assert result.url == URL
    assert "Paragraph 1 ends here." in result.body


def test_unparseable_image_url_is_no_image() -> None:
    result = page(article(head='<meta property="og:image" content="http://[cdn/vote.jpg">'),
                  url=URL)
    assert result.image is None
    assert result.title == "Budget Vote Delayed"


def test_unparseable_base_and_pager_links_are_skipped() -> None:
    pager = ('<div class="pagination"><a href="http://[news.example.com/politics/budget-vote'
             '?page=2">2</a> <a href="/politics/budget-vote?page=3">3</a></div>')
    html = article(head='<base href="http://[broken">', after=pager)
    assert discover_pages(html, URL) == [URL, f"{URL}?page=3"]
    html = article(after=pager)
    assert discover_pages(html, URL) == [URL, f"{URL}?page=3"]


def test_json_ld_of_unexpected_shapes() -> None:
    head = (_ld({"@type": 5, "name": "odd"})
            + _ld({"@type": {"name": "Article"}, "headline": "x"})
            + _ld({"@type": "NewsArticle", "datePublished": "2021-06-01",
                   "image": {"@type": "ImageObject", "url": 7}}))
    result = page(article(head=head), url=URL)
    assert result.published == "2021-06-01"
    assert result.image is None


def test_json_ld_image_as_a_list_of_image_objects() -> None:
    head = _ld({"@type": "NewsArticle", "headline": "Budget Vote Delayed",
                "image": [{"@type": "ImageObject", "url": "/img/vote.jpg", "width": 1200}]})
    assert page(article(head=head), url=URL).image == "https://news.example.com/img/vote.jpg"
    head = _ld({"@type": "NewsArticle", "headline": "Budget Vote Delayed",
                "image": {"@type": "ImageObject", "url": ["/img/a.jpg", "/img/b.jpg"]}})
    assert page(article(head=head), url=URL).image == "https://news.example.com/img/a.jpg"


def test_json_ld_nested_beyond_reading_is_skipped_not_fatal() -> None:
    """``json`` raises ``RecursionError`` (no ``ValueError``) on a script of arrays nested a
    hundred thousand deep: it used to end the page's extraction and its pagination discovery."""
    head = ('<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
            + _ld({"@type": "NewsArticle", "datePublished": "2021-06-01"})
            + _ld({"@type": "NewsArticle", "author": _nested_name("Jane Doe", 500)}))
    html = article(head=head)
    result = page(html, url=URL)
    assert result.published == "2021-06-01"
    assert "Paragraph 1 ends here." in result.body
    assert result.authors != ("Jane Doe",)  # too deep to be read: skipped whole
    assert discover_pages(html, URL) == [URL]


def _nested_name(name: str, depth: int) -> object:
    value: object = name
    for _ in range(depth):
        value = {"name": value}
    return value


def test_a_comment_depth_that_is_no_number_is_no_depth() -> None:
    """``data-depth="²"``: ``str.isdigit`` takes "²", which ``int`` refuses, and the ValueError
    ended the page's extraction (the capture failed, ``archivist extract`` printed a traceback)."""
    comments = "".join(
        f'<li class="comment" id="comment-{n}" data-depth="{depth}"><div class="comment-author">{who}</div>'
        f'<div class="comment-content"><p>{said}</p></div></li>'
        for n, (depth, who, said) in enumerate([("\u00b2", "Ann", "The vote should have happened last week."),
                                                 ("1", "Bob", "Roads first, then the library, I say."),
                                                 ("\u00b2", "Eve", "Agreed with Bob on the roads.")], start=1))
    result = page(article(after=f'<div id="comments"><h2>3 Comments</h2><ol class="comment-list">{comments}</ol></div>'),
                  url=URL)
    assert "Paragraph 1 ends here." in result.body
    assert [comment.author for comment in result.comments] == ["Ann", "Bob", "Eve"]
