"""Comments as platforms we have no benchmark page for render them server-side: each page has
an article (or opening post) of a few paragraphs and a handful of comments with one reply, and
the body and the comments must not leak into each other."""

from __future__ import annotations

import datetime as dt

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
