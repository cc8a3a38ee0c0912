"""Comments as platforms we have no benchmark page for render them server-side: each page has
an article (or opening post) of a few paragraphs and a handful of comments with one reply, and
the body and the comments must not leak into each other."""

from __future__ import annotations

import datetime as dt

import pytest

from archivist.extraction import Extraction, SourcePage, extract

STORY = "".join(
    f"<p>Paragraph {n}: the harbour board argued for three hours over the new ferry timetable, "
    "and the skippers asked who would pay for the extra crossings in winter.</p>"
    for n in range(1, 5)
)
CAPTURED = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def _extract(html: str, url: str) -> Extraction:
    return extract([SourcePage(url, html.encode("utf-8"), "text/html; charset=utf-8",
                               captured=CAPTURED)])


def _rows(result: Extraction) -> list[tuple[str | None, str | None, str, int | None]]:
    return [(c.author, c.published, c.text, c.parent) for c in result.comments]


def _assert_apart(result: Extraction, *, comment_words: list[str], furniture: list[str]) -> None:
    """The body is the story without comment text; the comments hold no story text and no
    furniture (buttons, form prompts)."""
    assert all(f"Paragraph {n}:" in result.body for n in range(1, 5))
    for words in comment_words:
        assert words not in result.body
    for comment in result.comments:
        assert "harbour board argued" not in comment.text
        for words in furniture:
            assert words not in comment.text


def _reddit_comment(thing: str, author: str, when: str, body: str, children: str = "") -> str:
    """A comment of old Reddit as a logged-out crawler gets it: the text sits in the form that
    would edit it, the vote column and the entry carry the ``unvoted`` state."""
    return (
        f'<div class=" thing id-t1_{thing} noncollapsed comment " id="thing_t1_{thing}" '
        f'data-fullname="t1_{thing}" data-type="comment" data-author="{author}">'
        f'<p class="parent"><a name="{thing}"></a></p><div class="midcol unvoted">'
        '<div class="arrow up login-required access-required" role="button" aria-label="upvote">'
        '</div><div class="arrow down login-required access-required" role="button" '
        'aria-label="downvote"></div></div><div class="entry unvoted"><p class="tagline">'
        '<a href="javascript:void(0)" class="expand">[–]</a>'
        f'<a href="https://old.reddit.com/user/{author}" class="author may-blank">{author}</a>'
        '<span class="userattrs"></span> <span class="score dislikes" title="4">4 points</span>'
        '<span class="score unvoted" title="5">5 points</span><span class="score likes" '
        f'title="6">6 points</span> <time title="{when}" datetime="{when}" '
        f'class="live-timestamp">2 days ago</time></p>'
        f'<form action="#" class="usertext warn-on-unload" id="form-t1_{thing}">'
        f'<input type="hidden" name="thing_id" value="t1_{thing}"><div class="usertext-body '
        f'may-blank-within md-container "><div class="md">{body}</div></div></form>'
        '<ul class="flat-list buttons"><li class="first"><a href="/r/harbour/comments/abc/x/" '
        'class="bylink" rel="nofollow">permalink</a></li><li><a href="javascript:void(0)">save'
        '</a></li><li class="report-button login-required"><a href="javascript:void(0)" '
        'class="reportbtn access-required">report</a></li><li class="reply-button '
        'login-required"><a class="access-required" href="javascript:void(0)">reply</a></li>'
        f'</ul></div><div class="child">{children}</div><div class="clearleft"></div></div>'
    )


def test_old_reddit_comments_in_edit_forms_with_unvoted_entries() -> None:
    reply = ('<div id="siteTable_t1_a2" class="sitetable listing">'
             + _reddit_comment("a3", "mod_ferry", "2026-11-27T09:00:00+00:00",
                               "<p>The county pays, see the minutes.</p>") + "</div>")
    html = (
        '<!doctype html><html lang="en"><head><title>Ferry timetable changes : harbour</title>'
        '</head><body class="listing-page comments-page"><div id="header" role="banner">'
        '<a href="/" id="header-img">reddit.com</a></div><div class="content" role="main">'
        '<div class="sitetable linklisting" id="siteTable"><div class=" thing id-t3_abc self '
        'link" data-type="link"><div class="entry unvoted"><p class="title"><a class="title" '
        'href="/r/harbour/comments/abc/x/">Ferry timetable changes</a></p>'
        '<form action="#" class="usertext"><div class="usertext-body md-container"><div '
        f'class="md">{STORY}</div></div></form></div></div></div>'
        '<div class="commentarea"><div class="panestack-title"><span class="title">all 3 '
        'comments</span></div><form action="#" class="usertext cloneable" id="form-t3_abc">'
        '<div class="usertext-edit md-container"><textarea rows="1" cols="1" name="text">'
        '</textarea></div><button type="submit" class="save">save</button></form>'
        '<div id="siteTable_t3_abc" class="sitetable nestedlisting">'
        + _reddit_comment("a1", "mara", "2026-11-26T09:12:00+00:00",
                          "<p>Who pays for the winter crossings?</p>")
        + _reddit_comment("a2", "Jens_H", "2026-11-26T10:00:00+00:00",
                          "<p>Works for me 👍</p>", children=reply)
        + "</div></div></div></body></html>"
    )
    result = _extract(html, "https://old.reddit.com/r/harbour/comments/abc/ferry_timetable/")
    assert _rows(result) == [
        ("mara", "2026-11-26", "Who pays for the winter crossings?", None),
        ("Jens_H", "2026-11-26", "Works for me 👍", None),
        ("mod_ferry", "2026-11-27", "The county pays, see the minutes.", 1),
    ]
    _assert_apart(result, comment_words=["winter crossings?", "minutes"],
                  furniture=["points", "permalink", "report", "reply", "[–]"])


