"""Pages of shapes the benchmark does not have: legacy charsets that lie, entities in JSON-LD,
odd date formats and ``Headline | Site`` titles without a headline element."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from archivist.extraction import SourcePage, extract
from archivist.extraction.dates import parse_date, relative_date
from archivist.extraction.decode import decode_html

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


def test_latin1_bytes_under_a_utf8_declaration_read_as_windows_1252() -> None:
    """A Western page re-served with a ``utf-8`` label keeps its Latin-1 bytes; of the legacy
    encodings that fit equally well, browsers' default for Western pages is windows-1252."""
    text = ("Le conseil a débattu du budget de l'année prochaine ; les habitants ont posé des "
            "questions sur le coût des travaux et la durée du chantier. ") * 4
    html = (f'<html lang="fr"><head><meta charset="utf-8"><title>Le budget</title></head>'
            f"<body><p>{text}</p></body></html>")
    for content_type in ("text/html", "text/html; charset=utf-8"):
        assert text in decode_html(html.encode("latin-1"), content_type)


@pytest.mark.parametrize(("codec", "text"), [
    ("cp1251", "Портовый совет три часа спорил о новом расписании паромов и о цене зимних рейсов. "),
    ("koi8-r", "Портовый совет три часа спорил о новом расписании паромов и о цене зимних рейсов. "),
    ("shift_jis", "港湾委員会は新しいフェリーの時刻表について三時間議論し、冬の便の費用を問われた。"),
    ("euc-jp", "港湾委員会は新しいフェリーの時刻表について三時間議論し、冬の便の費用を問われた。"),
    ("gb18030", "港务委员会就新的渡轮时刻表争论了三个小时，船长们询问冬季加班船的费用由谁承担。"),
])
def test_undeclared_legacy_charsets_are_detected(codec: str, text: str) -> None:
    html = f"<html><head><title>{text[:12]}</title></head><body><p>{text * 4}</p></body></html>"
    assert text * 4 in decode_html(html.encode(codec), "text/html")


def test_entities_in_json_ld_strings_are_decoded() -> None:
    """CMSs write JSON-LD strings HTML-escaped ("Caf&eacute;"); the reader wants the text."""
    result = extract([_page(_ld({
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": "Ferry &amp; bus timetables change on Caf&eacute; Quay",
        "author": {"@type": "Person", "name": "Ren&eacute;e O&#39;Hara"},
        "datePublished": "2024-03-05",
        "image": "https://cdn.harbourpost.example/img?id=7&copy=1&para=2",
    }))])
    assert result.title == "Ferry & bus timetables change on Café Quay"
    assert result.authors == ("Renée O'Hara",)
    assert result.image == "https://cdn.harbourpost.example/img?id=7&copy=1&para=2"  # no "©=1"


@pytest.mark.parametrize("value", ["20240305", "20240305T101500Z", 1709632800, "1709632800"])
def test_json_ld_dates_in_basic_iso_and_epoch_seconds(value: str | int) -> None:
    """ISO 8601's basic format (no hyphens) and Unix time are dates too; 1709632800 is
    2024-03-05 10:00 UTC."""
    result = extract([_page(_ld({"@context": "https://schema.org", "@type": "Article",
                                 "headline": "Ferry timetable changes", "datePublished": value}))])
    assert result.published == "2024-03-05"


def test_epoch_seconds_in_a_data_timestamp() -> None:
    """A byline date written by script from ``data-timestamp`` ("Tuesday" in the archived
    text): the attribute holds the date."""
    byline = ('<h1>Ferry timetable changes</h1><p class="byline">By Ann Lee, '
              '<span class="date" data-timestamp="1709632800">Tuesday</span></p>')
    assert extract([_page("", byline)]).published == "2024-03-05"
    time = '<h1>Ferry timetable changes</h1><time data-timestamp="1709632800"></time>'
    assert extract([_page("", time)]).published == "2024-03-05"


