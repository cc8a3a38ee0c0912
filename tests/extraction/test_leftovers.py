"""Leftovers of the extraction work: forum platforms whose markup hid their threads (vBulletin
5's widgets, Discourse's crawler view), change dates written as "Stand:", the language an HTTP
header declares, and pager shapes that were misread."""

from __future__ import annotations

import datetime as dt

import pytest

from archivist.extraction import Extraction, SourcePage, discover_pages, extract

CAPTURED = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
OPENING = "".join(
    f"<p>Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter.</p>"
    for n in range(1, 4))
OPENING_TEXT = "\n\n".join(
    f"Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter."
    for n in range(1, 4))
REPLIES = [("The county should pay, it voted for the extra runs.", "2024-03-12"),
           ("Does anyone know when the winter timetable starts?", "2024-03-13")]


def _extract(html: str, url: str, content_type: str = "text/html; charset=utf-8") -> Extraction:
    return extract([SourcePage(url, html.encode("utf-8"), content_type, captured=CAPTURED)])


def _rows(result: Extraction) -> list[tuple[str | None, str | None, str, int | None]]:
    return [(c.author, c.published, c.text, c.parent) for c in result.comments]


def _vb5_post(node: int, user: str, iso: str, shown: str, text: str, *, microdata: bool) -> str:
    """A vBulletin 5 post: the poster's card, the timestamp, the text, the controls and the
    post's number; with ``microdata``, the replies are schema.org comments."""
    first = node == 1001
    item = ""
    if microdata:
        item = (' itemscope itemtype="https://schema.org/DiscussionForumPosting"' if first else
                ' itemprop="comment" itemscope itemtype="https://schema.org/Comment"')
    profile = f"https://forum.example.org/member/{node}-{user.lower()}"
    return (
        '<li class="b-post js-post js-comment-entry__parent h-restore--on-preview b-comment--'
        f'parent {"b-post--first " if first else ""}js-slideshow__gallery-node js-post__content-'
        f'wrapper" data-node-id="{node}" id="post{node}"{item}><div class="b-post__grid">'
        '<div class="b-post__arrow b-post__arrow--left"></div><div class="b-userinfo b-post__'
        f'hide-when-deleted" data-user-id="{node}" itemprop="author" itemscope itemtype='
        f'"https://schema.org/Person"><a href="{profile}" class="b-avatar b-avatar--m"><img '
        f'src="/core/image.php?userid={node}&amp;thumb=1" alt="{user}"></a><div class='
        '"b-userinfo__details"><div class="author h-text-size--14"><strong><a href='
        f'"{profile}" data-vbnamecard="{node}" itemprop="url"><span itemprop="name">{user}'
        '</span></a></strong></div><div class="b-userinfo__rank">Senior Member</div><div '
        'class="b-userinfo__additional-info-block"><div class="b-userinfo__additional-info">'
        '<label>Join Date:</label> <span>Jan 2019</span></div><div class="b-userinfo__'
        'additional-info"><label>Posts:</label> <span>1,204</span></div></div></div></div>'
        '<div class="b-post__body"><div class="b-post__content js-post__content"><div class='
        '"b-media__body b-post__hide-when-deleted"><div class="b-post__timestamp"><time '
        f'itemprop="dateCreated" datetime="{iso}">{shown}</time></div><div class="js-post__'
        f'content-text restore h-wordwrap" itemprop="text">{text}</div></div></div><div '
        'class="b-post__footer h-hide--on-preview"><ul class="h-left js-post-controls b-comment'
        '__controls"><li class="b-comment__control"><a href="#" class="js-post-control__reply">'
        'Reply</a></li><li class="b-comment__control"><a href="#" class="js-post-control__vote">'
        'Like</a></li></ul><a href="https://forum.example.org/forum/harbour/1000-ferry?p='
        f'{node}#post{node}" class="b-post__count">#{node - 1000}</a></div></div></div></li>'
    )