def _hn_comment(item: int, user: str, indent: int, when: str, text: str) -> str:
    """A Hacker News comment row: indent cell, vote arrow, author line, then ``div.comment``
    holding only the text and the reply link."""
    return (
        f'<tr class="athing comtr" id="{item}"><td><table border="0"><tr><td class="ind" '
        f'indent="{indent}"><img src="s.gif" height="1" width="{indent * 40}"></td>'
        f'<td valign="top" class="votelinks"><center><a id="up_{item}" href="vote?id={item}&amp;'
        'how=up"><div class="votearrow" title="upvote"></div></a></center></td><td class="default">'
        '<div style="margin-top:2px; margin-bottom:-10px;"><span class="comhead">'
        f'<a href="user?id={user}" class="hnuser">{user}</a> <span class="age" title="{when}">'
        f'<a href="item?id={item}">2 days ago</a></span> <span id="unv_{item}"></span>'
        '<span class="navs"> | <a href="#41000" class="clicky">parent</a> | <a href="#41003" '
        f'class="clicky">next</a> <a class="togg clicky" id="{item}" n="1" href="javascript:'
        'void(0)">[–]</a></span></span></div><br><div class="comment"><div class="commtext c00">'
        f'{text}</div><div class="reply"><p><font size="1"><u><a href="reply?id={item}" '
        'rel="nofollow">reply</a></u></font></div></div></td></tr></table></td></tr>'
    )


def test_hacker_news_rows_with_profile_links_title_dates_and_indent_cells() -> None:
    story = STORY.replace("</p>", "")
    html = (
        '<html lang="en" op="item"><head><title>Ask HN: Who pays for winter ferries? | Hacker '
        'News</title></head><body><center><table id="hnmain" width="85%"><tr><td bgcolor='
        '"#ff6600"><span class="pagetop"><b class="hnname"><a href="news">Hacker News</a></b>'
        '<a href="newest">new</a> | <a href="ask">ask</a></span></td></tr><tr><td>'
        '<table class="fatitem"><tr class="athing submission" id="41000"><td class="title">'
        '<span class="titleline"><a href="item?id=41000">Ask HN: Who pays for winter ferries?'
        '</a></span></td></tr><tr><td class="subtext"><span class="score">41 points</span> by '
        '<a href="user?id=skipper_jo" class="hnuser">skipper_jo</a></td></tr><tr><td><div '
        f'class="toptext">{story}</div></td></tr><tr><td><form action="comment" method="post">'
        '<input type="hidden" name="parent" value="41000"><textarea name="text"></textarea>'
        '<br><input type="submit" value="add comment"></form></td></tr></table>'
        '<table border="0" class="comment-tree"><tbody>'
        + _hn_comment(41001, "mara", 0, "2026-11-26T09:12:00 1764148320",
                      "Who pays for the winter crossings?<p>The county, I assume.")
        + _hn_comment(41002, "jens_h", 1, "2026-11-26T10:00:00 1764151200",
                      'Not in 2019. See <a href="https://example.org/minutes">the minutes</a>')
        + _hn_comment(41003, "otto", 0, "2026-11-27T18:00:00 1764266400", "Works for me.")
        + "</tbody></table></td></tr></table></center></body></html>"
    )
    result = _extract(html, "https://news.ycombinator.com/item?id=41000")
    assert _rows(result) == [
        ("mara", "2026-11-26", "Who pays for the winter crossings?\nThe county, I assume.", None),
        ("jens_h", "2026-11-26", "Not in 2019. See the minutes", 0),
        ("otto", "2026-11-27", "Works for me.", None),
    ]
    _assert_apart(result, comment_words=["county", "Works for me"],
                  furniture=["parent", "next", "reply", "[–]", "add comment"])


@pytest.mark.parametrize(("top", "reply"), [
    (' data-depth="0"', ' data-depth="1"'), (' data-level="1"', ' data-level="2"'),
    (' class="comment level-1"', ' class="comment level-2"'),
])
def test_flat_list_shows_replies_by_depth(top: str, reply: str) -> None:
    def item(attrs: str, author: str, text: str) -> str:
        attrs = attrs if "class=" in attrs else f'{attrs} class="comment"'
        return (f'<div{attrs}><span class="comment-author">{author}</span>'
                f'<time datetime="2026-11-26T09:00">Nov 26</time><p>{text}</p></div>')

    html = ('<html lang="en"><head><title>Ferries</title></head><body><article><h1>Ferries</h1>'
            f'{STORY}</article><div id="comments">'
            + item(top, "Ana", "First.") + item(reply, "Ben", "Answer to Ana.")
            + item(reply, "Cy", "Also to Ana.") + item(top, "Dee", "Second thread.")
            + "</div></body></html>")
    result = _extract(html, "https://www.example.org/ferries")
    assert [(c.author, c.parent) for c in result.comments] == [
        ("Ana", None), ("Ben", 0), ("Cy", 0), ("Dee", None)]


