"""Reader comments, one by one, with author, date and the comment replied to.

Sources, most reliable first:

1. schema.org ``Comment`` / ``UserComments`` in JSON-LD (nesting through ``comment``);
2. the same types in microdata (``itemtype``/``itemprop``), nesting from the DOM;
3. comment markup of common CMSs and hand-written sites: a comment region (``#comments``,
   ``.comment-list``, ``ol.commentlist``...) holding blocks whose class says "comment"
   (WordPress ``li.comment`` with ``cite.fn`` and ``ul.children`` replies, ``div.comment`` with
   author/date/body children);
4. otherwise, the region's largest run of repeated sibling blocks with the replies nested in
   them (Disqus's ``li.post`` in ``ul.children``), if most of them name an author, or else
   flat runs of elements each starting at a "NAME wrote:" / "NAME said...:" line (Blogger's
   ``dt``/``dd`` lists, hand-written pages); a "12 Comments" heading without comment markup
   counts only when such runs follow it.

Authors are read from author markup, from a "NAME wrote:/says:/said on DATE:" line or from a
"Posted by NAME on DATE" line, dates from ``<time>``, date-classed children, that line, or a
timestamp line of its own before or after the text. Forms, captchas, character counters,
policy notes and reply links are never part of a comment, and comment lists in site chrome
("recent comments" widgets) are ignored. :func:`find_comments` also returns the elements that make up the comment
section, so the body extractor can cut them out before it runs.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from archivist.core.markup import bounded_attributes
from archivist.extraction.authors import clean_author
from archivist.extraction.boilerplate import is_form_line, is_pager_text
from archivist.extraction.dates import DateContext, date_range, parse_date
from archivist.extraction.model import Comment
from archivist.extraction.regions import attributes, in_chrome, token_pattern, within
from archivist.extraction.structured import ARTICLE_TYPES, Structured, ld_text, ld_types
from archivist.extraction.text import lines_text, text_content

__all__ = ["CommentSection", "find_comments", "is_thread", "merge_comments"]

#: schema.org's ``Answer`` is a ``Comment``: a Q&A page's answers are its comments.
_COMMENT_TYPES = {"Comment", "UserComments", "Answer"}
#: A microdata item a thread is about: the comment regions inside it are the thread's.
_TOPIC_TYPES = ("Question",)
_REGION = token_pattern(
    r"comments?|comment-?list|commentlist|comment-?tree|comments?-?(?:area|section|container|wrapper|"
    r"block|list|thread|holder|box|content)|responses|discussion|disqus_thread|respond|"
    r"reader-?comments|user-?comments|article-?comments|post-?comments|story-?comments|"
    r"kommentare|commentaires|comentarios"
)
_BLOCK = token_pattern(
    r"comment|comment-?item|commentlist-?item|single-?comment|comment-?entry|"
    r"comment-?wrap(?:per)?|comment-?box|c-comment|post-?comment|user-?comment|reader-?comment|"
    r"depth-\d+|thread-(?:even|odd)"
)
_REPLIES = token_pattern(r"indented|children|replies|comment-?replies|sub-?comments|"
                         r"nested-?comments|reply-?list|comment-?children")
#: Attributes of a flat reply that name the comment it answers, and of a comment that name it.
_REPLY_ATTRIBUTES = ("data-parent", "data-parent-id", "data-reply-to", "data-replyto", "data-in-reply-to")
_ID_ATTRIBUTES = ("id", "data-id", "data-comment-id")
#: A comment's depth in a flat list that shows the threads by indenting: an attribute of the
#: block ("data-depth", "data-level") or a class ("depth-2", "level-2") ...
_DEPTH_ATTRIBUTES = ("data-depth", "data-level", "indent")
_DEPTH_CLASS = re.compile(r"^(?:depth|level|indent)-?(\d+)$", re.IGNORECASE)
#: ... or the ``indent`` attribute of a cell inside it (Hacker News's ``td.ind[indent=1]``).
_INDENT_CELL = etree.XPath(".//*[@indent]")
#: A reply's link to the comment it answers (``<a class="in-reply-to" href="#comment-12">``).
_IN_REPLY_TO = etree.XPath(".//a[contains(concat(' ', normalize-space(@class), ' ', @rel, ' '),"
                           " ' in-reply-to ')][contains(@href, '#')]")
#: The number an id is built on ("comment-12", "c12"); a zero names no comment.
_ID_NUMBER = re.compile(r"(?<!\d)([1-9]\d*)$")
#: WordPress lists the links other blogs made to the post among the comments: they are no
#: reader's comment.
_PINGBACK = token_pattern(r"pingback|trackback")
_BLOCK_ID = re.compile(r"^(?:li-)?comment-?\d+$", re.IGNORECASE)
_FORM = re.compile(
    r"comment-?form|respond|reply-?form|post-?comment-?form|captcha|comment-?policy|"
    r"policy|add-?comment|leave-?a-?(?:reply|comment)|login|subscribe",
    re.IGNORECASE,
)
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:fn|author|comment-?author|username|user-?name|"
                           r"commenter|nickname|name|poster|user|reviewer|review-?author)"
                           r"(?:$|[\s_-])", re.IGNORECASE)
#: A link to a user's profile page ("/user/7", "/members/kim.12/", "user?id=kim"): where a
#: comment names its author without author markup (Hacker News, forum software).
_PROFILE_HREF = re.compile(r"(?:^|/)(?:users?|u|members?|profiles?|people)"
                           r"(?:/[^/?#]+|\?(?:id|u|user|name)=[^&#/]+)/?$", re.IGNORECASE)
#: The text of a permalink that is a symbol ("#", "¶", "§", "∞", "🔗") or a post's number
#: ("#2", forum software).
_PERMALINK_TEXT = re.compile(r"^\s*(?:[#¶§∞🔗]|#\d+)\s*$")
#: A machine date in a ``title`` attribute ("2026-11-26T09:12:00"), whatever the element.
_TITLE_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|\s*$)")
#: Classes of a comment's date element; "submitted" is Drupal 7's "Submitted by NAME on DATE".
_DATE_CLASS = re.compile(r"date|time|posted|published|submitted|metadata|comment-?meta",
                         re.IGNORECASE)
_TEXT_CLASS = re.compile(r"comment-?(?:content|text|body|message)|message-?(?:body|content)|text-?body|"
                         r"bbwrapper|post_?message|rich-?text|^text$|^content$|"
                         r"(?:^|\s)(?:text|content|message|body)(?:$|\s)", re.IGNORECASE)
#: Microdata properties of a comment's or post's text.
_TEXT_PROPS = ("text", "commentText", "articleBody")
_REPLY_CLASS = re.compile(r"reply|respond|comment-?(?:actions|tools|links|footer|vote)|"
                          r"post_?(?:controls|buttons)|postbit_buttons|"
                          r"(?<!un)vote|(?<!un)like|report|share|score|points|karma|reactions",
                          re.IGNORECASE)
#: A forum post's signature (phpBB, SMF, MyBB, vBulletin ``.signature``, XenForo's
#: ``.message-signature``, Invision's ``.cSignature``): the poster's, under every post.
_SIGNATURE = token_pattern(r"signature|message-signature|csignature|ipssignature")
_VERB_WORDS = ("wrote", "says", "said", "writes", "commented", "replied", "schrieb", "schreibt",
               "sagt", "a écrit", "écrit", "dit", "escribió", "dice", "disse", "diz", "scrive",
               "ha scritto", "schreef", "skrev", "napisał")
_VERBS = "(?:" + "|".join(_VERB_WORDS) + ")"
#: The most characters a verb of :data:`_VERBS` spans.
_MAX_VERB = max(len(verb) for verb in _VERB_WORDS)
_WHEN = r"(?:on|at|am|le|el|il|em|op)\s+"
#: "NAME wrote:", "NAME said on 8 July 2010:", "NAME on 8 July 2010 at 4:47 pm said:".
_SAID_HEAD = (r"^\s*(?P<name>.{1,60}?)\s+(?:" + _WHEN + r"(?P<before>.{4,40}?)\s+)?" + _VERBS
              + r"(?:\s+" + _WHEN + r"(?P<after>.{4,40}?))?")
#: ... as a whole line (the author line of a comment).
_SAID = re.compile(_SAID_HEAD + r"\s*(?::|\.{3}|…)?\s*$", re.IGNORECASE)
#: ... at the start of a comment's text: "NAME wrote: text...".
_SAID_INLINE = re.compile(_SAID_HEAD + r"\s*:\s*", re.IGNORECASE)
#: What is left of the author line when the name is in its own element: "<cite>NAME</cite> Says:".
_VERB_LINE = re.compile(r"\s*" + _VERBS + r"\s*(?::|\.{3}|…)?\s*", re.IGNORECASE)
#: "Posted by NAME", "Posted by NAME on DATE", "Posted by: NAME | DATE" (Movable Type and
#: Typepad): a comment's author line, before or after its text (old blogs and hand-written
#: pages), in a few languages.
_POSTED_BY = re.compile(
    r"^\s*(?:posted|written|submitted|added|geschrieben|verfasst|publié|écrit|publicado|escrito|"
    r"pubblicato|scritto|geplaatst)\s+(?:by|von|par|por|da|door)\s*:?\s+(?P<name>.{1,60}?)"
    r"(?:(?:,?\s+" + _WHEN + r"|\s*[|•·]\s*)(?P<after>.{4,40}?))?\s*$", re.IGNORECASE)
#: Text nodes ending like an author line ("... wrote:", "... said..."), found inside libxml2.
#: Only used on a page with several ``<body>`` elements (see :func:`_line_ends`).
_AUTHOR_TEXT = etree.XPath(
    "//body//text()[substring(normalize-space(.), string-length(normalize-space(.))) = ':' "
    "or contains(., '...') or contains(., '…')]"
)
_TEXTAREA = etree.XPath(".//textarea")
#: A comment form's text (labels, policy notes) is shorter than this; a block around a textarea
#: holding more is the page's content.
_MAX_FORM_TEXT = 1500
#: What only the page's content block holds: its headline, its article, its main landmark.
_PAGE_CONTENT = etree.XPath(".//h1 | .//article | .//main")
#: The fields of a form that a reader fills in (a hidden input is none).
_FORM_FIELDS = etree.XPath(".//textarea | .//select | .//input[not(@type='hidden')]")
_QUOTE_CLASS = token_pattern(r"quote|bbquote|bbcode[_-]?quote|quotebox|quote[_-]?container|"
                             r"message[_-]?quote|post[_-]?quote")
#: The header of a quote in forum software: "Quote from NAME", "Quote: NAME", "Zitat von",
#: "Originally Posted by NAME".
#: A quote's header that is only the quoted person's name ("kai:", Discourse's quotes).
_NAME_HEAD = re.compile(r"^\s*@?[\w.-]+(?:\s+[\w.-]+){0,2}\s*:\s*$")
_QUOTE_HEAD = re.compile(r"^\s*(?:quote|zitat|citation|cita|originally posted by)\b",
                         re.IGNORECASE)
#: A forum post, by its id ("p4410", "post_123", "postid-7", "msg123") or class.
_POST_ID = re.compile(r"^(?:js-)?(?:p|post|postid|msg|message)[_-]?\d+$", re.IGNORECASE)
_POST_CLASS = token_pattern(r"post|postbit|postbitlegacy|postbit-?old|forum-?post|"
                            r"topic-?post|b-post|forumpost|post-?container|message-?item|"
                            r"message--post|cpost")
#: A block whose text is more than this share of links is a teaser, not a post.
_TEASER_LINKS = 0.5
#: Microdata items that may be comments: :func:`_is_comment_item` needs "Comment" or
#: "Answer" in the type.
#: ``/descendant::*`` selects what ``//*`` does, and libxml2 walks it about 15 % faster.
_COMMENT_ITEMS = etree.XPath(
    "/descendant::*[@itemscope and @itemtype][contains(@itemtype, 'Comment') or "
    "contains(@itemtype, 'Answer')]")
#: The whitespace that XPath's normalize-space() strips.
_XML_SPACE = " \t\r\n"
#: The same text nodes as :data:`_AUTHOR_TEXT`, unfiltered, as plain strings (cheap to make).
_BODY_TEXT = etree.XPath("//body//text()", smart_strings=False)
_AUTHOR_TEXT_END = re.compile(r"\b" + _VERBS + r"\s*(?::|\.{3}|…)\s*$", re.IGNORECASE)
#: Without comment markup, it takes this many "NAME wrote:" comments to call them comments.
_MIN_UNMARKED = 2
_COMMENTS_HEADING = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|responses?|replies|reader comments|user comments|"
    r"reactions|kommentare?|commentaires?|comentarios?|commenti|reacties)\b.{0,60}$",
    re.IGNORECASE,
)
#: A line of nothing but a comment's action links: "Reply", "Report abuse | Helpful (4)".
_NOISE_ACTION = (
    r"(?:reply|antworten|répondre|responder|rispondi)(?:\s*[↓↑→]|\s+to\s+this(?:\s+comment)?|"
    r"\s+to\s+@?[\w.'-]+(?:\s+[\w.'-]+)?)?|"
    r"report(?:\s+(?:abuse|comment|this(?:\s+comment)?|spam))?|melden|signaler|"
    r"flag(?:\s+as\s+inappropriate)?|(?:like|helpful)(?:\s*\(\d+\))?|share|permalink|"
    r"edit|delete|upvote|downvote|vote\s+(?:up|down)|collapse|expand|"
    r"(?:show|hide|view|load|see)(?:\s+all)?(?:\s+\d+)?(?:\s+more)?\s+(?:replies|comments|reply)|"
    r"[+-]?\d+\s+(?:likes?|replies|points?|votes?|upvotes?|downvotes?|punkte)|log in to reply|quote|"
    r"was this (?:comment |review )?helpful\??|(?:yes|no)\s*\(\d+\)|[👍👎♥❤]|[+-]?\d+"
)
#: A line of action links, scores and counts, with one word at least, or a count beside a
#: thumb or a heart ("👍 12"): "+1", "42" or "👍" alone is a comment.
_NOISE_LINE = re.compile(r"^(?=.*(?:[^\W\d_]|[👍👎♥❤]\ufe0f?\s*\d))(?:\s*[|•·]?\s*(?:" + _NOISE_ACTION + r"))+\s*$",
                         re.IGNORECASE)
#: "NAME - DATE", "NAME | DATE", "NAME, DATE", "NAME on DATE": a comment's author line.
_NAME_DATE = re.compile(r"^\s*(?P<name>[^\d|•·,–—-]{2,40}?)\s*(?:[|•·,–—-]|\s(?:on|am|le|el|il)\s)"
                        r"\s*(?P<date>.{6,40})$", re.IGNORECASE)
#: A line of nothing but separators: the "•" between a comment's author and its time.
_SEPARATOR_LINE = re.compile(r"^[\s•·∙|/–—-]+$")
_MIN_SEGMENTS = 2
#: A paragraph this long is an article's prose.
_MIN_PROSE = 100
_WRAPPER_SHARE = 0.9


@dataclass(slots=True)
class CommentSection:
    """The comments found, and the elements forming the comment section on the page."""

    comments: list[Comment] = field(default_factory=list)
    regions: list[HtmlElement] = field(default_factory=list)
    #: On a forum thread, the author of the opening post (the document's author).
    author: str | None = None
    #: On a forum thread, its first post on this page as a comment: on a later page of the
    #: thread, that post is a reply, not the document.
    first_post: Comment | None = None
    #: On a forum thread, the element of its first post on this page.
    opening_post: HtmlElement | None = None


def _tokens(element: HtmlElement) -> list[str]:
    return attributes(element).split()


def _matches(element: HtmlElement, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(token) for token in _tokens(element))


# --- schema.org in JSON-LD -------------------------------------------------------------


def _markup_text(text: str) -> str:
    """A JSON-LD text as plain text: CMSs put the comment's HTML there ("<p>A &amp; B</p>"),
    whose tags become line breaks and whose entities become characters."""
    if "<" not in text and "&" not in text:
        return text
    try:
        fragment = lxml.html.fragment_fromstring(bounded_attributes(text), create_parent="div")
    except etree.ParserError:
        return html.unescape(text)
    return lines_text(fragment)


def _ld_comment(obj: dict[str, Any], parent: int | None) -> Comment | None:
    text = ld_text(obj.get("text") or obj.get("commentText") or obj.get("description"))
    text = _markup_text(text) if text else None
    if not text:
        return None
    author_value = obj.get("author") or obj.get("creator")
    author = clean_author(ld_text(author_value) or "", handle=True) if author_value else None
    date = obj.get("dateCreated") or obj.get("datePublished") or obj.get("commentTime")
    return Comment(author=author, published=parse_date(date) if isinstance(date, str) else None,
                   text=text.strip(), parent=parent)


def _walk_ld(value: Any, parent: int | None, out: list[Comment],
             sources: list[dict[str, Any]]) -> None:
    for obj in value if isinstance(value, list) else [value]:
        if not isinstance(obj, dict) or not ld_types(obj) & _COMMENT_TYPES:
            continue
        comment = _ld_comment(obj, parent)
        index = parent
        if comment is not None:
            out.append(comment)
            sources.append(obj)
            index = len(out) - 1
        if obj.get("comment"):
            _walk_ld(obj["comment"], index, out, sources)


def _ld_id(value: Any) -> str | None:
    """The ``@id`` (or ``url``) a JSON-LD object has or a reference names."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        found = value.get("@id") or value.get("url")
        return found if isinstance(found, str) else None
    return None


