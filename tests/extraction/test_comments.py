"""Comments one by one, from schema.org data, CMS markup and plain "X wrote:" blocks."""

from __future__ import annotations

import datetime as dt
import json

from archivist.extraction import Comment, SourcePage, extract

from .conftest import article, page

WORDPRESS = """
<div id="comments" class="comments-area">
  <h2 class="comments-title">3 thoughts on &ldquo;Budget Vote Delayed&rdquo;</h2>
  <ol class="comment-list">
    <li id="comment-11" class="comment even thread-even depth-1 parent">
      <article id="div-comment-11" class="comment-body">
        <footer class="comment-meta">
          <div class="comment-author vcard"><img class="avatar" src="a.png" alt="">
            <cite class="fn">Alice Martin</cite> <span class="says">says:</span></div>
          <div class="comment-metadata"><a href="#comment-11">
            <time datetime="2024-05-03T10:15:00+00:00">May 3, 2024 at 10:15 am</time></a></div>
        </footer>
        <div class="comment-content"><p>First line of Alice.<br>Second line of Alice.</p></div>
        <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
      </article>
      <ul class="children">
        <li id="comment-12" class="comment odd alt depth-2">
          <article id="div-comment-12" class="comment-body">
            <footer class="comment-meta">
              <div class="comment-author vcard"><b class="fn"><a href="https://bob.example">Bob
                Stone</a></b> <span class="says">says:</span></div>
              <div class="comment-metadata"><time datetime="2024-05-04T08:00:00+00:00">May 4,
                2024</time></div>
            </footer>
            <div class="comment-content"><p>Bob replies to Alice.</p></div>
            <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
          </article>
        </li>
      </ul>
    </li>
    <li id="comment-13" class="comment even thread-odd depth-1">
      <article id="div-comment-13" class="comment-body">
        <footer class="comment-meta">
          <div class="comment-author vcard"><cite class="fn">Carol</cite>
            <span class="says">says:</span></div>
          <div class="comment-metadata"><time datetime="2024-05-05T09:00:00+00:00">May 5</time>
          </div>
        </footer>
        <div class="comment-content"><p>Carol starts a new thread.</p></div>
      </article>
    </li>
  </ol>
  <div id="respond" class="comment-respond">
    <h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
    <form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
      <p class="comment-notes">Your email address will not be published.</p>
      <p class="comment-form-comment"><textarea id="comment" name="comment"></textarea></p>
      <p class="form-submit"><input type="submit" value="Post Comment"></p>
    </form>
  </div>
</div>
"""


def test_wordpress_nested_replies() -> None:
    result = page(article(after=WORDPRESS))
    assert result.comments == (
        Comment("Alice Martin", "2024-05-03", "First line of Alice.\nSecond line of Alice.", None),
        Comment("Bob Stone", "2024-05-04", "Bob replies to Alice.", 0),
        Comment("Carol", "2024-05-05", "Carol starts a new thread.", None),
    )
    assert "Alice" not in result.body
    assert "Leave a Reply" not in result.body
    assert "Paragraph 4 ends here." in result.body