def _se_comment(number: int, post: int, user: str, when: str, text: str) -> str:
    return (
        f'<li id="comment-{number}" class="comment js-comment " data-comment-id="{number}">'
        '<div class="js-comment-actions comment-actions"><div class="comment-score"><span '
        'title="number of &#x27;useful comment&#x27; votes received" class="cool">3</span></div>'
        '</div><div class="comment-text js-comment-text-and-form"><div class="comment-body '
        f'js-comment-edit-hide"><span class="comment-copy">{text}</span><div class="d-inline-flex '
        f'ai-center">&ndash;&nbsp;<a href="/users/{number}/{user.lower()}" title="2,345 '
        f'reputation" class="comment-user">{user}</a></div><span class="comment-date" dir="ltr">'
        f'<a class="comment-link" href="#comment{number}_{post}"><span title="{when}, License: '
        'CC BY-SA 4.0" class="relativetime-clean">Nov 20 at 9:00</span></a></span></div></div></li>'
    )


def _se_post(post: int, kind: str, user: str, when: str, text: str, comments: str) -> str:
    """A question's or an answer's cell: votes, text, menu, signature, comment list."""
    return (
        '<div class="post-layout"><div class="votecell post-layout--left"><button class="js-vote-'
        'up-btn s-btn" aria-label="Up vote">Up</button><div class="js-vote-count" itemprop='
        '"upvoteCount" data-value="12">12</div></div><div class="postcell post-layout--right">'
        f'<div class="s-prose js-post-body" itemprop="text">{text}</div><div class="mt24">'
        f'<time itemprop="dateCreated" datetime="{when}"></time><div class="js-post-menu pt2">'
        f'<a href="/a/{post}" class="js-share-link">Share</a><a href="/posts/{post}/edit">'
        f'Improve this {kind}</a><button type="button" class="s-btn js-follow-post">Follow'
        '</button></div><div class="post-signature"><div class="user-info"><div class="user-action-'
        f'time">{kind}ed <span title="{when}Z" class="relativetime">Nov 20</span></div><div '
        'class="user-details" itemprop="author" itemscope itemtype="http://schema.org/Person">'
        f'<a href="/users/{post}/x">{user}</a><span class="d-none" itemprop="name">{user}</span>'
        '<div class="-flair"><span class="reputation-score">1,234</span></div></div></div></div>'
        '</div></div><div class="post-layout--right js-post-comments-component">'
        f'<div id="comments-{post}" class="comments js-comments-container"><ul class="comments-list '
        f'js-comments-list">{comments}</ul></div><div id="comments-link-{post}"><a class="js-add-'
        'link comments-link" title="Use comments to ask for more information or suggest '
        'improvements." href="#" role="button">Add a comment</a></div></div></div>'
    )


def test_stack_exchange_answers_are_comments_and_their_comments_replies() -> None:
    """A Q&A page's question is the body; the answers (schema.org ``Answer`` is a
    ``Comment``) are its comments, and the short comments under an answer reply to it."""
    answer = ('<div id="answer-{0}" class="answer js-answer" data-answerid="{0}" itemprop='
              '"suggestedAnswer" itemscope itemtype="https://schema.org/Answer">{1}</div>')
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Who pays for winter ferries? - Travel Stack '
        'Exchange</title></head><body class="question-page"><header class="s-topbar"><a href='
        '"/" class="s-topbar--logo">Travel Stack Exchange</a></header><div id="content"><div '
        'itemprop="mainEntity" itemscope itemtype="https://schema.org/Question"><div id="question-'
        'header"><h1 itemprop="name"><a href="/questions/123/x" class="question-hyperlink">Who pays'
        ' for winter ferries?</a></h1></div><div id="mainbar" role="main"><div class="question '
        'js-question" id="question">'
        + _se_post(123, "ask", "skipper_jo", "2026-11-20 08:00:00", STORY, _se_comment(
            1001, 123, "mara", "2026-11-20 09:00:00Z", "Which ferry line do you mean?"))
        + '</div><div id="answers"><div id="answers-header"><h2 data-answercount="2">2 Answers'
        '</h2><label>Sorted by:</label><select><option selected>Highest score</option></select>'
        "</div>"
        + answer.format(456, _se_post(
            456, "answer", "Jens H", "2026-11-20 10:00:00",
            "<p>The county pays under the 2019 agreement.</p><p>See the board minutes.</p>",
            _se_comment(1002, 456, "skipper_jo", "2026-11-20 11:00:00Z", "Thanks, that settles it.")
            + _se_comment(1003, 456, "Ola", "2026-11-21 07:00:00Z", "It ends next year though.")))
        + answer.format(789, _se_post(789, "answer", "Otto", "2026-11-22 12:00:00",
                                      "<p>Ask the skippers' union.</p>", ""))
        + "</div></div></div></div></body></html>"
    )
    result = _extract(html, "https://travel.stackexchange.com/questions/123/who-pays")
    assert _rows(result) == [
        ("mara", "2026-11-20", "Which ferry line do you mean?", None),
        ("Jens H", "2026-11-20", "The county pays under the 2019 agreement.\n"
                                 "See the board minutes.", None),
        ("skipper_jo", "2026-11-20", "Thanks, that settles it.", 1),
        ("Ola", "2026-11-21", "It ends next year though.", 1),
        ("Otto", "2026-11-22", "Ask the skippers' union.", None),
    ]
    _assert_apart(result, comment_words=["ferry line", "2019 agreement", "union"],
                  furniture=["Share", "Improve this", "Follow", "Add a comment", "reputation"])


