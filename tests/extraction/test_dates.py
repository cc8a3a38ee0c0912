"""Publication dates against the other dates a page shows: "updated" dates, a site header's
"today" and sidebars on flat pages, and the JSON-LD objects that are not the article."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from archivist.extraction import SourcePage, extract
from archivist.extraction.dates import _english_date, _parser, date_range, parse_date, relative_date

from .conftest import FILLER, page

URL = "https://news.example.com/local/bridge-reopens"
TEXT = "".join(f"<p>{FILLER}Paragraph {n}.</p>" for n in range(1, 4))


def _story(meta: str, *, above: str = "", lang: str = "en") -> str:
    """A page whose headline sits in an article block after ``above``."""
    return (f'<html lang="{lang}"><head><title>Bridge Reopens</title></head><body>{above}'
            f'<div class="article"><h1>Bridge Reopens</h1>{meta}{TEXT}</div></body></html>')


@pytest.mark.parametrize("meta", [
    '<p class="meta">Updated Dec. 1, 2025 at 9:00 am</p>'
    '<p class="meta">Published Nov. 27, 2025 at 3:04 pm</p>',
    '<p class="byline">By Tom Jones | Updated: 1 December 2025 | First published: '
    '27 November 2025</p>',
    '<p class="byline">Updated <time datetime="2025-12-01">Dec 1</time>, published '
    '<time datetime="2025-11-27">Nov 27</time></p>',
    '<p><time class="updated" datetime="2025-12-01T10:00">Dec 1</time> '
    '<time class="entry-date published" datetime="2025-11-27">Nov 27</time></p>',
    '<p class="meta">Zuletzt aktualisiert am 1.12.2025</p><p class="meta">27.11.2025</p>',
])
def test_updated_date_is_the_modification_not_the_publication(meta: str) -> None:
    result = page(_story(meta, lang="de" if "aktualisiert" in meta else "en"), url=URL)
    assert (result.published, result.modified) == ("2025-11-27", "2025-12-01")


def test_wordpress_time_marked_published_and_updated_is_the_publication() -> None:
    meta = ('<p>Posted on <time class="entry-date published updated" '
            'datetime="2025-11-27T15:04:00+00:00">November 27, 2025</time></p>')
    assert page(_story(meta), url=URL).published == "2025-11-27"


def test_only_an_updated_date_gives_no_publication_date() -> None:
    result = page(_story('<p class="meta">Last updated: 1 December 2025</p>'), url=URL)
    assert (result.published, result.modified) == (None, "2025-12-01")


def test_flat_page_header_date_loses_to_byline() -> None:
    html = ('<html lang="de"><body><div>Freitag, 5. Dezember 2025</div><h1>Brücke wieder '
            'offen</h1><p class="autor">Von Anna Schmidt | 27.11.2025, 15:04 Uhr</p>'
            f'{TEXT}</body></html>')
    assert page(html, url=URL).published == "2025-11-27"


def test_unmarked_sidebar_time_before_the_headline_loses_to_byline() -> None:
    html = ('<html><body><div class="col-right"><h3>Latest</h3><p><a href="/y">Other story'
            '</a> <time datetime="2025-11-30">Nov 30</time></p></div>'
            '<h1>Bridge Reopens</h1><p class="date">27.11.2025</p>'
            f'{TEXT}</body></html>')
    assert page(html, url=URL).published == "2025-11-27"


def _ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_article_date_wins_over_other_objects() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "ImageObject", "url": "/img.jpg", "datePublished": "2019-01-01"},
        {"@type": "WebPage", "datePublished": "2025-11-28", "dateModified": "2025-12-02"},
        {"@type": "NewsArticle", "headline": "Bridge Reopens",
         "datePublished": "2025-11-27", "dateModified": "2025-12-01"},
    ]}
    html = _story("").replace("</head>", _ld(graph) + "</head>")
    result = page(html, url=URL)
    assert (result.published, result.modified) == ("2025-11-27", "2025-12-01")


def test_thousands_of_dates_in_one_block_are_read_in_linear_time() -> None:
    """An archive listing holds thousands of ``<time>`` elements: each one's label used to be
    read from its parent's start, and its place counted from the page's start, so a page of
    20,000 dates took minutes (5,000: 9 s; now a fraction of a second)."""
    listing = "".join(f'<time datetime="2024-01-{n % 28 + 1:02d}">{n}</time> ' for n in range(5000))
    html = _story(f'<p class="dates">{listing}Updated <time datetime="2025-12-01">Dec 1</time></p>')
    started = time.process_time()
    result = page(html, url=URL)
    assert time.process_time() - started < 4
    assert (result.published, result.modified) == ("2024-01-01", "2025-12-01")


def test_spanish_byline_date_with_de_is_read_and_left_out_of_the_body() -> None:
    html = (
        '<html lang="es"><head><title>El nuevo parque</title></head><body>'
        '<header class="cabecera"><div class="fecha-hoy">Viernes, 27 de noviembre de 2026</div>'
        "</header><article><h1>El nuevo parque</h1>"
        '<div class="fecha">Publicado el 3 de marzo de 2022, 10:45</div>'
        + "".join(f"<p>El pleno del Ayuntamiento aprobó ayer por unanimidad la construcción de "
                  f"un nuevo parque en el antiguo solar de la estación, párrafo {n}.</p>"
                  for n in range(3))
        + "</article></body></html>"
    )
    result = page(html, url="https://diario.example.es/local/parque")
    assert result.published == "2022-03-03"
    assert "Publicado" not in result.body


def test_relative_byline_date_is_read_against_the_capture_time() -> None:
    html = (
        '<html lang="en"><head><title>Storm closes road</title></head><body>'
        '<header><div class="date-bar">Friday, November 27, 2026</div></header><article>'
        '<h1>Storm closes road</h1><div class="story-meta"><a rel="author" href="/lee">Dana Lee'
        '</a> &middot; <span class="ago">3 days ago</span></div>'
        + f"<p>{FILLER}</p>" * 3 + "</article></body></html>"
    )
    url = "https://bayview.example.com/news/storm-road"
    captured = dt.datetime(2024, 3, 10, 9, 30, tzinfo=dt.UTC)
    result = extract([SourcePage(url, html.encode(), "text/html", captured=captured)])
    assert result.published == "2024-03-07"
    # Without a capture time there is nothing to count back from.
    assert page(html, url=url).published is None


def test_only_relative_expressions_count_as_relative_dates() -> None:
    base = dt.datetime(2024, 3, 10, 12)
    assert relative_date("vor 2 Tagen", ["de"], base) == "2024-03-08"
    assert relative_date("yesterday", None, base) == "2024-03-09"
    for text in ("March 5", "Dana Lee", "5 March 2023", ""):
        assert relative_date(text, None, base) is None


@pytest.mark.parametrize(("text", "languages", "date", "days"), [
    ("2 hours ago", None, "2024-03-09", ("2024-03-09", "2024-03-10")),  # 01:00 less one to three hours
    ("vor 2 Stunden", ["de"], "2024-03-09", ("2024-03-09", "2024-03-10")),
    ("il y a 3 jours", ["fr"], "2024-03-07", ("2024-03-06", "2024-03-08")),
    ("hace 2 días", ["es"], "2024-03-08", ("2024-03-07", "2024-03-09")),
    ("yesterday", None, "2024-03-09", ("2024-03-08", "2024-03-10")),
    ("5 minutes ago", None, "2024-03-10", ("2024-03-10", "2024-03-10")),
    ("2 weeks ago", None, "2024-02-25", ("2024-02-18", "2024-03-03")),
    ("a month ago", None, "2024-02-10", ("2024-01-10", "2024-03-10")),
])
def test_a_relative_date_spans_the_days_its_unit_does(text: str, languages: list[str] | None, date: str,
                                                       days: tuple[str, str]) -> None:
    """A site says an age to its unit, cut down or rounded, in its own time zone: "3 days ago"
    may be two to four days back. Re-captures read the same age in other words and at other
    times; the range is what lets their dates be compared (``core.diffs``)."""
    read = relative_date(text, languages, dt.datetime(2024, 3, 10, 1, 0))
    assert (read, date_range(read)) == (date, days)
    assert date_range(parse_date("9 March 2024")) is None  # a written date is its day


def test_relative_dates_keep_their_range_in_the_extraction() -> None:
    html = _story('<p class="byline">By Dana Lee · Updated 5 hours ago</p>')
    captured = dt.datetime(2024, 3, 10, 5, 30, tzinfo=dt.UTC)  # 00:30, said to the hour
    result = extract([SourcePage(URL, html.encode(), "text/html", captured=captured)]).as_dict()
    assert (result["modified"], result["modified_range"]) == ("2024-03-10", ["2024-03-09", "2024-03-10"])
    assert "published_range" not in result  # no date, no range


@pytest.mark.parametrize("declaration", [
    '<html lang="en-GB"><head>',
    '<html lang="en"><head><meta property="og:locale" content="en_AU">',
    '<html><head><meta http-equiv="Content-Language" content="en-IN">',
    '<html lang="en-nz"><head>',
])
def test_numeric_byline_date_is_day_first_on_a_day_first_english_page(declaration: str) -> None:
    html = (f"{declaration}<title>Council backs new cycle lanes</title></head><body><article>"
            '<h1>Council backs new cycle lanes</h1><p class="byline">By Priya Nair | 12/07/2019'
            f"</p>{TEXT}</article></body></html>")
    assert page(html, url=URL).published == "2019-07-12"


@pytest.mark.parametrize(("declaration", "written", "expected"), [
    ('<html lang="en-US">', "12/07/2019", "2019-12-07"),
    ('<html lang="en">', "12/07/2019", "2019-12-07"),
    ('<html lang="en-GB">', "25/07/2019", "2019-07-25"),
    ('<html lang="en-US">', "07/25/2019", "2019-07-25"),
])
def test_numeric_byline_date_keeps_month_first_where_the_region_does(
        declaration: str, written: str, expected: str) -> None:
    html = (f"{declaration}<head><title>Council backs new cycle lanes</title></head><body>"
            '<article><h1>Council backs new cycle lanes</h1><p class="byline">By Priya Nair | '
            f"{written}</p>{TEXT}</article></body></html>")
    assert page(html, url=URL).published == expected


def test_a_relative_date_after_the_capture_is_no_date() -> None:
    base = dt.datetime(2024, 3, 10, 12)
    assert relative_date("in 3 days", None, base) is None
    assert relative_date("dans 2 jours", ["fr"], base) is None
    assert relative_date("today", None, base) == "2024-03-10"


def _english_dates() -> list[str]:
    """The written dates :func:`parse_date` reads without dateparser, in every month word and
    case, on days where months and leap years differ."""
    words = [word for month in ("January", "February", "March", "April", "May", "June", "July",
                                "August", "September", "October", "November", "December")
             for word in (month, month[:3])] + ["Sept"]
    texts = []
    for index, word in enumerate(words):
        month = (word, word.upper(), word.lower())[index % 3]
        year = (2019, 2024)[index % 2]
        for day in (1, 12, 29, 30, 31):
            texts += [f"{month} {day}, {year}", f"{month}. {day} {year}", f"{day} {month} {year}",
                      f"{day} {month}., {year}"]
    return texts


@pytest.mark.parametrize("locale", [None, "en-GB"])
def test_common_english_dates_are_read_as_dateparser_reads_them(locale: str | None) -> None:
    parser = _parser(("en",), locale)
    for text in _english_dates():
        read = _english_date(text)
        expected = parser.get_date_data(text).date_obj
        assert read == expected, text
        assert parse_date(text, ["en"], locale) == (expected.date().isoformat() if expected
                                                    else None), text
    # Anything else is dateparser's: another shape, another language, an impossible day.
    for text in ("November 19th, 2019", "19.11.2019", "Nov 19, 19", "Nov 019, 2019",
                 "19 novembre 2019", "February 30, 2019", "Monday, November 18, 2019"):
        assert _english_date(text) is None, text