def test_json_ld_comments() -> None:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": "Budget Vote Delayed", "datePublished": "2024-05-02",
        "comment": [
            {"@type": "Comment", "author": {"@type": "Person", "name": "Dana Reed"},
             "dateCreated": "2024-05-02T12:00:00Z", "text": "Great reporting.",
             "comment": [{"@type": "Comment", "author": {"@type": "Person", "name": "Eli"},
                          "dateCreated": "2024-05-03", "text": "Agreed with Dana."}]},
            {"@type": "Comment", "author": "Fay", "text": "When is the next vote?"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    result = page(article(head=head))
    assert result.comments == (
        Comment("Dana Reed", "2024-05-02", "Great reporting.", None),
        Comment("Eli", "2024-05-03", "Agreed with Dana.", 0),
        Comment("Fay", None, "When is the next vote?", None),
    )


MICRODATA = """
<section class="reader-feedback">
  <div itemprop="comment" itemscope itemtype="https://schema.org/Comment">
    <span itemprop="author" itemscope itemtype="https://schema.org/Person">
      <span itemprop="name">Gina Holt</span></span>
    <meta itemprop="dateCreated" content="2024-05-06">
    <div itemprop="text">Microdata comment one.<br>With a second line.</div>
    <div itemprop="comment" itemscope itemtype="https://schema.org/Comment">
      <span itemprop="author">Hugo</span>
      <time itemprop="dateCreated" datetime="2024-05-07">7 May</time>
      <p itemprop="text">A nested answer.</p>
    </div>
  </div>
</section>
"""


def test_microdata_comments() -> None:
    result = page(article(after=MICRODATA))
    assert result.comments == (
        Comment("Gina Holt", "2024-05-06", "Microdata comment one.\nWith a second line.", None),
        Comment("Hugo", "2024-05-07", "A nested answer.", 0),
    )
    assert "Microdata comment" not in result.body


SAYS = """
<div id="comments">
  <h3>Reader comments</h3>
  <div class="entry">
    <p class="who">Ivan Petrov says:</p>
    <p>Roads first, then the library.</p>
  </div>
  <div class="entry">
    <p class="who">june_bug wrote:</p>
    <p>I disagree.<br>Schools matter more.</p>
  </div>
  <p>You have 500 characters left. Word Verification: type the letters.</p>
  <form><textarea name="c"></textarea><input type="submit" value="Send"></form>
</div>
"""


def test_says_and_wrote_blocks() -> None:
    result = page(article(after=SAYS))
    assert [(c.author, c.text) for c in result.comments] == [
        ("Ivan Petrov", "Roads first, then the library."),
        ("june_bug", "I disagree.\nSchools matter more."),
    ]
    assert "characters left" not in result.body
    assert "Word Verification" not in result.body


def test_no_comments() -> None:
    assert page(article()).comments == ()


def test_recent_comments_widget_is_not_comments() -> None:
    widget = ('<div id="sidebar"><div class="widget widget_recent_comments">'
              '<h3>Recent Comments</h3><ul id="recentcomments">'
              '<li class="recentcomments">Zed on <a href="/a">Another story</a></li>'
              '<li class="recentcomments">Yan on <a href="/b">Third story</a></li></ul></div></div>')
    assert page(article(after=widget)).comments == ()


FLAT = """
<h3>2 Responses</h3>
<p><b>Maya Chen</b> said on July 8, 2010:</p>
<p>The library roof has leaked for years.</p>
<p>Glad it is finally funded.</p>
<p><b>Olaf</b> wrote:</p>
<p>What about the buses?</p>
<form><p>Please read our policy before you post.</p><textarea></textarea></form>
"""


def test_flat_wrote_lines_after_a_comments_heading() -> None:
    result = page(article(after=FLAT))
    assert result.comments == (
        Comment("Maya Chen", "2010-07-08",
                "The library roof has leaked for years.\nGlad it is finally funded.", None),
        Comment("Olaf", None, "What about the buses?", None),
    )
    assert "buses" not in result.body
    assert "policy" not in result.body


def test_section_heading_named_comments_is_not_a_comment_section() -> None:
    section = ("<h2>Comments from the public</h2><p>Residents asked the council to publish "
               "the full budget online before the next meeting, and several spoke.</p>")
    result = page(article(section))
    assert result.comments == ()
    assert "Residents asked the council" in result.body


def test_comments_merged_across_pages_without_repeats() -> None:
    from archivist.extraction import SourcePage, extract

    def one(n: int) -> SourcePage:
        html = article(after=WORDPRESS)
        return SourcePage(f"https://news.example.com/story?page={n}", html.encode(), None)

    result = extract([one(1), one(2)])
    assert [c.author for c in result.comments] == ["Alice Martin", "Bob Stone", "Carol"]
    assert [c.parent for c in result.comments] == [None, 0, None]


BLOGGER = """
<div id="comments"><h4>2 comments:</h4>
<dl id="comments-block">
  <dt class="comment-author" id="c1"><a href="/profile/1">Nora Quinn</a> said...</dt>
  <dd class="comment-body"><p>Loved this post.<br>Thanks!</p></dd>
  <dd class="comment-footer"><span class="comment-timestamp">
    <a href="#c1">July 8, 2010 3:45 PM</a></span></dd>
  <dt class="comment-author" id="c2">Anonymous said...</dt>
  <dd class="comment-body"><p>Nice pictures.</p></dd>
  <dd class="comment-footer"><span class="comment-timestamp">
    <a href="#c2">July 9, 2010 1:05 AM</a></span></dd>
</dl>
<p class="comment-footer"><a href="/comment?postID=1">Post a Comment</a></p>
</div>
"""


def test_blogger_definition_list() -> None:
    assert page(article(after=BLOGGER)).comments == (
        Comment("Nora Quinn", "2010-07-08", "Loved this post.\nThanks!", None),
        Comment("Anonymous", "2010-07-09", "Nice pictures.", None),
    )


def test_inline_wrote_with_date_and_counter_inside_the_list() -> None:
    section = ('<div id="comments"><div class="comment"><b>plan B</b> Wrote:<br>Line one.<br>'
               'Line two.<br></div><div class="comment"><b>Zaw</b> wrote on July 9, 2010:<br>'
               'Reply text here.</div><div class="comment">You have 1000 characters left.'
               '</div></div>')
    assert page(article(after=section)).comments == (
        Comment("plan B", None, "Line one.\nLine two.", None),
        Comment("Zaw", "2010-07-09", "Reply text here.", None),
    )


def test_author_line_with_date_before_said() -> None:
    section = ('<ul class="comment-list"><li class="comment" id="comment-7">'
               '<div class="comment-body"><div class="comment-author"><strong>Jamie Cass</strong>'
               ' on <a href="#comment-7">November 15, 2018 at 10:12 am</a> said:</div>'
               '<p>I am so pumped about this!</p><div class="reply"></div></div></li></ul>')
    assert page(article(after=section)).comments == (
        Comment("Jamie Cass", "2018-11-15", "I am so pumped about this!", None),)


def test_repeated_form_notes_are_not_comments() -> None:
    section = ('<div id="comments"><div class="note"><p>By submitting this form you agree to '
               'our use of your data.</p></div><div class="note"><p>You may revoke this consent '
               'at any time.</p></div><div class="note"><p>My Profile</p></div></div>')
    assert page(article(after=section)).comments == ()


OLD_WORDPRESS = """
<h3 id="comments">2 Responses to &#8220;Budget&#8221;</h3>
<ol class="commentlist">
<li class="comment even thread-even depth-1" id="li-comment-5"><div id="comment-5">
  <div class="comment-author vcard"><img src="a.png" class="avatar"><cite class="fn">
    <a href="http://x.example" rel="external nofollow" class="url">Old Timer</a></cite>
    <span class="says">says:</span></div>
  <div class="comment-meta commentmetadata"><a href="#comment-5">July 8, 2010 at 3:45 pm</a></div>
  <p>First para.</p><p>Second para.</p>
  <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></div>
  <ul class="children"><li class="comment odd alt depth-2" id="li-comment-6"><div id="comment-6">
    <div class="comment-author vcard"><cite class="fn">Young One</cite>
      <span class="says">says:</span></div>
    <div class="comment-meta commentmetadata"><a href="#comment-6">July 9, 2010 at 1:00 am</a>
    </div><p>Child reply.</p></div></li></ul>
</li></ol>
<div id="respond"><h3>Leave a Reply</h3><form id="commentform"><textarea></textarea></form></div>
"""


def test_old_wordpress_commentlist() -> None:
    result = page(article(after=OLD_WORDPRESS))
    assert result.comments == (
        Comment("Old Timer", "2010-07-08", "First para.\nSecond para.", None),
        Comment("Young One", "2010-07-09", "Child reply.", 0),
    )
    assert "Leave a Reply" not in result.body


DRUPAL = """
<section class="comments"><h2>Comments</h2>
<article class="comment js-comment" id="comment-31">
  <footer class="comment__meta"><span class="comment__author">By <a href="/u/1">Pia</a></span>
    <p class="comment__time">Tue, 07/07/2020 - 10:00</p></footer>
  <div class="comment__content"><div class="field--name-comment-body"><p>Parent here.</p></div>
  </div></article>
<div class="indented">
  <article class="comment js-comment" id="comment-32">
    <footer class="comment__meta"><span class="comment__author">By Quentin</span>
      <p class="comment__time">Wed, 07/08/2020 - 11:00</p></footer>
    <div class="comment__content"><p>Child here.</p></div></article>
</div>
<article class="comment js-comment" id="comment-33">
  <footer class="comment__meta"><span class="comment__author">By Rosa</span></footer>
  <div class="comment__content"><p>Second thread.</p></div></article>
</section>
"""


def test_drupal_indented_replies() -> None:
    assert page(article(after=DRUPAL)).comments == (
        Comment("Pia", "2020-07-07", "Parent here.", None),
        Comment("Quentin", "2020-07-08", "Child here.", 0),
        Comment("Rosa", None, "Second thread.", None),
    )


def test_comment_lines_that_look_like_page_furniture_are_kept() -> None:
    section = ('<div id="comments"><div class="comment"><span class="author">Ute</span>'
               '<div class="comment-body">Copyright is not the point here.<br>Next time, '
               'read it first.<br>Word Verification: type the code</div></div></div>')
    assert page(article(after=section)).comments == (
        Comment("Ute", None, "Copyright is not the point here.\nNext time, read it first.",
                None),)


def test_comment_dates_are_read_in_the_page_language() -> None:
    comments = """
    <div id="commentaires"><h3>Commentaires</h3>
      <div class="com"><p><strong>Jean a écrit :</strong></p><p>Enfin, le pont est ouvert.</p>
        <p class="date">le 28 novembre 2024</p></div>
      <div class="com"><p><strong>Luc a écrit :</strong></p><p>Et le trottoir nord ?</p>
        <p class="date">le 29 novembre 2024</p></div>
    </div>"""
    result = page(article(after=comments, lang=' lang="fr"'))
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Jean", "2024-11-28", "Enfin, le pont est ouvert."),
        ("Luc", "2024-11-29", "Et le trottoir nord ?")]
    german = """
    <div id="kommentare">
      <div class="eintrag"><div class="kopf">Hans schrieb am 28. März 2024:</div>
        <div class="text">Endlich wieder offen.</div></div>
      <div class="eintrag"><div class="kopf">Petra schrieb am 2. Mai 2024:</div>
        <div class="text">Und der Fußweg?</div></div>
    </div>"""
    result = page(article(after=german, lang=' lang="de"'))
    assert [(c.author, c.published) for c in result.comments] == [
        ("Hans", "2024-03-28"), ("Petra", "2024-05-02")]


def test_posted_by_name_on_date_lines() -> None:
    comments = """
    <div id="comments"><h3>2 Comments</h3>
      <div class="comment-block"><p>I loved the ceremony, the kids were so happy.</p>
        <p class="posted">Posted by Sarah Lee on December 1, 2024 at 10:12 AM</p></div>
      <div class="comment-block"><p class="posted">Posted by Dave R</p>
        <p>Was about time.</p></div>
    </div>"""
    result = page(article(after=comments))
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Sarah Lee", "2024-12-01", "I loved the ceremony, the kids were so happy."),
        ("Dave R", None, "Was about time.")]
    german = """
    <div id="kommentare">
      <div class="eintrag"><div class="info">Geschrieben von Hans am 28. März 2024</div>
        <div class="inhalt">Endlich wieder offen.</div></div>
      <div class="eintrag"><div class="info">Geschrieben von Petra am 2. Mai 2024</div>
        <div class="inhalt">Und der Fußweg?</div></div>
    </div>"""
    result = page(article(after=german, lang=' lang="de"'))
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Hans", "2024-03-28", "Endlich wieder offen."), ("Petra", "2024-05-02", "Und der Fußweg?")]