@pytest.mark.parametrize("form", [
    '<form action="/comments" method="post"><textarea name="comment"></textarea>'
    '<input type="submit" value="Post comment"></form>',
    '<textarea placeholder="Write a comment…"></textarea><button>Post</button>',
])
def test_comment_form_outside_any_div_does_not_take_the_page_with_it(form: str) -> None:
    """The nearest ``div`` around the form's textarea is the page's wrapper here."""
    html = ('<html lang="en"><head><title>Ferries</title></head><body><div class="flex '
            'min-h-screen flex-col"><main><article><h1>Ferries</h1>'
            f'{STORY}</article><section><h2>Leave a comment</h2>{form}</section></main></div>'
            "</body></html>")
    result = _extract(html, "https://www.example.org/ferries")
    assert all(f"Paragraph {n}:" in result.body for n in range(1, 5))


def _utility_comment(number: int, name: str, when: str, iso: str, text: str,
                     replies: str = "") -> str:
    """A comment of a React/Tailwind site: utility classes only, an id, a ``data-testid``."""
    thread = f'<div class="ml-8 border-l pl-4">{replies}</div>' if replies else ""
    return (
        f'<div class="flex flex-col gap-2 py-4" data-testid="comment" id="comment-{number}">'
        f'<div class="flex items-center gap-2"><img class="h-8 w-8 rounded-full" src="/a/{number}'
        f'.png" alt=""><a class="font-semibold text-sm hover:underline" href="/profile/{number}">'
        f'{name}</a><span class="text-gray-500 text-xs">·</span><time class="text-gray-500 '
        f'text-xs" datetime="{iso}" title="{when}">{when}</time></div><div class="prose prose-sm">'
        f'<p>{text}</p></div><div class="flex items-center gap-4 text-xs"><button class="flex '
        'items-center gap-1" aria-label="Like"><svg></svg><span>4</span></button><button '
        f'class="hover:underline">Reply</button><button>Share</button></div>{thread}</div>'
    )


def test_comments_with_utility_classes_only_under_a_count_heading() -> None:
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Ferry timetable changes - Harbour Notes'
        '</title></head><body><div class="flex min-h-screen flex-col"><div class="sticky top-0 '
        'border-b"><a href="/" class="text-xl font-bold">Harbour Notes</a></div><main class='
        '"mx-auto max-w-2xl px-4"><article class="py-8"><h1 class="text-3xl">Ferry timetable '
        f'changes</h1><div class="prose prose-lg mt-6">{STORY}</div></article><section class='
        '"border-t py-8"><h2 class="text-xl font-semibold">23 Comments</h2><div class="mt-4 flex '
        'flex-col gap-2"><textarea class="w-full rounded border" placeholder="Write a comment…">'
        '</textarea><button class="self-end rounded">Post</button></div><div class="mt-6 flex '
        'flex-col divide-y">'
        + _utility_comment(1, "Mara Lind", "Nov 26", "2026-11-26T09:00:00Z",
                           "Who pays for the winter crossings?",
                           _utility_comment(2, "Ana Ruiz", "Nov 26", "2026-11-26T10:00:00Z",
                                            "The county, for now."))
        + _utility_comment(3, "يوسف الحربي", "2 days ago", "2026-11-26T11:00:00Z",
                           "Great piece 🚢🌊")
        + _utility_comment(4, "Otto", "Nov 27", "2026-11-27T12:00:00Z", "Works for me.")
        + '</div><button class="mt-4 w-full rounded border">Load more comments</button>'
        "</section></main></div></body></html>"
    )
    result = _extract(html, "https://harbournotes.example.com/p/ferry-timetable-changes")
    assert _rows(result) == [
        ("Mara Lind", "2026-11-26", "Who pays for the winter crossings?", None),
        ("Ana Ruiz", "2026-11-26", "The county, for now.", 0),
        ("يوسف الحربي", "2026-11-26", "Great piece 🚢🌊", None),
        ("Otto", "2026-11-27", "Works for me.", None),
    ]
    _assert_apart(result, comment_words=["23 Comments", "winter crossings?", "Load more"],
                  furniture=["Reply", "Share", "Write a comment", "Load more", "23 Comments"])


@pytest.mark.parametrize("shape", [
    '<p class="comment-author"><strong>{name}</strong> <a class="comment-permalink" '
    'href="#comment-{n}" title="{when}">#</a></p><div class="comment-body"><p>{text}</p></div>',
    '<div class="comment-author">{name}</div><div class="comment-body"><p>{text}</p></div>'
    '<div class="links"><a href="#comment-{n}" title="{when}">¶</a> <a href="/reply">Reply</a>'
    "</div>",
])
def test_comment_date_only_in_a_symbol_permalinks_title(shape: str) -> None:
    items = "".join(f'<li class="comment" id="comment-{n}">'
                    + shape.format(n=n, name=name, when=when, text=text) + "</li>"
                    for n, name, when, text in [
                        (7, "Mara", "November 26, 2026 at 9:00 am", "Who pays?"),
                        (8, "Jens", "November 27, 2026 at 8:00 am", "The county does.")])
    html = ('<html lang="en"><head><title>Ferries</title></head><body><article><h1>Ferries</h1>'
            f'{STORY}</article><div id="comments"><h3>2 Responses</h3><ol class="commentlist">'
            f"{items}</ol></div></body></html>")
    result = _extract(html, "https://www.example.org/ferries")
    assert _rows(result) == [("Mara", "2026-11-26", "Who pays?", None),
                             ("Jens", "2026-11-27", "The county does.", None)]


