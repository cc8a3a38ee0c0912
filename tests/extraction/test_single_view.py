"""discover_single_view: a paginated article's link to itself whole on one page (or printed)."""

from __future__ import annotations

import pytest

from archivist.extraction.parse import parse_html
from archivist.extraction.single_view import article_paragraphs, discover_single_view, holds_pages

from .conftest import article

WP_PAGER = ('<div class="page-links">Pages: <span class="post-page-numbers current">1</span> '
            '<a href="https://blog.example.org/2026/11/harbour-walls/2/" class="post-page-numbers">2</a> '
            '<a href="https://blog.example.org/2026/11/harbour-walls/3/" class="post-page-numbers">3</a></div>')


def test_wordpress_show_all_link_beside_the_page_links() -> None:
    url = "https://blog.example.org/2026/11/harbour-walls/"
    body = WP_PAGER + ('<div class="page-links-all"><a href="https://blog.example.org/2026/11/harbour-walls/all/">'
                       "Show all</a></div>")
    assert discover_single_view(article(body), url) == "https://blog.example.org/2026/11/harbour-walls/all/"


def test_wordpress_view_as_single_page_with_a_query_parameter() -> None:
    url = "https://blog.example.org/2026/11/harbour-walls/2/"
    body = WP_PAGER + ('<p class="single-page-link"><a href="https://blog.example.org/2026/11/harbour-walls/'
                       '?singlepage=1" rel="nofollow">View as single page</a></p>')
    assert discover_single_view(article(body), url) == "https://blog.example.org/2026/11/harbour-walls/?singlepage=1"


def test_news_site_single_page_link_and_page_all() -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike"
    pager = ('<nav class="pagination"><a href="/world/2026/11/27/ferry-strike?page=2">2</a> '
             '<a href="/world/2026/11/27/ferry-strike?page=3">3</a> '
             '<a href="/world/2026/11/27/ferry-strike?page=2" rel="next">Next page</a></nav>')
    tools = ('<div class="article-tools"><a href="/world/2026/11/27/ferry-strike?print=1">Print</a> '
             '<a href="/world/2026/11/27/ferry-strike?page=all">Single page</a></div>')
    assert discover_single_view(article(pager + tools), url) == (
        "https://news.example.com/world/2026/11/27/ferry-strike?page=all")


def test_single_page_text_in_other_languages() -> None:
    url = "https://zeitung.example.de/politik/haushalt-1234.html"
    pager = ('<div class="paginierung"><a href="/politik/haushalt-1234-2.html">2</a> '
             '<a href="/politik/haushalt-1234-2.html">Nächste Seite</a></div>')
    link = '<a href="/politik/haushalt-1234.html?view=complete">Auf einer Seite lesen</a>'
    assert discover_single_view(article(pager + link), url) == (
        "https://zeitung.example.de/politik/haushalt-1234.html?view=complete")
    russian = '<a href="/politik/haushalt-1234-kommentar.html">Одной страницей</a>'
    assert discover_single_view(article(pager + russian), url) is None  # another article's path
    russian = '<a href="/politik/haushalt-1234.html?mode=one">Одной страницей</a>'
    assert discover_single_view(article(pager + russian), url) == (
        "https://zeitung.example.de/politik/haushalt-1234.html?mode=one")


def test_joomla_pagebreak_all_pages() -> None:
    base = "https://www.club.example.org/index.php?option=com_content&view=article&id=42:lighthouses&catid=8&Itemid=101"
    index = ('<div id="article-index"><h3>Article Index</h3><ul>'
             f'<li><a href="{base}&amp;limitstart=" class="toclink active">Lighthouses</a></li>'
             f'<li><a href="{base}&amp;limitstart=1" class="toclink">Keepers</a></li>'
             f'<li><a href="{base}&amp;limitstart=2" class="toclink">Storms</a></li>'
             f'<li><a href="{base}&amp;showall=1&amp;limitstart=" class="toclink">All Pages</a></li></ul></div>'
             '<div class="pagenavcounter">Page 1 of 3</div>')
    pager = f'<ul class="pager pagenav"><li class="next"><a href="{base}&amp;limitstart=1" rel="next">Next</a></li></ul>'
    assert discover_single_view(article(index + pager), base) == f"{base}&showall=1&limitstart="