_NAMES = ("plan B", "Zaw Htet", "Mya", "Tin Tin")


def _forum(*bodies: str, lang: str = ' lang="en"') -> tuple[tuple[str | None, str | None, str],
                                                              ...]:
    """(author, published, text) of forum comments: a "NAME Wrote:" line, then the body."""
    blocks = "".join(f'<div class="comment"><div class="comment-author"><b>{name}</b> Wrote:'
                     f'</div><div class="comment-body">{body}</div></div>'
                     for name, body in zip(_NAMES, bodies, strict=False))
    result = page(article(after=f'<div class="comment-list">{blocks}</div>', lang=lang))
    return tuple((c.author, c.published, c.text) for c in result.comments)


def test_timestamp_line_inside_a_comment_is_its_date() -> None:
    assert _forum("Finally!<br>27.11.2025 16:04",
                  "27 Nov 2025, 16:04<br>Took them long enough.<br>Two years late.",
                  "<p>About time.</p><p>Nov 28, 2025 at 4:04 pm</p>",
                  "Posted on Nov 29, 2025 | 9:30 am EST<br>Me too.<br>Reply") == (
        ("plan B", "2025-11-27", "Finally!"),
        ("Zaw Htet", "2025-11-27", "Took them long enough.\nTwo years late."),
        ("Mya", "2025-11-28", "About time."),
        ("Tin Tin", "2025-11-29", "Me too."),
    )
    assert _forum("Endlich!<br>27. November 2025 um 16:04 Uhr", "Ja.<br>28.11.2025",
                  lang=' lang="de"') == (("plan B", "2025-11-27", "Endlich!"),
                                         ("Zaw Htet", "2025-11-28", "Ja."))


