"""Paginated articles through the real fetch step: which pages make one record.

On the real stack (PostgreSQL, SeaweedFS, Redis), the fetch step called directly on pages
served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import socket

import pytest

from archivist import pipeline, views
from archivist.runtime import Runtime
from archivist.settings import get_settings
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer, Route, slow_route
from tests.support.stack import capture_in_process

PAGE = """<html><head><title>Lighthouse {0}</title></head><body><article><h1>Lighthouse {0}</h1>
<p>The keeper of lighthouse {0} climbed the stairs every night and counted every one of them.</p>
<p>Storms came and went over lighthouse {0} while the town slept below the cliffs, unaware.</p>
<p>Nobody else in the town knew what the keeper of lighthouse {0} wrote in his logbook.</p>
{1}</article></body></html>"""



def test_next_and_previous_article_links_do_not_stitch_other_articles_in(runtime: Runtime, pages: PageServer) -> None:
    pages.set("/articles/41", PAGE.format("41", '<a rel="next" href="/articles/42">Next article ›</a>'))
    submitted = pages.set("/articles/42", PAGE.format("42", '<a rel="prev" href="/articles/41">‹ Previous article</a>'
                                                       ' <a rel="next" href="/articles/43">Next story ›</a>'))
    pages.set("/articles/43", PAGE.format("43", '<a rel="prev" href="/articles/42">‹ Previous post</a>'))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["url"] == submitted and record["pages"] == [submitted]
    assert "lighthouse 41" not in record["body"] and "lighthouse 43" not in record["body"]
    assert set(pages.page_hits) == {"/articles/42"}


def test_the_next_part_of_a_series_is_its_own_article(runtime: Runtime, pages: PageServer) -> None:
    submitted = pages.set("/2021/03/walk.html", PAGE.format("one", '<p><a href="/2021/03/walk-2.html">Next part »</a></p>'))
    pages.set("/2021/03/walk-2.html", PAGE.format("two", '<p><a href="/2021/03/walk.html">« Previous part</a></p>'))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted]
    assert set(pages.page_hits) == {"/2021/03/walk.html"}


def test_a_russian_next_page_link_and_page_count_lead_to_every_page(runtime: Runtime, pages: PageServer) -> None:
    submitted = pages.set("/rasskaz", PAGE.format("one", '<a href="/rasskaz?page=2">Следующая →</a>'))
    pages.set("/rasskaz?page=2", PAGE.format("two", '<p class="pages-info">Страница 2 из 3</p>'))
    pages.set("/rasskaz?page=3", PAGE.format("three", '<a href="/rasskaz?page=2">← Предыдущая</a>'))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/rasskaz?page=2"), pages.url("/rasskaz?page=3")]
    assert "lighthouse three" in record["body"]


def test_a_page_dropdown_leads_to_every_page(runtime: Runtime, pages: PageServer) -> None:
    jump = ('<select onchange="location=this.value"><option value="/review.html">Page 1: Intro</option>'
            '<option value="/review-2.html">Page 2: Tests</option><option value="/review-3.html">Page 3: Verdict</option>'
            "</select>")
    submitted = pages.set("/review.html", PAGE.format("one", jump))
    pages.set("/review-2.html", PAGE.format("two", jump))
    pages.set("/review-3.html", PAGE.format("three", jump))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/review-2.html"), pages.url("/review-3.html")]


def test_numbered_page_files_in_the_articles_folder_are_its_pages(runtime: Runtime, pages: PageServer) -> None:
    pager = '<div class="pages"><a href="./">1</a> <a href="2.html">2</a> <a href="3.html">3</a></div>'
    pages.set("/fire/", PAGE.format("one", pager))
    submitted = pages.set("/fire/3.html", PAGE.format("three", pager))
    pages.set("/fire/2.html", PAGE.format("two", pager))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [pages.url("/fire/"), pages.url("/fire/2.html"), submitted]


def test_bloggers_pager_to_the_newer_and_older_posts_is_not_followed(runtime: Runtime, pages: PageServer) -> None:
    """Blogger names posts with non-Latin titles ``blog-post_NN.html``: the newer and older posts
    have this post's URL shape, and a Japanese blog's pager says 次の投稿, not "next post"."""
    def blog_pager(newer: str, older: str) -> str:
        return (f'<div class="blog-pager" id="blog-pager"><a class="blog-pager-newer-link" href="/2021/03/{newer}">次の投稿</a>'
                f' <a class="blog-pager-older-link" href="/2021/03/{older}">前の投稿</a></div>')
    pages.set("/2021/03/blog-post.html", PAGE.format("old", blog_pager("blog-post_12.html", "x.html")))
    submitted = pages.set("/2021/03/blog-post_12.html", PAGE.format("middle", blog_pager("blog-post_25.html", "blog-post.html")))
    pages.set("/2021/03/blog-post_25.html", PAGE.format("new", blog_pager("y.html", "blog-post_12.html")))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted]
    assert set(pages.page_hits) == {"/2021/03/blog-post_12.html"}


def test_links_reading_page_and_number_lead_to_the_pages(runtime: Runtime, pages: PageServer) -> None:
    pager = '<p>Pages: <a href="/report">[1]</a> <a href="/report?page=2">[2]</a> <a href="/report?page=3">Page 3</a></p>'
    submitted = pages.set("/report", PAGE.format("one", pager))
    pages.set("/report?page=2", PAGE.format("two", pager))
    pages.set("/report?page=3", PAGE.format("three", pager))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/report?page=2"), pages.url("/report?page=3")]


def test_a_sidebar_widgets_pager_is_not_followed(runtime: Runtime, pages: PageServer) -> None:
    widget = ('<aside class="widget-area"><section class="widget"><h2>Popular</h2><a href="/other">Other story</a>'
              '<div class="widget-pagination"><span>1</span> <a href="?pg=2">2</a> <a href="?pg=3">3</a></div></section></aside>')
    submitted = pages.set("/story", PAGE.format("one", "").replace("</body>", widget + "</body>"))
    pages.set("/story?pg=2", PAGE.format("one", "").replace("</body>", widget + "</body>"))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted]
    assert set(pages.page_hits) == {"/story"}


def test_numbered_parts_of_a_series_are_not_its_pages(runtime: Runtime, pages: PageServer) -> None:
    submitted = pages.set("/saga-part-1.html", PAGE.format("one", '<div class="series"><a href="/saga-part-2.html">Next ›</a></div>'))
    pages.set("/saga-part-2.html", PAGE.format("two", '<div class="series"><a href="/saga-part-1.html">‹ Previous</a></div>'))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted]
    assert set(pages.page_hits) == {"/saga-part-1.html"}


def test_joomla_pagebreak_pages_are_fetched(runtime: Runtime, pages: PageServer) -> None:
    """Joomla pages an article with ``limitstart`` (0 for page 1), read like an offset; offsets
    count on a page of article text, so the pages carry long paragraphs."""
    prose = "<p>" + "The harbour works went on through the winter and into the spring of that year. " * 3 + "</p>"
    base = "/index.php?option=com_content&view=article&id=57"
    pager = ('<div class="pagenavcounter">Page {0} of 3</div><ul class="pager">'
             + "".join(f'<li><a href="{base.replace("&", "&amp;")}&amp;limitstart={n}">{n + 1}</a></li>' for n in range(3))
             + "</ul>")
    submitted = pages.set(base, PAGE.format("one", prose * 3 + pager.format(1)))
    for n in (1, 2):
        pages.set(f"{base}&limitstart={n}", PAGE.format(f"page{n + 1}", prose * 3 + pager.format(n + 1)))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url(f"{base}&limitstart=1"), pages.url(f"{base}&limitstart=2")]


def test_an_arrow_icon_next_link_leads_to_the_next_page(runtime: Runtime, pages: PageServer) -> None:
    submitted = pages.set("/long-read", PAGE.format("one", '<p class="read-on"><a href="/long-read?page=2">❯</a></p>'))
    pages.set("/long-read?page=2", PAGE.format("two", '<p class="read-on"><a href="/long-read">❮</a></p>'))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted, pages.url("/long-read?page=2")]


def test_a_page_parameter_of_a_superscript_digit_is_no_page_number(runtime: Runtime, pages: PageServer) -> None:
    """``²`` is a digit to ``str.isdigit`` but no number to ``int``: such a URL is archived
    like any other, not failed with a traceback."""
    submitted = pages.set("/notes?page=%C2%B2", PAGE.format("two", '<a href="/notes?page=%C2%B3">3</a>'))

    shown = capture_in_process(runtime, submitted)

    assert shown["status"] == "archived", shown
    assert views.get_record(runtime, submitted)["pages"] == [submitted]


def test_wordpress_adjacent_post_links_in_the_head_are_not_followed(runtime: Runtime, pages: PageServer) -> None:
    def post(number: int) -> str:
        head = (f"<link rel='prev' title='Garden notes, day {number - 1}' href='/notes/{number - 1}' />"
                f"<link rel='next' title='Garden notes, day {number + 1}' href='/notes/{number + 1}' />")
        return PAGE.format(str(number), "").replace("</head>", head + "</head>")
    for number in (11, 13):
        pages.set(f"/notes/{number}", post(number))
    submitted = pages.set("/notes/12", post(12))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted]
    assert set(pages.page_hits) == {"/notes/12"}


def test_pages_linked_on_the_sites_www_host_are_fetched(runtime: Runtime, pages: PageServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A site reached without ``www.`` links its pages on its ``www.`` host. ``www.localhost``
    stands for it here, resolved to the loopback address as a hosts file would."""
    resolve = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: resolve(
        "127.0.0.1" if host == "www.localhost" else host, *args, **kwargs))
    port = pages.base_url.rsplit(":", 1)[1]
    pager = (f'<nav class="pagination"><a href="http://www.localhost:{port}/story">1</a>'
             f' <a href="http://www.localhost:{port}/story?page=2">2</a></nav>')
    pages.set("/story", PAGE.format("one", pager))
    pages.set("/story?page=2", PAGE.format("two", pager))
    submitted = f"http://localhost:{port}/story"

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, f"http://www.localhost:{port}/story?page=2"]
    assert pages.page_hits == {"/story": 1, "/story?page=2": 1}