def _with_parent_items(out: list[Comment], sources: list[dict[str, Any]]) -> list[Comment]:
    """Replies listed flat, each naming the comment it answers in ``parentItem`` (by ``@id``
    or ``url``): their parent is that comment, when it comes before them."""
    index_of: dict[str, int] = {}
    linked: list[Comment] = []
    for index, (comment, obj) in enumerate(zip(out, sources, strict=True)):
        parent_id = _ld_id(obj.get("parentItem"))
        if comment.parent is None and parent_id in index_of:
            comment = dataclasses.replace(comment, parent=index_of[parent_id])
        own = _ld_id(obj)
        if own:
            index_of.setdefault(own, index)
        linked.append(comment)
    return linked


def _from_json_ld(data: Structured) -> list[Comment]:
    out: list[Comment] = []
    sources: list[dict[str, Any]] = []
    roots = [obj for obj in data.objects
             if obj.get("comment") and not ld_types(obj) & _COMMENT_TYPES]
    for root in roots:
        _walk_ld(root["comment"], None, out, sources)
    if not out and not roots:
        nested = {id(child) for obj in data.objects for child in _children(obj.get("comment"))}
        _walk_ld([obj for obj in data.objects if id(obj) not in nested], None, out, sources)
    return _with_parent_items(out, sources)