def test_a_sentence_that_mentions_a_date_stays_comment_text() -> None:
    assert _forum("Finally!<br>The vote is on 27 Nov 2025.",
                  "Since March 3 2024 nothing.<br>Sad.", "27.11.2025 16:04") == (
        ("plan B", None, "Finally!\nThe vote is on 27 Nov 2025."),
        ("Zaw Htet", None, "Since March 3 2024 nothing.\nSad."),
        ("Mya", None, "27.11.2025 16:04"),
    )
    # In flat "NAME wrote:" runs too, only a line that is a timestamp is one.
    thread = ('<div class="thread"><p>Anna wrote:</p><p>See you on 27 Nov 2025.</p>'
              '<p>Bring snacks.</p><p>Ben wrote:</p><p>Nov 28, 2025 at 9:30 am</p>'
              '<p>Me too.</p></div>')
    assert [(c.author, c.published, c.text) for c in page(article(after=thread)).comments] == [
        ("Anna", None, "See you on 27 Nov 2025.\nBring snacks."),
        ("Ben", "2025-11-28", "Me too.")]


def _disqus_post(name: str, when: str, text: str, replies: str = "") -> str:
    """One post of Disqus's static markup (as archived once its thread rendered)."""
    children = f'<ul class="children">{replies}</ul>' if replies else ""
    return (f'<li class="post"><div class="post-content"><div class="avatar"><img src="a.png"'
            f' alt="Avatar"></div><div class="post-body"><header><span class="post-byline">'
            f'<span class="author"><a href="#">{name}</a></span></span> <span class="post-meta">'
            f'<span class="bullet time-ago-bullet">•</span> <a class="time-ago" href="#" '
            f'title="{when}"><time datetime="{when}">3 days ago</time></a></span></header>'
            f'<div class="post-body-inner"><div class="post-message"><p>{text}</p></div></div>'
            f'<footer><ul><li class="voting"><a href="#">Like</a></li><li class="reply">'
            f'<a href="#">Reply</a></li></ul></footer></div></div>{children}</li>')


def test_disqus_nested_replies_are_comments_of_their_own() -> None:
    thread = _disqus_post("Alice", "2024-05-03T10:00", "Alice starts.",
                          _disqus_post("Bob", "2024-05-04T10:00", "Bob answers Alice.",
                                       _disqus_post("Carol", "2024-05-05T10:00", "Carol answers.")))
    second = _disqus_post("Dan", "2024-05-06T10:00", "Dan starts again.")
    section = f'<div id="disqus_thread"><ul class="post-list">{thread}{second}</ul></div>'
    result = page(article(after=section))
    assert result.comments == (
        Comment("Alice", "2024-05-03", "Alice starts.", None),
        Comment("Bob", "2024-05-04", "Bob answers Alice.", 0),
        Comment("Carol", "2024-05-05", "Carol answers.", 1),
        Comment("Dan", "2024-05-06", "Dan starts again.", None),
    )
    assert "answers" not in result.body
    # One thread whose replies outnumber the top-level posts keeps its first post.
    thread = _disqus_post("Alice", "2024-05-03T10:00", "Alice starts.",
                          _disqus_post("Bob", "2024-05-04T10:00", "Bob answers Alice.")
                          + _disqus_post("Eve", "2024-05-04T11:00", "Eve answers Alice."))
    section = f'<div id="disqus_thread"><ul class="post-list">{thread}</ul></div>'
    assert [(c.author, c.parent) for c in page(article(after=section)).comments] == [
        ("Alice", None), ("Bob", 0), ("Eve", 0)]


def test_replies_nested_in_unmarked_comment_blocks() -> None:
    def media(name: str, text: str, replies: str = "") -> str:
        return (f'<div class="media"><img class="media-object" src="a.png"><div class="media-body">'
                f'<h4 class="media-heading"><span class="author">{name}</span></h4><p>{text}</p>'
                f'{replies}</div></div>')

    section = ('<div class="comments">' + media("Alice", "Alice starts.", media("Bob", "Bob answers."))
               + media("Dan", "Dan starts again.") + "</div>")
    assert [(c.author, c.text, c.parent) for c in page(article(after=section)).comments] == [
        ("Alice", "Alice starts.", None), ("Bob", "Bob answers.", 0),
        ("Dan", "Dan starts again.", None)]
    # A block of the same class nested for layout, naming no author, is part of its comment.
    rows = "".join(f'<div class="row"><div class="col"><span class="author">{name}</span></div>'
                   f'<div class="row"><p>{text}</p></div></div>'
                   for name, text in (("Anna", "First text."), ("Ben", "Second text.")))
    assert [(c.author, c.text, c.parent) for c in
            page(article(after=f'<div id="comments">{rows}</div>')).comments] == [
        ("Anna", "First text.", None), ("Ben", "Second text.", None)]


def test_commenter_initial_keeps_its_period() -> None:
    section = ('<div id="comments"><div class="comment-block"><p>I loved it.</p>'
               '<p class="posted">Posted by Anna K.</p></div><div class="comment-block">'
               '<p class="posted">Posted by Jane Doe.</p><p>Yes.</p></div></div>')
    assert [c.author for c in page(article(after=section)).comments] == ["Anna K.", "Jane Doe"]
    assert [c.author for c in page(article(after=WORDPRESS.replace(
        "Alice Martin", "Alice M."))).comments] == ["Alice M.", "Bob Stone", "Carol"]