def test_wordpress_plain_permalinks_fetch_the_posts_pages_not_its_neighbours(runtime: Runtime, pages: PageServer) -> None:
    """``/?p=123`` is post 123: its theme's previous/next links are posts 122 and 124, and its
    own second page is ``/?p=123&page=2``."""
    nav = ('<nav class="navigation post-navigation"><a href="/?p={0}" rel="prev">Previous</a>'
           ' <a href="/?p={1}" rel="next">Next</a></nav>')
    page_links = ('<div class="page-links">Pages: <a href="/?p=123" class="post-page-numbers">1</a>'
                  ' <a href="/?p=123&amp;page=2" class="post-page-numbers">2</a></div>')
    for post in (121, 122, 124, 125):
        pages.set(f"/?p={post}", PAGE.format(str(post), nav.format(post - 1, post + 1)))
    submitted = pages.set("/?p=123", PAGE.format("one", page_links + nav.format(122, 124)))
    pages.set("/?p=123&page=2", PAGE.format("two", page_links + nav.format(122, 124)))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/?p=123&page=2")]
    assert "lighthouse one" in record["body"] and "lighthouse two" in record["body"]
    assert set(pages.page_hits) == {"/?p=123", "/?p=123&page=2"}


def test_pager_links_with_tracking_parameters_fetch_each_page_once(runtime: Runtime, pages: PageServer) -> None:
    pager = ('<nav class="pagination"><a href="/story?utm_source=pager">1</a>'
             ' <a href="/story?page=2&amp;utm_source=pager&amp;utm_medium=web">2</a></nav>')
    for path, words in [("/story", "one"), ("/story?utm_source=pager", "one"), ("/story?page=2", "two"),
                        ("/story?page=2&utm_source=pager&utm_medium=web", "two")]:
        pages.set(path, PAGE.format(words, pager))
    submitted = pages.url("/story")

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/story?page=2")]
    assert pages.page_hits == {"/story": 1, "/story?page=2": 1}