def test_a_number_that_is_no_timestamp_is_no_date() -> None:
    byline = ('<h1>Ferry timetable changes</h1><p class="byline">By Ann Lee '
              '<span class="date" data-timestamp="42">soon</span></p>')
    assert extract([_page("", byline)]).published is None


def test_title_without_a_headline_element_splits_at_the_host_name() -> None:
    """No ``<h1>``, no ``og:site_name``: the ``<title>`` part that spells the host name is
    the site, the other the headline, whichever is longer."""
    page = _page("", "", url="https://www.harbourpostandtimes.example/news/ferry")
    html = page.body.replace(b"Ferry timetable changes | Harbour Post",
                             b"Ferry times change | Harbour Post &amp; Times")
    result = extract([SourcePage(page.url, html, page.content_type)])
    assert (result.title, result.sitename) == ("Ferry times change", "Harbour Post & Times")
    html = page.body.replace(b"Ferry timetable changes | Harbour Post", b"Harbour Post - Ferry times change")
    result = extract([SourcePage(page.url.replace("andtimes", ""), html, page.content_type)])
    assert (result.title, result.sitename) == ("Ferry times change", "Harbour Post")


def test_graph_with_several_articles_describes_the_one_that_names_this_page() -> None:
    """A ``@graph`` may hold teasers of other stories before this page's own article."""
    teaser = {"@type": "Article", "headline": "Dredging starts in May", "datePublished": "2023-11-02",
              "url": "https://www.harbourpost.example/news/dredging", "author": "Carl Berg"}
    own = {"@type": "NewsArticle", "headline": "Ferry timetable changes", "datePublished": "2024-03-05",
           "mainEntityOfPage": {"@type": "WebPage", "@id": "https://www.harbourpost.example/news/ferry-timetable/"},
           "author": [{"@type": "Person", "name": "Ann Lee"}]}
    result = extract([_page(_ld({"@context": "https://schema.org", "@graph": [teaser, own]}),
                            "<h2>Ferry timetable changes</h2>")])
    assert (result.title, result.authors, result.published) == (
        "Ferry timetable changes", ("Ann Lee",), "2024-03-05")


def test_entities_escaped_twice_in_meta_content() -> None:
    """Themes escape an already escaped title into ``og:title`` ("&amp;amp;", "&amp;#8217;")."""
    result = extract([_page('<meta property="og:title" content="Ferries &amp;amp; buses: what&amp;#8217;s new">'
                            '<meta name="description" content="Crossings &amp;amp; fares">')])
    assert (result.title, result.description) == ("Ferries & buses: what\u2019s new", "Crossings & fares")


def test_old_wordpress_says_after_the_cite_is_not_comment_text() -> None:
    """The old default theme writes ``<cite>NAME</cite> Says:`` as a bare text node."""
    section = (
        '<h3 id="comments">2 Responses to &#8220;Ferry timetable changes&#8221;</h3><ol class="commentlist">'
        '<li class="alt" id="comment-5"><cite><a href="https://bob.example.net" rel="external nofollow">Bob</a>'
        '</cite> Says:<br><small class="commentmetadata"><a href="#comment-5">March 6th, 2024 at 9:12 pm</a>'
        "</small><p>About time the winter boats ran later.</p></li>"
        '<li id="comment-6"><cite>Ann</cite> says:<br><small class="commentmetadata"><a href="#comment-6">'
        "March 7th, 2024 at 8:00 am</a></small><p>Says who?</p><p>The board never asked us.</p></li></ol>"
    )
    result = extract([_page("", "<h1>Ferry timetable changes</h1>" + STORY + section)])
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Bob", "2024-03-06", "About time the winter boats ran later."),
        ("Ann", "2024-03-07", "Says who?\nThe board never asked us."),
    ]


