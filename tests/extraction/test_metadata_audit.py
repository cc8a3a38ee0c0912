"""Metadata that the markup plainly contradicts: what an audit of our output on real pages
found, each cause written as small pages of its own (site names that are addresses, outlets
and accounts taken for authors, labels left on a byline, boilerplate descriptions, an edit
dated before the publication)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from archivist.extraction import Extraction, SourcePage, extract

from .conftest import FILLER, article, page


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


@pytest.mark.parametrize(
    ("site", "byline"),
    [
        ("Harbour Post", 'By <a href="/staff/jane-doe">Jane Doe</a>, <a href="/">Harbour Post</a>'),
        ("The Harbour Post", "By Jane Doe, Harbour Post Business"),
        ("Harbour Post Deutschland", "Jane Doe, Harbour Post"),
    ],
)
def test_the_site_named_beside_a_person_in_the_byline_is_no_author(site: str, byline: str) -> None:
    """ "Jane Doe, CNN Business" on CNN, "Jane Doe, Business Insider" on Business Insider
    Deutschland: the site (or its desk, or its parent edition) that the author writes for."""
    head = f'<meta property="og:site_name" content="{site}">'
    assert page(article(head=head, before=f'<p class="byline">{byline}</p>')).authors == ("Jane Doe",)


def test_the_site_declared_beside_a_person_as_author_is_no_author() -> None:
    head = '<meta property="og:site_name" content="Harbour Post"><meta name="author" content="Jane Doe, Harbour Post">'
    assert page(article(head=head)).authors == ("Jane Doe",)


def test_the_site_alone_is_still_the_author_when_nobody_is_named() -> None:
    head = '<meta property="og:site_name" content="Harbour Post"><meta name="author" content="Harbour Post">'
    assert page(article(head=head)).authors == ("Harbour Post",)


@pytest.mark.parametrize("label", ["Analysis by", "Opinion by", "Commentary by", "Review by", "Column by"])
def test_a_label_before_by_is_not_part_of_the_name(label: str) -> None:
    result = page(article(before=f'<p class="byline"><span class="author">{label} Jane Doe</span></p>'))
    assert result.authors == ("Jane Doe",)
    assert label not in result.body


@pytest.mark.parametrize("account", ["admin", "Admin", "jdadmin", "siteadmin", "webmaster"])
def test_a_cms_account_in_the_byline_is_nobodys_name(account: str) -> None:
    """WordPress themes print the posting account: "Posted by admin", or a site's own
    "jdadmin". Declared in ``<meta name=author>`` it was already nobody; in the byline too."""
    byline = f'<p class="byline">Posted by <span class="author vcard"><a class="fn">{account}</a></span></p>'
    assert page(article(before=byline)).authors == ()


def test_a_cms_account_gives_way_to_a_person_named_in_the_byline_text() -> None:
    byline = '<span class="author">admin</span><p>By Jane Doe</p>'
    assert page(article(before=byline)).authors == ("Jane Doe",)


@pytest.mark.parametrize(
    ("declared", "description"),
    [
        (
            "The council met on Tuesday to discuss the budget [&hellip;]",
            "The council met on Tuesday to discuss the budget",
        ),
        ("The council met on Tuesday to discuss the budget [...]", "The council met on Tuesday to discuss the budget"),
        (
            "The council met on Tuesday to discuss the budget… Read more »",
            "The council met on Tuesday to discuss the budget…",
        ),
        ("The council met on Tuesday. Continue reading →", "The council met on Tuesday."),
        ("The council met on Tuesday... Click here to read more", "The council met on Tuesday..."),
        ("Le conseil s'est réuni mardi. Lire la suite", "Le conseil s'est réuni mardi."),
        ("Der Rat tagte am Dienstag. Weiterlesen", "Der Rat tagte am Dienstag."),
        ("Read more about how we handle your data", "Read more about how we handle your data"),
    ],
)
def test_a_read_more_link_written_into_the_description_is_cut(declared: str, description: str) -> None:
    """WordPress excerpts end in "[…]" and themes add their "Read more" link to the excerpt that
    becomes the description: the link's text is no part of it. A sentence that starts so stays."""
    head = f'<meta name="description" content="{declared}">'
    assert page(article(head=head)).description == description


def test_a_description_that_is_only_a_read_more_link_gives_way_to_the_next() -> None:
    head = (
        '<meta property="og:description" content="Read more...">'
        '<meta name="description" content="The council put off its budget vote to June.">'
    )
    assert page(article(head=head)).description == "The council put off its budget vote to June."
    assert page(article(head='<meta name="description" content="Continue reading »">')).description is None


CAPTURED = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _dated(head: str = "", byline: str = "", captured: dt.datetime | None = CAPTURED) -> Extraction:
    html = article(head=head, before=byline)
    return extract([SourcePage("https://news.example.com/2026/ferries", html.encode(), "text/html", captured=captured)])


@pytest.mark.parametrize(
    ("head", "byline", "published"),
    [
        (_ld({"@type": "NewsArticle", "datePublished": "2027-03-01"}), "", None),
        (
            _ld({"@type": "NewsArticle", "datePublished": "2027-03-01"}),
            '<time datetime="2026-03-01">1 March</time>',
            "2026-03-01",
        ),
        ('<meta property="article:published_time" content="2026-12-20T10:00:00Z">', "", None),
        ("", '<p class="byline">By Jane Doe, March 3, 2027</p>', None),
        # A site a time zone ahead of the capture's is a day ahead.
        ('<meta property="article:published_time" content="2026-11-28T01:00:00+13:00">', "", "2026-11-28"),
    ],
)
def test_a_date_after_the_capture_is_no_date_of_the_page(head: str, byline: str, published: str | None) -> None:
    """A page captured on 27 November 2026 was not published in 2027: such a date is an event's,
    a scheduled post's or a broken template's, and the next source is read instead."""
    assert _dated(head, byline).published == published


