"""Site chrome is the page's periphery (header, navigation, sidebar, footer), told by tags and by
class words. Two common shapes name chrome words in classes that wrap the article itself, and
must not hide it: Elementor, whose every block is an ``elementor-widget`` (its comments widget
included), and themes whose page wrappers describe the layout (``has-sidebar``,
``header-style-2``) around the page's main content."""

from __future__ import annotations

import datetime as dt

from archivist.extraction import SourcePage, extract

URL = "https://www.harbourpost.example/news/ferry-timetable"
CAPTURED = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
STORY = "".join(
    f"<p>Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter.</p>"
    for n in range(1, 5)
)


def _wp_comment(number: int, author: str, iso: str, shown: str, text: str, replies: str = "") -> str:
    """A WordPress comment as the default walker writes it (schema.org microdata, as GeneratePress
    and Astra add)."""
    children = f'<ul class="children">{replies}</ul>' if replies else ""
    return (f'<li id="comment-{number}" class="comment even depth-1"><article id="div-comment-{number}" '
            f'class="comment-body" itemtype="https://schema.org/Comment" itemscope>'
            f'<footer class="comment-meta"><div class="comment-author vcard" itemprop="author" '
            f'itemtype="https://schema.org/Person" itemscope><cite itemprop="name" class="fn">{author}</cite>'
            f'</div><div class="entry-meta comment-metadata"><a href="{URL}#comment-{number}">'
            f'<time datetime="{iso}" itemprop="datePublished">{shown}</time></a></div></footer>'
            f'<div class="comment-content" itemprop="text"><p>{text}</p></div>'
            f'<span class="reply"><a class="comment-reply-link" href="#respond">Reply</a></span>'
            f'</article>{children}</li>')


COMMENTS = _wp_comment(
    101, "Ines P.", "2026-11-20T15:17:21+01:00", "November 20, 2026 at 3:17 pm",
    "Winter crossings matter more than summer ones.",
    replies=_wp_comment(102, "Harbour Board", "2026-11-20T19:07:19+01:00", "November 20, 2026 at 7:07 pm",
                        "Thank you, we will publish the winter figures."),
) + _wp_comment(103, "old salt", "2026-11-21T08:00:00+01:00", "November 21, 2026 at 8:00 am",
                "The last timetable change was a disaster.")

RESPOND = ('<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form id="commentform">'
           '<textarea name="comment"></textarea><input type="submit" value="Post Comment"></form></div>')


def _elementor_widget(kind: str, inner: str) -> str:
    return (f'<div class="elementor-element elementor-widget elementor-widget-{kind}">'
            f'<div class="elementor-widget-container">{inner}</div></div>')


def _elementor_page() -> bytes:
    widgets = "".join([
        _elementor_widget("theme-post-title", '<h1 class="elementor-heading-title">Ferry timetable changes</h1>'),
        _elementor_widget("post-info", (
            '<ul class="elementor-inline-items elementor-icon-list-items elementor-post-info">'
            '<li class="elementor-icon-list-item elementor-inline-item" itemprop="author">'
            '<a href="https://www.harbourpost.example/author/jane-harbour/"><span class="elementor-icon-list-text '
            'elementor-post-info__item elementor-post-info__item--type-author">Jane Harbour</span></a></li>'
            '<li class="elementor-icon-list-item elementor-inline-item" itemprop="datePublished">'
            '<a href="https://www.harbourpost.example/2026/11/19/"><span class="elementor-icon-list-text '
            'elementor-post-info__item elementor-post-info__item--type-date">November 19, 2026</span></a></li></ul>')),
        _elementor_widget("theme-post-content", STORY),
        _elementor_widget("post-comments", f'<div id="comments"><h3>3 thoughts on “Ferry timetable changes”</h3>'
                                          f'<ol class="comment-list">{COMMENTS}</ol>{RESPOND}</div>'),
    ])
    sidebar = _elementor_widget("sidebar", '<ul><li class="recentcomments">Bob on <a href="/x">Old news</a>'
                                           ' <span>November 27, 2026</span></li></ul>')
    header = ('<div class="elementor elementor-location-header"><div class="elementor-widget-wrap">'
              + _elementor_widget("nav-menu", '<nav><a href="/">Home</a> <a href="/news">News</a></nav>')
              + _elementor_widget("text-editor", "<p>Saturday, November 28, 2026</p>") + "</div></div>")
    html = (f'<html lang="en"><head><title>Ferry timetable changes – Harbour Post</title></head><body>{header}'
            f'<div class="elementor elementor-location-single post type-post"><section class="elementor-section">'
            f'<div class="elementor-container"><div class="elementor-column elementor-col-66">'
            f'<div class="elementor-widget-wrap">{widgets}</div></div>'
            f'<div class="elementor-column elementor-col-33"><div class="elementor-widget-wrap">{sidebar}</div></div>'
            f'</div></section></div></body></html>')
    return html.encode()


