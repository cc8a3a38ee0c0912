"""A small news site for the interface tests: an article with paragraphs, a comment thread (a
reply indented under its parent) and a link to a second article, whose text a test changes
between captures."""

from __future__ import annotations

from tests.support.pages import PageServer

FILLER = ("The harbour council met on Tuesday evening to discuss the lighthouse, the ferry timetable "
          "and the state of the old sea wall, and members spoke at length about each of them. ")


def _comment(number: int, author: str, day: str, text: str, replies: str = "") -> str:
    return (
        f'<li id="comment-{number}" class="comment"><article class="comment-body">'
        f'<footer class="comment-meta"><div class="comment-author vcard"><cite class="fn">{author}</cite></div>'
        f'<div class="comment-metadata"><time datetime="{day}T10:00:00+00:00">{day}</time></div></footer>'
        f'<div class="comment-content"><p>{text}</p></div></article>'
        + (f'<ol class="children">{replies}</ol>' if replies else "") + "</li>"
    )


def article(*, title: str = "Harbour Light to Stay On", news: str = "The light stays on through the winter.",
            late_comment: bool = False) -> str:
    """The article; ``news`` is its third paragraph, ``late_comment`` adds a comment."""
    paragraphs = [f"{FILLER}Paragraph one ends here.", f"{FILLER}Paragraph two ends here.", news,
                  f"{FILLER}Paragraph four ends here."]
    comments = _comment(1, "Alice Martin", "2026-03-03", "Good news for the fishing fleet.",
                        _comment(2, "Bob Stone", "2026-03-04", "Alice, the fleet was never asked."))
    comments += _comment(3, "Carol", "2026-03-05", "Who pays for the electricity?")
    if late_comment:
        comments += _comment(4, "Dan", "2026-03-06", "It goes dark in March, then.")
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>{title} | Harbour Times</title></head><body>'
        '<div id="header"><a href="/">Harbour Times</a></div>'
        f'<div id="content"><div class="article"><h1>{title}</h1><div class="article-body">'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + '<p>Read next: <a id="next-story" href="/tides">the tide tables for March</a>.</p></div></div>'
        f'<div id="comments"><ol class="comment-list">{comments}</ol></div></div>'
        '<div id="footer">Copyright 2026 Harbour Times.</div></body></html>'
    )


def tides() -> str:
    return article(title="Tide Tables for March", news="High water at six, low water at noon.")


def serve(pages: PageServer) -> tuple[str, str]:
    """Serve the article and the page it links to; their URLs."""
    return pages.set("/lighthouse", article()), pages.set("/tides", tides())