@pytest.mark.parametrize("microdata", [False, True])
def test_vbulletin_5_thread_in_canvas_widgets(microdata: bool) -> None:
    """vBulletin 5 sets every part of the page, the thread included, in a ``canvas-widget``
    module: the word names the builder's blocks, not a sidebar."""
    posts = (
        _vb5_post(1001, "Harbourmaster", "2024-03-12T14:05:00", "03-12-2024, 02:05 PM",
                  OPENING, microdata=microdata)
        + _vb5_post(1002, "Skipper_Jo", "2024-03-12T15:20:00", "03-12-2024, 03:20 PM",
                    REPLIES[0][0], microdata=microdata)
        + _vb5_post(1003, "Mara", "2024-03-13T09:02:00", "03-13-2024, 09:02 AM",
                    REPLIES[1][0], microdata=microdata))
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Ferry timetable for winter - Harbour Forum'
        '</title></head><body id="vb-page-body" class="l-desktop page60 vb-page view-mode '
        'logged-out"><div id="outer-wrapper"><div id="wrapper"><div id="header-axd" class='
        '"header-edit-box axdnum_1 h-clearfix"><header class="b-top-menu__background"><a href='
        '"/">Harbour Forum</a></header></div><main id="content"><div class="canvas-layout-'
        'container js-canvas-layout-container"><div id="canvas-layout-full" class="canvas-'
        'layout" data-layout-id="1"><div class="canvas-widget-list section-0 js-sectiontype-'
        'primary h-clearfix" data-section-id="0"><div class="b-module canvas-widget default-'
        'widget page-title-widget widget-no-header-buttons widget-no-border" id="widget_4">'
        '<div class="widget-content"><h1 class="main-title js-main-title hide-on-editmode">'
        'Ferry timetable for winter</h1></div></div><div class="b-module canvas-widget default-'
        'widget conversation-content-widget forum-conversation-content-widget widget-tabs '
        'widget-no-border widget-no-header-buttons axd-container" id="widget_8" data-widget-'
        'id="8"><div class="widget-tabs-panel"><div id="thread-view-tab" class="conversation-'
        'view conversation-thread-view"><ul class="conversation-list list-container h-clearfix '
        f'thread-view">{posts}</ul></div></div></div></div></div></div></main><footer id='
        '"footer">Powered by vBulletin</footer></div></div></body></html>'
    )
    result = _extract(html, "https://forum.example.org/forum/harbour/1000-ferry-timetable")
    assert _rows(result) == [("Skipper_Jo", REPLIES[0][1], REPLIES[0][0], None),
                             ("Mara", REPLIES[1][1], REPLIES[1][0], None)]
    assert result.body == OPENING_TEXT
    assert result.authors == ("Harbourmaster",)
    assert result.published == "2024-03-12"
    assert result.title == "Ferry timetable for winter"


def _discourse_post(number: int, user: str, iso: str, text: str, *, every_post: bool) -> str:
    """A post of Discourse's crawler view (what it serves without JavaScript). Recent versions
    mark the replies as schema.org comments of the topic's ``DiscussionForumPosting``; older
    ones (``every_post``) marked every post a ``DiscussionForumPosting`` of its own with its
    text as ``articleBody``, beside its number."""
    if every_post:
        item, text_prop = " itemscope itemtype='http://schema.org/DiscussionForumPosting'", "articleBody"
    else:
        item = "" if number == 1 else (" itemprop='comment' itemscope itemtype='http://schema."
                                       "org/Comment'")
        text_prop = "text"
    return (
        f"<div id='post_{number}'{item} class='topic-body crawler-post'><div class='crawler-"
        "post-meta'><span class=\"creator\" itemprop=\"author\" itemscope itemtype=\"http://"
        "schema.org/Person\"><a itemprop=\"url\" rel='nofollow' href='https://discuss.example"
        f".org/u/{user}'><span itemprop='name'>{user}</span></a> ({user.title()} Berg)</span>"
        "<link itemprop=\"mainEntityOfPage\" href=\"https://discuss.example.org/t/winter-"
        "ferry-timetable/412\"><span class='crawler-post-infos'><time itemprop='datePublished'"
        f" datetime='{iso}' class='post-time'>{iso[:10]}</time><meta itemprop='dateModified' "
        f"content='{iso}'><span itemprop='position'>{number}</span></span></div><div class="
        f"'post' itemprop='{text_prop}'>{text}</div><div itemprop=\"interactionStatistic\" "
        "itemscope itemtype=\"http://schema.org/InteractionCounter\"><meta itemprop="
        "\"interactionType\" content=\"http://schema.org/LikeAction\"/><meta itemprop="
        "\"userInteractionCount\" content=\"2\" /><span class='post-likes'>2 Likes</span>"
        "</div></div>"
    )


