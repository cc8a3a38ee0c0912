"""Comments and dates on page shapes the benchmark does not have: year-less dates, flat replies
marked by an attribute, Bootstrap ``.media`` lists without author markup and ``Site: Headline``
titles."""

from __future__ import annotations

import datetime as dt

import pytest

from archivist.extraction import SourcePage, extract

STORY = "".join(
    f"<p>Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter.</p>"
    for n in range(1, 5)
)
URL = "https://www.harbourpost.example/news/ferry-timetable"
#: Mid-morning on November 28: a comment dated "Nov 28 at 4:04 pm" is from that day, since
#: pages write the time in their own zone.
CAPTURED = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def _page(body: str, *, head: str = "", title: str = "Ferry timetable changes",
          captured: dt.datetime | None = CAPTURED) -> SourcePage:
    html = (f'<html lang="en"><head><title>{title}</title>{head}</head><body>'
            f'<article class="story">{body}{STORY}</article></body></html>')
    return SourcePage(URL, html.encode("utf-8"), "text/html; charset=utf-8", captured=captured)


def _comment(author: str, when: str, text: str, attrs: str = "") -> str:
    return (f'<li class="comment"{attrs}><div class="comment-author"><span class="fn">{author}'
            f'</span></div><div class="comment-meta"><span class="date">{when}</span></div>'
            f'<div class="comment-content"><p>{text}</p></div></li>')


def _comments(items: str) -> str:
    return f'<h1>Ferry timetable changes</h1><div id="comments"><ol class="comment-list">{items}</ol></div>'


@pytest.mark.parametrize(("when", "expected"), [
    ("Mar 5", "2026-03-05"), ("5 March", "2026-03-05"), ("March 5 at 4:04 pm", "2026-03-05"),
    ("Nov 28 at 4:04 pm", "2026-11-28"), ("Dec 1", "2025-12-01"), ("Feb 29", "2024-02-29"),
])
def test_year_less_comment_date_is_the_latest_not_after_the_capture_day(when: str, expected: str) -> None:
    page = _page(_comments(_comment("Rosa Klein", when, "Thanks for writing this up.")
                           + _comment("Tom Berg", "5 days ago", "I disagree with the second part.")))
    assert [c.published for c in extract([page]).comments] == [expected, "2026-11-23"]


def test_year_less_comment_date_without_a_capture_time_stays_undated() -> None:
    page = _page(_comments(_comment("Rosa Klein", "Mar 5", "Thanks for writing this up.")
                           + _comment("Tom Berg", "Mar 6", "I disagree with the second part.")),
                 captured=None)
    assert [c.published for c in extract([page]).comments] == [None, None]


def test_year_less_comment_timestamp_line_leaves_the_text() -> None:
    blocks = "".join(
        f'<div class="c-item"><b class="username">{name}</b><p>{text}<br>{when}</p></div>'
        for name, text, when in [("kai_r", "Good summary.", "March 5 at 4:04 pm"),
                                 ("mona", "Where is the source?", "Oct 30")])
    page = _page(f'<h1>Ferry timetable changes</h1><section class="comments">{blocks}</section>')
    assert [(c.author, c.published, c.text) for c in extract([page]).comments] == [
        ("kai_r", "2026-03-05", "Good summary."), ("mona", "2026-10-30", "Where is the source?")]


def test_year_less_byline_date_is_the_latest_not_after_the_capture_day() -> None:
    body = '<h1>Ferry timetable changes</h1><p class="byline">By Jane Doe | Dec 3</p>'
    assert extract([_page(body)]).published == "2025-12-03"
    assert extract([_page(body, captured=None)]).published is None


def test_weekday_and_month_alone_are_not_year_less_dates() -> None:
    page = _page(_comments(_comment("Rosa Klein", "Monday", "Thanks for writing this up.")
                           + _comment("Tom Berg", "March", "I disagree with the second part.")))
    assert [c.published for c in extract([page]).comments] == [None, None]


def _flat_replies(marks: tuple[str, str, str]) -> str:
    """Four flat comments: the second and fourth answer the first, the third stands alone."""
    ann, bo, cy, dee = (f'<div class="comment" id="comment-{n}"{mark}><span class="comment-author">'
                        f'{name}</span><span class="date">2026-03-0{n % 10}</span><p>{text}</p></div>'
                        for n, name, text, mark in [
                            (11, "Ann Lee", "The winter crossings matter most.", ""),
                            (12, "Bo Chen", "Agreed, and the early one too.", marks[0]),
                            (13, "Cy Day", "Who pays for the fuel?", marks[1]),
                            (14, "Dee Fox", "The skippers, it seems.", marks[2])])
    return f'<h1>Ferry timetable changes</h1><div id="comments" class="comments">{ann}{bo}{cy}{dee}</div>'


@pytest.mark.parametrize("marks", [
    (' data-parent="comment-11"', ' data-parent="0"', ' data-parent="comment-11"'),
    (' data-reply-to="11"', "", ' data-reply-to="11"'),
    (' data-parent="c11"', "", ' data-parent="c11"'),
])
def test_flat_replies_marked_by_an_attribute_get_their_parent(marks: tuple[str, str, str]) -> None:
    comments = extract([_page(_flat_replies(marks))]).comments
    assert [(c.author, c.parent) for c in comments] == [
        ("Ann Lee", None), ("Bo Chen", 0), ("Cy Day", None), ("Dee Fox", 0)]


