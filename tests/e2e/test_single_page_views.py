"""A paginated article's single-page view through the real fetch step: one fetch instead of
the walk when the view holds the article, the walk when it does not.

On the real stack (PostgreSQL, SeaweedFS, Redis), the fetch step called directly on pages
served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from archivist import pipeline, views
from archivist.extraction import Extraction, SourcePage, extract
from archivist.runtime import Runtime
from tests.support.pages import PageServer
from tests.support.stack import capture_in_process

SENTENCES = {
    1: ("The ferry crews walked out at dawn on Monday, leaving the island's morning commuters on the quay "
        "with nothing but a handwritten note taped to the ticket office window.",
        "Union officials said the strike would last until the operator withdrew its plan to cut the winter "
        "timetable to two sailings a day, a plan they called unworkable for the island."),
    2: ("By noon the harbour master had opened the old slipway to private boats, and a fleet of fishing "
        "vessels began carrying passengers across for whatever fare they thought was fair.",
        "Shopkeepers on the island counted the cost: deliveries of bread and milk missed, and the weekly "
        "market, which draws visitors from the mainland, called off for the first time in years."),
    3: ("Late in the evening the operator agreed to talks, and the crews returned to the boats on the "
        "understanding that the winter timetable would stay as it is until the spring at least.",
        "Islanders who had waited all day on the quay cheered the first sailing home, though many said "
        "they would remember who had helped them cross and who had not, long after the strike."),
}
OTHER = ("The town council approved the new library building on Tuesday after three years of debate "
         "over its cost, its height and whether the old cinema facade should be kept in the design.",
         "Work will start in the spring, and the council expects the library to open its doors to readers "
         "in the autumn of next year, with a cafe on the ground floor and a roof garden above.")

PAGER = ('<nav class="pagination"><a href="/ferries">1</a> <a href="/ferries?page=2">2</a> '
         '<a href="/ferries?page=3">3</a></nav>')
TOOLS = '<div class="article-tools"><a href="{0}">View as single page</a> <a href="#" onclick="window.print()">Print</a></div>'
COMMENTS = ('<div id="comments" class="comments-area"><h2>2 Comments</h2><ol class="comment-list">'
            '<li id="comment-1" class="comment"><div class="comment-author"><cite class="fn">Mara</cite></div>'
            '<div class="comment-content"><p>I was on that quay all morning. Thank you for the fishermen.</p></div></li>'
            '<li id="comment-2" class="comment"><div class="comment-author"><cite class="fn">Tom</cite></div>'
            '<div class="comment-content"><p>The operator should have talked to the crews months ago.</p></div></li>'
            "</ol></div>")


def page(paragraphs: tuple[str, ...], extra: str = "", *, canonical: str = "/ferries",
         title: str = "Ferry crews strike for a day") -> str:
    text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title} | Island News</title>'
            f'<link rel="canonical" href="{canonical}"></head><body>'
            '<header class="site-header"><a href="/">Island News</a></header>'
            f'<main><article><h1>{title}</h1><div class="entry-content">{text}</div>{extra}</article></main>'
            "<footer>© 2026 Island News</footer></body></html>")


def serve_article(pages: PageServer, view: str, *, comments_on_last_page: bool = False) -> None:
    """The three pages of the article, each linking the view at ``view``."""
    for number in (1, 2, 3):
        path = "/ferries" if number == 1 else f"/ferries?page={number}"
        extra = PAGER + TOOLS.format(view) + (COMMENTS if comments_on_last_page and number == 3 else "")
        pages.set(path, page(SENTENCES[number], extra))


def walked(pages: PageServer) -> Extraction:
    """What stitching the three pages gives."""
    return extract([SourcePage(pages.url(path), pages.routes[path].body, "text/html")
                    for path in ("/ferries", "/ferries?page=2", "/ferries?page=3")])



def test_the_single_page_view_replaces_the_walk(runtime: Runtime, pages: PageServer) -> None:
    serve_article(pages, "/ferries?page=all")
    whole = SENTENCES[1] + SENTENCES[2] + SENTENCES[3]
    pages.set("/ferries?page=all", page(whole, TOOLS.format("/ferries?page=all")))
    submitted = pages.url("/ferries")

    shown = capture_in_process(runtime, submitted)

    assert shown["status"] == "archived", shown
    assert set(pages.page_hits) == {"/ferries", "/ferries?page=all"}  # 2 fetches, not 3
    assert [(s["page"], s["url"]) for s in shown["snapshots"]] == [(1, submitted), (2, pages.url("/ferries?page=all"))]
    record = views.get_record(runtime, submitted)
    assert record["url"] == submitted
    assert record["pages"] == [pages.url("/ferries?page=all")]
    assert record["body"] == walked(pages).body
    assert record["title"] == "Ferry crews strike for a day"
    # Extracting the stored snapshots again gives the same record: no new version.
    assert not pipeline.reextract_capture(runtime, shown["id"]).new_version


def test_comments_of_the_submitted_last_page_are_kept_when_the_view_lacks_them(
        runtime: Runtime, pages: PageServer) -> None:
    serve_article(pages, "/ferries/all/", comments_on_last_page=True)
    pages.set("/ferries/all/", page(SENTENCES[1] + SENTENCES[2] + SENTENCES[3]))
    submitted = pages.url("/ferries?page=3")

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert set(pages.page_hits) == {"/ferries?page=3", "/ferries/all/"}
    record = views.get_record(runtime, pages.url("/ferries"))
    assert record["body"] == walked(pages).body
    assert [(c["author"], c["text"]) for c in record["comments"]] == [
        ("Mara", "I was on that quay all morning. Thank you for the fishermen."),
        ("Tom", "The operator should have talked to the crews months ago.")]


def test_a_single_page_link_to_another_article_falls_back_to_the_walk(runtime: Runtime, pages: PageServer) -> None:
    serve_article(pages, "/ferries?page=all")
    pages.set("/ferries?page=all", page(OTHER * 2, canonical="/library", title="Library approved"))
    submitted = pages.url("/ferries")

    shown = capture_in_process(runtime, submitted)

    assert shown["status"] == "archived", shown
    walk = [submitted, pages.url("/ferries?page=2"), pages.url("/ferries?page=3")]
    assert set(pages.page_hits) == {"/ferries", "/ferries?page=all", "/ferries?page=2", "/ferries?page=3"}
    assert [s["url"] for s in shown["snapshots"]] == walk  # the other article's snapshot is not kept
    record = views.get_record(runtime, submitted)
    assert record["pages"] == walk
    assert record["body"] == walked(pages).body
    assert "library" not in record["body"].lower()


def test_a_single_page_view_that_is_not_found_falls_back_to_the_walk(runtime: Runtime, pages: PageServer) -> None:
    serve_article(pages, "/ferries?view=all")
    submitted = pages.url("/ferries")

    shown = capture_in_process(runtime, submitted)

    assert shown["status"] == "archived", shown
    assert shown["message"] is None
    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/ferries?page=2"), pages.url("/ferries?page=3")]
    assert record["body"] == walked(pages).body


def test_a_single_page_view_that_robots_disallows_is_not_fetched(runtime: Runtime, pages: PageServer) -> None:
    pages.set("/robots.txt", "User-agent: *\nDisallow: /ferries/all/\n", headers={"Content-Type": "text/plain"})
    serve_article(pages, "/ferries/all/")
    pages.set("/ferries/all/", page(SENTENCES[1] + SENTENCES[2] + SENTENCES[3]))
    submitted = pages.url("/ferries")

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert set(pages.page_hits) == {"/ferries", "/ferries?page=2", "/ferries?page=3"}
    assert views.get_record(runtime, submitted)["pages"] == [
        submitted, pages.url("/ferries?page=2"), pages.url("/ferries?page=3")]