def test_comments_heading_over_one_list_of_wrote_lines() -> None:
    section = ('<h3>2 Comments</h3><dl><dt>Anna wrote:</dt><dd>Finally!<br>27.11.2025 16:04</dd>'
               '<dt>Ben wrote:</dt><dd>Posted on Nov 28, 2025 at 9:30 am<br>Me too.</dd></dl>')
    result = page(article(after=section))
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Anna", "2025-11-27", "Finally!"), ("Ben", "2025-11-28", "Me too.")]
    assert "Me too." not in result.body


def test_commenter_user_names_with_digits_are_authors() -> None:
    drupal = """
    <section class="comments"><h2>Kommentare</h2>
      <article id="comment-201" class="comment js-comment by-anonymous">
        <footer class="comment__meta"><p class="comment__author"><span>Radler99</span>
          (nicht überprüft)</p><p class="comment__time">05.10.2023 - 17:53</p></footer>
        <div class="comment__content"><div class="field field--name-comment-body">
          <p>Endlich passiert etwas.</p></div></div>
      </article>
      <article id="comment-202" class="comment js-comment">
        <footer class="comment__meta"><p class="comment__author"><a class="username"
          href="/user/12">jo_1984</a></p><p class="comment__time">06.10.2023 - 08:10</p></footer>
        <div class="comment__content"><div class="field field--name-comment-body">
          <p>Und die Parkplätze?</p></div></div>
      </article>
    </section>"""
    result = page(article(after=drupal, lang=' lang="de"'))
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Radler99", "2023-10-05", "Endlich passiert etwas."),
        ("jo_1984", "2023-10-06", "Und die Parkplätze?"),
    ]


def _forum_post(number: int, author: str, date: str, content: str) -> str:
    return (
        f'<div id="p{number}" class="post has-profile bg{number % 2}"><div class="inner">'
        f'<dl class="postprofile"><dt><a href="/memberlist.php?u={number}" class="username">'
        f'{author}</a></dt><dd class="profile-rank">Registered User</dd>'
        f"<dd><strong>Posts:</strong> 15</dd></dl>"
        f'<div class="postbody"><h3><a href="#p{number}">Re: Best budget soldering iron?</a></h3>'
        f'<p class="author">by <strong><a href="/memberlist.php?u={number}" class="username">'
        f'{author}</a></strong> &raquo; <time datetime="{date}T19:22:10+00:00">{date}</time></p>'
        f'<div class="content">{content}</div><div class="signature">-- {author}</div>'
        f"</div></div></div>"
    )


def test_forum_thread_opening_post_is_the_body_and_replies_are_comments() -> None:
    opening = ("I am looking for a soldering iron under fifty pounds for small kits, since the "
               "cheap fixed-temperature irons I tried kept lifting pads off the boards.<br><br>"
               "Temperature control would be nice. Any recommendations for a small bench?")
    quote = ('<blockquote><div><cite><a href="/memberlist.php?u=1">sparky42</a> wrote:</cite>'
             "Temperature control would be nice.</div></blockquote>")
    html = (
        '<html lang="en-gb"><head><title>Best budget soldering iron? - Maker Forum</title>'
        '</head><body><div class="headerbar"><h1>Maker Forum</h1></div>'
        '<div id="page-body"><h2 class="topic-title">Best budget soldering iron?</h2>'
        + _forum_post(1, "sparky42", "2024-02-01", opening)
        + _forum_post(2, "OldHand", "2024-02-01", quote + "A Pinecil has temperature control.")
        + _forum_post(3, "Lena", "2024-02-02", "+1 for the Pinecil.")
        + "</div></body></html>"
    )
    result = page(html, url="https://forum.example.net/viewtopic.php?t=912")
    assert [(c.author, c.published, c.text, c.parent) for c in result.comments] == [
        ("OldHand", "2024-02-01", "A Pinecil has temperature control.", None),
        ("Lena", "2024-02-02", "+1 for the Pinecil.", None),
    ]
    assert result.authors == ("sparky42",)
    assert "lifting pads" in result.body and "Any recommendations" in result.body
    for leak in ("Pinecil", "Registered User", "Posts:", "-- sparky42"):
        assert leak not in result.body


def test_forum_post_set_in_a_blockquote_keeps_its_text_but_not_its_quote() -> None:
    """vBulletin sets each post in ``blockquote.postcontent`` and a quote inside it."""

    def post(number: int, author: str, content: str) -> str:
        return (f'<li class="postbit postcontainer" id="post_{number}"><div class="posthead">'
                f'<span class="date">03-1{number}-2019, 09:41 PM</span></div>'
                f'<div class="userinfo"><a class="username" href="/u{number}"><strong>{author}'
                f'</strong></a></div><div class="content"><blockquote class="postcontent">'
                f"{content}</blockquote></div></li>")

    quote = ('<div class="bbcode_quote"><div class="bbcode_postedby">Originally Posted by '
             "<strong>gearhead_77</strong></div><div class=\"message\">Could the flywheel need "
             "resurfacing?</div></div>")
    html = article(after='<ol id="posts">' + post(4, "gearhead_77", "I rebuilt the clutch.")
                   + post(5, "Wrenchy", quote + "Yes, almost certainly.")
                   + post(6, "MG_Molly", "Check for grease on the disc.") + "</ol>")
    assert [(c.author, c.published, c.text) for c in page(html).comments] == [
        ("Wrenchy", "2019-03-15", "Yes, almost certainly."),
        ("MG_Molly", "2019-03-16", "Check for grease on the disc."),
    ]