def test_page_one_linked_with_its_number_is_fetched_and_stitched_once(runtime: Runtime, pages: PageServer) -> None:
    """Page 2's pager links page 1 as ``?page=1``, the submitted ``/tale`` under another URL,
    which a per-request line (a reader count) keeps from being byte for byte the same."""
    pager = ('<nav class="pagination"><a href="/tale?page=1">1</a> <a href="/tale?page=2">2</a>'
             ' <a href="/tale?page=3">3</a></nav>')
    readers = "<p>Read by {} people so far today, and the count goes on rising.</p>"
    submitted = pages.set("/tale", PAGE.format("one", readers.format(1041) + pager))
    pages.set("/tale?page=1", PAGE.format("one", readers.format(1042) + pager))
    pages.set("/tale?page=2", PAGE.format("two", pager))
    pages.set("/tale?page=3", PAGE.format("three", pager))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/tale?page=2"), pages.url("/tale?page=3")]
    assert record["body"].count("The keeper of lighthouse one climbed") == 1
    assert pages.page_hits == {"/tale": 1, "/tale?page=2": 1, "/tale?page=3": 1}


def test_a_page_missing_mid_way_is_archived_around_and_reported(runtime: Runtime, pages: PageServer) -> None:
    pager = ('<nav class="pagination"><a href="/tale">1</a> <a href="/tale?page=2">2</a>'
             ' <a href="/tale?page=3">3</a></nav>')
    submitted = pages.set("/tale", PAGE.format("one", pager))
    pages.set("/tale?page=2", "gone", status=404, headers={"Content-Type": "text/plain"})
    pages.set("/tale?page=3", PAGE.format("three", pager))

    shown = capture_in_process(runtime, submitted)

    assert shown["status"] == "archived"
    assert [snapshot["url"] for snapshot in shown["snapshots"]] == [submitted, pages.url("/tale?page=3")]
    assert views.get_record(runtime, submitted)["pages"] == [submitted, pages.url("/tale?page=3")]
    assert shown["message"] is not None
    assert pages.url("/tale?page=2") in shown["message"] and "404" in shown["message"]