def _typepad_page(comments: str) -> str:
    return ('<html lang="en"><head><title>Ferries | Harbour Blog</title></head><body><div '
            'id="container"><div id="content"><div class="entry"><h3 class="entry-header">Ferry '
            f'timetable changes</h3><div class="entry-body">{STORY}</div><p class="entry-footer">'
            '<a href="#comments">Comments (3)</a></p></div><div class="comments" id="comments">'
            f'<h3 class="comments-header">Comments</h3><div class="comments-content">{comments}'
            '</div><form id="comment-form" method="post" action="/t/comments"><h3>Post a comment'
            "</h3><p>Comments are moderated, and will not appear until the author has approved "
            'them.</p><textarea name="text"></textarea><input type="submit" value="Post"></form>'
            "</div></div></div></body></html>")


def _typepad_comment(number: int, name: str, when: str, text: str) -> str:
    return (f'<div class="comment font-entrybody" id="comment-6a00d83{number}"><a id="c6a00d83'
            f'{number}"></a><div class="comment-content font-entrybody"><p>{text}</p></div><p '
            f'class="comment-footer font-entryfooter">Posted by: {name} | <a href="?cid=6a00d83'
            f'{number}#comment-6a00d83{number}">{when}</a></p></div>')


def test_typepad_posted_by_name_and_date_in_the_comment_footer() -> None:
    comments = (_typepad_comment(1, '<a href="http://mara.example.com" rel="nofollow">Mara</a>',
                                 "November 26, 2026 at 09:00 AM", "Who pays for the crossings?")
                + _typepad_comment(2, "Jens", "November 26, 2026 at 10:15 AM", "The county does.")
                + _typepad_comment(3, "Ola", "November 27, 2026 at 08:00 AM", "Works for me."))
    result = _extract(_typepad_page(comments), "https://harbour.typepad.com/blog/ferries.html")
    assert _rows(result) == [("Mara", "2026-11-26", "Who pays for the crossings?", None),
                             ("Jens", "2026-11-26", "The county does.", None),
                             ("Ola", "2026-11-27", "Works for me.", None)]
    _assert_apart(result, comment_words=["Who pays", "Works for me"],
                  furniture=["Posted by", "moderated"])


def test_commenters_posted_by_line_is_not_the_article_byline() -> None:
    html = _typepad_page(_typepad_comment(1, "Mara", "November 26, 2026", "Who pays?")
                         + _typepad_comment(2, "Jens", "November 27, 2026", "The county."))
    html = html.replace('<h3 class="entry-header">Ferry timetable changes</h3>',
                        "<h1>Ferry timetable changes</h1>")
    assert _extract(html, "https://harbour.typepad.com/blog/ferries.html").authors == ()


def test_blog_footer_posted_by_name_on_a_date_with_a_comma() -> None:
    html = _typepad_page(_typepad_comment(1, "Mara", "November 26, 2026", "Who pays?"))
    html = html.replace('<h3 class="entry-header">Ferry timetable changes</h3>',
                        "<h1>Ferry timetable changes</h1>").replace(
        '<p class="entry-footer">', '<p class="entry-footer">Posted by Ana Ruiz on November 25, '
                                    "2026 | ")
    assert _extract(html, "https://harbour.typepad.com/blog/ferries.html").authors == ("Ana Ruiz",)


def test_drupal_7_subjects_made_of_the_first_words_and_submitted_by_lines() -> None:
    def comment(number: int, attribution: str, subject: str, text: str) -> str:
        return (f'<a id="comment-{number}"></a><div class="comment clearfix">{attribution}'
                f'<div class="comment-text"><h3><a href="/comment/{number}#comment-{number}" '
                f'class="permalink" rel="bookmark">{subject}</a></h3><div class="content"><div '
                'class="field field-name-comment-body"><div class="field-items"><div class="field-'
                f'item even" property="content:encoded"><p>{text}</p></div></div></div></div><ul '
                f'class="links inline"><li class="comment-reply first last"><a href="/comment/'
                f'reply/5/{number}">reply</a></li></ul></div></div>')

    def submitted(name: str, when: str) -> str:
        return (f'<div class="submitted"><span>Submitted by <span class="username">{name}</span>'
                f" on {when}</span></div>")

    comments = (
        '<div id="comments" class="comment-wrapper"><h2 class="title">3 comments</h2>'
        + comment(11, submitted("Mara (not verified)", "Wed, 11/26/2026 - 09:00"), "Who pays",
                  "Who pays for the winter crossings?")
        + '<div class="indented">' + comment(12, submitted("Jens", "Wed, 11/26/2026 - 10:00"),
                                             "The county…", "The county does, as in 2019.")
        + "</div>" + comment(13, submitted("Ola", "Thu, 11/27/2026 - 08:00"), "Timetable",
                             "Works for me.")
        + '<h2 class="title comment-form">Add new comment</h2><form class="comment-form" '
        'action="/comment/reply/5" method="post"><label>Comment <span class="form-required" '
        'title="This field is required.">*</span></label><textarea name="comment_body">'
        '</textarea><input type="submit" value="Save"></form></div>'
    )
    html = ('<html lang="en"><head><title>Ferries | Harbour</title></head><body><div id="page">'
            f'<div id="content"><h1 class="title">Ferries</h1><div class="node">{STORY}</div>'
            f"{comments}</div></div></body></html>")
    result = _extract(html, "https://www.example.org/node/5")
    assert _rows(result) == [
        ("Mara", "2026-11-26", "Who pays for the winter crossings?", None),
        ("Jens", "2026-11-26", "The county does, as in 2019.", 0),
        ("Ola", "2026-11-27", "Timetable\nWorks for me.", None),
    ]
    _assert_apart(result, comment_words=["Who pays", "Timetable"],
                  furniture=["Submitted by", "required", "reply"])


