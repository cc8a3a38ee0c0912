"""What is never article text: the page furniture to cut from the tree, and the lines to drop.

trafilatura already drops most navigation. What it lets through on news pages are the blocks
around the article: share bars, newsletter boxes, "related"/"more articles" lists, pagers, tag
lists and copyright lines, plus the headline itself. Removing them before extraction (by
class/id) and after it (by line pattern) is where our precision gain comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.html import HtmlElement

from archivist.extraction.regions import attributes, in_chrome, token_pattern
from archivist.extraction.text import text_content

__all__ = [
    "PAGE_X_OF_N",
    "boilerplate_elements",
    "deck_elements",
    "in_furniture",
    "is_boilerplate_line",
    "is_form_line",
    "is_pager_text",
    "link_lists",
    "starts_link_list",
]

#: Boxes of other articles' teasers: "related" as a part of the token ("related-articles",
#: "crp_related", "rp4wp-related-posts", "jp-relatedposts", "c-related-list"), and the box's
#: other names.
_TEASER_BOXES = (
    r"[\w-]*?(?<![^\W_])related(?:posts?|articles?|stories|content|links|news|items?)?"
    r"(?![^\W_])[\w-]*|more-?(?:articles|stories|news)|more-from[\w-]*|read-?next|also-?read|"
    r"recommend[\w-]*|similar-?(?:posts?|articles?|stories)|[\w-]*relacionad[oa]s|"
    r"[\w-]*correlat[io]|mehr-?zum-?thema|lesen-?sie-?auch|(?:a-?)?lire-?aussi|voir-?aussi"
)
_TEASER_BOX = token_pattern(_TEASER_BOXES)
_FURNITURE = token_pattern(
    r"newsletter\w*|\w*-newsletter|signup|sign-up|"
    r"subscribe\w*|subscription|share|shares|sharing|share-?(?:bar|buttons?|tools|links|icons)|"
    r"social|social-?(?:share|links|media|buttons?|icons)|breadcrumbs?|pagination|pager|"
    r"paging|page-?nav|pagenav|post-?tags|tag-?list|tags-?list|article-?tags|entry-?tags|"
    r"read-?more|outbrain|taboola|promo|promos|"
    r"advert\w*|ad-?slot|ad-?container|ad-?wrapper|cookie\w*|popup|modal|author-?bio|"
    r"author-?box|about-?the-?author|print-?only|skip-?link|sr-only|visually-?hidden|"
    r"comment-?count|comments-?link|pageno|page-?number|article-?footer|entry-?footer|"
    r"post-?footer|" + _TEASER_BOXES
)
_DECK = token_pattern(r"(?:article-?)?(?:sub-?head(?:line)?|subline|dek|standfirst|sub-?title|"
                      r"strapline|summary|excerpt|teaser|description|kicker|lede|intro)")
#: A headline's own header block (headline, deck, byline) is short; an article is not.
_MAX_HEADER_TEXT = 1000
_MIN_DECK = 30
_MIN_LINK_ITEMS = 3
_LINK_LIST_SHARE = 0.9
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: An element holding more of the page's text than this is the article, whatever its class.
_MAX_SHARE = 0.4
_MAX_PAGER = 120
_MIN_PAGER_NUMBERS = 3

#: "Read also" lead-ins in the languages most pages come in ("Lesen Sie auch:", "À lire aussi").
_READ_ALSO = (r"lesen sie auch|lies auch|lese auch|mehr zum thema|auch interessant|"
              r"(?:à )?lire aussi|voir aussi|lea también|lee también|leer más|ver también|"
              r"leia também|leia mais|leggi anche|lees ook|czytaj (?:też|także)|läs också|læs også|"
              r"(?:también )?(?:te|le) puede interesar|puede interesarte|читайте также|"
              r"смотрите также|相关(?:阅读|新闻|文章|链接)|推荐阅读|延伸阅读|関連記事|あわせて読みたい")
#: "Page 2 of 3", "Seite 2 von 3", "Page 2 sur 3", "Страница 2 из 3": the page's number and the
#: page count (groups 1 and 2). A line of it is pager text; pagination reads the count from it.
PAGE_X_OF_N = (r"(?:page|seite|página|pagina|strona|strana|страница)\s+(\d{1,3})\s*"
               r"(?:of|/|von|de|sur|di|van|z|из)\s*(\d{1,3})")
_LINE_PATTERNS = [
    r"(?:copyright|©|\(c\))\s.{0,200}",
    r".{0,150}all rights reserved\.?.{0,60}",
    (r"(?:read more|related|related (?:articles?|stories|coverage|content|links|posts?)|see also|"
     r"also read|also see|don'?t miss|more on this|recommended|read next|watch|listen|"
     r"trending|most read|most popular|more from [\w ]{1,40}|you may also like|"
     r"you might also like|more stories|more articles|top stories|" + _READ_ALSO
     + r")\s*(?:[:：].{0,200}|\.{0,3})"),
    r"read\s*:.{0,200}",
    # What a page prints where an advertisement or a button sat in the text.
    (r"(?:the )?(?:story|article|text) continues (?:below|after (?:the )?(?:advertisement|ad))"
     r"(?: (?:the )?advertisement)?\.?"),
    r"continue reading(?: the main story| below)?\.?",
    # The reading time a page prints above the text: "3 min read", "Lesezeit: 4 Min.".
    (r"\d+\s*(?:min(?:ute)?s?|min\.)\s*(?:read|de lecture|de lectura|di lettura)|"
     r"(?:reading time|lesezeit|temps de lecture|tiempo de lectura|tempo di lettura|leestijd)"
     r"\s*:?\s*\d+\s*(?:min(?:ute)?s?|min\.?|minuten)\.?"),
    (r"(?:more|other|related|recommended|latest|popular|top|similar) (?:articles|stories|news|"
     r"posts|headlines|videos)\b.{0,40}"),
    (r"advertisement|advertising|sponsored|tags?|filed under|share(?: this)?(?: article| story)?|"
     r"comments?|\d+ comments?|leave a (?:reply|comment)|post a comment|print|e-?mail|"
     r"previous|next|previous (?:article|post)|next (?:article|post)"),
    r".{0,120}\b(?:sign up|subscribe)\b.{0,120}\b(?:newsletter|inbox|e-?mail)\b.{0,100}",
    r".{0,120}\b(?:newsletter|inbox)\b.{0,120}\b(?:sign up|subscribe)\b.{0,100}",
    r"(?:thanks|thank you) for (?:signing up|subscribing).{0,100}",
    PAGE_X_OF_N + r"\.?",
    # A paywall's teaser below the lead: "Subscribe to continue reading", "You've reached your
    # limit of free articles", "Already a subscriber? Log in".
    r"(?:subscribe|sign in|log in|register)(?: now| today)?(?: to (?:continue|keep) reading.{0,100})?",
    (r".{0,60}\byou(?:'ve| have) (?:reached|used) (?:your|all your|all of your|the) "
     r"(?:limit|maximum|\d+) (?:of )?free (?:articles|stories).{0,150}"),
    r"already (?:a subscriber|have an account)\?.{0,60}",
    (r"(?:il vous reste \d[\d.,]*\s?% de cet article à lire|la suite est réservée aux abonnés|"
     r"cet article est réservé aux abonnés|jetzt abonnieren|weiterlesen mit [\w+ ]{1,30}|"
     r"este contenido es exclusivo para (?:suscriptores|socios)|"
     r"(?:conteúdo|matéria) exclusiv[oa] para assinantes).{0,150}"),
    r"\(?page \d+ of \d+\)?",
    r"follow (?:us|him|her|them) on (?:twitter|facebook|instagram).{0,150}",
    r"(?:email|contact) [\w .'-]{2,40} at \S+@\S+.{0,150}",
    r"write to [\w .'-]{2,60} at \S+@\S+\.?",
    r"(?:photo|image|picture) (?:credit|courtesy)\s*:.{0,120}",
    # Counters a page prints beside the text, new at every visit: "1,204 views", "Read 1.2k
    # times", "214 shares", "👁 1204", "12 people are reading this", "31 Personen lesen gerade".
    (r"[\d.,]+\s*[km]?\s+(?:views?|reads|shares|aufrufe|vues|lectures|visitas|lecturas|"
     r"visualizzazioni|letture)|(?:read|viewed|shared|gelesen|lu|leído)\s+[\d.,]+\s*[km]?\s*"
     r"(?:times|mal|fois|veces|volte)|(?:👁\ufe0f?|👀)\s*[\d.,]+\s*[km]?"),
    (r"[\d.,]+\s*[km]?\s+(?:people|persons|readers|users|visitors|personen|leser(?:innen)?|"
     r"personnes|lecteurs|personas|lectores|persone|lettori)\s+(?:are\s+|(?:están|stanno)\s+)?"
     r"(?:reading|viewing|looking at|lesen|lisent|leyendo|leggendo)(?:\s+(?:this|it|now|right|"
     r"article|story|page|post|gerade|jetzt|diesen|artikel|cet|en ce moment|este|artículo|ahora|"
     r"questo|articolo|ora))*\.?"),
]
#: Comment-form prompts and captcha instructions: furniture in a body and in a comment alike.
_FORM_PATTERNS = [
    r".{0,80}\b(?:characters? (?:left|remaining)|word verification)\b.{0,120}",
    r"please read our (?:comment )?policy.{0,150}",
    r"your e-?mail(?: address)? will not be published.{0,100}",
    r"(?:leave a (?:reply|comment)|post a comment|add a comment|submit comment)\.?",
    r"(?:type|enter) the (?:characters|letters|code|word)s? (?:you see|shown|above).{0,80}",
]
_FORM_LINE = re.compile(r"^\s*(?:" + "|".join(_FORM_PATTERNS) + r")\s*$", re.IGNORECASE)
_BOILERPLATE_LINE = re.compile(
    # A pointer may lead the line: "» Lire aussi : ...".
    r"^\s*(?:[»›>▶►→•*]\s*)?(?:" + "|".join(_LINE_PATTERNS + _FORM_PATTERNS) + r")\s*$",
    re.IGNORECASE,
)
_PAGER_TEXT = re.compile(
    r"^[\s«»‹›<>|·•,.\-–—\d]*(?:(?:previous|prev|next|first|last|older|newer)[\s«»‹›<>|·•,.\-–—"
    r"\d]*)*$",
    re.IGNORECASE,
)
_LIST_INTRO = re.compile(
    r"^\s*(?:related|read more|see also|also read|don'?t miss|more on this|recommended|"
    r"read next|more stories|more articles|you may also like|you might also like|"
    r"more from [\w ]{1,40}|top stories|trending|most read|most popular|"
    r"(?:more|other|latest|popular|similar) (?:articles|stories|news|posts|headlines)|"
    + _READ_ALSO + r")\b",
    re.IGNORECASE,
)


def _is_furniture(element: HtmlElement, attrs: str, named: dict[str, bool]) -> bool:
    """Whether a block is furniture by its id/class, or hidden.

    ``named`` memoises the id/class test per ``attrs`` for one page: a page repeats its
    classes, and the pattern is long.
    """
    furniture = named.get(attrs)
    if furniture is None:
        furniture = named[attrs] = bool(_FURNITURE.search(attrs))
    if furniture:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(element.get("style") or ""))


def in_furniture(element: HtmlElement) -> bool:
    """Whether the element sits in a related/newsletter/share/... block (by class or id), or
    is a box of other articles' teasers itself (its short text is a teaser's). An article's
    footer, furniture to the body, is itself its byline ("Posted by NAME on DATE")."""
    return bool(_TEASER_BOX.search(attributes(element))) or any(
        _FURNITURE.search(attributes(node)) for node in element.iterancestors())


def boilerplate_elements(tree: HtmlElement,
                         scanned: Iterable[tuple[HtmlElement, str]]) -> list[HtmlElement]:
    """Furniture blocks among ``scanned`` (see :func:`.regions.containers`), outermost first,
    none holding the article.

    ``scanned`` is in document order, so a block inside one already chosen comes after it;
    it is skipped without measuring its text, since the outer block is cut with it.
    """
    body = tree.find("body")
    if body is None:
        return []
    total = len(text_content(body)) or 1
    named: dict[str, bool] = {}
    chosen: set[HtmlElement] = set()
    found = []
    for element, attrs in scanned:
        if not _is_furniture(element, attrs, named) or (chosen and any(
                ancestor in chosen for ancestor in element.iterancestors())):
            continue
        if len(text_content(element)) <= _MAX_SHARE * total:
            chosen.add(element)
            found.append(element)
    return found


def deck_elements(tree: HtmlElement) -> list[HtmlElement]:
    """The standfirst under the headline: h2/h3 in the headline's own (small) header block.

    Decks summarise the article and are not part of its text; inside the article, h2/h3 are
    section headings and stay.
    """
    headline = next((h1 for h1 in tree.iter("h1") if not in_chrome(h1)), None)
    if headline is None:
        return []
    found: list[HtmlElement] = []
    for block in (headline.getparent(), headline.getparent().getparent()
                  if headline.getparent() is not None else None):
        if block is None or block.tag in ("body", "html") or len(
                text_content(block)) > _MAX_HEADER_TEXT:
            break
        found = [heading for heading in block.iter("h2", "h3", "h4")
                 if len(text_content(heading).strip()) >= _MIN_DECK]
    if not found:
        sibling = headline.getnext()
        if sibling is not None and sibling.tag in ("h2", "h3") and _DECK.search(
                attributes(sibling)):
            found = [sibling]
    return found


def link_lists(tree: HtmlElement) -> list[HtmlElement]:
    """Lists of at least three items that are all links: lists of other articles."""
    found = []
    for listing in tree.iter("ul", "ol"):
        items = [item for item in listing if item.tag == "li"]
        # Cheapest test first: most lists have an item without a link, and then their text
        # need not be measured.
        if len(items) < _MIN_LINK_ITEMS or not all(
                item.find(".//a") is not None for item in items):
            continue
        text = len(" ".join(text_content(listing).split()))
        linked = sum(len(" ".join(text_content(a).split())) for a in listing.iter("a"))
        if text and linked >= _LINK_LIST_SHARE * text:
            found.append(listing)
    return found


def is_boilerplate_line(line: str) -> bool:
    """A paragraph that is page furniture whatever the page: copyright, "Read more: ...", etc."""
    return bool(_BOILERPLATE_LINE.match(line)) or is_pager_text(line)


def is_form_line(line: str) -> bool:
    """A comment-form prompt or captcha instruction ("You have 1000 characters left")."""
    return bool(_FORM_LINE.match(line))


def is_pager_text(line: str) -> bool:
    """A line that is a pager: "« previous 1 | 2 | 3 next »" (numbers and arrows only)."""
    stripped = line.strip()
    if not stripped or len(stripped) >= _MAX_PAGER or not _PAGER_TEXT.match(stripped):
        return False
    return bool(re.search(r"prev|next|«|»", stripped, re.IGNORECASE)) or len(
        re.findall(r"\d+", stripped)) >= _MIN_PAGER_NUMBERS


def starts_link_list(line: str) -> bool:
    """A "Related:" / "Read more" style lead-in, after which a list is other articles."""
    return bool(_LIST_INTRO.match(line))