def test_microdata_comment_without_the_post_it_quotes() -> None:
    """Discourse quotes a post as ``aside.quote`` with a "name:" title and a blockquote."""

    def post(number: int, author: str, content: str) -> str:
        return (f'<div id="post_{number}" itemprop="comment" itemscope '
                f'itemtype="http://schema.org/Comment" class="topic-body crawler-post">'
                f'<span class="creator" itemprop="author" itemscope '
                f'itemtype="http://schema.org/Person"><span itemprop="name">{author}</span></span>'
                f'<time itemprop="datePublished" datetime="2023-05-0{number}T10:12:00Z">May</time>'
                f'<div class="post" itemprop="text">{content}</div></div>')

    quote = ('<aside class="quote no-group" data-username="kai"><div class="title">kai:</div>'
             "<blockquote><p>Paragraph 1 ends here.</p></blockquote></aside>")
    html = article(after=post(2, "ruth", quote + "<p>Reopen the file on SIGHUP.</p>")
                   + post(3, "kai", "<p>Thanks, SIGHUP it is.</p>"))
    result = page(html)
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("ruth", "2023-05-02", "Reopen the file on SIGHUP."),
        ("kai", "2023-05-03", "Thanks, SIGHUP it is."),
    ]
    assert "Paragraph 1 ends here." in result.body


def test_listing_of_post_teasers_is_no_forum_thread() -> None:
    teasers = "".join(
        f'<article id="post-{n}" class="post type-post"><h2 class="entry-title">'
        f'<a href="/2024/05/post-{n}/">Post {n}</a></h2><span class="byline">By '
        f'<span class="author vcard"><a class="url fn n" href="/author/ann/">Ann Lee</a></span>'
        f"</span><p>The teaser of post {n}, a sentence or two long.</p></article>"
        for n in range(1, 5))
    assert page(article(after=teasers)).comments == ()


def test_json_ld_comment_text_given_as_html_is_plain_text() -> None:
    data = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": "Budget",
            "comment": [{"@type": "Comment", "author": {"@type": "Person", "name": "Zoë"},
                         "dateCreated": "2020-09-12",
                         "text": "<p>Not my cup of tea &amp; too long.</p><p>Sorry!<br>Z.</p>"},
                        {"@type": "Comment", "author": "Paul", "text": "x &lt; y, 5 < 6"}]}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    assert [(c.author, c.text) for c in page(article(head=head)).comments] == [
        ("Zoë", "Not my cup of tea & too long.\nSorry!\nZ."), ("Paul", "x < y, 5 < 6")]


def test_name_dash_date_first_line_gives_author_and_date() -> None:
    comments = ("<h3>Comments (2)</h3><ul class=\"comments\">"
                "<li><strong>Petra</strong> - 14 July 2019<br>Great write-up! Going next summer."
                "</li><li><strong>Jon from Reykjavik</strong> | 15/07/2019 09:15<br>Glad you "
                "liked it - try the hot springs in 2020.</li>"
                "<li><b>Ann</b> - thanks for 2019<br>Lovely photos.</li></ul>")
    result = page(article(after=comments))
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("Petra", "2019-07-14", "Great write-up! Going next summer."),
        ("Jon from Reykjavik", "2019-07-15", "Glad you liked it - try the hot springs in 2020."),
        (None, None, "Ann - thanks for 2019\nLovely photos."),
    ]


def test_pingbacks_and_trackbacks_are_not_comments() -> None:
    pingback = ('<li id="comment-14" class="pingback even thread-even depth-1"><div '
                'class="comment-body">Pingback: <a href="https://other.example/post">Budget '
                'roundup &#8211; Other Blog</a></div></li>'
                '<li id="comment-15" class="trackback"><div class="comment-body">Trackback: '
                '<a href="https://third.example/">Council watch</a></div></li>')
    result = page(article(after=WORDPRESS.replace("</ol>", pingback + "</ol>")))
    assert [c.author for c in result.comments] == ["Alice Martin", "Bob Stone", "Carol"]
    assert "Pingback" not in result.body and "Trackback" not in result.body


def test_reviews_with_reviewer_markup_and_report_links() -> None:
    def review(name: str, date: str, text: str) -> str:
        return (f'<div class="review"><div class="review-head"><span class="reviewer">{name}'
                f'</span><span class="when">{date}</span></div><p>{text}</p>'
                f'<div class="review-foot"><a href="#">Report abuse</a> <a href="#">Reply to '
                f"this comment</a> <span>Helpful (4)</span></div></div>")

    section = ('<section class="comments-section"><h2>Reviews (2)</h2>'
               + review("Maggie", "March 3, 2023", "Perfect every time.")
               + review("Dev", "April 10, 2023", "Too sweet.<br>I halved the sugar.")
               + "</section>")
    assert [(c.author, c.published, c.text) for c in page(article(after=section)).comments] == [
        ("Maggie", "2023-03-03", "Perfect every time."),
        ("Dev", "2023-04-10", "Too sweet.\nI halved the sugar."),
    ]


def test_live_blog_entries_are_not_a_forum_thread() -> None:
    entries = "".join(
        f'<div id="post-{n}" class="post liveblog-entry"><p class="author">by <a class="username" '
        f'href="/staff/{n}">{name}</a></p><div class="content">Update number {n} from '
        f"the count.</div></div>" for n, name in enumerate(["Ann Lee", "Bo Chen", "Cy Day"]))
    head = ('<script type="application/ld+json">{"@type": "LiveBlogPosting", '
            '"headline": "Election night"}</script>')
    assert page(article(head=head, after=entries)).comments == ()


def test_commenter_handles_with_one_letter_or_a_leading_digit() -> None:
    html = article(after=WORDPRESS.replace("Alice Martin", "v2787").replace("Carol", "4hourelection"))
    assert [c.author for c in page(html).comments] == ["v2787", "Bob Stone", "4hourelection"]