@pytest.fixture
def three_pages_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ARCHIVIST_MAX_PAGES=3``, set before the runtime reads its settings."""
    monkeypatch.setenv("ARCHIVIST_MAX_PAGES", "3")


@pytest.mark.parametrize("submitted_page", [1, 5])
def test_an_article_longer_than_the_page_limit_says_so(three_pages_at_most, runtime: Runtime, pages: PageServer,
                                                       submitted_page: int) -> None:
    """Five pages under a limit of three: the record holds three pages around the submitted
    one, and the capture says the article has more, rather than passing a part for the whole."""
    pager = '<nav class="pagination">' + " ".join(f'<a href="/saga?page={n}">{n}</a>' for n in range(1, 6)) + "</nav>"
    for n in range(1, 6):
        pages.set(f"/saga?page={n}", PAGE.format(str(n), pager))
    submitted = pages.url(f"/saga?page={submitted_page}")

    shown = capture_in_process(runtime, submitted)

    assert shown["status"] == "archived"
    held = [1, 2, 3] if submitted_page == 1 else [3, 4, 5]
    assert views.get_record(runtime, submitted)["pages"] == [pages.url(f"/saga?page={n}") for n in held]
    assert shown["message"] is not None
    assert "more than 3 pages" in shown["message"] and "ARCHIVIST_MAX_PAGES" in shown["message"]


@pytest.fixture
def two_retries(embedded_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded workers (Dramatiq's own retries) with two retries, quickly spaced."""
    monkeypatch.setenv("ARCHIVIST_FETCH_MAX_RETRIES", "2")
    get_settings.cache_clear()


def archive_with_workers(url: str) -> tuple[dict, dict | None]:
    with EmbeddedWorkers(get_settings()) as workers:
        (submission,) = pipeline.submit(workers.runtime, [url])
        workers.drain()
        shown = views.get_capture(workers.runtime, submission.id)
        record = views.get_record(workers.runtime, url) if shown["status"] == "archived" else None
        return shown, record


@pytest.mark.parametrize("route", [Route(body=b"<html>maintenance</html>", status=503), slow_route(3.0, "late")],
                         ids=["5xx", "timeout"])