def _children(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


# --- schema.org in microdata -------------------------------------------------------------


def _is_comment_item(element: HtmlElement, types: Iterable[str] = _COMMENT_TYPES) -> bool:
    itemtype = element.get("itemtype") or ""
    return element.get("itemscope") is not None and any(
        itemtype.rstrip("/").endswith(name) for name in types)


def _own_props(item: HtmlElement, name: str) -> Iterator[HtmlElement]:
    """Elements with ``itemprop=name`` that belong to ``item`` itself, not to a nested item."""
    for element in item.iterdescendants():
        if name not in (element.get("itemprop") or "").split():
            continue
        owner = element.getparent()
        while owner is not None and owner is not item and owner.get("itemscope") is None:
            owner = owner.getparent()
        if owner is item:
            yield element


def _prop_value(element: HtmlElement) -> str:
    return (element.get("content") or element.get("datetime") or lines_text(element)).strip()


def _from_microdata(tree: HtmlElement, dates: DateContext
                    ) -> tuple[list[Comment], list[HtmlElement], dict[HtmlElement, int]]:
    """The microdata comments, the items read, and the index of the comment each item (or the
    wrapper around it) gave."""
    items = [element for element in _COMMENT_ITEMS(tree)
             if _is_comment_item(element) and not in_chrome(element)]
    item_set = set(items)
    index_of: dict[HtmlElement, int] = {}
    out: list[Comment] = []
    for item in items:
        text_node = next((node for prop in ("text", "commentText")
                          for node in _own_props(item, prop)), None)
        if text_node is None:
            continue
        author_node = next((node for prop in ("author", "creator")
                            for node in _own_props(item, prop)), None)
        author = None
        if author_node is not None:
            name_node = next(_own_props(author_node, "name"), None)
            author = clean_author(_prop_value(name_node if name_node is not None
                                              else author_node), handle=True)
        date_node = next((node for prop in ("dateCreated", "datePublished", "commentTime")
                          for node in _own_props(item, prop)), None)
        parent = next((index_of[ancestor] for ancestor in item.iterancestors()
                       if ancestor in index_of), None)
        index_of[item] = len(out)
        # WordPress themes (Genesis) wrap each comment item in an li whose ul.children holds
        # the replies: a reply's parent is the item of a wrapper around it.
        wrapper = item.getparent()
        if wrapper is not None and sum(1 for child in wrapper if child in item_set) == 1:
            index_of.setdefault(wrapper, len(out))
        out.append(Comment(author=author,
                           published=dates.written(_prop_value(date_node))
                           if date_node is not None else None,
                           text=lines_text(text_node, _quotes(text_node)), parent=parent))
    return out, items, index_of


def _with_item_regions(comments: list[Comment], index_of: dict[HtmlElement, int],
                       regions: list[HtmlElement], dates: DateContext) -> list[Comment]:
    """Microdata comments with the comments of the comment regions inside the items: a Q&A
    page's short comments under its question (a ``Question`` item: top level) and under each
    answer (a comment item: replies to it), all in page order.

    A region that holds comment items, or that no such item holds, is the items' own list or
    another list, not read here.
    """
    if not comments:
        return comments
    position = {element: number for number, element in enumerate(
        next(iter(index_of)).getroottree().iter())}
    # Each comment as (page position, its key, its parent's key, comment).
    entries: list[tuple[tuple[int, int], tuple[int, ...], tuple[int, ...] | None, Comment]] = [
        ((position[item], 0), (index,), None if comments[index].parent is None
         else (comments[index].parent,), comments[index])
        for item, index in index_of.items() if item.get("itemscope") is not None]
    for number, region in enumerate(regions):
        holders = [ancestor for ancestor in region.iterancestors()
                   if ancestor in index_of or _is_comment_item(ancestor, _TOPIC_TYPES)]
        if not holders or any(_is_comment_item(inner) for inner in region.iterdescendants()):
            continue
        item = (index_of[holders[0]],) if holders[0] in index_of else None
        entries.extend(((position[region], order + 1), (-1 - number, order),
                        item if found.parent is None else (-1 - number, found.parent), found)
                       for order, found in enumerate(_from_region(region, dates)))
    entries.sort(key=lambda entry: entry[0])
    new_index = {key: index for index, (_, key, _, _) in enumerate(entries)}
    return [dataclasses.replace(comment, parent=new_index.get(parent) if parent else None)
            for _, _, parent, comment in entries]


# --- comment markup ----------------------------------------------------------------------


def _regions(scanned: Iterable[tuple[HtmlElement, str]]) -> list[HtmlElement]:
    """The outermost comment regions outside the chrome among ``scanned`` (in document order).

    A block inside a region already found is skipped untested; the region test is memoised
    per id/class string, which a page repeats.
    """
    named: dict[str, bool] = {}
    found: list[HtmlElement] = []
    chosen: set[HtmlElement] = set()
    for element, attrs in scanned:
        if element.tag == "span":
            continue
        region = named.get(attrs)
        if region is None:
            region = named[attrs] = bool(_REGION.search(attrs))
        if not region or (chosen and any(ancestor in chosen
                                         for ancestor in element.iterancestors())):
            continue
        if not in_chrome(element):
            chosen.add(element)
            found.append(element)
    return found


def _is_noise(element: HtmlElement) -> bool:
    """A form, its fields and buttons, a script, or a form-classed block. A ``<form>`` with no
    field to fill in only wraps text: old Reddit sets each comment's text in the form that
    edits it, with hidden inputs alone for a reader who is not logged in."""
    if element.tag == "form":
        return bool(_FORM_FIELDS(element)) or _matches(element, _FORM)
    return (element.tag in ("textarea", "input", "button", "select", "script", "style")
            or _matches(element, _FORM))


def _in_noise(element: HtmlElement, region: HtmlElement) -> bool:
    """Whether an ancestor of ``element`` inside ``region`` (a descendant of it) is noise."""
    for ancestor in element.iterancestors():
        if ancestor is region:
            return False
        if _is_noise(ancestor):
            return True
    return False


def _blocks(region: HtmlElement) -> list[HtmlElement]:
    # A link with a comment's id is the anchor a permalink jumps to, not the comment.
    blocks = [element for element in region.iter()
              if isinstance(element.tag, str) and element is not region and element.tag != "a"
              and (_BLOCK.search(attributes(element)) or _BLOCK_ID.match(element.get("id") or ""))
              and not _PINGBACK.search(element.get("class") or "")
              and not _in_noise(element, region)]
    # A wrapper around one comment (div#comment-1 > article.comment) is not a comment of its
    # own: drop a block when a block inside it holds nearly all of its text.
    lengths = {block: len(text_content(block)) for block in blocks}
    return [block for block in blocks
            if not any(inner is not block and inner in lengths
                       and lengths[inner] >= _WRAPPER_SHARE * lengths[block]
                       for inner in block.iterdescendants())]


def _signature(element: HtmlElement) -> tuple[str, str]:
    return element.tag, " ".join(sorted(token for token in (element.get("class") or "").split()
                                        if not re.search(r"\d", token)))


def _segments(region: HtmlElement) -> list[HtmlElement]:
    """The largest group (≥ 2) of same-tag, same-class siblings holding text, in the region."""
    best: list[HtmlElement] = []
    for parent in region.iter():
        if not isinstance(parent.tag, str) or _is_noise(parent):
            continue
        groups: dict[tuple[str, str], list[HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str) and not _is_noise(child) and child.tag not in (
                    "br", "script", "style", "h1", "h2", "h3", "h4", "a", "span", "b", "i"):
                groups.setdefault(_signature(child), []).append(child)
        for group in groups.values():
            if len(group) >= _MIN_SEGMENTS and len(group) > len(best) and all(
                    text_content(child).strip() for child in group):
                best = group
    return best


def _with_replies(region: HtmlElement, group: list[HtmlElement],
                  dates: DateContext) -> list[HtmlElement]:
    """The threads of ``group``, a run of same-kind sibling blocks, in document order: the
    top-level blocks and the replies nested in them (Disqus's ``li.post`` in the ``ul.children``
    of the ``li.post`` it answers), which :func:`_from_blocks` parents to the block around them.

    Blocks of the same kind have the group's tag and classes. When the run found is itself a
    set of replies nested in such a block, the top level is the outermost block's run. A
    nested block is a reply when a reply container (``children``, ``replies``...) holds it or,
    if the blocks have a class, when it names an author: a layout ``div`` nested in a comment
    is no reply.
    """
    if not group:
        return group
    signature = _signature(group[0])
    outer = [ancestor for ancestor in group[0].iterancestors(signature[0])
             if _signature(ancestor) == signature and region in ancestor.iterancestors()]
    if outer:
        parent = outer[-1].getparent()
        group = [child for child in parent if _signature(child) == signature]
    top = set(group)
    threads = []
    for element in region.iter(signature[0]):
        if element in top or (
                _signature(element) == signature and not _in_noise(element, region)
                and any(ancestor in top for ancestor in element.iterancestors())
                and _is_reply(element, top, signature, dates)):
            threads.append(element)
    return threads


def _is_reply(element: HtmlElement, top: set[HtmlElement], signature: tuple[str, str],
              dates: DateContext) -> bool:
    """Whether a block nested in a top-level block of the same kind is a reply (see
    :func:`_with_replies`)."""
    for ancestor in element.iterancestors():
        if ancestor in top or _signature(ancestor) == signature:
            break
        if _REPLIES.search(attributes(ancestor)):
            return True
    if not signature[1]:
        return False
    inner = {node for node in element.iterdescendants(signature[0])
             if _signature(node) == signature}
    return _author_of(element, inner, dates)[0] is not None


def _is_media_heading(element: HtmlElement) -> bool:
    """Whether ``element`` is the first ``<h4>``/``<h5>`` of a Bootstrap ``.media-body``: a
    comment list built from media objects names the commenter there (often a profile link),
    with the date in a ``<small>``, and has no author markup."""
    parent = element.getparent()
    return (element.tag in ("h4", "h5") and parent is not None and "media-body" in _tokens(parent)
            and next(parent.iterchildren("h4", "h5")) is element)


def _is_permalink(element: HtmlElement) -> bool:
    """Whether ``element`` is a comment's permalink shown as a symbol ("#", "¶"), whose
    ``title`` often holds the comment's date."""
    return element.tag == "a" and bool(_PERMALINK_TEXT.match(text_content(element)))


def _is_profile_link(element: HtmlElement) -> bool:
    """Whether ``element`` links a user's profile by name: an "@kim" mention in a comment's
    text links one too, but it names someone else."""
    return (element.tag == "a" and bool(_PROFILE_HREF.search(element.get("href") or ""))
            and not text_content(element).lstrip().startswith("@"))


def _author_of(block: HtmlElement, nested: set[HtmlElement], dates: DateContext
               ) -> tuple[str | None, str | None, set[HtmlElement]]:
    """The author's name, a date written in the author line ("NAME on DATE said:"), and the
    elements that hold them (kept out of the comment text)."""
    for element in block.iterdescendants():
        if any(ancestor in nested for ancestor in element.iterancestors()) or element in nested:
            continue
        if _is_media_heading(element):
            links = [link for link in element.iter("a") if text_content(link).strip()]
            small = element.find(".//small")
            when = " ".join(text_content(small).split()) if small is not None else ""
            name = clean_author(" ".join((text_content(links[0]) if len(links) == 1 else lines_text(
                element, {small} if small is not None else set())).split()), handle=True)
            if name:
                return name, dates.timestamp(when) if when else None, {element}
        if element.tag == "cite" or "fn" in _tokens(element) or (
                element.get("itemprop") in ("author", "creator")) or (
                _matches(element, _AUTHOR_CLASS) and not _matches(element, _TEXT_CLASS)) or (
                _is_profile_link(element)):
            inner = next(iter(element.xpath(".//*[contains(concat(' ',@class,' '),' fn ')]")),
                         None)
            marks = {link for link in element.iter("a") if _is_permalink(link)}
            links = [link for link in element.iter("a")
                     if text_content(link).strip() and link not in marks]
            # Else a profile link, the rest of the line being a date or a verb, else the line.
            profile = links if len(links) == 1 else []
            sources = [inner] if inner is not None else [*profile, element]
            for source in sources:
                text = " ".join(lines_text(source, marks).split())
                said = _SAID.match(text)
                name = clean_author(said.group("name") if said else re.sub(
                    r"\s*(?:says|said|wrote)\s*:?\s*$", "", text, flags=re.IGNORECASE), handle=True)
                if name:
                    date = (_said_date(said, dates) if said else _line_date(element, source, dates)
                            ) or next(filter(None, (dates.written(mark.get("title"))
                                                    for mark in marks)), None)
                    return name, date, {element}
    for element in block.iterdescendants():
        if element in nested or any(ancestor in nested for ancestor in element.iterancestors()):
            continue
        line = " ".join(text_content(element).split())
        said = _SAID.match(line)
        if said and element.tag not in ("p",) and len(element) <= 3:
            name = clean_author(said.group("name"), handle=True)
            if name:
                return name, _said_date(said, dates), {element}
        posted = _POSTED_BY.match(line)
        if posted and len(element) <= 3:
            name = clean_author(posted.group("name"), handle=True)
            when = posted.group("after")
            if name:
                return name, dates.written(when) if when else None, {element}
    return _bold_author_line(block, nested, dates)


def _bold_author_line(block: HtmlElement, skip: set[HtmlElement], dates: DateContext
                      ) -> tuple[str | None, str | None, set[HtmlElement]]:
    """An author line without author markup: the comment's first text is a name in bold whose
    line holds nothing else but a timestamp, beside it or under it ("<strong>Mara</strong>
    <span>26 November 2026</span>", "<b>Mara</b><br><small>2 days ago</small>"). Without the
    timestamp, a bold first word is the commenter's emphasis."""
    bold = next((element for element in block.iter("strong", "b")
                 if element not in skip and not any(ancestor in skip
                                                    for ancestor in element.iterancestors())),
                None)
    line = bold.getparent() if bold is not None else None
    if line is None or line is block:
        return None, None, set()
    name = " ".join(text_content(bold).split())
    rest = lines_text(line, {bold}).replace("\n", " ").strip()
    date = dates.timestamp(rest) if rest else None
    author = clean_author(name, handle=True) if date else None
    if author and lines_text(block, skip).startswith(name):
        return author, date, {line}
    return None, None, set()


def _date_of(block: HtmlElement, nested: set[HtmlElement],
             dates: DateContext) -> tuple[str | None, set]:
    """A comment's date from ``<time>`` or a date-classed element: an absolute date (in its
    ``datetime`` or ``title`` attribute, or its text) first, else one read against the capture
    time: a relative one ("2 hours ago") or one without a year ("Mar 5")."""
    candidates = [element for element in block.iterdescendants()
                  if (element.tag == "time" or _matches(element, _DATE_CLASS)
                      or _TITLE_DATE.match(element.get("title") or "")
                      or (_is_permalink(element) and element.get("title")))
                  and element not in nested
                  and not any(ancestor in nested for ancestor in element.iterancestors())]
    texts = [" ".join(text_content(element).split()) for element in candidates]
    for element, text in zip(candidates, texts, strict=True):
        date = dates.written(element.get("datetime") or element.get("title") or text)
        if date:
            return date, {element}
    for element, text in zip(candidates, texts, strict=True):
        date = dates.recent(text)
        if date:
            return date, {element}
    return None, set()


def _text_holder(block: HtmlElement, skip: set[HtmlElement],
                 noise: set[HtmlElement]) -> HtmlElement:
    """The element holding a comment's text: its text-classed element, else the block.

    A text-classed element (or microdata text: a forum post's ``articleBody``, as older
    Discourse marks every post a ``DiscussionForumPosting``) holding the comment's author, date or replies (what ``skip``
    holds besides ``noise``) wraps the whole comment, not its text. Inside a repeated block
    that is a whole comment, a comment-classed element is its text (Hacker News's
    ``div.comment`` beside the author line).
    """
    for element in block.iterdescendants():
        if element in skip or any(ancestor in skip for ancestor in element.iterancestors()):
            continue
        if (_matches(element, _TEXT_CLASS) or element.get("itemprop") in _TEXT_PROPS
                or _BLOCK.search(attributes(element))):
            holds_meta = any(node in skip and node not in noise
                             for node in element.iterdescendants())
            if not holds_meta or element.get("itemprop"):
                return element
    return block


def _text_of(block: HtmlElement, skip: set[HtmlElement], noise: set[HtmlElement]) -> str:
    return lines_text(_text_holder(block, skip, noise), skip)


def _is_quote(element: HtmlElement) -> bool:
    """A quote of another comment or post: a ``blockquote`` (or a quote-classed block) that
    names whom it quotes, in a ``<cite>`` or a first "NAME wrote:" line. A quote of a source
    with no such header is the commenter's own text."""
    if element.tag != "blockquote" and not _matches(element, _QUOTE_CLASS):
        return False
    if element.find(".//cite") is not None:
        return True
    first = lines_text(element).partition("\n")[0]
    return bool(_SAID.match(first) or _SAID_INLINE.match(first) or _QUOTE_HEAD.match(first)
                or _NAME_HEAD.match(first))


def _comment_noise(block: HtmlElement) -> set[HtmlElement]:
    """The elements of a comment block that are not its author, date or text: forms, reply
    and vote links, signatures, scripts, and quotes of other comments. A ``comment-footer`` holding a
    "Posted by: NAME | DATE" line (Movable Type, Typepad) is the author line, not links."""
    return {element for element in block.iterdescendants()
            if _is_noise(element) or element.tag in ("script", "style")
            or _SIGNATURE.search(attributes(element)) or (
                _matches(element, _REPLY_CLASS)
                and not _POSTED_BY.match(" ".join(text_content(element).split())))
            } | _quotes(block)


def _quotes(block: HtmlElement) -> set[HtmlElement]:
    """The quotes of other comments inside ``block`` (see :func:`_is_quote`).

    Forum software sets a whole post in a ``<blockquote>`` too: of a quote holding a quote,
    only the inner one is the quote.
    """
    quotes = [element for element in block.iterdescendants() if _is_quote(element)]
    return {quote for quote in quotes
            if not any(inner in quotes for inner in quote.iterdescendants())}


def _comment_from_block(block: HtmlElement, nested: set[HtmlElement],
                        parent: int | None, dates: DateContext) -> Comment | None:
    noise = _comment_noise(block)
    author, said_date, author_nodes = _author_of(block, nested | noise, dates)
    published, date_nodes = _date_of(block, nested | noise | author_nodes, dates)
    published = published or said_date
    permalinks = {link for link in block.iter("a") if _is_permalink(link)}
    text = _text_of(block, nested | noise | permalinks | author_nodes | date_nodes, noise)
    first, _, rest = text.partition("\n")
    if (author_nodes and _VERB_LINE.fullmatch(first)) or _is_subject(first, rest):
        text = rest
    if not author:
        said = _SAID_INLINE.match(text)
        if said and clean_author(said.group("name"), handle=True):
            author, text = clean_author(said.group("name"), handle=True), text[said.end():]
            published = published or _said_date(said, dates)
        else:
            author, dated, text = _name_date_line(text, dates)
            published = published or dated
    text, stamped = _clean_lines(text, dates, dated=published is not None)
    if not text:
        return None
    return _dated(author, published or stamped, text, parent)


def _dated(author: str | None, published: str | None, text: str, parent: int | None = None) -> Comment:
    """A comment whose date was read on the page: a relative one ("3 days ago") keeps the days it
    may stand for (``Comment.published_range``)."""
    return Comment(author=author, published=None if published is None else str(published), text=text,
                   parent=parent, published_range=date_range(published))


def _is_subject(first: str, rest: str) -> bool:
    """Whether a comment's first line is a subject made of its text's first words (Drupal's
    default subject, "Who pays" over "Who pays for the winter crossings?"), cut short with
    an ellipsis or not."""
    head = first.rstrip(" .…")
    return bool(head) and len(head) < len(rest) and rest.startswith(head)


def _name_date_line(text: str, dates: DateContext) -> tuple[str | None, str | None, str]:
    """The author and date of a comment whose first line is "NAME - DATE" ("Petra - 12/07/2019",
    "Jon | 14 July 2019 at 9:15", "Ann on May 3, 2024"), with the rest of its text; else no
    author and the text unchanged. The date part must be a timestamp line of its own kind
    (:func:`.dates.timestamp_date`), so "Hi - I went there in 2019" stays text."""
    first, _, rest = text.partition("\n")
    match = _NAME_DATE.match(first)
    if match and rest.strip():
        date = dates.timestamp(match.group("date"))
        name = clean_author(match.group("name"), handle=True) if date else None
        if name:
            return name, date, rest
    return None, None, text


def _clean_lines(text: str, dates: DateContext, *, dated: bool) -> tuple[str, str | None]:
    """Comment text without reply/like links, form prompts and captcha instructions, and the
    date of its timestamp line.

    Forums write a comment's time as a line of its own before or after the text, in the same
    element ("Finally!<br>27.11.2026 16:04"). Unless the comment is ``dated`` already, such a
    line (:func:`.dates.timestamp_date`, the last line tried first) is its date, not its text.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()
             and not _NOISE_LINE.match(line.strip()) and not _SEPARATOR_LINE.match(line)
             and not is_form_line(line)]
    published = None
    if not dated and len(lines) > 1:
        for index in (-1, 0):
            published = dates.timestamp(lines[index])
            if published:
                del lines[index]
                break
    return "\n".join(line for line in lines if not is_pager_text(line)), published


def _replied_sibling(block: HtmlElement, index_of: dict[HtmlElement, int]) -> int | None:
    """Replies kept in a container right after the comment they answer (Drupal's
    ``article.comment + div.indented``, JComments' ``div#comment-item-5 +
    div.comments-list``): the comment just before that container, or the one comment inside
    the element just before it."""
    for ancestor in block.iterancestors():
        if _REPLIES.search(attributes(ancestor)) or _REGION.search(attributes(ancestor)):
            previous = ancestor.getprevious()
            while previous is not None and not isinstance(previous.tag, str):
                previous = previous.getprevious()
            if previous is None:
                return None
            if previous in index_of:
                return index_of[previous]
            inside = {index_of[node] for node in previous.iterdescendants() if node in index_of}
            return inside.pop() if len(inside) == 1 else None
    return None


def _reply_target(block: HtmlElement, nested: set[HtmlElement]) -> str | None:
    """The id of the comment a flat reply answers, as its markup names it: a ``data-parent``,
    ``data-reply-to`` (or alike) attribute, or an ``in-reply-to`` link to ``#comment-12`` that
    is not in one of its ``nested`` replies."""
    for name in _REPLY_ATTRIBUTES:
        if block.get(name):
            return block.get(name).strip()
    for link in _IN_REPLY_TO(block):
        if link not in nested and not any(ancestor in nested for ancestor in link.iterancestors()):
            return link.get("href").partition("#")[2] or None
    return None


def _replied_comment(target: str, ids: dict[str, int]) -> int | None:
    """The comment whose id is ``target``, or whose id's number it is ("12", "c12" of
    ``comment-12``): themes name the parent by the number their ids are built on."""
    if target in ids:
        return ids[target]
    number = _ID_NUMBER.search(target)
    if number is None:
        return None
    found = {index for key, index in ids.items()
             if (match := _ID_NUMBER.search(key)) and match.group(1) == number.group(1)}
    return found.pop() if len(found) == 1 else None


def _from_blocks(blocks: list[HtmlElement], dates: DateContext) -> list[Comment]:
    """Comments from blocks in document order; a block's parent is the nearest block around it.

    A block with no text of its own wraps its comment and the replies (WordPress
    ``li#li-comment-5 > div#comment-5 + ul.children``): it stands for the first comment found
    inside it, so that the replies point at that comment. A reply listed flat names the comment
    it answers (:func:`_reply_target`), when that comment comes before it, or shows its depth
    (:func:`_depth`): it answers the last comment before it that is less deep.
    """
    out: list[Comment] = []
    index_of: dict[HtmlElement, int] = {}
    ids: dict[str, int] = {}
    wrappers: list[HtmlElement] = []
    depths: list[int | None] = []
    block_set = set(blocks)
    for block in blocks:
        nested = {inner for inner in block.iterdescendants() if inner in block_set}
        parent = next((index_of[ancestor] for ancestor in block.iterancestors()
                       if ancestor in index_of), None)
        if parent is None:
            parent = _replied_sibling(block, index_of)
        claimed = [wrapper for wrapper in wrappers if wrapper in block.iterancestors()]
        if parent is None:
            target = next(filter(None, (_reply_target(element, {inner for inner in element.iterdescendants()
                                                                 if inner in block_set})
                                        for element in (block, *claimed))), None)
            parent = _replied_comment(target, ids) if target else None
        depth = _depth(block, nested)
        if parent is None and depth is not None:
            parent = next((index for index in range(len(out) - 1, -1, -1)
                           if depths[index] is not None and depths[index] < depth), None)
        comment = _comment_from_block(block, nested, parent, dates)
        if comment is None:
            wrappers.append(block)
            continue
        for element in (block, *claimed):
            index_of[element] = len(out)
            ids.update({value: len(out) for name in _ID_ATTRIBUTES if (value := element.get(name))})
        wrappers = [wrapper for wrapper in wrappers if wrapper not in claimed]
        out.append(comment)
        depths.append(depth)
    return out


def _depth(block: HtmlElement, nested: set[HtmlElement]) -> int | None:
    """The depth a comment listed flat shows by indenting (:data:`_DEPTH_ATTRIBUTES`,
    :data:`_DEPTH_CLASS`, :data:`_INDENT_CELL`), or ``None``."""
    values = [block.get(name) for name in _DEPTH_ATTRIBUTES]
    values += [match.group(1) for token in _tokens(block) if (match := _DEPTH_CLASS.match(token))]
    values += [cell.get("indent") for cell in _INDENT_CELL(block)
               if not any(ancestor in nested for ancestor in cell.iterancestors())]
    # Decimal digits: str.isdigit takes "²" too, which int refuses.
    return next((int(value) for value in values if value and value.strip().isdecimal()), None)


def _line_date(line: HtmlElement, name: HtmlElement, dates: DateContext) -> str | None:
    """The date in an author line besides the element holding the name ("<a>Kim</a>
    <small>2 hours ago</small>"): what is left must be a timestamp line of its own."""
    if name is line:
        return None
    rest = lines_text(line, {name}).replace("\n", " ").strip()
    return dates.timestamp(rest) if rest else None


def _said_date(said: re.Match[str], dates: DateContext) -> str | None:
    when = said.group("before") or said.group("after")
    return dates.written(when) if when else None


def _said_runs(elements: Iterable[HtmlElement], dates: DateContext) -> list[Comment]:
    """Comments in a flat run of elements, each starting at a "NAME wrote:" line."""
    out: list[Comment] = []
    author: str | None = None
    published: str | None = None
    lines: list[str] = []

    def close() -> None:
        text, stamped = _clean_lines("\n".join(lines), dates, dated=published is not None)
        if author and text:
            out.append(_dated(author, published or stamped, text))

    for element in elements:
        if _is_noise(element) or element.tag in ("script", "style") or _is_quote(element):
            continue  # a quote's "NAME wrote:" starts no comment: it is another's text
        text = lines_text(element, _quotes(element))
        first, _, rest = text.partition("\n")
        said = _SAID.match(first) or _SAID_INLINE.match(text)
        name = clean_author(said.group("name"), handle=True) if said else None
        if said and name:
            close()
            author = name
            published = _said_date(said, dates)
            lines = [rest] if _SAID.match(first) else [text[said.end():]]
        elif author and not published and dates.timestamp(text):
            published = dates.timestamp(text)
        elif author:
            lines.append(text)
    close()
    return out


def _author_line(element: HtmlElement) -> bool:
    first = lines_text(element).partition("\n")[0]
    return bool(_SAID.match(first) or _SAID_INLINE.match(first))


def _said_level(region: HtmlElement) -> list[HtmlElement]:
    """The children of the element whose children hold the most "NAME wrote:" lines."""
    best, most = region, 0
    for container in region.iter():
        if not isinstance(container.tag, str) or _is_noise(container) or len(container) < 1:
            continue
        count = sum(1 for child in container if isinstance(child.tag, str)
                    and _author_line(child))
        if count > most:
            best, most = container, count
    return [child for child in best if isinstance(child.tag, str)]


def _run_level(run: list[HtmlElement]) -> list[HtmlElement]:
    """The elements to read as "NAME wrote:" runs after a "Comments" heading: the run itself,
    or the children of the element in it that hold more author lines (a ``<dl>`` of
    ``dt``/``dd`` pairs, a ``<div>`` of ``<p>``s), whose text read whole would make all its
    comments one."""
    best, most = run, sum(1 for element in run if _author_line(element))
    for element in run:
        children = _said_level(element)
        count = sum(1 for child in children if _author_line(child))
        if count > most:
            best, most = children, count
    return best


def _heading_sections(tree: HtmlElement) -> Iterator[tuple[HtmlElement, list[HtmlElement]]]:
    """A "12 Comments" heading and the elements that follow it, up to the next heading."""
    for heading in tree.iter("h2", "h3", "h4", "h5"):
        if not _COMMENTS_HEADING.match(" ".join(text_content(heading).split())) or in_chrome(
                heading):
            continue
        run: list[HtmlElement] = []
        for sibling in heading.itersiblings():
            if sibling.tag in ("h1", "h2", "h3"):
                break
            if isinstance(sibling.tag, str):
                run.append(sibling)
        if run:
            yield heading, run


def _named(comments: list[Comment]) -> int:
    return sum(1 for comment in comments if comment.author)


def _from_region(region: HtmlElement, dates: DateContext) -> list[Comment]:
    """The comments of a comment region: its comment-classed blocks, else its repeated
    sibling blocks, else its "NAME wrote:" runs.

    Comment-classed blocks that name no author may hold only the text, the author and date
    sitting beside them in the repeated block that is the whole comment (Hacker News's
    ``tr.comtr`` around ``div.comment``): the repeated blocks are read then, and win if more
    of them name an author.
    """
    marked = _from_blocks(_blocks(region), dates)
    if marked and 2 * _named(marked) >= len(marked):
        return marked
    # Repeated blocks without comment markup are comments only if most of them name an
    # author: forms, consent notes and account menus repeat too.
    segments = _from_blocks(_with_replies(region, _segments(region), dates), dates)
    if segments and 2 * _named(segments) >= len(segments) and _named(segments) > _named(marked):
        return segments
    return marked or _said_runs(_said_level(region), dates)


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    shared = [element, *element.iterancestors()] if (element := elements[0]) is not None else []
    for other in elements[1:]:
        chain = {other, *other.iterancestors()}
        shared = [node for node in shared if node in chain]
    return shared[0] if shared else None


def _line_ends(tree: HtmlElement) -> Iterator[tuple[str, HtmlElement | None]]:
    """The text nodes inside ``<body>`` that may end an author line (see :func:`_may_end_line`),
    in document order, each with the element that holds it.

    This is what :data:`_AUTHOR_TEXT` selects, read from the elements' ``text`` and ``tail``
    in one walk: the XPath copies every text node, scripts included, up to three times.
    """
    bodies = list(tree.iter("body"))
    if len(bodies) != 1:
        for text in _AUTHOR_TEXT(tree):
            element = text.getparent()
            yield text, element.getparent() if text.is_tail and element is not None else element
        return
    body = bodies[0]
    for event, element in etree.iterwalk(body, events=("start", "end")):
        if event == "start":
            text, holder = element.text, element
        elif element is not body:
            text, holder = element.tail, element.getparent()
        else:
            continue
        if text and _may_end_line(text):
            yield text, holder


def _may_end_line(text: str) -> bool:
    """Whether a text node ends in ':' (ignoring XML whitespace) or holds an ellipsis."""
    return (":" in text and text.rstrip(_XML_SPACE).endswith(":")) or "..." in text or "…" in text


def _ends_with_verb(text: str) -> bool:
    """Whether ``text`` ends like an author line: :data:`_AUTHOR_TEXT_END`, searched only where
    its verb can start.

    A match's verb ends where the text ends once trailing space, the ':' / '...' / '…' and the
    space before it are cut, so it starts at most :data:`_MAX_VERB` characters earlier. Searching
    a long text node (a paragraph or a script holding '...') from its start is what is slow.
    """
    end = len(text.rstrip().rstrip(":.…").rstrip())
    return _AUTHOR_TEXT_END.search(text, max(0, end - _MAX_VERB)) is not None


def _unmarked(tree: HtmlElement,
              dates: DateContext) -> tuple[list[Comment], list[HtmlElement]]:
    """Comments with no comment markup at all: two or more "NAME wrote:" lines in one block.

    Returns the comments and the elements they came from. The author lines are found through
    their text nodes (a cheap XPath), then read as flat runs at the level that holds them.
    """
    if not any(_may_end_line(text) and _ends_with_verb(text) for text in _BODY_TEXT(tree)):
        return [], []  # no text node ends like an author line: spare the walk over elements
    lines: list[HtmlElement] = []
    for text, element in _line_ends(tree):
        if not _ends_with_verb(text):
            continue
        if (element is not None and _SAID.match(" ".join(text_content(element).split()))
                and not in_chrome(element)):
            lines.append(element)
    if len(lines) < _MIN_UNMARKED:
        return [], []
    container = _common_ancestor(lines)
    if container is None:
        return [], []
    children = _said_level(container)
    comments = _said_runs(children, dates)
    if len(comments) < _MIN_UNMARKED:
        return [], []
    start = next(index for index, child in enumerate(children)
                 if child is lines[0] or child in lines[0].iterancestors())
    return comments, children[start:]


def _is_teaser(block: HtmlElement, author: str) -> bool:
    """A listing's teaser, not a post: a heading that links to another page (other than the
    poster's name linking to their profile, as XenForo sets it), or mostly links other than
    the post's own (its poster's name, its dated permalink, its "Report"/"Quote" actions)."""
    for heading in block.iter("h1", "h2", "h3", "h4"):
        if clean_author(text_content(heading), handle=True) == author:
            continue
        if any(not (link.get("href") or "#").startswith("#") and "#" not in link.get("href", "")
               for link in heading.iter("a")):
            return True
    text = len(text_content(block).strip())
    linked = sum(len(label) for link in block.iter("a")
                 if (label := " ".join(text_content(link).split()))
                 and label != author and link.find(".//time") is None
                 and not _NOISE_LINE.match(label))
    return not text or linked > _TEASER_LINKS * text


def _thread_posts(tree: HtmlElement, dates: DateContext) -> list[HtmlElement]:
    """A forum thread's posts, in page order: the largest run (two or more) of sibling blocks
    marked as posts (phpBB's ``div#p4410.post``, vBulletin's ``li#post_123``, Discourse's
    ``.topic-post``, Invision's ``article.cPost``), outside the site chrome, each naming its
    author and none a teaser."""
    runs: dict[HtmlElement, list[HtmlElement]] = {}
    for element in tree.iter("div", "li", "article", "section", "table"):
        if _POST_ID.match(element.get("id") or "") or _POST_CLASS.search(
                element.get("class") or ""):
            parent = element.getparent()
            if parent is not None:
                runs.setdefault(parent, []).append(element)
    for run in sorted(runs.values(), key=len, reverse=True):
        if len(run) < _MIN_SEGMENTS:
            break
        if in_chrome(run[0]):
            continue
        authors = [_author_of(post, _comment_noise(post), dates)[0] for post in run]
        if all(authors) and not any(_is_teaser(post, author or "")
                                    for post, author in zip(run, authors, strict=True)):
            return run
    return []


def is_thread(tree: HtmlElement) -> bool:
    """Whether the page is a forum thread: two or more sibling post blocks, each naming its
    author, none a listing's teaser (see :func:`_thread_posts`)."""
    return bool(_thread_posts(tree, DateContext()))


def _opening_post_furniture(post: HtmlElement) -> list[HtmlElement]:
    """What surrounds the opening post's text (the poster's profile, the post's title line,
    its signature): the elements beside the path from the post down to its text, and its
    signature wherever it is."""
    noise = _comment_noise(post)
    holder = _text_holder(post, noise, noise)
    furniture = [element for element in post.iterdescendants()
                 if _SIGNATURE.search(attributes(element))]
    if holder is post:
        return furniture
    node = holder
    while node is not post:
        parent = node.getparent()
        furniture.extend(child for child in parent if child is not node
                         and isinstance(child.tag, str))
        node = parent
    return furniture


def _replies_are_items(posts: list[HtmlElement], items: list[HtmlElement]) -> bool:
    """Whether ``posts`` are a thread whose opening post is no microdata comment and whose
    replies each are (or hold) one of the comment ``items``."""
    if not posts or not items:
        return False
    held = {post for item in items for post in (item, *item.iterancestors()) if post in posts}
    return posts[0] not in held and not within(posts[0], items) and held == set(posts[1:])


def _open_thread(section: CommentSection, post: HtmlElement, dates: DateContext) -> None:
    """Record ``post`` as the thread's opening post: the document's author and text, and
    the furniture around its text (profile, title line, signature) as part of the section."""
    section.author = _author_of(post, _comment_noise(post), dates)[0]
    section.first_post = _comment_from_block(post, set(), None, dates)
    section.opening_post = post
    section.regions.extend(_opening_post_furniture(post))


def _prose_before(tree: HtmlElement, element: HtmlElement) -> bool:
    """Whether a paragraph of prose outside the chrome comes before ``element``."""
    for node in tree.iter("p", element.tag):
        if node is element:
            return False
        if (node.tag == "p" and len(" ".join(text_content(node).split())) >= _MIN_PROSE
                and not in_chrome(node)):
            return True
    return False


def _unnamed_regions(tree: HtmlElement) -> list[HtmlElement]:
    """Comment sections whose container says nothing (utility classes only: ``div.flex``): the
    parent of two or more sibling comment blocks (id ``comment-12`` or a comment class),
    outside the chrome, or the element above it when that holds the section's "23 Comments"
    heading too."""
    runs: dict[HtmlElement, int] = {}
    for element in tree.iter("div", "li", "article", "section"):
        if _BLOCK_ID.match(element.get("id") or "") or _BLOCK.search(element.get("class") or ""):
            parent = element.getparent()
            if parent is not None:
                runs[parent] = runs.get(parent, 0) + 1
    found: list[HtmlElement] = []
    for parent, count in runs.items():
        if count < _MIN_SEGMENTS or in_chrome(parent) or any(
                ancestor in runs for ancestor in parent.iterancestors()):
            continue
        above = parent.getparent()
        if above is not None and any(
                _COMMENTS_HEADING.match(" ".join(text_content(heading).split()))
                for heading in above.iterchildren("h2", "h3", "h4")):
            parent = above
        found.append(parent)
    return found


def _forms(tree: HtmlElement) -> list[HtmlElement]:
    """Comment forms and captchas anywhere on the page (never article text).

    A textarea outside any ``<form>`` (script-driven pages) stands for the ``div`` around it,
    unless that ``div`` holds the page's content (its headline, article or main block, or
    more text than a form has): a page whose textarea sits straight in ``<main>`` has the
    whole page as the ``div`` around it.
    """
    return [element for element in tree.xpath(
                "//body//form | //body//textarea[not(ancestor::form)]/ancestor::div[1]")
            if (_TEXTAREA(element) or _matches(element, _FORM))
            and (element.tag == "form" or not (_PAGE_CONTENT(element)
                                               or len(text_content(element)) > _MAX_FORM_TEXT))]


def find_comments(tree: HtmlElement, data: Structured,
                  scanned: Iterable[tuple[HtmlElement, str]],
                  dates: DateContext) -> CommentSection:
    """The page's comments in page order, and the elements of its comment section.

    ``scanned`` is the page's :func:`.regions.containers` list; ``dates`` says how the
    comments' written dates read: in the page's declared language and region ("le 3 mars
    2022", 12/07/2019 day first on a British page), relative ones ("2 hours ago") counted
    back from the capture time.
    """
    regions = _regions(scanned)
    section = CommentSection(regions=regions + _forms(tree))
    comments = _from_json_ld(data)
    microdata, items, item_index = _from_microdata(tree, dates)
    section.regions.extend(items)
    from_microdata = not comments and bool(microdata)
    if not comments:
        comments = _with_item_regions(microdata, item_index, regions, dates)
    # A page declaring itself an article (a live blog's entries are posts too) is no thread.
    declared_article = any(ld_types(obj) & ARTICLE_TYPES for obj in data.objects)
    posts = ([] if (comments and not from_microdata) or declared_article
             else _thread_posts(tree, dates))
    if from_microdata and _replies_are_items(posts, items):
        # A thread whose replies are microdata comments (vBulletin 5, Discourse): its opening
        # post is the document all the same.
        _open_thread(section, posts[0], dates)
        posts = []
    # A thread's posts inside a comment region (Invision's ``div#comments``) are the thread,
    # when no article comes before them (Disqus's posts under an article are its comments).
    held = {region for region in regions if posts and region in posts[0].iterancestors()}
    if held and _prose_before(tree, posts[0]):
        held = set()
    if held:
        section.regions = [region for region in section.regions if region not in held]
    if not comments and not held:
        for region in regions:
            comments.extend(_from_region(region, dates))
    if not comments and not held:
        for region in _unnamed_regions(tree):
            found = _from_region(region, dates)
            if 2 * _named(found) >= len(found):
                comments.extend(found)
                section.regions.append(region)
    if not comments and posts:
        # A forum thread: the opening post is the document, the replies are its comments.
        _open_thread(section, posts[0], dates)
        comments = _from_blocks(posts[1:], dates)
        section.regions.extend(posts[1:])
    if not comments:
        # No comment markup: trust a "Comments" heading only when what follows it reads as
        # comments ("NAME wrote:"), since an article may have a section called "Comments".
        for heading, run in _heading_sections(tree):
            found = _said_runs(_run_level(run), dates)
            if found:
                comments.extend(found)
                section.regions.extend([heading, *run])
    if not comments:
        comments, elements = _unmarked(tree, dates)
        section.regions.extend(elements)
    section.comments = merge_comments([comments])
    return section


def merge_comments(groups: Iterable[Sequence[Comment]]) -> list[Comment]:
    """Concatenate comment lists (pages in order), dropping repeats and renumbering parents.

    A comment repeated on several pages (same author and text) is kept once; replies to a
    dropped repeat point at the kept one.
    """
    merged: list[Comment] = []
    first_index: dict[tuple[str | None, str], int] = {}
    for group in groups:
        mapping: dict[int, int] = {}
        for position, comment in enumerate(group):
            key = (comment.author, comment.text)
            if key in first_index:
                mapping[position] = first_index[key]
                continue
            parent = mapping.get(comment.parent) if comment.parent is not None else None
            mapping[position] = first_index[key] = len(merged)
            merged.append(dataclasses.replace(comment, parent=parent))
    return merged
