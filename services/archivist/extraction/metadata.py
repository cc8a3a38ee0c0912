"""Descriptive metadata: canonical URL, title, description, site name, image, tags, categories.

Declared values (OpenGraph, JSON-LD, ``<meta>``) come first because the site chose them for
exactly this purpose; visible markup (``<h1>``, the logo's ``alt`` text, ``<title>``) is the
fallback, and the host name is the last resort for the site name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from archivist.extraction.structured import ARTICLE_TYPES, Structured, ld_text, ld_types
from archivist.extraction.text import heading_text, site_key, text_content
from archivist.extraction.urls import join_url

__all__ = ["Metadata", "canonical_url", "find_metadata"]

#: Spaced separators, and the "_" and "--" that Chinese portals write without spaces
#: ("标题_新闻网"); an ASCII word's "_" ("__init__", "path_join") is none.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—:·•»_-]|::|--)\s+|(?<=[^\x00-\x7f])(?:_|--)(?=[^\x00-\x7f])")
#: :data:`_TITLE_SEPARATORS` and a colon ("Analysis: Headline"): a label is cut off a title only
#: where the ``<h1>`` shows the rest alone, so the colon of "Star Wars: A New Hope" stays.
_HEADLINE_PIECES = re.compile(f"({_TITLE_SEPARATORS.pattern}|:\\s+)")
#: :data:`_TITLE_SEPARATORS` kept in the split: parts at even indexes, separators at odd ones.
_TITLE_PIECES = re.compile(f"({_TITLE_SEPARATORS.pattern})")
#: A ``<title>`` whose first part may be the site's: "Site: Headline", "Site - Headline".
_SITE_FIRST = re.compile(r"(?P<site>.+?)(?:\s*:|\s+(?:[|–—·•»-]|::))\s+(?P<headline>\S.*)")
#: A logo block, or an image named so; "logout" (an account menu's, around the reader's avatar)
#: holds the letters of "logo" and is none.
_LOGO = re.compile(r"logo(?!ut)|brand|masthead|site-?title|site-?name", re.IGNORECASE)
_ARTICLE_TYPES = ARTICLE_TYPES | {"WebPage"}
#: A logo's ``alt`` that names the link's target, not the site ("Home", "Zur Startseite").
_HOME = re.compile(
    r"^(?:(?:go|back|return)\s+to\s+(?:the\s+)?|zur\s+|retour\s+à\s+l'|ir\s+a\s+la\s+)?"
    r"(?:home\s*page|home|startseite|accueil|inicio|portada|homepagina|pagina\s+iniziale|"
    r"strona\s+główna)$", re.IGNORECASE)
_MAX_TAGS = 50
#: The "read more" link a theme writes at the end of the excerpt that becomes the description
#: (WordPress's "[…]", "Continue reading →", "Lire la suite", "Weiterlesen"), with the arrows
#: after it. Anchored at the end, and only ever searched in a description.
_READ_MORE = re.compile(
    r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|(?:click\s+here\s+to\s+)?read\s+more|continue\s+reading|"
    r"read\s+the\s+full\s+(?:story|article)|lire\s+la\s+suite|weiterlesen|mehr\s+lesen|leer\s+más|"
    r"leia\s+mais|continua\s+a\s+leggere|leggi\s+tutto|lees\s+verder|читать\s+далее|подробнее)"
    r"[\s.…:»›→>\]-]*$",
    re.IGNORECASE,
)
#: The end of a description where :data:`_READ_MORE` is looked for: the longest link and the
#: arrows after it.
_READ_MORE_WINDOW = 60
#: A declared site name that is the site's address ("https://www.example.com", "www.example.com")
#: or its social handle ("@example"): CMSs fill ``og:site_name`` so, and a name comes after it.
#: A name written as a domain ("Phys.org", "Express.co.uk") is the name the site goes by.
_ADDRESS = re.compile(r"(?:https?://|www\.|@)\S*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Metadata:
    """What one page declares about itself (dates, authors and language live elsewhere)."""

    title: str | None
    description: str | None
    sitename: str | None
    image: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]


def canonical_url(tree: HtmlElement, url: str) -> str:
    """The page's ``<link rel=canonical>`` resolved against its URL, else the URL itself
    (also when the link cannot be parsed)."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            href = link.get("href", "").strip()
            if href and not href.startswith(("javascript:", "#")):
                return join_url(url, href) or url
    return url


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text or None


def _article_objects(data: Structured) -> list[dict]:
    return [obj for obj in data.objects if ld_types(obj) & _ARTICLE_TYPES]


