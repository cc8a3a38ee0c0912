"""Pages of shapes the benchmark does not have: legacy charsets that lie, entities in JSON-LD,
odd date formats and ``Headline | Site`` titles without a headline element."""

from __future__ import annotations

import json

from archivist.extraction import SourcePage, extract

STORY = "".join(
    f"<p>Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter.</p>"
    for n in range(1, 5)
)


def _page(head: str, body: str = "<h1>Ferry timetable changes</h1>", *,
          url: str = "https://www.harbourpost.example/news/ferry-timetable") -> SourcePage:
    html = (f'<html lang="en"><head><title>Ferry timetable changes | Harbour Post</title>{head}'
            f'</head><body><div class="story">{body}{STORY}</div></body></html>')
    return SourcePage(url, html.encode("utf-8"), "text/html; charset=utf-8")


def _ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_entities_in_json_ld_strings_are_decoded() -> None:
    """CMSs write JSON-LD strings HTML-escaped ("Caf&eacute;"); the reader wants the text."""
    result = extract([_page(_ld({
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": "Ferry &amp; bus timetables change on Caf&eacute; Quay",
        "author": {"@type": "Person", "name": "Ren&eacute;e O&#39;Hara"},
        "datePublished": "2024-03-05",
    }))])
    assert result.title == "Ferry & bus timetables change on Café Quay"
    assert result.authors == ("Renée O'Hara",)