def test_print_view_only_without_a_single_page_view() -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike"
    pager = '<nav class="pagination"><a href="/world/2026/11/27/ferry-strike?page=2">2</a></nav>'
    tools = ('<div class="article-tools"><a href="#" onclick="window.print(); return false;">Print</a> '
             '<a href="javascript:window.print()">Print this article</a> '
             '<a href="/print/world/2026/11/27/ferry-strike">Printer-friendly version</a></div>')
    assert discover_single_view(article(pager + tools), url) == (
        "https://news.example.com/print/world/2026/11/27/ferry-strike")


def test_browser_print_links_are_no_view() -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike"
    pager = '<nav class="pagination"><a href="/world/2026/11/27/ferry-strike?page=2">2</a></nav>'
    tools = ('<a href="/world/2026/11/27/ferry-strike" onclick="window.print(); return false;">Print</a> '
             '<a href="javascript:window.print()">Print</a>')
    assert discover_single_view(article(pager + tools), url) is None


def test_a_print_link_on_an_unpaginated_page_is_ignored() -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike"
    tools = ('<a href="/world/2026/11/27/ferry-strike?print=1">Print</a> '
             '<a href="/world/2026/11/27/ferry-strike?page=all">View all</a>')
    assert discover_single_view(article(tools), url) is None


def test_view_all_links_to_other_things_are_not_the_article() -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike"
    pager = '<nav class="pagination"><a href="/world/2026/11/27/ferry-strike?page=2">2</a></nav>'
    others = ('<a href="/world/">View all</a> <a href="/world/2026/11/26/ferry-talks?page=all">Single page</a> '
              '<a href="https://other.example.net/world/2026/11/27/ferry-strike?page=all">Single page</a> '
              '<a href="/world/2026/11/27/ferry-strike-what-changes/all/">Show all</a>')
    assert discover_single_view(article(pager + others), url) is None


def test_a_view_holds_the_pages_another_article_does_not() -> None:
    page = parse_html(article())
    paragraphs = article_paragraphs(page)
    whole = parse_html(article("<p>" + "More of the same article, read on the single page view. " * 3 + "</p>"))
    other = parse_html(article().replace("Paragraph", "Another story's paragraph")
                       + "<p>" + "Something else entirely, as long as a paragraph can be. " * 3 + "</p>")
    assert holds_pages(whole, article_paragraphs(whole), [paragraphs])
    assert not holds_pages(page, article_paragraphs(page), [paragraphs])  # not more than the page
    assert not holds_pages(other, article_paragraphs(other), [paragraphs])


@pytest.mark.parametrize("text", ["Read full article on one page", "All pages", "Alle Seiten", "Sur une seule page",
                                  "Ver en una página", "Одной страницей", "View all", "Single page view"])
def test_single_page_texts(text: str) -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike.html"
    pager = '<nav class="pagination"><a href="/world/2026/11/27/ferry-strike-2.html">2</a></nav>'
    link = f'<a href="/world/2026/11/27/ferry-strike.html?layout=complete">{text}</a>'
    assert discover_single_view(article(pager + link), url) == f"{url}?layout=complete"


def test_a_view_link_in_a_comment_or_the_sidebar_is_not_the_sites() -> None:
    url = "https://news.example.com/world/2026/11/27/ferry-strike"
    pager = '<nav class="pagination"><a href="/world/2026/11/27/ferry-strike?page=2">2</a></nav>'
    comment = ('<div class="comments"><div class="comment"><p>Easier to read it here: '
               '<a href="/world/2026/11/27/ferry-strike?page=all">single page</a></p></div></div>')
    sidebar = '<aside class="sidebar"><a href="/world/2026/11/27/ferry-strike?print=1">Print</a></aside>'
    assert discover_single_view(article(pager, after=comment + sidebar), url) is None


def test_wordpress_plain_permalinks_single_page_parameter() -> None:
    url = "https://blog.example.org/?p=123"
    pager = ('<div class="page-links">Pages: 1 <a href="https://blog.example.org/?p=123&amp;page=2">2</a> '
             '<a href="https://blog.example.org/?p=123&amp;page=3">3</a></div>')
    link = '<a href="https://blog.example.org/?p=123&amp;singlepage=1">View as single page</a>'
    assert discover_single_view(article(pager + link), url) == "https://blog.example.org/?p=123&singlepage=1"