@pytest.mark.parametrize("every_post", [False, True])
def test_discourse_crawler_view_first_post_is_the_body(every_post: bool) -> None:
    posts = (_discourse_post(1, "skipper_jo", "2024-03-12T14:05:00Z", OPENING,
                             every_post=every_post)
             + "".join(_discourse_post(n, user, f"{day}T09:00:00Z", f"<p>{text}</p>",
                                       every_post=every_post)
                       for n, user, (text, day) in zip((2, 3), ("mara", "ola"), REPLIES,
                                                       strict=True)))
    topic = ("<div class='posts'>" if every_post else
             "<div itemscope itemtype='http://schema.org/DiscussionForumPosting'><meta "
             "itemprop='headline' content='Winter ferry timetable'>")
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Winter ferry timetable - Harbour - '
        'Harbour Forum</title><meta property="og:site_name" content="Harbour Forum"></head>'
        "<body class='crawler'><header><a href='/'><img src='/logo.png' alt='Harbour Forum'>"
        "</a></header><div id='main-outlet' class='wrap' role='main'><div id='topic-title'>"
        "<h1><a href='/t/winter-ferry-timetable/412'>Winter ferry timetable</a></h1></div>"
        f"{topic}{posts}</div><div id='related-topics' class='more-topics__list' role="
        "'complementary'><h3>Related topics</h3><table class='topic-list'><tr><td><a href="
        "'/t/buoys/399'>Buoys off the north pier</a></td></tr></table></div></div><footer "
        "class='noscript-footer-nav'><p class='powered-by-link'>Powered by Discourse, best "
        "viewed with JavaScript enabled</p></footer></body></html>"
    )
    result = _extract(html, "https://discuss.example.org/t/winter-ferry-timetable/412")
    assert _rows(result) == [("mara", REPLIES[0][1], REPLIES[0][0], None),
                             ("ola", REPLIES[1][1], REPLIES[1][0], None)]
    assert result.body == OPENING_TEXT
    assert result.authors == ("skipper_jo",)
    assert result.published == "2024-03-12"


def _dated_story(lang: str, lines: str) -> Extraction:
    """A story whose only dates are the lines written under its headline."""
    paragraphs = "".join(f"<p>Absatz {n}: {'Der Stadtrat vertagte die Abstimmung. ' * 4}</p>"
                         for n in range(1, 4))
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><title>Story - Example</title></head>'
            '<body><div id="header"><a href="/">Example</a></div><div id="content"><article>'
            f'<h1>Stadtrat vertagt Abstimmung</h1>{lines}<div class="text">{paragraphs}</div>'
            "</article></div></body></html>")
    return _extract(html, "https://news.example.com/politik/stadtrat-100.html")