def _logo_name(alt: str | None) -> str | None:
    """A site name from a logo's ``alt`` text; file-name-like alts ("acme-image-logo") are not."""
    alt = _clean(alt)
    if not alt:
        return None
    name = re.sub(r"(?:^logo[\s_-]*|[\s_-]*logo$)", "", alt, flags=re.IGNORECASE).strip()
    if not name or _HOME.match(name) or (" " not in name and re.search(r"[-_.]", name)):
        return None
    return name


def _logo_alt(tree: HtmlElement) -> str | None:
    """The ``alt`` text of the site logo (an image in a logo/brand block, or named logo)."""
    for element in tree.xpath("//*[@class or @id]"):
        attrs = f"{element.get('id') or ''} {element.get('class') or ''}"
        if not _LOGO.search(attrs):
            continue
        images = [element] if element.tag == "img" else element.iter("img")
        for image in images:
            name = _logo_name(image.get("alt"))
            if name:
                return name
    for image in tree.xpath("//img[contains(translate(@src, 'LOGO', 'logo'), 'logo')]"):
        name = _logo_name(image.get("alt")) if _LOGO.search(image.get("src") or "") else None
        if name:
            return name
    return None


#: What is not a letter or a digit: spaces and punctuation.
_WORD_PUNCTUATION = re.compile(r"[\W_]+")


def _letters(text: str) -> str:
    return _WORD_PUNCTUATION.sub("", text).lower()


def _title_site(title: str | None, heading: str | None, host: str | None) -> str | None:
    """The site name in a ``Headline | Site`` (or ``Site :: Headline``) ``<title>``, or at an end
    of a ``Headline | Section | Site`` one: the one end part left when the part that is the
    headline is taken out or, with no headline to take out, the one end part whose letters
    the host name spells ("Harbour Post & Times" on ``www.harbourpostandtimes.com``; "and" is
    what ``&`` becomes in host names)."""
    if not title:
        return None
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title)]
    if len(parts) < 2:
        return None
    ends = [parts[0], parts[-1]]
    if heading:
        rest = [part for part in ends if _letters(part) != _letters(heading)]
        return rest[0] if len(rest) == 1 and rest[0] else None
    name = _letters(host or "")
    named = [part for part in ends
             if (letters := _letters(part.replace("&", " and "))) and len(letters) > 3 and letters in name]
    return named[0] if len(named) == 1 else None


def _as_titled(heading: str | None, title: str | None) -> str | None:
    """The headline element's text as the ``<title>`` writes it, when a part of the title
    spells the same letters in the same case: a kicker set on a line of its own in the
    ``<h1>`` is "Kicker: Headline" there."""
    if not heading or not title:
        return heading
    letters = _WORD_PUNCTUATION.sub("", heading)
    return next((part.strip() for part in _TITLE_SEPARATORS.split(title)
                 if _WORD_PUNCTUATION.sub("", part) == letters), heading)


def _headline_part(title: str | None, heading: str | None) -> str | None:
    """The part of a decorated title that is the page's headline: a section label or a suffix
    that names no declared site ("Opinion | Headline", "Headline | Editorial", "Headline - Auto
    News") around the text the ``<h1>`` sets alone. The part must hold most of the title's
    letters, so that a section heading (an ``<h1>`` reading "Opinion") is never the title."""
    if not title or not heading:
        return title
    letters, whole = _letters(heading), _letters(title)
    if not letters or letters == whole or 2 * len(letters) < len(whole):
        return title
    pieces = _HEADLINE_PIECES.split(title)  # parts at even indexes, separators at odd ones
    for start in range(0, len(pieces), 2):
        for end in range(start + 1, len(pieces) + 1, 2):
            run = "".join(pieces[start:end])
            if _letters(run) == letters:
                return run.strip()
    return title


def _site_first(title: str, sitename: str | None, host: str | None) -> str | None:
    """The headline of a ``Site: Headline`` or ``Site - Headline`` ``<title>``, when its first
    part is the declared site name or spells one label of the host ("Harbour Post" on
    ``www.harbourpost.example``), as written ("Ferries: what changes — and why"); else
    ``None``. A colon is the headline's own otherwise ("Budget 2026: what changes")."""
    match = _SITE_FIRST.fullmatch(title)
    if match is None:
        return None
    site = _letters(match.group("site").replace("&", " and "))
    names = {_letters(label) for label in (host or "").split(".")} | {_letters(sitename or "")}
    return match.group("headline") if site and site in names else None