def test_joomla_jcomments_reply_list_after_the_comment_it_answers() -> None:
    def item(number: int, parity: str, name: str, when: str, text: str) -> str:
        return (f'<div class="{parity}" id="comment-item-{number}"><div class="rbox"><div '
                'class="rbox_m"><div class="comment-box usertype-guest"><span class="comments-'
                f'vote"><span id="comment-v-{number}"><a href="#" class="vote-good" title="Good '
                'comment!"></a><span class="vote-none">0</span></span></span><a class="comment-'
                f'anchor" href="/news/ferries#comment-{number}" id="comment-{number}">#{number}</a>'
                f'<span class="comment-author">{name}</span><span class="comment-date">{when}'
                f'</span><div class="comment-body">{text}</div><span class="comments-buttons"><a '
                'href="#" onclick="jcomments.quoteComment(1); return false;">Quote</a> | <a '
                'href="#" onclick="jcomments.showReply(1); return false;">Reply</a></span></div>'
                "</div></div></div>")

    comments = (
        '<div id="jc"><div id="comments"><h4>Comments <a class="refresh" href="#" title="Refresh '
        'comments list">&nbsp;</a></h4><div class="comments-list" id="comments-list-0">'
        + item(101, "even", "Mara", "2026-11-26 09:00", "Who pays for the winter crossings?")
        + '<div class="comments-list" id="comments-list-101">'
        + item(102, "odd", "Jens", "2026-11-26 10:00", "The county does.") + "</div>"
        + item(103, "even", "Ola", "2026-11-27 08:00", "Works for me.")
        + '</div></div><h4>Add comment</h4><form id="comments-form" action="javascript:void(null);'
        '"><input id="comments-form-name" type="text" name="name"><label>Name (required)</label>'
        '<textarea name="comment"></textarea><img class="captcha" src="/captcha.png" alt="Security'
        ' code"><input class="captcha" type="text" name="captcha_refid"></form></div>'
    )
    html = ('<html lang="en"><head><title>Ferries</title></head><body><div class="item-page">'
            f'<h2 itemprop="headline">Ferries</h2><div itemprop="articleBody">{STORY}</div></div>'
            f"{comments}</body></html>")
    result = _extract(html, "https://www.example.org/news/ferries")
    assert _rows(result) == [
        ("Mara", "2026-11-26", "Who pays for the winter crossings?", None),
        ("Jens", "2026-11-26", "The county does.", 0),
        ("Ola", "2026-11-27", "Works for me.", None),
    ]
    _assert_apart(result, comment_words=["winter crossings?", "Works for me"],
                  furniture=["Quote", "Reply", "#10", "Security code", "required"])


OPENING = ("I am looking for advice on the winter ferry timetable, since the county changed it "
           "without notice and the skippers are unhappy about who pays for the crossings.")


def _smf_post(number: int, name: str, when: str, text: str) -> str:
    return (
        f'<div class="windowbg" id="msg{number}"><div class="post_wrapper"><div class="poster">'
        f'<h4><a href="/index.php?action=profile;u={number}" title="View the profile of {name}">'
        f'{name}</a></h4><ul class="user_info"><li class="membergroup">Full Member</li><li '
        'class="postcount">Posts: 120</li></ul></div><div class="postarea"><div class="keyinfo">'
        f'<div class="subject_title"><a href="/index.php?msg={number}" rel="nofollow" '
        f'class="smalltext">{when}</a></div></div><div class="post"><div class="inner" '
        f'data-msgid="{number}" id="msg_{number}">{text}</div></div></div><div class="moderatorbar">'
        f'<div class="signature" id="msg_{number}_signature">Sail safe, {name}.</div></div></div>'
        "</div>"
    )


