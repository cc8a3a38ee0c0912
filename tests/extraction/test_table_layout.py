"""An old table-layout page (data/table_layout.html, windows-1252) with the seed's traps:
header "today" date in a cell, headline in a span, "Page 2 of 3", a bare-paragraph pager,
comments in a table, a captcha form and a "more articles" list inside the content cell."""

from __future__ import annotations

from pathlib import Path

from archivist.extraction import Comment, SourcePage, discover_pages, extract

PAGE = Path(__file__).parent / "data" / "table_layout.html"
URL = "https://www.irrawaddy.org/article.php?art_id=1&page=2"


def _extract():
    return extract([SourcePage(URL, PAGE.read_bytes(), "text/html")])


def test_body_is_only_the_article() -> None:
    paragraphs = _extract().body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("First paragraph of the article")
    assert paragraphs[2].startswith("Third paragraph closes the page")


def test_metadata() -> None:
    result = _extract()
    assert result.title == "Junta Boosts Ties With Pyongyang"
    assert result.authors == ("Wai Moe", "Aung Zaw")
    assert result.published == "2010-06-14"
    assert result.sitename == "The Irrawaddy"
    assert result.language == "en"


def test_comments_in_table_rows() -> None:
    assert _extract().comments == (
        Comment("Ko Ko", None, "I agree with this.\nSecond line.", None),
        Comment("Ma Ma", None, "I do not agree.", None),
    )


def test_pages_from_middle_page() -> None:
    assert discover_pages(PAGE.read_bytes(), URL) == [
        f"https://www.irrawaddy.org/article.php?art_id=1&page={n}" for n in (1, 2, 3)]
