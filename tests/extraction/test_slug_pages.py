"""Pages whose URLs add a number to the slug (``/story-title``, ``/story-title-2``...): a number
at the end of a slug counts as a page number only against the first page's URL."""

from __future__ import annotations

import pytest

from archivist.extraction import discover_pages, page_number, reading_order

from .conftest import article

SITE = "https://www.harbourpost.example"


def _pager(slug: str, current: int, last: int = 3, *, suffix: str = "") -> str:
    """A pager of ``last`` pages over ``slug``, ``slug-2``...; ``current`` is not linked."""
    links = [
        f"<span>{n}</span>" if n == current else f'<a href="{slug}{"" if n == 1 else f"-{n}"}{suffix}">{n}</a>'
        for n in range(1, last + 1)
    ]
    return f'<div class="pagination">{" ".join(links)}</div>'


@pytest.mark.parametrize("current", [1, 2, 3])
def test_a_slug_numbered_series_is_found_from_any_page(current: int) -> None:
    slug = "/news/ferry-timetable-changes"
    url = f"{SITE}{slug}" + ("" if current == 1 else f"-{current}")
    assert discover_pages(article(_pager(slug, current)), url) == [
        f"{SITE}{slug}",
        f"{SITE}{slug}-2",
        f"{SITE}{slug}-3",
    ]


def test_a_slug_that_ends_in_a_number_is_page_one_of_its_series() -> None:
    slug = "/health/covid-19"
    assert discover_pages(article(_pager(slug, 1, 2)), f"{SITE}{slug}") == [f"{SITE}{slug}", f"{SITE}{slug}-2"]
    assert discover_pages(article(_pager(slug, 2, 2)), f"{SITE}{slug}-2") == [f"{SITE}{slug}", f"{SITE}{slug}-2"]
    assert discover_pages(article(_pager(slug, 1, 2, suffix=".html")), f"{SITE}{slug}.html") == [
        f"{SITE}{slug}.html",
        f"{SITE}{slug}-2.html",
    ]
    assert discover_pages(article(_pager(slug, 2, 2, suffix=".html")), f"{SITE}{slug}-2.html") == [
        f"{SITE}{slug}.html",
        f"{SITE}{slug}-2.html",
    ]


def test_the_next_page_link_and_the_page_count_fill_the_series() -> None:
    slug = "/news/harbour-works"
    pager = f'<p class="pageno">Page 2 of 4</p><a href="{slug}">« Previous</a> <a href="{slug}-3">Next »</a>'
    assert discover_pages(article(pager), f"{SITE}{slug}-2") == [f"{SITE}{slug}"] + [
        f"{SITE}{slug}-{n}" for n in (2, 3, 4)
    ]


@pytest.mark.parametrize(
    "link",
    [
        '<div class="pagination"><a href="/news/story-13">Next ›</a></div>',
        '<a rel="next" href="/news/story-13">13</a>',
        '<a href="/news/story-11">‹ Previous</a> <a href="/news/story-13">Next ›</a>',
    ],
)
def test_articles_that_share_a_numbered_pattern_are_not_pages_of_one(link: str) -> None:
    """``/news/story-12`` linking ``/news/story-13``: without the first page ``/news/story`` in
    view, the numbers are the articles' own."""
    url = f"{SITE}/news/story-12"
    assert discover_pages(article(link), url) == [url]


def test_page_number_of_a_slug_number_counts_against_the_first_page() -> None:
    first = f"{SITE}/health/covid-19"
    assert page_number(first) is None and page_number(first, first) is None
    assert page_number(f"{first}-2") is None
    assert page_number(f"{first}-2", first) == 2
    assert page_number(f"{SITE}/health/flu-2", first) is None
    assert page_number(f"{first}?page=3", first) == 3


def test_reading_order_by_slug_numbers() -> None:
    slug = f"{SITE}/news/ferry-timetable-changes"
    fetched = [f"{slug}-3", slug, f"{slug}-2"]
    assert reading_order(fetched) == [slug, f"{slug}-2", f"{slug}-3"]
    # Page 1 failed to fetch: the later pages still share their first page.
    assert reading_order([f"{slug}-3", f"{slug}-2"]) == [f"{slug}-2", f"{slug}-3"]
    assert reading_order([f"{SITE}/story?page=3", f"{SITE}/story", f"{SITE}/story?page=2"]) == [
        f"{SITE}/story",
        f"{SITE}/story?page=2",
        f"{SITE}/story?page=3",
    ]
    assert reading_order([f"{SITE}/health/covid-19"]) == [f"{SITE}/health/covid-19"]