def test_json_ld_replies_listed_flat_with_parent_item() -> None:
    base = "https://news.example.com/2024/05/story.html#comment-"
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Budget",
            "comment": [
                {"@type": "Comment", "@id": base + "1", "author": "Ann", "text": "First."},
                {"@type": "Comment", "@id": base + "2", "author": "Bo", "text": "Second."},
                {"@type": "Comment", "url": base + "3", "author": "Cy", "text": "Re: first.",
                 "parentItem": {"@id": base + "1"}},
                {"@type": "Comment", "author": "Di", "text": "Re: Cy.", "parentItem": base + "3"},
                {"@type": "Comment", "author": "Ed", "text": "Dangling.",
                 "parentItem": {"@id": base + "99"}}]}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    assert [(c.author, c.parent) for c in page(article(head=head)).comments] == [
        ("Ann", None), ("Bo", None), ("Cy", 0), ("Di", 2), ("Ed", None)]


def test_comment_tree_region() -> None:
    tree = ('<ul class="comment-tree">' + "".join(
        f'<li><div class="comment"><span class="username">{name}</span> <time '
        f'datetime="2024-05-0{n}">May {n}</time><p>{text}</p></div></li>'
        for n, (name, text) in enumerate([("Ann", "Nice cache."), ("Bo", "Benchmarks?")], 1))
        + "</ul>")
    assert [(c.author, c.published, c.text) for c in page(article(after=tree)).comments] == [
        ("Ann", "2024-05-01", "Nice cache."), ("Bo", "2024-05-02", "Benchmarks?")]


def test_later_page_of_a_forum_thread_holds_only_replies() -> None:
    def thread(posts: list[tuple[int, str, str, str]]) -> str:
        html = ('<html lang="en"><head><title>Best iron? - Maker Forum</title></head><body>'
                '<div id="page-body"><h2 class="topic-title">Best iron?</h2>'
                + "".join(_forum_post(*post) for post in posts) + "</div></body></html>")
        return html

    opening = ("I am looking for a soldering iron under fifty pounds for small kits, since the "
               "cheap irons I tried kept lifting pads off the boards. Any recommendations?")
    url = "https://forum.example.net/showthread.php?t=912"
    first = thread([(1, "sparky42", "2024-02-01", opening), (2, "OldHand", "2024-02-01", "Pinecil.")])
    second = thread([(3, "Lena", "2024-02-02", "+1 for the Pinecil."),
                     (4, "OldHand", "2024-02-03", "Get a fine tip too.")])
    result = extract([SourcePage(url, first.encode()), SourcePage(url + "&page=2", second.encode()),
                      SourcePage(url + "&page=1", first.encode())])
    assert [(c.author, c.text) for c in result.comments] == [
        ("OldHand", "Pinecil."), ("Lena", "+1 for the Pinecil."), ("OldHand", "Get a fine tip too.")]
    assert "lifting pads" in result.body and "Pinecil" not in result.body


def test_xenforo_thread_with_linked_poster_names_and_said_quotes() -> None:
    def post(n: int, name: str, body: str) -> str:
        return (f'<article class="message message--post js-post" data-author="{name}" '
                f'id="js-post-{n}"><section class="message-user"><h4 class="message-name">'
                f'<a href="/members/{name}.{n}/" class="username">{name}</a></h4>'
                f'<dl><dt>Joined</dt><dd>Mar 3, 2015</dd></dl></section>'
                f'<header class="message-attribution"><time class="u-dt" '
                f'datetime="2023-04-0{n}T10:00:00+0000">Apr {n}</time></header>'
                f'<div class="message-content"><article class="message-body">'
                f'<div class="bbWrapper">{body}</div></article></div>'
                f'<footer class="message-footer"><a class="reaction">Like</a> <a href="/reply" '
                f'class="actionBar-action--reply">Reply</a></footer></article>')

    quote = ('<blockquote class="bbCodeBlock bbCodeBlock--quote"><div class="bbCodeBlock-title">'
             '<a href="/goto/post?id=1">gearhead said:</a></div><div class="bbCodeBlock-content">'
             "Which oil do you use?</div></blockquote>")
    opening = ("I am rebuilding the engine of my 1967 roadster and wonder which oil to run for "
               "the first thousand miles. Which oil do you use?")
    html = ('<html lang="en"><head><title>Which oil? | Car Forum</title></head><body>'
            '<h1 class="p-title-value">Which oil?</h1><div class="block-body">'
            + post(1, "gearhead", opening) + post(2, "oilman", quote + "Mineral 20W-50.")
            + post(3, "Sue_B", "Agree with oilman.") + "</div></body></html>")
    result = page(html, url="https://cars.example.com/threads/which-oil.1/")
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("oilman", "2023-04-02", "Mineral 20W-50."), ("Sue_B", "2023-04-03", "Agree with oilman.")]
    assert result.authors == ("gearhead",)
    assert "first thousand miles" in result.body and "Joined" not in result.body


def test_quote_of_an_earlier_wrote_comment_starts_no_comment() -> None:
    comments = ('<h3>2 Comments</h3><div class="c"><p><b>Tom wrote:</b></p><p>The budget is too '
                'small.</p><p><b>Ann wrote:</b></p><blockquote>Tom wrote: The budget is too '
                "small.</blockquote><p>No, it is fine.</p></div>")
    assert [(c.author, c.text) for c in page(article(after=comments)).comments] == [
        ("Tom", "The budget is too small."), ("Ann", "No, it is fine.")]