def _mybb_post(number: int, name: str, when: str, text: str) -> str:
    return (
        f'<div class="post classic" id="post_{number}"><div class="post_author"><div class="author_'
        f'information"><strong><span class="largetext"><a href="member.php?action=profile&amp;uid='
        f'{number}">{name}</a></span></strong><br><span class="smalltext">Member</span></div></div>'
        '<div class="post_content"><div class="post_head"><div class="float_right"><strong><a '
        f'href="showthread.php?tid=7&amp;pid={number}#pid{number}">#{number - 200}</a></strong>'
        f'</div><span class="post_date">{when}</span></div><div class="post_body" id="pid_{number}">'
        f'{text}</div></div><div class="post_controls"><div class="postbit_buttons author_buttons">'
        f'<a href="search.php?action=finduser&amp;uid={number}" class="postbit_find"><span>Find'
        '</span></a></div><div class="postbit_buttons"><a href="newreply.php?tid=7&amp;replyto='
        f'{number}" class="postbit_quote"><span>Reply</span></a></div></div><div class="signature">'
        f"Sail safe, {name}.</div></div>"
    )


@pytest.mark.parametrize(("post", "dates"), [
    (_smf_post, ("November 25, 2026, 09:00:00 AM", "November 26, 2026, 10:00:00 AM",
                 "November 27, 2026, 08:00:00 AM")),
    (_mybb_post, ("11-25-2026, 09:00 AM", "11-26-2026, 10:00 AM", "11-27-2026, 08:00 AM")),
])
def test_forum_replies_without_signatures_post_numbers_or_buttons(post, dates) -> None:
    """SMF and MyBB threads: every post ends in the poster's signature; MyBB heads each with
    its number ("#2") and ends it with "Find" and "Reply" buttons."""
    html = ('<html lang="en-US"><head><title>Winter ferries</title></head><body><div id="content">'
            '<h2 class="display_title">Winter ferries</h2><div id="posts">'
            + post(201, "skipper_jo", dates[0], OPENING)
            + post(202, "mara", dates[1], "The county, as always.")
            + post(203, "Ola", dates[2], "Works for me 👍") + "</div></div></body></html>")
    result = _extract(html, "https://forum.example.org/showthread.php?tid=7")
    assert _rows(result) == [("mara", "2026-11-26", "The county, as always.", None),
                             ("Ola", "2026-11-27", "Works for me 👍", None)]
    assert result.authors == ("skipper_jo",)
    assert "county changed it" in result.body
    for leak in ("as always", "Sail safe", "Works for me"):
        assert leak not in result.body


def test_unmarked_action_lines_with_scores_and_reply_counts_leave_the_text() -> None:
    def comment(name: str, when: str, text: str, actions: str) -> str:
        return (f'<div class="comment"><b class="author">{name}</b> <span class="date">{when}'
                f"</span><p>{text}</p><p>{actions}</p></div>")

    comments = (
        '<div id="comments"><h3>23 Comments</h3>'
        + comment("Mara", "Nov 26, 2026", "Who pays?", '<a href="#">Reply to Mara</a> · <a '
                  'href="#">Edit</a> · <a href="#">Upvote</a> 3 <a href="#">Downvote</a>')
        + comment("Jens", "Nov 26, 2026", "+1", '<a href="#">Show replies</a> · <a href="#">'
                  "View 2 more replies</a>")
        + comment("Ola", "Nov 27, 2026", "Works for me.", '<a href="#">Like (3)</a> | <a '
                  'href="#">Flag</a> | <a href="#">Reply ↓</a> | <a href="#">Share</a>')
        + comment("Pia", "Nov 27, 2026", "Me too.", '<a href="#">👍 12</a> <a href="#">👎 1</a> '
                  '<a href="#">Antworten</a>')
        + '<a class="button" href="?cpage=2">Load more comments</a></div>'
    )
    html = ('<html lang="en"><head><title>Ferries</title></head><body><article><h1>Ferries</h1>'
            f"{STORY}</article>{comments}</body></html>")
    result = _extract(html, "https://www.example.org/ferries")
    assert [(c.author, c.text) for c in result.comments] == [
        ("Mara", "Who pays?"), ("Jens", "+1"), ("Ola", "Works for me."), ("Pia", "Me too.")]
    _assert_apart(result, comment_words=["Load more", "23 Comments"], furniture=[])


def _invision_post(number: int, name: str, iso: str, text: str) -> str:
    """An Invision Community post: an author pane (twice, for phones and desktops), the date
    as a permalink, the text in a rich-text block, then the post's tools."""
    profile = f'<a href="https://forum.example.org/profile/{number}-{name.lower()}/">{name}</a>'
    posted = (f'<a href="?do=findComment&amp;comment={number}" rel="nofollow">Posted <time '
              f'datetime="{iso}" title="{iso}" data-short="2 dy">November 26</time></a>')
    return (
        f'<article id="elComment_{number}" class="cPost ipsBox ipsComment ipsComment_parent '
        'ipsClearfix ipsColumns"><div class="cAuthorPane_mobile ipsResponsive_showPhone"><h3 '
        f'class="ipsType_sectionHead cAuthorPane_author">{profile}</h3><div class="ipsType_light">'
        f'{posted}</div></div><aside class="ipsComment_author cAuthorPane ipsColumn"><h3 '
        f'class="ipsType_sectionHead cAuthorPane_author"><strong>{profile}</strong></h3><ul '
        'class="cAuthorPane_info ipsList_reset"><li data-role="group">Members</li><li class='
        '"ipsType_light">42 posts</li></ul></aside><div class="ipsColumn ipsColumn_fluid"><div '
        f'id="comment-{number}_wrap" data-commentid="{number}" class="ipsComment_content"><div '
        'class="ipsComment_meta ipsType_light"><ul class="ipsList_reset ipsComment_tools"><li><a '
        f'href="?do=reportComment&amp;comment={number}" title="Report post">Report</a></li><li><a '
        f'href="?do=findComment&amp;comment={number}" title="Share this post">Share</a></li></ul>'
        f'<div class="ipsType_reset ipsResponsive_hidePhone">{posted}</div></div><div class="cPost_'
        'contentWrap"><div data-role="commentContent" class="ipsType_normal ipsType_richText '
        f'ipsContained">{text}</div></div><ul class="ipsComment_controls" data-role="comment'
        'Controls"><li><a href="#" data-action="quoteComment">Quote</a></li></ul></div></div>'
        "</article>"
    )