def test_flat_reply_marked_by_an_in_reply_to_link_gets_its_parent() -> None:
    link = '<a class="in-reply-to" href="#comment-{}">in reply to Ann Lee</a>'
    html = _flat_replies(("", "", "")).replace("<p>Agreed", link.format(11) + "<p>Agreed").replace(
        "<p>The skippers", link.format(13) + "<p>The skippers")
    comments = extract([_page(html)]).comments
    assert [(c.author, c.parent) for c in comments] == [
        ("Ann Lee", None), ("Bo Chen", 0), ("Cy Day", None), ("Dee Fox", 2)]
    assert comments[1].text == "Agreed, and the early one too."


def test_reply_to_a_comment_that_is_not_on_the_page_has_no_parent() -> None:
    comments = extract([_page(_flat_replies((' data-parent="comment-9"', "", ' data-reply-to="99"')))]).comments
    assert [c.parent for c in comments] == [None, None, None, None]


def test_in_reply_to_link_of_a_nested_reply_is_not_its_wrappers() -> None:
    """WordPress wraps a comment and its replies in one ``li``: the reply's link names the
    comment it answers, not a parent of the wrapped comment."""
    def item(n: int, name: str, text: str, inner: str = "", mark: str = "") -> str:
        return (f'<li id="li-comment-{n}"><div id="comment-{n}" class="comment-body">'
                f'<cite class="fn">{name}</cite>{mark}<p>{text}</p></div>{inner}</li>')
    link = '<a class="in-reply-to" href="#comment-1">in reply to Ann Lee</a>'
    replies = f'<ul class="children">{item(3, "Cy Day", "Who pays?", mark=link)}</ul>'
    html = ('<h1>Ferry timetable changes</h1><div id="comments"><ol class="comment-list">'
            + item(1, "Ann Lee", "The winter crossings matter most.")
            + item(2, "Bo Chen", "Agreed, and the early one too.", replies) + "</ol></div>")
    comments = extract([_page(html)]).comments
    assert [(c.author, c.parent) for c in comments] == [("Ann Lee", None), ("Bo Chen", None), ("Cy Day", 1)]


def _media(name: str, when: str, text: str, inner: str = "", heading: str = "h5") -> str:
    return (f'<div class="media"><img class="mr-3" src="/avatar.png" alt=""><div class="media-body">'
            f'<{heading} class="mt-0"><a href="/users/{name.split()[0].lower()}">{name}</a> '
            f'<small>{when}</small></{heading}><p>{text}</p>{inner}</div></div>')


@pytest.mark.parametrize("heading", ["h5", "h4"])
def test_bootstrap_media_comments_without_author_markup(heading: str) -> None:
    reply = _media("Bo Chen", "March 3, 2026", "Agreed, and the early one too.", heading=heading)
    section = ('<div class="comments-area"><h3>2 comments</h3>'
               + _media("Ann Lee", "March 2, 2026", "The winter crossings matter most.", reply, heading)
               + _media("Cy Day", "March 4, 2026", "Who pays for the fuel?", heading=heading) + "</div>")
    comments = extract([_page("<h1>Ferry timetable changes</h1>" + section)]).comments
    assert [(c.author, c.published, c.text, c.parent) for c in comments] == [
        ("Ann Lee", "2026-03-02", "The winter crossings matter most.", None),
        ("Bo Chen", "2026-03-03", "Agreed, and the early one too.", 0),
        ("Cy Day", "2026-03-04", "Who pays for the fuel?", None)]


def test_bootstrap_media_author_without_a_link() -> None:
    section = "".join(
        f'<div class="media"><div class="media-body"><h5>{name} <small>{when}</small></h5><p>{text}</p></div></div>'
        for name, when, text in [("Ann Lee", "Mar 2", "The winter crossings matter most."),
                                 ("Bo Chen", "3 days ago", "Agreed, and the early one too.")])
    page = _page(f'<h1>Ferry timetable changes</h1><div id="comments">{section}</div>')
    assert [(c.author, c.published, c.text) for c in extract([page]).comments] == [
        ("Ann Lee", "2026-03-02", "The winter crossings matter most."),
        ("Bo Chen", "2026-11-25", "Agreed, and the early one too.")]


def _titled(title: str, head: str = "", url: str = URL) -> SourcePage:
    """A page whose only headline is its ``<title>``: no ``<h1>``, no ``og:title``."""
    html = (f'<html lang="en"><head><title>{title}</title>{head}</head><body>'
            f'<div class="story">{STORY}</div></body></html>')
    return SourcePage(url, html.encode("utf-8"), "text/html; charset=utf-8")


@pytest.mark.parametrize("title", [
    "Harbour Post: Ferry timetable changes in the new year", "Harbour Post - Ferry timetable changes in the new year",
    "Harbour Post | Ferry timetable changes in the new year", "Harbour Post : Ferry timetable changes in the new year",
])
@pytest.mark.parametrize("head", ['<meta property="og:site_name" content="Harbour Post">', ""])
def test_site_first_title_gives_the_headline(title: str, head: str) -> None:
    assert extract([_titled(title, head)]).title == "Ferry timetable changes in the new year"


def test_site_first_title_matching_og_site_name_but_not_the_host() -> None:
    page = _titled("HP Online: Ferry timetable changes in the new year",
                   '<meta property="og:site_name" content="HP Online">')
    assert extract([page]).title == "Ferry timetable changes in the new year"


@pytest.mark.parametrize("title", [
    "Budget 2026: what the new ferry timetable means for winter crossings",
    "Harbour: the ferry timetable changes in the new year",
])
def test_headline_with_a_colon_keeps_it(title: str) -> None:
    """A colon inside the headline, or a first part that is neither the declared site nor its
    host, is the headline's own."""
    page = _titled(title, '<meta property="og:site_name" content="Harbour Post">')
    assert extract([page]).title == title