def test_a_later_page_down_on_every_attempt_is_archived_around_on_the_last(
    two_retries, pages: PageServer, route: Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later page that fails transiently is retried with the capture; on its last attempt the
    capture is archived with the pages it has, naming the missing one, not failed with them lost."""
    monkeypatch.setenv("ARCHIVIST_READ_TIMEOUT", "1")
    get_settings.cache_clear()
    pager = ('<nav class="pagination"><a href="/saga">1</a> <a href="/saga?page=2">2</a>'
             ' <a href="/saga?page=3">3</a></nav>')
    submitted = pages.set("/saga", PAGE.format("one", pager))
    pages.routes["/saga?page=2"] = route
    pages.set("/saga?page=3", PAGE.format("three", pager))

    shown, record = archive_with_workers(submitted)

    assert shown["status"] == "archived", shown
    assert [snapshot["url"] for snapshot in shown["snapshots"]] == [submitted, pages.url("/saga?page=3")]
    assert record is not None and record["pages"] == [submitted, pages.url("/saga?page=3")]
    assert pages.url("/saga?page=2") in shown["message"]
    assert pages.page_hits["/saga?page=2"] == 3  # the first try and two retries: retried as usual


def test_the_submitted_page_down_on_every_attempt_still_fails_the_capture(two_retries, pages: PageServer) -> None:
    pages.routes["/down"] = Route(body=b"<html>maintenance</html>", status=503)

    shown, _ = archive_with_workers(pages.url("/down"))

    assert (shown["status"], shown["reason"]) == ("failed", "http_5xx"), shown
    assert pages.page_hits["/down"] == 3


def _xenforo_thread_page(number: int) -> str:
    """Page ``number`` of 2 of a XenForo thread, whose posts are each an ``<article>``."""
    posts = "".join(
        f'<article class="message message--post" data-author="rider{number}{n}" id="js-post-{number}{n}">'
        f'<div class="message-cell message-cell--user"><h4 class="message-name"><a href="/members/r.{n}/" '
        f'class="username">rider{number}{n}</a></h4></div><div class="message-cell message-cell--main">'
        f'<header class="message-attribution"><time class="u-dt" datetime="2023-01-0{n + 1}T10:00:00+0000">'
        f'Jan {n + 1}, 2023</time></header><article class="message-body"><div class="bbWrapper">'
        f"Post {n} of page {number}: the front brake squeals at every stop, try sanding the pads.</div>"
        f"</article></div></article>" for n in range(4))
    nav = ('<nav class="pageNavWrapper"><ul class="pageNav-main"><li class="pageNav-page"><a href="/threads/squeal.5/">1</a>'
           '</li><li class="pageNav-page"><a href="/threads/squeal.5/page-2">2</a></li></ul></nav>')
    return (f'<html><head><title>Brake squeal | Bike Forum</title></head><body><h1 class="p-title-value">Brake squeal'
            f"</h1>{nav}<div class=\"block-body\">{posts}</div>{nav}</body></html>")


def test_a_forum_thread_whose_posts_are_articles_is_one_record_of_its_pages(runtime: Runtime, pages: PageServer) -> None:
    submitted = pages.set("/threads/squeal.5/", _xenforo_thread_page(1))
    pages.set("/threads/squeal.5/page-2", _xenforo_thread_page(2))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    record = views.get_record(runtime, submitted)
    assert record["pages"] == [submitted, pages.url("/threads/squeal.5/page-2")]
    assert "Post 3 of page 2" in record["comments"][-1]["text"]


@pytest.mark.parametrize("submitted_page", [1, 3])
def test_pages_numbered_at_the_end_of_the_slug_are_fetched_and_stitched_in_order(
        runtime: Runtime, pages: PageServer, submitted_page: int) -> None:
    """``/covid-19``, ``/covid-19-2``, ``/covid-19-3``: the slug's own "19" is no page number,
    the numbers added to it are; from the last page as from the first, the record reads 1, 2, 3."""
    def pager(current: int) -> str:
        return '<div class="pagination">' + " ".join(
            f"<span>{n}</span>" if n == current else f'<a href="/health/covid-19{"" if n == 1 else f"-{n}"}">{n}</a>'
            for n in (1, 2, 3)) + "</div>"
    urls = [pages.set(path, PAGE.format(name, pager(n)))
            for n, (path, name) in enumerate([("/health/covid-19", "one"), ("/health/covid-19-2", "two"),
                                              ("/health/covid-19-3", "three")], 1)]

    assert capture_in_process(runtime, urls[submitted_page - 1])["status"] == "archived"

    record = views.get_record(runtime, urls[submitted_page - 1])
    assert record["pages"] == urls
    body = record["body"]
    assert body.index("lighthouse one") < body.index("lighthouse two") < body.index("lighthouse three")
    assert pages.page_hits == {"/health/covid-19": 1, "/health/covid-19-2": 1, "/health/covid-19-3": 1}


def test_articles_sharing_a_numbered_slug_pattern_are_not_stitched(runtime: Runtime, pages: PageServer) -> None:
    pages.set("/news/story-11", PAGE.format("11", '<a href="/news/story-12">Next ›</a>'))
    submitted = pages.set("/news/story-12", PAGE.format("12", '<a href="/news/story-11">‹ Previous</a>'
                                                          ' <a href="/news/story-13">Next ›</a>'))
    pages.set("/news/story-13", PAGE.format("13", '<a href="/news/story-12">‹ Previous</a>'))

    assert capture_in_process(runtime, submitted)["status"] == "archived"

    assert views.get_record(runtime, submitted)["pages"] == [submitted]
    assert set(pages.page_hits) == {"/news/story-12"}