@pytest.mark.parametrize(("lang", "lines", "published", "modified"), [
    # tagesschau writes the version's date ("as of") under every story, changed or not.
    ("de", '<p class="metatextline">Stand: 12.03.2024 14:05 Uhr</p>', "2024-03-12", "2024-03-12"),
    ("de", "<p>Veröffentlicht am 10.03.2024</p><p>Stand: 12.03.2024 14:05 Uhr</p>",
     "2024-03-10", "2024-03-12"),
    ("it", "<p>Pubblicato il 10 marzo 2024</p><p>Ultimo aggiornamento: 12/03/2024 14:05</p>",
     "2024-03-10", "2024-03-12"),
    ("fr", "<p>Publié le 10/03/2024 à 09h15</p><p>Mise à jour : 12/03/2024 14:05</p>",
     "2024-03-10", "2024-03-12"),
    ("fr", "<p>Publié le 10/03/2024</p><p>Actualisé le 12/03/2024 à 14h05</p>",
     "2024-03-10", "2024-03-12"),
    ("it", "<p>Ultimo aggiornamento: 12/03/2024 14:05</p>", None, "2024-03-12"),
])
def test_written_version_and_update_labels(lang: str, lines: str, published: str | None,
                                           modified: str) -> None:
    result = _dated_story(lang, lines)
    assert (result.published, result.modified) == (published, modified)
    assert "2024" not in result.body


@pytest.mark.parametrize(("lang", "head", "header"), [
    ("", "", "en-GB"),
    (' lang=""', "", "en-GB, en"),
    (' lang=""', '<meta http-equiv="content-language" content="en-GB">', None),
    ("", '<meta http-equiv="Content-Language" content="en-GB">', "en-US"),
])
def test_language_declared_outside_the_html_element(lang: str, head: str,
                                                    header: str | None) -> None:
    """A page without ``<html lang>`` (or with an empty one) is in the language its
    ``<meta http-equiv>`` or else its HTTP Content-Language header declares: British English
    reads 12/07/2019 as 12 July."""
    html = (f"<!DOCTYPE html><html{lang}><head><title>Harbour dues rise</title>{head}</head>"
            '<body><article><h1>Harbour dues rise</h1><p class="byline">By Jane Doe, 12/07/2019'
            "</p><p>The harbour board raised the mooring dues on Tuesday after a long meeting, "
            "and the skippers said the smaller boats would leave the harbour for good.</p>"
            "</article></body></html>")
    result = extract([SourcePage("https://news.example.co.uk/harbour-dues", html.encode(),
                                 "text/html; charset=utf-8", content_language=header)])
    assert (result.language, result.published) == ("en", "2019-07-12")


STORY = "".join(
    f"<p>Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter.</p>"
    for n in range(1, 5))


@pytest.mark.parametrize("section", [
    '<section id="feedback"><h2>What readers say</h2><div class="item"><b>Ann</b><p>Great '
    'piece.</p></div><div class="item"><b>Bo</b><p>Too long.</p></div><div class="pager"><a '
    'href="/story/ferry?page=2">2</a> <a href="/story/ferry?page=3">3</a></div></section>',
    '<div id="talk"><h3>12 Comments</h3><div class="c"><b>Ann</b> said:<p>Great piece.</p>'
    '</div><div class="c"><b>Bo</b> said:<p>Too long.</p></div><div class="paging"><a href='
    '"/story/ferry?pg=2">2</a> <a href="/story/ferry?pg=3">Next</a></div></div>',
])
def test_a_pager_of_a_section_below_the_article_is_not_the_articles(section: str) -> None:
    html = (f"<html><head><title>Ferry</title></head><body><article><h1>Ferry</h1>{STORY}"
            f"{section}</article></body></html>")
    url = "https://news.example.com/story/ferry"
    assert discover_pages(html, url) == [url]
    pager = ('<div class="pager"><a href="/story/ferry?page=2">2</a> <a href="/story/ferry?'
             'page=3">3</a></div>')
    assert discover_pages(html.replace("</article>", f"{pager}</article>"), url) == [
        url, f"{url}?page=2", f"{url}?page=3"]
