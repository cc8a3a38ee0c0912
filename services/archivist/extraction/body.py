"""The article body as plain text: paragraphs separated by blank lines.

trafilatura finds the main content; around it we add what it lacks on news and forum pages:

* before: the comment section, forms and page furniture (see :mod:`.boilerplate`) are cut from
  the tree, so comments, captchas, pagers and "more articles" lists cannot leak in;
* after: the headline and a byline or bare date line at the top, furniture lines ("Read more: ...", copyright, pager text),
  link lists introduced by "Related"/"Don't miss", and any paragraph that is a comment's text
  are dropped.

trafilatura runs in ``fast`` mode (no fallback extractors): it scores as well on the benchmark
and is about 1.5x faster. When that pass returns what looks like a menu (mostly short labels),
or little enough text that trafilatura took the whole page's text instead (a two-sentence
story under the site's menus), the full extractor runs again with ``favor_precision``. An article body split into several
same-class containers is joined first. Lists, tables and code blocks are kept, one block per
paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import DEFAULT_CONFIG
from trafilatura.xml import xmltotxt

from archivist.extraction.authors import byline_names
from archivist.extraction.boilerplate import is_boilerplate_line, starts_link_list
from archivist.extraction.dates import parse_date
from archivist.extraction.text import text_content

__all__ = ["extract_body", "word_key"]

_WORDS = re.compile(r"\w+")
#: A chunk of a split article body holds this many paragraphs of this many characters.
_CHUNK_PARAGRAPHS = 2
_CHUNK_PARAGRAPH = 80
#: trafilatura's fast pass replaces a result shorter than this by a dump of the whole page's
#: text, menus included (its "baseline" rescue); the precision pass has no such rescue.
_MIN_EXTRACTED = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")
#: Output of at least this many blocks, most of them short labels, is a menu.
_NAV_MIN_BLOCKS = 10
_NAV_LABEL = 40
_NAV_SHARE = 0.6
_MAX_BYLINE = 100
#: A line that dates the article by a label and a number ("Updated 2 hours ago"): dates the
#: parser reads absolutely are found by :func:`.dates.parse_date`.
_DATELINE = re.compile(r"^(?:(?:last\s+)?updated|published|posted|aktualisiert|veröffentlicht|"
                       r"publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)\b"
                       r"(?=.*\d).{0,60}$", re.IGNORECASE)
#: The headline, if repeated, is within the first few paragraphs.
_TITLE_WINDOW = 3
#: XPath objects are compiled once; ``element.xpath(...)`` compiles its expression every call.
_OWN_TABLE = etree.XPath("ancestor::table[1]")


def word_key(text: str) -> str:
    """Text reduced to its lower-cased words, to compare paragraphs regardless of punctuation."""
    return " ".join(_WORDS.findall(text.lower()))


def _remove(elements: Iterable[HtmlElement]) -> None:
    """Drop elements with their content but keep the text that follows them (their tail)."""
    for element in elements:
        if element.getparent() is not None:
            element.drop_tree()


def _join_chunks(tree: HtmlElement) -> None:
    """Join an article body split into several same-class containers (between ad slots).

    Content extractors pick the single best container and lose the other chunks. Containers
    with the same tag and class, each holding several real paragraphs, are moved into the
    first one, in document order.
    """
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is None or not parent.get("class") or len(
                text_content(paragraph)) < _CHUNK_PARAGRAPH:
            continue
        group = groups.setdefault((parent.tag, parent.get("class", "")), [])
        if parent not in group:
            group.append(parent)
    for chunks in groups.values():
        chunks = [chunk for chunk in chunks if sum(
            1 for child in chunk if child.tag == "p"
            and len(text_content(child)) >= _CHUNK_PARAGRAPH) >= _CHUNK_PARAGRAPHS]
        if len(chunks) < 2 or any(a in b.iterancestors() for a in chunks for b in chunks):
            continue
        for chunk in chunks[1:]:
            chunks[0].extend(list(chunk))


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout into plain blocks.

    A table whose cells hold paragraphs, lists, forms or other tables lays out the page (old
    sites put header, article, pager and sidebar in cells); extracted as a table it would come
    out as one cell of everything. So does a table of a single row (a logo beside a date).
    Data tables (several rows of text-only cells) are left alone.
    """
    # ``/descendant::`` selects what ``//`` does, and libxml2 walks it about 20 % faster.
    for table in tree.xpath("/descendant::table[descendant::p or descendant::div or "
                            "descendant::ul or descendant::ol or descendant::form or "
                            "descendant::table or descendant::h1 or descendant::h2 or "
                            "descendant::h3 or descendant::br/following-sibling::br or "
                            "count(descendant::tr) = 1]"):
        own = [element for element in table.iterdescendants("tbody", "thead", "tfoot", "tr",
                                                            "td", "th")
               if _OWN_TABLE(element) == [table]]
        for element in [table, *own]:
            element.tag = "div"


