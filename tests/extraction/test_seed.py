"""The seed article (``../shared/fixtures/seed-article``) must come out exactly as expected."""

from __future__ import annotations

from archivist.extraction import discover_pages, extract, page_number

from .conftest import SEED_HOST, seed_page


def test_page_three_alone(seed: dict) -> None:
    result = extract([seed_page(seed, "3")])
    assert result.body.split("\n\n") == seed["body_paragraphs_page3"]
    assert result.title == seed["title"]
    assert result.authors == (seed["author"],)
    assert result.published == seed["date"]
    assert result.published != seed["not_date"]
    assert result.language == seed["language"]
    assert result.sitename == "The Irrawaddy"
    assert result.url == SEED_HOST + seed["pages"]["3"]


def test_page_three_comments(seed: dict) -> None:
    comments = extract([seed_page(seed, "3")]).comments
    assert [(c.author, c.text) for c in comments] == [
        (c["author"], c["text"]) for c in seed["comments"]]
    assert all(c.parent is None for c in comments)


def test_nothing_leaks(seed: dict) -> None:
    result = extract([seed_page(seed, "3")])
    body = result.body.lower()
    for phrase in seed["must_not_appear_in_body"]:
        assert phrase.lower() not in body, phrase
    comments = " ".join(c.text for c in result.comments).lower()
    for phrase in seed["must_not_appear_in_comments"]:
        assert phrase.lower() not in comments, phrase


def test_stitched_pages(seed: dict) -> None:
    result = extract([seed_page(seed, n) for n in ("1", "2", "3")])
    assert result.body == "\n\n".join(seed["body_paragraphs_stitched"])
    assert result.pages == tuple(SEED_HOST + seed["pages"][n] for n in ("1", "2", "3"))
    assert result.url == SEED_HOST + seed["pages"]["1"]
    assert len(result.comments) == 3
    assert result.published == seed["date"]


def test_discover_from_last_page(seed: dict) -> None:
    page = seed_page(seed, "3")
    assert discover_pages(page.body, page.url) == [
        SEED_HOST + seed["pages"][n] for n in ("1", "2", "3")]


def test_discover_from_first_page(seed: dict) -> None:
    page = seed_page(seed, "1")
    found = discover_pages(page.body, page.url)
    assert found == [SEED_HOST + seed["pages"][n] for n in ("1", "2", "3")]
    assert [page_number(url) for url in found] == [1, 2, 3]


def test_page_three_without_any_class_or_id(seed: dict) -> None:
    """The same page with every class and id stripped: no markup left to lean on."""
    import re

    from archivist.extraction import SourcePage

    page = seed_page(seed, "3")
    bare = re.sub(rb'\s(?:class|id)="[^"]*"', b"", page.body)
    result = extract([SourcePage(page.url, bare, page.content_type)])
    assert result.body.split("\n\n") == seed["body_paragraphs_page3"]
    assert [(c.author, c.text) for c in result.comments] == [
        (c["author"], c["text"]) for c in seed["comments"]]
    assert result.authors == (seed["author"],)
    assert result.published == seed["date"]
    assert discover_pages(bare, page.url) == [SEED_HOST + seed["pages"][n] for n in "123"]