def test_microdata_replies_in_the_children_list_of_a_wrapping_li() -> None:
    """Genesis: li > article[itemtype=Comment] + ul.children > li > article[...]."""

    def item(n: int, name: str, text: str, replies: str = "") -> str:
        return (f'<li class="comment" id="comment-{n}"><article itemprop="comment" itemscope '
                f'itemtype="https://schema.org/Comment"><p class="comment-author" '
                f'itemprop="author" itemscope itemtype="https://schema.org/Person"><span '
                f'itemprop="name"><a href="https://ex.com" class="comment-author-link">{name}</a>'
                f'</span> <span class="says">says</span></p><time itemprop="datePublished" '
                f'datetime="2021-03-0{n}T10:00:00+00:00">March {n}</time>'
                f'<div class="comment-content" itemprop="text"><p>{text}</p></div></article>'
                + (f'<ul class="children">{replies}</ul>' if replies else "") + "</li>")

    section = ('<div id="comments" class="entry-comments"><ol class="comment-list">'
               + item(1, "Ann Lee", "Great post.", item(2, "Bo Chen", "Agreed."))
               + item(3, "Cy Day", "Thanks.") + "</ol></div>")
    assert [(c.author, c.published, c.parent) for c in page(article(after=section)).comments] == [
        ("Ann Lee", "2021-03-01", None), ("Bo Chen", "2021-03-02", 0), ("Cy Day", "2021-03-03", None)]


def _comment_page(lang: str, comments: str) -> str:
    return article('<div id="comments" class="comments"><ol class="comment-list">'
                   + comments + "</ol></div>", lang=f' lang="{lang}"')


def _one(author: str, when: str, text: str) -> str:
    return (f'<li class="comment"><div class="comment-author"><span class="fn">{author}</span>'
            f'</div><div class="comment-meta"><span class="date">{when}</span></div>'
            f'<div class="comment-content"><p>{text}</p></div></li>')


def test_relative_comment_dates_are_read_against_the_capture_time() -> None:
    cases = [("en", "2 hours ago", "2024-03-10"), ("en", "yesterday", "2024-03-09"),
             ("de", "vor 3 Tagen", "2024-03-07"), ("fr", "il y a 2 jours", "2024-03-08")]
    for lang, when, expected in cases:
        html = _comment_page(lang, _one("Rosa Klein", when, "Thanks for writing this up.")
                             + _one("Tom Berg", "5 days ago", "I disagree with the second part."))
        captured = dt.datetime(2024, 3, 10, 9, 30, tzinfo=dt.UTC)
        result = extract([SourcePage("https://blog.example.com/post", html.encode(),
                                     "text/html", captured=captured)])
        assert [c.published for c in result.comments] == [expected, "2024-03-05"], lang
        assert [c.author for c in result.comments] == ["Rosa Klein", "Tom Berg"]
        assert "ago" not in result.comments[0].text
        # Without a capture time there is nothing to count back from.
        assert page(html, url="https://blog.example.com/post").comments[0].published is None


def test_comment_timestamp_line_may_be_relative() -> None:
    blocks = "".join(
        f'<div class="c-item"><b class="username">{name}</b><p>{text}<br>{when}</p></div>'
        for name, text, when in [("kai_r", "Good summary.", "3 days ago"),
                                 ("mona", "Where is the source?", "1 week ago")])
    html = article(f'<section class="comments">{blocks}</section>')
    captured = dt.datetime(2024, 3, 10, 9, 30)
    result = extract([SourcePage("https://blog.example.com/post", html.encode(), "text/html",
                                 captured=captured)])
    assert [(c.author, c.published, c.text) for c in result.comments] == [
        ("kai_r", "2024-03-07", "Good summary."), ("mona", "2024-03-03", "Where is the source?")]


def test_absolute_title_date_beats_the_relative_text() -> None:
    html = _comment_page("en", "".join(
        f'<li class="comment"><span class="fn">{name}</span> <span class="date" '
        f'title="2023-11-02T10:00:00Z">{when}</span><div class="comment-content"><p>{text}</p>'
        "</div></li>" for name, when, text in [("Ann", "4 months ago", "Still true."),
                                               ("Bo", "4 months ago", "Agreed.")]))
    result = extract([SourcePage("https://blog.example.com/post", html.encode(), "text/html",
                                 captured=dt.datetime(2024, 3, 10))])
    assert [c.published for c in result.comments] == ["2023-11-02", "2023-11-02"]


def test_numeric_comment_date_follows_the_page_region() -> None:
    comments = (_one("Petra", "12/07/2019", "Lovely walk, we did it last week.")
                + _one("Sam", "03/08/2019", "Is the path open in winter?"))
    assert [c.published for c in page(_comment_page("en-GB", comments)).comments] == [
        "2019-07-12", "2019-08-03"]
    assert [c.published for c in page(_comment_page("en-US", comments)).comments] == [
        "2019-12-07", "2019-03-08"]


def test_a_count_beside_a_thumb_or_points_is_no_comment_text_but_a_thumb_alone_is() -> None:
    """A comment's votes ("👍 12", "12 points", "Was this helpful? Yes (4) No (1)", a score
    element) change at every visit and are not what the reader wrote; a comment that is
    nothing but "👍", "+1" or "42" is."""
    votes = ("<p>👍 12</p>", "<p>12 points</p>", "<p>Was this helpful? Yes (4) No (1)</p>",
             '<span class="score">12</span>')
    html = _comment_page("en", "".join(
        _one(name, "March 3, 2024", "Thanks for writing this up.</p>" + vote + "<p>")
        for name, vote in zip(("Rosa Klein", "Mara Holt", "Kai Berg", "Lena Moss"), votes, strict=True)) + _one("Tom Berg", "March 4, 2024", "👍") + _one("Ann Lee", "March 5, 2024", "42"))
    comments = page(html, url="https://blog.example.com/post").comments
    assert [c.text for c in comments] == ["Thanks for writing this up."] * 4 + ["👍", "42"]
