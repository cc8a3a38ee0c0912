"""Author display names: where to find them and how to clean them.

Bylines come as "By WAI MOE", "By Jane Doe and John Roe, Staff Writers", "A, B and C" or
"jane@example.com (Jane Doe)". We return one clean display name per person: the "By" prefix,
roles, dates, e-mails and agency suffixes removed, lists split, ALL-CAPS names title-cased with
care for "McDonald", "O'Brien" and particles such as "van der".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from lxml import etree
from lxml.html import HtmlElement

from archivist.extraction.regions import headline_scope, in_chrome, within
from archivist.extraction.structured import Structured, ld_text, ld_types
from archivist.extraction.text import lines_text, site_words

__all__ = ["byline_names", "clean_author", "find_authors", "split_authors", "title_case_name"]

_PREFIX = re.compile(
    # A label before "by" names the kind of piece, not a person: "Analysis by", "Opinion by".
    r"^\s*(?:(?:(?:written|posted|reported|photos?|words|text|story|analysis|opinion|commentary|"
    r"review|column|essay|perspective)\s+)?"
    r"(?:by|von|par|por|di|da|door|av|af|przez|от|автор|بقلم|كتب)\s*[:\-]?\s+"
    r"|(?:authors?|autor(?:in|a|es)?|auteur|autore|text|texto|tekst)\s*:\s*"
    # Chinese and Japanese labels, before a space or a full-width colon: "记者 王小明",
    # "作者：王小明", "記者：山田太郎".
    r"|(?:记者|記者|作者|撰文|筆者)\s*[:：]?\s*(?=\S))",
    re.IGNORECASE,
)
#: An agency story's credit in byline markup: "Quelle: dpa", "Fuente: EFE", "Source: Reuters".
#: Not a byline's mark by itself, as "By" is: a chart's "Source: ..." line is no byline.
_SOURCE = re.compile(r"^\s*(?:source|quelle|fuente|fonte|źródło|источник)\s*:\s*", re.IGNORECASE)
#: A date after the name: "João Silva em 4 de março de 2021", "Jane Doe on 3 May 2024".
_DATE_TAIL = re.compile(
    r"\s+(?:(?:published|posted|updated|publiziert|veröffentlicht|aktualisiert|publié|publicado|"
    r"pubblicato|gepubliceerd)\s+)?(?:on|at|am|le|el|il|em|op|den|the|às)\s+(?=\S*\d|.*\d{4}).*$",
    re.IGNORECASE)
#: A date written before the byline's "by": WordPress's default "Posted on November 12, 2024 by
#: NAME", "12.11.2024 by NAME". Bounded, so that only a byline's first words are looked at.
_DATE_FIRST = re.compile(r"^[^\n]{0,40}?\d[^\n]{0,20}?\sby\s+", re.IGNORECASE)
#: A date written against the name with no separator: "Jane Doe November 12, 2024", "Jane Doe
#: 12 Nov 2024", "Jane Doe 12.11.2024". An article author's name holds no digits; a month
#: counts only before a number ("Brian May", "June Carter" are names).
_GLUED_DATE = re.compile(
    r"\s+(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d).*$", re.IGNORECASE)
#: An author box's follow button and the label of a handle ("Twitter: @janedoe", once the
#: handle is cut): no part of a name.
_SOCIAL = re.compile(r"(?:^|\s+)(?:follow(?:\s+(?:on|me|us))?(?:\s+(?:twitter|instagram|facebook|linkedin))?|"
                     r"twitter|instagram|facebook|linkedin)\W*$", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\([^)]*\)?")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
#: A social handle beside the name ("Jane Doe @janedoe") or alone in ``meta name=author``.
_MENTION = re.compile(r"(?<!\S)@\w+")
#: The comma-separated parts of a byline, each one or more names or a description.
_LIST = re.compile(r"\s*[,;]\s*")
#: Name separators: punctuation, "and" in several languages (any case) and French "avec" and
#: German "mit" ("with"), and the one-letter conjunctions "y"/"e" only in lower case, so that
#: initials ("Sarah E. Needleman") survive.
_SPLIT = re.compile(r"\s*(?:,|;|&|\s(?i:and|und|et|og|och|en|avec|mit)\s|\s[ye]\s)\s*")
#: After a person's name, the outlet they write for: "The Associated Press", "CNN", "dpa",
#: "agencies" (The Guardian's "Jane Doe and agencies"), "Dailymail.com". "Post" is a surname
#: as often as a paper's name: "The Washington Post" is known by its "The".
_OUTLET = re.compile(
    r"^(?:the\s.+|\S+\.(?:com|net|org|co\.uk|de|fr|es|it)|.*\b(?:press|news|times|"
    r"herald|tribune|journal|gazette|agency|agencies|agentur|agenturen|agences?|media|online|"
    r"reuters|bloomberg|dpa|afp|efe|ansa|ap)\b.*)$", re.IGNORECASE)
#: A CMS's default account, the author of every post on sites that never set one, or the site's
#: own administrator login ("jdadmin", "siteadmin"): one word, nobody's display name.
_ACCOUNT = re.compile(r"^(?:\w*admin|administrator|webmaster|root|wordpress)$", re.IGNORECASE)
#: A domain name given as the author ("dailyherald.com").
_DOMAIN = re.compile(r"\w\.(?:com|net|org|co\.uk|com\.au|de|fr|es|it|nl|in|info)$", re.IGNORECASE)
#: An acronym: a news agency or a broadcaster ("CNN", "BBC", "AFP").
_ACRONYM = re.compile(r"^[A-Z]{2,5}$")
#: What follows the name: the outlet written for ("for MailOnline", "für die Zeit") or the place
#: written from ("in Washington", "à Lyon").
_NAME_TAIL = re.compile(r"\s+(?:(?i:for|für|pour|para)\s+\S|(?i:in|à|aus)\s+[A-ZÀ-ÖØ-Þ]).*$")
_ROLE = re.compile(
    r"\b(?:staff|senior|chief|contributing|special|guest|political|foreign|sports|business|"
    r"news|managing)?\s*(?:writer|reporter|correspondent|editor|columnist|contributor|"
    r"journalist|photographer|staff|author|redakteur|redaktion|rédacteur|redacción)s?\b.*$"
    # The same in the other languages bylines are read in: "envoyé spécial à Lyon",
    # "Korrespondentin in Paris", "corresponsal en Roma", "inviato a Kiev".
    r"|\b(?:envoyée?s?\s+spéciale?s?|correspondante?s?|journalistes?|rédactrices?|"
    r"(?:korrespondent|reporter|redakteur)(?:in|innen|en)?|"
    r"enviad[oa]s?\s+especial(?:es)?|corresponsal(?:es)?|periodistas?|redactor(?:a|es)?|"
    r"inviat[oai]|corrispondent[ei]|giornalist[aie]|redattor[ei]|redattrice|"
    r"correspondentes?|jornalistas?|repórter|verslaggever|redacteur|korespondent(?:ka)?|"
    r"dziennikar(?:z|ka)|корреспондент|обозреватель|기자)\b.*$",
    re.IGNORECASE,
)
#: The place a correspondent writes from, after the role: "in Paris", "à Lyon", "en Roma".
_PLACE = re.compile(r"\s+(?:in|at|à|en|a|em|aus|from)\s+.*$", re.IGNORECASE)
_MAX_ROLE_WORDS = 3
_WEEKDAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b.*$", re.IGNORECASE
)
_CREDENTIAL = re.compile(
    r"^(?:MD|M\.D\.|PhD|Ph\.D\.|MS|MSc|MA|BA|BSc|RD|RN|MPH|MBA|DDS|DVM|CPA|CFA|Esq\.?|LCSW)$"
)
_TRAILING_WORD = re.compile(r"\s+(?:on|at|am|le|el|il|em|op|den|der|the|updated|published)$",
                            re.IGNORECASE)
_NOT_NAME = re.compile(r"\d|https?:|www\.|\|", re.IGNORECASE)
#: A user name: one word of letters and digits, both ("Radler99", "jo_1984", "4hourelection").
_HANDLE = re.compile(r"^(?=[\w-]*[^\W\d_])(?=[\w-]*\d)[\w-]+$")
_PARTICLES = {"van", "der", "den", "de", "del", "della", "di", "da", "von", "zu", "la", "le",
              "du", "dos", "das", "ten", "ter", "bin", "al", "el"}
_NUMERALS = {"II", "III", "IV"}
#: Initials: single letters each followed by a period ("K.", "J.R.R.").
_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")
#: A name ending in an initial or a suffix whose period is part of the name.
_ABBREVIATION_END = re.compile(r"(?:^|\s)(?:(?:[^\W\d_]\.)+|Jr\.|Sr\.)$", re.IGNORECASE)
#: In a mixed-case name, a capitalised word this long is a shouted name, shorter an acronym.
_MIN_SHOUTED = 4
_MAX_NAME = 60
_MAX_BYLINE = 120
_MAX_AUTHORS = 10
#: Inline elements: a byline's author links and spans, which may stand side by side.
_INLINE = frozenset({"a", "span", "strong", "b", "em", "i", "cite", "font", "small"})
#: Inside a comment: a block whose class says so, or a schema.org ``Comment`` or ``Answer`` item.
_IN_COMMENT = etree.XPath("ancestor::*[contains(@class,'comment') or contains(@itemtype,'Comment') "
                          "or contains(@itemtype,'Answer')]")
#: Byline markup, most specific first. The leading predicates are cheap necessary conditions
#: of the last one (an element matches all of them or none): libxml2 then evaluates the
#: costly string tests on a few elements instead of all. ``/descendant::*`` selects what
#: ``//*`` does, and libxml2 walks it about 15 % faster.
_BYLINE_XPATHS = tuple(etree.XPath(xpath) for xpath in (
    "/descendant::*[@itemprop='author']",
    "/descendant::*[@rel='author']",
    # An hCard's formatted name (Blogger's "Posted by <span class=fn>"): not a commenter's,
    # whose hCards sit in comment blocks.
    ("/descendant::*[@class][contains(@class,'vcard')]/descendant::*[@class][contains(@class,'fn')]"
     "[contains(concat(' ',normalize-space(@class),' '),' fn ')]"),
    # "autor", "auteur", "autore": the class in the page's language (Spanish, Portuguese,
    # German, Polish; French; Italian).
    ("/descendant::*[@class][contains(@class,'aut') or contains(@class,'writer') or "
     "contains(@class,'reporter') or contains(@class,'byline__name')]"
     "[contains(concat(' ',normalize-space(@class),' '),' author ') or "
     "contains(concat(' ',normalize-space(@class),' '),' autor ') or "
     "contains(concat(' ',normalize-space(@class),' '),' auteur ') or "
     "contains(concat(' ',normalize-space(@class),' '),' autore ') or "
     "contains(@class,'author-name') or contains(@class,'byline__name') or "
     "contains(@class,'post-author') or contains(@class,'entry-author') or "
     "contains(@class,'writer') or contains(@class,'reporter')]"),
    "/descendant::*[@class or @id][contains(@class,'byline') or contains(@id,'byline')]",
))


def _title_word(word: str) -> str:
    if "-" in word:
        return "-".join(_title_word(part) for part in word.split("-"))
    if "'" in word and len(word) > 2:
        head, _, tail = word.partition("'")
        return f"{_title_word(head)}'{_title_word(tail)}"
    lower = word.lower()
    if lower.startswith("mc") and len(word) > 3:
        return "Mc" + lower[2:].capitalize()
    return lower.capitalize()


def _shouting(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return (len(letters) >= 2 and all(c.isupper() for c in letters) and word not in _NUMERALS
            and not _INITIALS.match(word))


def title_case_name(name: str) -> str:
    """Title-case the words of a name written in capitals (``WAI MOE`` → ``Wai Moe``).

    Words already in mixed case are left alone, and so are short capitals (BBC, AP) beside
    mixed-case words, which are acronyms rather than shouting; particles such as "van der" inside a name
    become lower-case, and "MCDONALD"/"O'BRIEN" become "McDonald"/"O'Brien".
    """
    words = name.split()
    whole = all(_shouting(word) or _INITIALS.match(word) or not any(c.isalpha() for c in word)
                for word in words)
    if whole and sum(c.isalpha() for c in name) < _MIN_SHOUTED:
        return name

    def fix(index: int, word: str) -> str:
        if not _shouting(word):
            return word
        if 0 < index < len(words) - 1 and word.lower() in _PARTICLES:
            return word.lower()
        return _title_word(word) if whole or len(word) >= _MIN_SHOUTED else word

    return " ".join(fix(index, word) for index, word in enumerate(words))


def clean_author(raw: str, *, handle: bool = False) -> str | None:
    """One name from a byline fragment, or ``None`` when nothing name-like is left.

    With ``handle`` (a commenter), a user name with digits ("Radler99", "jo_1984") is a name:
    in a byline, digits mean a date or a time rather than a person, and an "@janedoe" is the
    author's social handle beside the name.
    """
    text = _EMAIL.sub(" ", raw) if handle else _SOCIAL.sub("", _MENTION.sub(" ", _EMAIL.sub(" ", raw)).strip())
    text = " ".join(_PARENTHESIS.sub(" ", text).split()).strip(" ,;:|-–—()[]")
    text = _WEEKDAY.sub("", _ROLE.sub("", _NAME_TAIL.sub("", _PREFIX.sub("", text))))
    text = text.strip(" ,;:|-–—()[]")
    text = _TRAILING_WORD.sub("", _trailing_period(_DATE_TAIL.sub("", text).lstrip(".")))
    user_name = handle and _HANDLE.match(text)
    not_name = _NOT_NAME.search(text) and not user_name
    if sum(c.isalpha() for c in text) < (1 if user_name else 2) or _CREDENTIAL.match(text) or len(text) > _MAX_NAME or not_name or len(text.split()) > 5:
        return None
    return title_case_name(text)


def _trailing_period(text: str) -> str:
    """``text`` without a final full stop or ellipsis, but with an initial's or a suffix's
    period ("Anna K.", "J.R.R.", "Martin Luther King Jr.")."""
    stripped = text.rstrip(" .…")
    if text.endswith(".") and not text.endswith("..") and _ABBREVIATION_END.search(stripped + "."):
        return stripped + "."
    return stripped


def split_authors(raw: str) -> list[str]:
    """Split a byline into clean names: "By A and B" / "A, B and C" → [A, B(, C)].

    After the first name, a part that states a role ("Staff Writer", "Irrawaddy Correspondent")
    or names an outlet ("CNN", "The Associated Press", "and agencies") is a description of the
    names before it, not a name; a role takes the rest of its comma-separated part with it
    ("corresponsal en Roma": "en" is Dutch "and" elsewhere).
    """
    segments = re.split(r"\s[|/–—·•／｜]\s|\s-\s", " ".join(raw.split()))
    # The names are in the first segment that gives any: "Jane Doe | Reuters", "12.11.2024 · By
    # Jane Doe".
    return next((names for segment in segments if (names := _segment_authors(segment))), [])


def _segment_authors(segment: str) -> list[str]:
    """The names of one segment of a byline (:func:`split_authors`)."""
    text = _PREFIX.sub("", _DATE_FIRST.sub("", _SOURCE.sub("", segment)))
    text = _DATE_TAIL.sub("", text)  # before the commas split "on November 25, 2026"
    text = _GLUED_DATE.sub("", text)
    names: list[str] = []
    for index, listed in enumerate(_LIST.split(text)):
        if index and _ROLE.search(listed):
            continue
        for inner, part in enumerate(_SPLIT.split(f" {listed} ")):
            if (index or inner) and _describes(part):
                continue
            name = clean_author(part)
            if name and name not in names:
                names.append(name)
    return names[:_MAX_AUTHORS]


def _organisation(entry: object) -> bool:
    """Whether a JSON-LD author is an organisation (``Organization``, ``NewsMediaOrganization``,
    ``Corporation``...) rather than a person or a bare name."""
    return isinstance(entry, dict) and "Person" not in ld_types(entry) and any(
        name.endswith("Organization") or name == "Corporation" for name in ld_types(entry))


def _describes(part: str) -> bool:
    """Whether a byline part after the first name describes the names before it: a role
    ("Staff Writer") or the outlet they write for ("The Associated Press", "CNN")."""
    part = part.strip()
    return bool(_ROLE.search(part) or _OUTLET.match(part) or _ACRONYM.match(part))


def _site_names(data: Structured) -> set[tuple[str, ...]]:
    """The words of the names the page gives its site (:func:`.text.site_words`):
    ``og:site_name``, the JSON-LD publisher's and ``WebSite``'s names."""
    names = [data.first_meta("og:site_name", "application-name")]
    names += [ld_text(obj.get("publisher")) for obj in data.objects if obj.get("publisher")]
    names += [ld_text(obj.get("name")) for obj in data.objects if "WebSite" in ld_types(obj)]
    return {words for name in names if name and (words := site_words(name))}


def _names_site(name: str, sites: set[tuple[str, ...]]) -> bool:
    """Whether an author name is the site's own ("Daily Herald", "The Daily Herald",
    "DailyHerald"), a domain name ("dailyherald.com"), or the site's name as a byline writes it
    around a desk or an edition: the one is the other and more words ("CNN Business" on CNN,
    "Business Insider" on Business Insider Deutschland)."""
    if _DOMAIN.search(name):
        return True
    words = site_words(name)
    return bool(words) and any("".join(words) == "".join(site) or words[:len(site)] == site
                               or site[:len(words)] == words for site in sites)


def _ld_authors(data: Structured) -> tuple[list[str], list[str]]:
    """The people and the organisations the JSON-LD names as authors, from the first object
    whose author gives a name: the document's, not a reviewed claim's nested inside it."""
    for obj in data.objects:
        types = ld_types(obj)
        if "Comment" in types or "author" not in obj or types & {"Person", "Organization"}:
            continue
        raw = obj["author"]
        entries = raw if isinstance(raw, list) else [raw]
        people, organisations = (
            [name for entry in entries if _organisation(entry) is kind
             for name in split_authors(ld_text(entry) or "")] for kind in (False, True))
        if people or organisations:
            return people, organisations
    return [], []


def _dedupe(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def find_authors(tree: HtmlElement, data: Structured, *, headline: HtmlElement | None,
                 comments: Iterable[HtmlElement] = ()) -> tuple[str, ...]:
    """Authors by provenance: JSON-LD, ``<meta>``, then byline markup outside the site chrome
    and the comment section (``comments``, its elements whatever their class), then a
    "By ..." line near ``headline`` (the page's :func:`.regions.headline_element`).

    An organisation declared as the JSON-LD author, or a declared author that is the site itself
    (its ``og:site_name``, its publisher, a domain name), comes last: CMSs declare the publisher
    as every story's author, and the byline names the person who wrote it. Without a person, the
    organisation (a news agency, an editorial team) is the author. A CMS's default account
    ("admin") is nobody's name.
    """
    names, organisations = _ld_authors(data)
    if not names:
        meta = data.first_meta("author", "article:author", "parsely-author", "sailthru.author",
                               "dc.creator", "dcterms.creator", "byl")
        if meta and not meta.startswith("http"):
            names = split_authors(meta)
    names = _without_accounts(names)
    sites = _site_names(data)
    credited = names if names and all(_names_site(name, sites) for name in names) else []
    if credited:
        names = []
    section = set(comments)
    if not names:
        for xpath in _BYLINE_XPATHS:
            names = _byline_markup([element for element in xpath(tree)
                                    if not within(element, section)])
            if names:
                break
    if not names:
        names = _byline_text(headline, section)
    if not names:
        names = organisations or credited
    # "Jane Doe, CNN Business": beside a person, the site (its desk, its edition) is what the
    # person writes for.
    people = [name for name in names if not _names_site(name, sites)]
    return _dedupe(people or names)


def _without_accounts(names: list[str]) -> list[str]:
    """``names`` less the CMS accounts (:data:`_ACCOUNT`), whatever the source that gives them."""
    return [name for name in names if not _ACCOUNT.match(name)]


def _byline_markup(elements: list[HtmlElement]) -> list[str]:
    """Names from the first byline element that gives any, and from the elements of the same
    kind beside it: "By <span itemprop=author>A</span> and <span itemprop=author>B</span>"
    names two authors. Only inline elements have such neighbours: a block beside a byline
    block is an author's bio or another item's byline. The names are on the first line that
    gives any (:func:`_byline_lines`)."""
    names: list[str] = []
    first: HtmlElement | None = None
    for element in elements:
        if in_chrome(element) or _IN_COMMENT(element):
            continue
        if first is not None and (first.tag not in _INLINE
                                  or element.getparent() is not first.getparent()):
            continue
        found = next((line_names for line in _byline_lines(element)
                      if (line_names := _without_accounts(split_authors(line)))), [])
        if found and first is None:
            first = element
        names.extend(found)
    return names


def _byline_lines(element: HtmlElement) -> list[str]:
    """The lines of a byline element (or of its microdata ``name``) that may name its
    authors: a ``<br>`` ends the names' line ("By Jane Doe<br>March 5, 2021"), and a line that
    is only "By" leaves them to the next. A ``<meta itemprop=name>`` names them in its
    ``content`` (schema.org Person blocks that also hold a picture and a bio)."""
    name = element.find(".//*[@itemprop='name']")
    if name is not None and name.tag == "meta":
        return [name.get("content") or ""]
    lines = lines_text(name if name is not None else element).split("\n")
    return [line for line in lines if _PREFIX.sub("", f"{line} ").strip()]


def _byline_text(headline: HtmlElement | None, comments: Collection[HtmlElement]) -> list[str]:
    """Names from a short "By ..." line near the headline, when nothing marks up the byline,
    outside the comment section ``comments``.

    The headline's block may be the whole page: a sidebar's "By day a nurse..." is no byline,
    and a comment's "Posted by: NAME" line names a commenter.
    """
    if headline is None:
        return []
    for element in headline_scope(headline).iter("p", "div", "span", "address", "li", "td",
                                                 "font", "b", "em", "small"):
        names = _without_accounts(byline_names(" ".join(lines_text(element).split())))
        if names and not in_chrome(element) and not within(element, comments) and not _IN_COMMENT(element):
            return names
    return []


def byline_names(text: str) -> list[str]:
    """The names of a short line that starts as a byline does ("By ...", "Von ...", "di ...",
    "Autor: ...") or that is a name and its role ("Jane Doe, Staff Writer", "Marie Durand,
    correspondante à Bruxelles"), or ``[]`` for any other text ("Da ieri sera..." and
    "Council members, staff writers say, ..." are sentences)."""
    if len(text) > _MAX_BYLINE or not (_PREFIX.match(text) or _name_and_role(text)):
        return []
    return split_authors(text)


def _name_and_role(text: str) -> bool:
    """Whether a line is "NAME, ROLE": after its only comma, at most three words ending in a
    role, and the place written from ("in Paris", "à Lyon")."""
    _name, comma, role = text.partition(",")
    words = _PLACE.sub("", role).split()
    return bool(comma) and 0 < len(words) <= _MAX_ROLE_WORDS and bool(_ROLE.fullmatch(words[-1]))