def _blocks(postbody: HtmlElement | None) -> list[str]:
    if postbody is None:
        return []
    blocks = []
    for child in postbody:
        text = xmltotxt(child, False).strip()
        if child.tag in ("list", "table", "code", "pre"):
            blocks.append(text)
        else:
            blocks.extend(part.strip() for part in text.split("\n"))
    return [block for block in blocks if block.strip()]


def _run_trafilatura(tree: HtmlElement, url: str, *, fast: bool) -> list[str]:
    """trafilatura's main-content blocks (it works on its own copy of ``tree``)."""
    document = trafilatura.bare_extraction(
        tree, url=url, fast=fast, favor_precision=not fast, include_comments=False,
        include_tables=True, with_metadata=False,
    )
    return _blocks(document.body if document is not None else None)


def _looks_like_navigation(blocks: list[str]) -> bool:
    """Mostly short label-like lines: the fast pass took a menu for the article."""
    if len(blocks) < _NAV_MIN_BLOCKS:
        return False
    labels = sum(1 for block in blocks
                 if len(block) < _NAV_LABEL and not block.rstrip().endswith((".", "!", "?", ":")))
    return labels >= _NAV_SHARE * len(blocks)


def _is_byline(block: str, languages: list[str]) -> bool:
    """A short byline that names its authors ("By NAME, DATE", "di NAME", "Autor: NAME"), a
    bare date ("Publicado el 3 de marzo de 2022" in the page's language) or a labelled one
    ("Updated 2 hours ago"), above the article text."""
    if len(block) > _MAX_BYLINE:
        return False
    return (bool(byline_names(block)) or bool(_DATELINE.match(block))
            or parse_date(block, languages) is not None)


def _is_list(block: str) -> bool:
    return block.lstrip().startswith(("- ", "* ", "• "))


def _filter(blocks: list[str], titles: set[str], comment_keys: set[str],
            languages: list[str]) -> list[str]:
    kept: list[str] = []
    after_intro = False
    for index, block in enumerate(blocks):
        key = word_key(block)
        if not key:
            continue
        if index < _TITLE_WINDOW and (key in titles or _is_byline(block, languages)):
            continue
        if is_boilerplate_line(block) or key in comment_keys:
            continue
        if starts_link_list(block) and len(block) < 200:
            after_intro = True
            continue
        if after_intro and _is_list(block):
            continue
        after_intro = False
        kept.append(block)
    return kept


def extract_body(tree: HtmlElement, url: str, *, remove: Iterable[HtmlElement] = (),
                 titles: Iterable[str] = (), comments: Iterable[str] = (),
                 language: str | None = None) -> str:
    """The body text of one page. Mutates ``tree``: call it after the read-only steps.

    ``remove`` are elements known not to be article (comment section, page furniture),
    ``titles`` the headline variants to drop from the top, ``comments`` comment texts that must
    not appear, ``language`` the page's declared language (dates are read in it and English).
    """
    _remove(remove)
    _unwrap_layout_tables(tree)
    _join_chunks(tree)
    blocks = _run_trafilatura(tree, url, fast=True)
    if _looks_like_navigation(blocks) or sum(map(len, blocks)) < _MIN_EXTRACTED:
        blocks = _run_trafilatura(tree, url, fast=False) or blocks
    comment_keys = {word_key(line) for text in comments for line in text.split("\n")}
    comment_keys.discard("")
    title_keys = {word_key(title) for title in [*titles, url] if title}
    languages = [language, "en"] if language and language != "en" else ["en"]
    return "\n\n".join(_filter(blocks, title_keys, comment_keys, languages))
