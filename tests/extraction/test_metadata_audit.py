"""Metadata that the markup plainly contradicts: what an audit of our output on real pages
found, each cause written as small pages of its own (site names that are addresses, outlets
and accounts taken for authors, labels left on a byline, boilerplate descriptions, an edit
dated before the publication)."""

from __future__ import annotations

import json

import pytest

from .conftest import article, page


def _ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    "declared",
    [
        "https://www.harbourpost.example",
        "http://harbourpost.example/",
        "www.harbourpost.example",
        "@harbourpost",
    ],
)
def test_a_site_name_that_is_an_address_or_a_handle_gives_way_to_a_name(declared: str) -> None:
    """CMSs fill ``og:site_name`` with the home page's URL or the site's Twitter handle; the
    publisher's name (or the logo's, the title's) is the name readers know."""
    head = f'<meta property="og:site_name" content="{declared}">' + _ld(
        {
            "@type": "NewsArticle",
            "headline": "Budget Vote Delayed",
            "publisher": {"@type": "Organization", "name": "Harbour Post"},
        }
    )
    assert page(article(head=head), url="https://www.harbourpost.example/budget").sitename == "Harbour Post"


def test_a_site_name_address_alone_still_names_the_host() -> None:
    html = article(head='<meta property="og:site_name" content="https://www.harbourpost.example/">')
    html = html.replace('alt="Example News"', 'alt=""').replace(" | Example News", "")
    assert page(html, url="https://www.harbourpost.example/budget").sitename == "www.harbourpost.example"