def _strip_site(title: str, sitename: str | None, *, guess: bool) -> str:
    """Remove a site-name part from ``Headline | Site`` or ``Site - Headline`` titles.

    With ``guess`` (a ``<title>``, which nearly always carries the site name), keep the longest
    part when the site name is not recognised.
    """
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if sitename:
        # Parts and separators alternate; a site part goes with the separator next to it, and
        # the rest stays as written ("Ferries – what changes", not "Ferries - what changes").
        pieces = _TITLE_PIECES.split(title)
        site = site_key(sitename)
        sites = [index for index in range(0, len(pieces), 2)
                 if site and site_key(pieces[index]) == site]
        if sites and len(sites) < len(parts):
            dropped = {index for site in sites for index in (site, site - 1 if site else site + 1)}
            return "".join(piece for index, piece in enumerate(pieces) if index not in dropped)
    longest = max(parts, key=len)
    # "Headline | Section | Site": of three parts or more, the headline is the longest, at
    # one end.
    framed = len(parts) >= 3 and longest in (parts[0], parts[-1])
    return longest if guess and (len(longest) > len(title) / 2 or framed) else title


def _split_list(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        for item in re.split(r"[,;]", value):
            item = " ".join(item.split())
            if item:
                seen.setdefault(item.lower(), item)
    return tuple(seen.values())[:_MAX_TAGS]


def _ld_list(objects: list[dict], key: str) -> list[str]:
    found: list[str] = []
    for obj in objects:
        value = obj.get(key)
        for item in value if isinstance(value, list) else [value]:
            text = ld_text(item)
            if text:
                found.append(text)
    return found


def _ld_image(value: Any) -> str | None:
    """An image URL from a JSON-LD ``image``: a URL, an ``ImageObject`` (``url`` or
    ``contentUrl``, not its ``name``, which is a caption), or a list of either (the first)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        return next((found for item in value if (found := _ld_image(item))), None)
    if isinstance(value, dict):
        return _ld_image(value.get("url")) or _ld_image(value.get("contentUrl"))
    return None


def _description(data: Structured, articles: list[dict]) -> str | None:
    """The first declared description that says something once its "read more" link
    (:data:`_READ_MORE`) is cut: a description that is only that link gives way to the next."""
    return next((text for value in _declared_descriptions(data, articles)
                 if value and (text := _clean(_without_read_more(value)))), None)


def _without_read_more(text: str) -> str:
    """``text`` less the "read more" link at its end (:data:`_READ_MORE`), looked for in its
    last :data:`_READ_MORE_WINDOW` characters only."""
    match = _READ_MORE.search(text, max(0, len(text) - _READ_MORE_WINDOW))
    return text[:match.start()] if match else text


def _declared_descriptions(data: Structured, articles: list[dict]) -> Iterator[str | None]:
    """The page's descriptions, in the order they are trusted, each read only when needed."""
    for name in ("og:description", "description", "twitter:description", "dc.description"):
        yield data.first_meta(name)
    yield next((ld_text(obj.get("description")) for obj in articles if obj.get("description")), None)


def find_metadata(tree: HtmlElement, data: Structured, url: str, *,
                  headline: HtmlElement | None) -> Metadata:
    """Read title, description, site name, image, tags and categories from one page.

    ``headline`` is the page's :func:`.regions.headline_element`, found once per page.
    """
    articles = _article_objects(data)
    publisher = next((ld_text(obj.get("publisher")) for obj in articles
                      if obj.get("publisher")), None)
    website = next((ld_text(obj.get("name")) for obj in data.objects
                    if "WebSite" in ld_types(obj) and obj.get("name")), None)
    declared = next((name for value in (data.first_meta("og:site_name", "application-name", "al:ios:app_name"),
                                        publisher, website, data.first_meta("dc.publisher"))
                     if (name := _clean(value)) and not _ADDRESS.match(name)), None)
    if declared:
        declared = _TITLE_SEPARATORS.split(declared)[0]
    heading = _clean(heading_text(headline)) if headline is not None else None
    title_tag = tree.find(".//title")
    title_text = _clean(text_content(title_tag)) if title_tag is not None else None
    host = urlsplit(url).hostname
    sitename = declared or _logo_alt(tree) or _title_site(title_text, heading, host) or host or None

    declared = _clean(data.first_meta("og:title", "twitter:title")
                      or next((ld_text(obj.get("headline")) for obj in articles
                               if obj.get("headline")), None)
                      or _as_titled(heading, title_text))
    if declared:
        title: str | None = _strip_site(declared, sitename, guess=False)
    else:
        title = (_site_first(title_text, sitename, host) or _strip_site(title_text, sitename, guess=True)
                 if title_text else None)

    title = _headline_part(title, heading)

    image = data.first_meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image")
    if not image:
        image = next((found for obj in articles if (found := _ld_image(obj.get("image")))), None)
    tags = _split_list(data.meta.get("article:tag", []) + data.meta.get("keywords", [])
                       + data.meta.get("news_keywords", []) + _ld_list(articles, "keywords"))
    categories = _split_list(data.meta.get("article:section", [])
                             + _ld_list(articles, "articleSection"))
    return Metadata(
        title=title,
        description=_description(data, articles),
        sitename=sitename,
        image=join_url(url, image) if image else None,
        tags=tags,
        categories=categories,
    )
