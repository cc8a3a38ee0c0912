"""Shared helpers for the extraction tests: the seed fixture and a page builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archivist.extraction import Extraction, SourcePage, extract

#: The shared folder sits next to the repository (``../shared``); it is not part of the repo.
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SEED = SHARED / "fixtures" / "seed-article"
SEED_HOST = "https://www.irrawaddy.org"


@pytest.fixture(scope="session")
def seed() -> dict:
    """The seed fixture's expected.json plus the raw bytes of its pages."""
    if not (SEED / "expected.json").is_file():
        pytest.skip(f"seed fixture not found at {SEED.resolve()} (../shared is not checked out)")
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf8"))
    expected["html"] = {n: (SEED / f"page{n}.html").read_bytes() for n in ("1", "2", "3")}
    return expected


def seed_page(seed: dict, number: str) -> SourcePage:
    """Seed page ``number`` as served at its path on the original host."""
    return SourcePage(url=SEED_HOST + seed["pages"][number], body=seed["html"][number],
                      content_type="text/html; charset=utf-8")


def page(html: str, url: str = "https://news.example.com/2024/05/story.html",
         content_type: str | None = "text/html; charset=utf-8") -> Extraction:
    """Extract one synthetic page given as text."""
    return extract([SourcePage(url=url, body=html.encode("utf-8"), content_type=content_type)])


FILLER = (
    "The council met on Tuesday evening to discuss the new budget for the coming year, and "
    "members spoke at length about roads, schools and the state of the public library. "
)


def article(body: str = "", *, head: str = "", before: str = "", after: str = "",
            lang: str = ' lang="en"') -> str:
    """A plausible article page: site header, headline, body paragraphs, extra blocks."""
    paragraphs = "".join(f"<p>{FILLER}Paragraph {n} ends here.</p>" for n in range(1, 5))
    return (
        f"<!DOCTYPE html><html{lang}><head><title>Budget Vote Delayed | Example News</title>"
        f"{head}</head><body>"
        '<div id="header"><div class="logo"><img src="/logo.png" alt="Example News"></div>'
        '<ul class="nav"><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul>'
        "</div>"
        f'<div id="content"><div class="article">{before}<h1>Budget Vote Delayed</h1>'
        f'<div class="article-body">{paragraphs}{body}</div></div>{after}</div>'
        '<div id="footer">Copyright 2024 Example News. All rights reserved.</div>'
        "</body></html>"
    )