def _wrapped_theme_page() -> bytes:
    html = (f'<html lang="en"><head><title>Ferry timetable changes</title></head><body class="single">'
            f'<div class="wrapper-boxed header-style-header-2"><div class="site-header"><p>Saturday, November 28, 2026'
            f'</p></div><div class="container container-single has_sidebar"><div id="main">'
            f'<article class="post hentry"><div class="entry-header-wrap"><h1>Ferry timetable changes</h1>'
            f'<p class="byline">By <span class="author">Jane Harbour</span> · <time datetime="2026-11-19">'
            f'November 19, 2026</time></p></div>{STORY}<div id="comments" class="post-comments">'
            f'<h3>3 comments</h3><ol class="comment-list">{COMMENTS}</ol>{RESPOND}</div></article></div>'
            f'<div id="sidebar" class="sidebar-widgets"><div class="widget widget_recent_comments">'
            f'<h4>Recent comments</h4><ul><li>Bob on <a href="/x">Old news</a> <span>November 27, 2026</span>'
            f'</li></ul></div></div></div><div class="footer">© 2026 Harbour Post</div></div></body></html>')
    return html.encode()


def _check(page: bytes) -> None:
    extraction = extract([SourcePage(URL, page, "text/html; charset=utf-8", captured=CAPTURED)])
    assert [(c.author, c.published, c.text, c.parent) for c in extraction.comments] == [
        ("Ines P.", "2026-11-20", "Winter crossings matter more than summer ones.", None),
        ("Harbour Board", "2026-11-20", "Thank you, we will publish the winter figures.", 0),
        ("old salt", "2026-11-21", "The last timetable change was a disaster.", None),
    ]
    assert extraction.title == "Ferry timetable changes"
    assert extraction.published is not None and extraction.published.startswith("2026-11-19")
    assert extraction.authors == ("Jane Harbour",)
    assert "Paragraph 4" in extraction.body
    assert "Winter crossings" not in extraction.body and "Recent comments" not in extraction.body


def test_elementor_widgets_are_blocks_of_the_page_not_sidebar_widgets() -> None:
    _check(_elementor_page())


def test_layout_wrappers_named_after_the_header_or_sidebar_do_not_hide_the_main_content() -> None:
    _check(_wrapped_theme_page())


def test_a_sidebar_inside_the_main_content_wrapper_is_still_chrome() -> None:
    """The exemption covers what wraps the main content, not what sits beside the article in it:
    a sidebar's dated "recent comments" in ``#content`` are neither comments nor the date."""
    page = (f'<html lang="en"><head><title>Ferry timetable changes</title></head><body>'
            f'<div id="content" class="layout-with-sidebar"><article><h1>Ferry timetable changes</h1>{STORY}'
            f'</article><div class="sidebar"><h4>Recent comments</h4><ul>'
            f'<li class="comment"><span class="comment-author">Bob</span> <span class="date">November 27, 2026'
            f'</span><p>Old news, this.</p></li><li class="comment"><span class="comment-author">Ann</span> '
            f'<span class="date">November 26, 2026</span><p>Indeed it is.</p></li></ul></div></div></body></html>')
    extraction = extract([SourcePage(URL, page.encode(), "text/html; charset=utf-8", captured=CAPTURED)])
    assert not extraction.comments
    assert extraction.published is None


def test_an_articles_own_header_by_its_class_holds_its_headline_and_byline() -> None:
    """``<article><div class="content__header">``: a header class inside the article is the
    article's header (headline, byline, date), as a ``<header>`` tag there is; the site's
    header outside it is still chrome."""
    page = ('<html lang="en"><head><title>Ferry timetable changes | Opinion | Harbour Post</title>'
            '<meta property="og:title" content="Ferry timetable changes | Opinion"></head><body>'
            '<div class="site-header"><p>Saturday, November 28, 2026</p><p class="byline">By The Desk</p></div>'
            '<article class="content"><div class="content__header tonal__header"><h1>Ferry timetable changes</h1>'
            '<p class="byline">By Jane Harbour</p><p><time>November 19, 2026</time></p></div>'
            f'<div class="content__body">{STORY}</div></article></body></html>')
    extraction = extract([SourcePage(URL, page.encode(), "text/html; charset=utf-8", captured=CAPTURED)])
    assert extraction.title == "Ferry timetable changes"
    assert extraction.authors == ("Jane Harbour",)
    assert extraction.published == "2026-11-19"