@pytest.mark.parametrize(("title", "expected"), [
    ("Ferries in 2024 – what changes | Harbour Post", "Ferries in 2024 – what changes"),
    ("Harbour Post | Ferries: what changes — and why", "Ferries: what changes — and why"),
    ("Harbour Post » Ferries · the new times", "Ferries · the new times"),
])
def test_removing_the_site_name_keeps_the_headline_as_written(title: str, expected: str) -> None:
    """Only the site's part and its separator go; the headline's own dashes stay as they are."""
    page = _page('<meta property="og:site_name" content="Harbour Post">', "")
    html = page.body.replace(b"Ferry timetable changes | Harbour Post", title.encode())
    assert extract([SourcePage(page.url, html, page.content_type)]).title == expected


def test_author_line_holding_a_profile_link_and_an_unmarked_date() -> None:
    """``<div class="comment-author"><a href="/users/kim">Kim Park</a> <small>2 hours ago</small>``:
    the link is the name, and the rest of the author line is the comment's date."""
    def block(user: str, name: str, when: str, text: str) -> str:
        return (f'<div class="media"><img src="/u/{user}.png" alt="avatar" class="avatar">'
                f'<div class="media-body"><div class="comment-author"><a href="/users/{user}">{name}</a> '
                f'<small class="text-muted">{when}</small></div><p>{text}</p>'
                '<a href="#" class="btn-link">Reply</a></div></div>')
    section = ('<div class="comments-section"><h4>Reader comments</h4>'
               + block("kim", "Kim Park", "2 hours ago", "Nice summary of a long meeting.")
               + block("lee", "Lee Wong", "March 9, 2024", "It was four hours, not three.") + "</div>")
    page = _page("", "<h1>Ferry timetable changes</h1>" + STORY + section)
    result = extract([SourcePage(page.url, page.body, page.content_type,
                                 dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC))])
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Kim Park", "2024-03-10", "Nice summary of a long meeting."),
        ("Lee Wong", "2024-03-09", "It was four hours, not three."),
    ]


@pytest.mark.parametrize(("header", "codec"), [
    ("iso-8859-1", "cp1251"),  # a server's default label over a Russian page's own meta
    ("koi8-r", "cp1251"),
    ("windows-1251", "koi8-r"),
])
def test_header_charset_that_contradicts_the_meta_and_the_bytes(header: str, codec: str) -> None:
    """When the header and the ``<meta>`` disagree, the one the bytes read as text wins; the
    header keeps winning when both read well (``test_decode.test_header_wins_over_meta``)."""
    text = "Портовый совет три часа спорил о новом расписании паромов и о цене зимних рейсов. " * 3
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={codec}">'
            f"<title>Паромы</title></head><body><p>{text}</p></body></html>")
    assert text in decode_html(html.encode(codec), f"text/html; charset={header}")


@pytest.mark.parametrize(("text", "expected"), [
    ("a month ago", "2024-02-10"), ("2 months ago", "2024-01-10"), ("a year ago", "2023-03-10"),
    ("1 yr ago", "2023-03-10"), ("3 days ago", "2024-03-07"),
    ("Tuesday", None), ("March 5", None),  # names, not counted back from the capture
])
def test_relative_dates_in_months_and_years(text: str, expected: str | None) -> None:
    """Months and years differ in length, so "a month ago" moves with the capture time by a
    few days more or less than the capture time itself does: it is relative all the same."""
    assert relative_date(text, ["en"], dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC)) == expected


@pytest.mark.parametrize("languages", [None, ["en"], ["de"], ["ru"]])
def test_dotted_numeric_dates_are_day_first(languages: list[str] | None) -> None:
    """DD.MM.YYYY is the order of every locale that writes dots (German, Russian, Polish,
    Finnish...); an English page that uses it (a European site's English edition) too."""
    assert parse_date("05.03.2024", languages) == "2024-03-05"
    assert parse_date("Posted 5.3.2024, 10:15", languages) == "2024-03-05"


def test_dotted_byline_date_on_an_english_page() -> None:
    byline = '<h1>Ferry timetable changes</h1><p class="byline">By Ann Lee | 05.03.2024</p>'
    assert extract([_page("", byline)]).published == "2024-03-05"