def test_invision_thread_inside_a_comments_region() -> None:
    """Invision sets the whole thread, opening post included, in ``div#comments`` (and in a
    moderation form), with "comment" in every post's classes."""
    html = (
        '<!DOCTYPE html><html lang="en-US"><head><title>Winter ferries - Harbour Forum</title>'
        '</head><body class="ipsApp"><div id="ipsLayout_header"><header><a href="/" id="elLogo">'
        'Harbour Forum</a></header></div><main id="ipsLayout_body"><div class="ipsPageHeader">'
        '<h1 class="ipsType_pageTitle">Winter ferries</h1></div><div id="comments" data-'
        'controller="core.front.core.commentFeed" class="cTopic ipsClear"><div data-role='
        '"commentFeed"><form action="/topic/7/?do=multimodComment" method="post" data-role='
        '"moderationTools">'
        + _invision_post(301, "skipper_jo", "2026-11-25T09:00:00Z", f"<p>{OPENING}</p>")
        + _invision_post(302, "mara", "2026-11-26T10:00:00Z", "<p>The county, as always.</p>")
        + _invision_post(303, "Ola", "2026-11-27T08:00:00Z", "<p>Works for me</p>")
        + '</form></div><div class="ipsComposeArea"><h2>Create an account or sign in to '
        "comment</h2><p>You need to be a member in order to leave a comment</p></div></div>"
        "</main></body></html>"
    )
    result = _extract(html, "https://forum.example.org/topic/7-winter-ferries/")
    assert _rows(result) == [("mara", "2026-11-26", "The county, as always.", None),
                             ("Ola", "2026-11-27", "Works for me", None)]
    assert result.authors == ("skipper_jo",)
    assert result.body == OPENING


def test_microdata_commenter_is_not_the_article_author() -> None:
    def comment(name: str, iso: str, text: str) -> str:
        return (f'<div class="media" itemprop="comment" itemscope itemtype="https://schema.org/'
                f'Comment"><span itemprop="author" itemscope itemtype="https://schema.org/Person">'
                f'<b itemprop="name">{name}</b></span> <time itemprop="dateCreated" datetime="{iso}">'
                f'{iso[:10]}</time><div itemprop="text"><p>{text}</p></div></div>')

    html = ('<html lang="en"><head><title>Ferries</title></head><body><article><h1>Ferries</h1>'
            f'{STORY}</article><div class="media-list">'
            + comment("Mara", "2026-11-26T09:00", "Who pays?")
            + comment("Jens", "2026-11-27T09:00", "The county.") + "</div></body></html>")
    result = _extract(html, "https://www.example.org/ferries")
    assert [c.author for c in result.comments] == ["Mara", "Jens"]
    assert result.authors == ()


@pytest.mark.parametrize("line", [
    "<p><strong>{name}</strong> <span>{when}</span></p>",
    '<header><img src="a.png" alt=""><b>{name}</b><br><small>{when}</small></header>',
])
def test_bold_name_beside_a_timestamp_is_the_author_line(line: str) -> None:
    items = [("Mara", "26 November 2026", "<p>Who pays?</p>"),
             ("Jens", "2 days ago", "<p>The county.</p>"),
             ("Ola", "27 November 2026", "<p><b>Great</b> piece, thanks.</p>")]
    comments = "".join(f'<div class="comment">{line.format(name=name, when=when)}{text}</div>'
                       for name, when, text in items)
    html = ('<html lang="en"><head><title>Ferries</title></head><body><article><h1>Ferries</h1>'
            f'{STORY}</article><div id="comments"><h3>3 Comments</h3>{comments}</div></body></html>')
    result = _extract(html, "https://www.example.org/ferries")
    assert _rows(result) == [("Mara", "2026-11-26", "Who pays?", None),
                             ("Jens", "2026-11-26", "The county.", None),
                             ("Ola", "2026-11-27", "Great piece, thanks.", None)]


def test_bold_first_word_without_a_timestamp_is_no_author() -> None:
    comments = "".join(f'<div class="comment"><p><b>{word}</b> {rest}</p></div>'
                       for word, rest in [("Great", "piece, thanks."), ("Agreed", "on all points.")])
    html = ('<html lang="en"><head><title>Ferries</title></head><body><article><h1>Ferries</h1>'
            f'{STORY}</article><div id="comments">{comments}</div></body></html>')
    assert [(c.author, c.text) for c in _extract(html, "https://www.example.org/f").comments] == [
        (None, "Great piece, thanks."), (None, "Agreed on all points.")]