def test_without_a_capture_time_a_date_after_today_is_no_date_of_the_page() -> None:
    head = _ld({"@type": "NewsArticle", "datePublished": f"{dt.date.today().year + 1}-01-01"})
    assert _dated(head, captured=None).published is None


def test_a_modification_after_the_capture_is_no_modification() -> None:
    head = _ld({"@type": "NewsArticle", "datePublished": "2026-10-20", "dateModified": "2026-12-20"})
    assert (_dated(head).published, _dated(head).modified) == ("2026-10-20", None)


@pytest.mark.parametrize(
    "head",
    [
        _ld(
            {
                "@type": "BlogPosting",
                "datePublished": "2024-06-21T09:41:45+01:00",
                "dateModified": "2024-06-17T17:46:05+01:00",
            }
        ),
        '<meta property="article:published_time" content="2024-06-21T09:41:45+01:00">'
        '<meta property="article:modified_time" content="2024-06-17T17:46:05+01:00">',
    ],
)
def test_a_modification_dated_before_the_publication_is_none(head: str) -> None:
    """WordPress dates a post scheduled after its last edit so: the version shown was not
    changed after it appeared."""
    result = _dated(head)
    assert (result.published, result.modified) == ("2024-06-21", None)


@pytest.mark.parametrize(
    "account",
    [
        '<div class="account"><a class="logout" href="/logout"><img src="/u/7.png" alt="Mara Jones"></a></div>',
        '<div id="modal-logout" class="modal"><img src="/img/avatar-default.png" alt="avatar"></div>',
        '<a href="/logout"><img src="/img/logout.png" alt="Sign out"></a>',
    ],
)
def test_an_account_menus_logout_is_no_logo(account: str) -> None:
    """ "logout" holds "logo": the picture in an account menu (the reader's own avatar) names
    no site, and the title's site part does."""
    html = (
        '<html lang="en"><head><title>Budget Vote Delayed - Harbour Post</title></head><body>'
        f'<div id="header">{account}</div>'
        '<div class="article"><h1>Budget Vote Delayed</h1>'
        + "".join(f"<p>{FILLER}</p>" for _ in range(3))
        + "</div></body></html>"
    )
    assert page(html).sitename == "Harbour Post"


@pytest.mark.parametrize(
    ("byline", "published"),
    [
        ("By Jane Doe November 12, 2024", "2024-11-12"),
        ("By Jane Doe Nov. 12, 2024 10:04 am", "2024-11-12"),
        ("By Jane Doe 12 Nov 2024", "2024-11-12"),
        ("Jane Doe 12.11.2024", "2024-11-12"),
        ("Posted on November 12, 2024 by Jane Doe", "2024-11-12"),
        ("November 12, 2024 by Jane Doe", "2024-11-12"),
        ("12.11.2024 · By Jane Doe", "2024-11-12"),
        ("by Jane Doe ／ 12.11.2024", "2024-11-12"),
    ],
)
def test_a_date_written_against_the_name_leaves_the_name(byline: str, published: str) -> None:
    """Templates that set the author and the date in one line with no separator between
    them ("By Jane Doe November 12, 2024") or the date first ("Posted on ... by Jane Doe",
    WordPress's default) lost the name with the date, or kept "Posted" for it."""
    result = page(article(before=f'<div class="byline">{byline}</div>'))
    assert (result.authors, result.published) == (("Jane Doe",), published)


@pytest.mark.parametrize("name", ["Brian May", "June Carter", "April Ryan"])
def test_a_month_in_a_name_is_the_name(name: str) -> None:
    assert page(article(before=f'<div class="byline">By {name}</div>')).authors == (name,)


@pytest.mark.parametrize(
    ("author", "authors"),
    [
        ("Jane Doe Follow", ("Jane Doe",)),
        ("Jane Doe Follow on Twitter", ("Jane Doe",)),
        ("Twitter: @janedoe", ()),
        ("Follow @janedoe", ()),
    ],
)
def test_a_follow_button_or_a_social_label_is_no_name(author: str, authors: tuple[str, ...]) -> None:
    """An author box's "Follow" button and the label of the author's handle, read with the
    name once the handle is cut ("Twitter: @janedoe" named "Twitter")."""
    assert page(article(before=f'<div class="author">{author}</div>')).authors == authors


@pytest.mark.parametrize(
    ("title", "h1"),
    [
        ("Ferries change timetable | Local | Harbour Post", "<h1>Ferries change timetable</h1>"),
        ("Harbour Post | Local | Ferries change timetable", "<h1>Ferries change timetable</h1>"),
        ("Ferries change timetable | Local | Harbour Post", ""),
    ],
)
def test_the_site_part_of_a_title_of_three_parts_names_the_site(title: str, h1: str) -> None:
    """ "Headline | Section | Site": with no declared name, the end part that is not the headline
    (or whose letters the host spells) is the site's, and it is not left on the title."""
    html = (
        f'<html lang="en"><head><title>{title}</title>'
        '<meta property="og:title" content="Ferries change timetable | Harbour Post"></head><body>'
        f'<div class="article">{h1}' + "".join(f"<p>{FILLER}</p>" for _ in range(3)) + "</div></body></html>"
    )
    result = page(html, url="https://www.harbourpost.example/news/ferries")
    assert (result.title, result.sitename) == ("Ferries change timetable", "Harbour Post")
