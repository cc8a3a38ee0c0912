"""Publication and modification dates, chosen by provenance rather than document order.

Taking the first date in the document (as generic date finders do) picks a site header's
"today" date or a sidebar's. We trust, in order: JSON-LD ``datePublished``; OpenGraph /
``<meta>`` publication dates; ``itemprop=datePublished`` and ``<time>`` elements outside the
site chrome; a date in the URL path; finally a date written in the byline or next to the author
element. Header, navigation, footer and sidebar dates are never used, and a date above the
headline's block (an unmarked header's "today") only when no other source has one and it is
not the capture day. A date labelled as a change ("Updated: ...", ``class="updated"``) is the
modification date, never the publication date. The JSON-LD dates are the article object's
first (not an image's or a comment's). There is no default: no date found gives ``None``,
never the capture day.

Dates are returned as ISO 8601 calendar dates (``YYYY-MM-DD``): time zones are too often
missing or wrong on real pages to make the time of day trustworthy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field

from dateparser.data.languages_info import language_locale_dict
from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader
from lxml import etree
from lxml.html import HtmlElement

from archivist.extraction.boilerplate import in_furniture
from archivist.extraction.regions import (
    attributes,
    headline_scope,
    in_chrome,
    within,
)
from archivist.extraction.structured import ARTICLE_TYPES, Structured, ld_types
from archivist.extraction.text import lines_text, text_content

__all__ = ["DateContext", "RelativeDate", "date_range", "find_dates", "parse_date", "relative_date",
           "timestamp_date", "yearless_date"]

_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "date", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_time", "dc.date.issued",
    "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "dc.date.created",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "citation_date",
    "article.published", "originalpublicationdate", "cxenseparse:recs:publishtime",
)
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "dc.date.modified", "last-modified", "lastmod", "article.updated",
)
#: Written dates worth parsing name a year (four digits, or two after a separator: 7/7/10).
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\d{1,2}[./-]\d{1,2}[./-]\d{2}(?!\d)")
#: Date-shaped pieces of a longer text: "3 mars 2022", "March 3, 2022", "3.3.2022", and
#: Spanish and Portuguese "3 de marzo de 2022".
_WRITTEN_DATE = re.compile(
    r"\b\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+|del\s+)?\d{4}\b|"
    r"\b[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
#: Decimal digits of other scripts (Arabic-Indic "٢٠٢١", Devanagari...) as ASCII digits: the
#: patterns here look for years and numeric dates in ASCII.
_ASCII_DIGITS = {code: str(unicodedata.decimal(chr(code))) for code in range(0x80, 0x10000)
                 if chr(code).isdecimal()}
#: A number written in digits, for :func:`_as_written`.
_NUMBER = re.compile(r"\d+")
#: ISO 8601's basic format, a whole text: "20240305", "20240305T101500Z".
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T\d{4,6}(?:[.,]\d+)?(?:Z|[+-]\d{2,4})?)?")
#: A numeric date written with dots, "05.03.2024": day first in every locale that writes it so.
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.]\d)")
#: A Chinese, Japanese or Korean date, "2021年3月5日", "2021년 3월 5일": year, month, day.
_CJK_DATE = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})(?!\d)")
#: Unix time in seconds (ten digits, from 2001 on) or milliseconds (thirteen), a whole text.
_EPOCH = re.compile(r"(\d{10})(\d{3})?")
#: A relative date ("3 days ago") is at most this long; :func:`relative_date` tells one from
#: an absolute date by reading it against two capture times this far apart.
_MAX_RELATIVE = 40
_BASE_SHIFT = dt.timedelta(days=1000)
#: The unit a relative date of dateparser's coarse periods is said in ("2 weeks ago", "a month
#: ago", "last year"), at its longest; a finer one is told by the age (:func:`_unit_of`).
_PERIOD_UNITS = {"week": dt.timedelta(days=7), "month": dt.timedelta(days=31), "year": dt.timedelta(days=366)}
_FINE_UNITS = (dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1))
#: A word of three or more letters, as a month's name is ("Mar", "März").
_MONTH_WORD = re.compile(r"[^\W\d_]{3,}")
#: A timestamp line is at most this long (a byline date may sit in longer text).
_MAX_TIMESTAMP = 60
#: The words of a line, for :func:`timestamp_date`: runs of letters (with a final '.', as in
#: "Nov."), runs of digits and their separators ("27.11.2026", "16:04", "2026-11-27T16:04Z").
_TIMESTAMP_TOKEN = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?|[+-]?\d[\w:.+/-]*")
#: A number, date or time, with an ordinal or time suffix ("27th", "16h30", "4pm", "10:15Z").
_TIMESTAMP_NUMBER = re.compile(r"[+-]?\d[\d:./T+-]*(?:st|nd|rd|th|h\d*|[ap]\.?m\.?|z|uhr)?",
                               re.IGNORECASE)
#: A time zone abbreviation, written in capitals ("UTC", "CET", "EST", "MESZ").
_TIME_ZONE = re.compile(r"[A-Z]{2,5}")
#: The labels a comment's timestamp line starts with, in the languages dates are read in most,
#: and the small words before a date or time that dateparser does not skip itself.
_TIMESTAMP_LABELS = ("posted", "published", "written", "sent", "submitted", "commented",
                     "geschrieben", "verfasst", "gepostet", "publié", "posté", "publicado",
                     "escrito", "pubblicato", "scritto", "geplaatst", "uhr", "ore", "a.m", "p.m",
                     "il", "el", "em", "op", "kl")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: The commonest written dates ("November 19, 2019", "Nov. 19 2019", "19 Nov 2019"), which
#: :func:`_english_date` reads without dateparser, and the month of each of their month words.
_ENGLISH_DATE = re.compile(r"(?:(?P<month>[a-z]{3,9})\.? (?P<day>[1-9]|[12]\d|3[01]),?|"
                           r"(?P<day_first>[1-9]|[12]\d|3[01]) (?P<month_after>[a-z]{3,9})\.?,?)"
                           r" (?P<year>(?:19|20)\d{2})", re.IGNORECASE)
_MONTH_NUMBERS = {word: number for number, month in enumerate(_MONTHS, 1)
                  for word in (month, month[:3])} | {"sept": 9}
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$|[-_])")
_BYLINE = re.compile(r"byline|author|dateline|posted|published|pubdate|date|time|meta|info",
                     re.IGNORECASE)
#: Where a byline splits into pieces that may each be a date ("Jane Doe | 3 March 2022", a
#: line of its own).
_BYLINE_SEPARATORS = re.compile(r"\s*[|•·–—\n]\s*|\s{2,}")
#: XPath objects are compiled once; ``element.xpath(...)`` compiles its expression every call.
#: In a comment, or the comment section itself (``div#comments``, whose short text is a comment's).
_IN_COMMENT = etree.XPath("ancestor-or-self::*[contains(@class,'comment') or "
                          "contains(@id,'comment')]")
_IN_HEAD = etree.XPath("boolean(ancestor::head)")
#: ``/descendant::*`` selects what ``//*`` does, and libxml2 walks it about 15 % faster.
_ITEMPROP = etree.XPath("/descendant::*[@itemprop=$prop]")
_DATE_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
}
#: Without a declared language, written dates are read as English: guessing among all of
#: dateparser's locales costs tens of milliseconds a call.
_DEFAULT_LANGUAGES = ("en",)
_SUPPORTED = frozenset(default_loader.get_locale_map().keys())
#: Text longer than this around a byline is prose, not a dateline.
_MAX_DATE_TEXT = 80
_OLDEST_YEAR = 1990
#: Bound on byline candidates read, since written dates are slow to parse.
_MAX_BYLINES = 20
#: Words that label a date as the last change, not the publication ("Updated: 1 May 2024",
#: "Last update:", "Laatste update:", "Zuletzt aktualisiert am", "Mis à jour le", "Mise à
#: jour :", "Ultimo aggiornamento:", "Aktualizacja:", "Обновлено:", "更新："), in the languages
#: the date parser reads most, and German "Stand:" (as of: the date of the version shown).
_UPDATED_WORDS = (r"updated?|modified|revised|aktualisiert|geändert|mise? à jour|modifié|"
                  r"actualisée?|gewijzigd|stand(?=\s*:)|aggiornamento|atualização|"
                  r"actualizad[oa]|actualización|aggiornat[oa]|bijgewerkt|atualizad[oa]|"
                  r"uppdaterad|opdateret|oppdatert|zaktualizowano|aktualizacja|"
                  r"обновлено|обновлен[оа]?|güncelleme|güncellendi|modifica(?:t[oa])?|"
                  r"更新(?:时间|時間|日時|日)?|수정")
#: A text that starts with such a label, after at most two words ("Last updated", "Page last
#: modified").
_STARTS_UPDATED = re.compile(r"^\W{0,3}(?:[^\W\d]+\s+){0,2}?(?:" + _UPDATED_WORDS + r")\b",
                             re.IGNORECASE)
#: A text that ends with such a label: what precedes a date element ("Updated <time>").
_ENDS_UPDATED = re.compile(r"\b(?:" + _UPDATED_WORDS + r")\W{0,3}(?:on|at|am|le|el|il|op)?"
                           r"\W{0,3}$", re.IGNORECASE)
#: Where a byline's updated part begins ("Published 3 May 2024, updated 4 May 2024").
_UPDATED_CLAUSE = re.compile(r"(?=\b(?:(?:last|zuletzt)\s+)?(?:" + _UPDATED_WORDS + r")\b)",
                             re.IGNORECASE)
#: The version's date ("Stand: 12.03.2024 14:05 Uhr"): German news sites write it under every
#: story, changed or not.
_STARTS_AS_OF = re.compile(r"^\W{0,3}stand\s*:", re.IGNORECASE)
_UPDATED_MARKUP = re.compile(r"updated|modified", re.IGNORECASE)
_PUBLISHED_MARKUP = re.compile(r"published", re.IGNORECASE)
#: A change dated without a year is the first such day from the publication on: the most
#: recent one not after a day short of a year later.
_YEAR_LESS_WINDOW = dt.timedelta(days=364)
#: How much text before a date element is read for its label.
_LABEL_WINDOW = 40
#: JSON-LD objects whose dates are not the document's: its pictures and its readers' comments.
_NOT_DOCUMENT_TYPES = frozenset({"Comment", "UserComments", "ImageObject", "VideoObject",
                                 "AudioObject", "MediaObject"})


class RelativeDate(str):
    """The ISO date a relative expression ("3 days ago", "vor 2 Stunden") counts back to, and
    the days it may stand for, ``earliest`` to ``latest`` (ISO dates).

    A site says an age to its unit, cut down or rounded, and counts days in its own time zone:
    "3 days ago" is anything from two to four days before the capture, "2 hours ago" one to
    three hours. Read again at a later capture ("5 hours ago", then "yesterday", then "3 days
    ago"), the same comment's date often lands on another day; within each other's range it
    is the same date (:func:`archivist.core.diffs.content_changed`).
    """

    earliest: str
    latest: str

    def __new__(cls, date: str, earliest: str, latest: str) -> RelativeDate:
        made = super().__new__(cls, date)
        made.earliest, made.latest = earliest, latest
        return made


def date_range(date: str | None) -> tuple[str, str] | None:
    """``(earliest, latest)`` of a date read from a relative expression (:class:`RelativeDate`);
    ``None`` for a written date, which is the day it says."""
    return (date.earliest, date.latest) if isinstance(date, RelativeDate) else None


def _valid(date: dt.date) -> str | None:
    if _OLDEST_YEAR <= date.year <= dt.date.today().year + 1:
        return date.isoformat()
    return None


@dataclass(frozen=True, slots=True)
class DateContext:
    """How one page's written dates are read, made once per page for every step that reads
    them (the byline, the comments).

    ``locale`` is the page's declared language and region ("en-GB", "fr", ``None``): the
    region decides the order of a numeric date (12/07/2019 is 12 July in Britain, Australia
    or India and December 7 in the US, as dateparser's locale data says). ``captured`` is the
    capture time, against which a relative date ("2 hours ago", "vor 3 Tagen") is counted
    back; without it none is read.
    """

    locale: str | None = None
    captured: dt.datetime | None = None
    #: Texts are read once a page: comment sections and nested byline candidates repeat their
    #: texts and dates, and dateparser costs up to a millisecond a call. Here each text's
    #: relative and timestamp date ...
    _read: dict[tuple[str, str], str | None] = field(default_factory=dict, init=False,
                                                     repr=False, compare=False)
    #: ... and what dateparser made of each text read as written (a whole text or a date-shaped
    #: piece of it).
    _written: dict[str, dt.datetime | None] = field(default_factory=dict, init=False,
                                                    repr=False, compare=False)

    @property
    def language(self) -> str | None:
        """The declared language without its region ("en" of "en-GB")."""
        return self.locale.partition("-")[0] if self.locale else None

    @property
    def languages(self) -> list[str] | None:
        return [self.language] if self.locale else None

    def written(self, text: str | None) -> str | None:
        """An absolute date (:func:`parse_date`) in the page's language and region."""
        return _parse_date(text, self.languages, self.locale, self._written)

    def relative(self, text: str) -> str | None:
        """A relative date (:func:`relative_date`), ``None`` without a capture time."""
        return self._against_capture(relative_date, text)

    def yearless(self, text: str) -> str | None:
        """A written date without a year (:func:`yearless_date`), ``None`` without a capture
        time."""
        return self._against_capture(yearless_date, text)

    def _against_capture(self, read: Callable[[str, list[str] | None, dt.datetime], str | None],
                         text: str) -> str | None:
        """``read(text, languages, captured)``, once a page for each text; ``None`` without a
        capture time."""
        if self.captured is None:
            return None
        key = (read.__name__, text)
        if key not in self._read:
            self._read[key] = read(text, self.languages, self.captured)
        return self._read[key]

    def recent(self, text: str) -> str | None:
        """A date read against the capture time: relative ("3 days ago") or without a year
        ("Mar 5")."""
        return self.relative(text) or self.yearless(text)

    def timestamp(self, line: str) -> str | None:
        """The date of a line that is nothing but a timestamp (:func:`timestamp_date`, or one
        without a year) or a relative date ("3 days ago")."""
        key = ("timestamp", line)
        if key not in self._read:
            self._read[key] = timestamp_date(line, self.languages, self.locale)
        return self._read[key] or self.relative(line) or (
            self.yearless(line) if _timestamp_shaped(line, self.languages) else None)


def parse_date(text: str | None, languages: list[str] | None = None,
               locale: str | None = None) -> str | None:
    """An ISO date from ISO 8601 text or a written date in most languages (via dateparser),
    a numeric one read in the order of ``locale``'s region when it has one ("en-GB")."""
    return _parse_date(text, languages, locale, {})


def _parse_date(text: str | None, languages: list[str] | None, locale: str | None,
                read: dict[str, dt.datetime | None]) -> str | None:
    """:func:`parse_date`, with what dateparser made of each text it was given kept in ``read``
    (for the same ``languages`` and ``locale``)."""
    if not text or not text.strip():
        return None
    text = text.strip().translate(_ASCII_DIGITS)
    match = _ISO.search(text) or _ISO_BASIC.fullmatch(text)
    if match:
        try:
            return _valid(dt.date(*(int(part) for part in match.groups())))
        except ValueError:
            return None
    if len(text) > _MAX_DATE_TEXT or not _HAS_YEAR.search(text):
        return None
    dotted = _DOTTED.search(text)
    if dotted:
        day, month, year = (int(part) for part in dotted.groups())
        with contextlib.suppress(ValueError):  # "03.25.2024": left to dateparser
            return _valid(dt.date(year, month, day))
    cjk = _CJK_DATE.search(text)
    if cjk:
        try:
            return _valid(dt.date(*(int(part) for part in cjk.groups())))
        except ValueError:
            return None
    parser = _parser(tuple(languages or ()) or _DEFAULT_LANGUAGES, locale)
    english = (set(languages or _DEFAULT_LANGUAGES) == {"en"}
               and (locale or "en").partition("-")[0] == "en")
    for candidate in [text, *(match.group(0) for match in _WRITTEN_DATE.finditer(text))]:
        if candidate not in read:
            read[candidate] = ((_english_date(candidate) if english else None)
                               or parser.get_date_data(candidate).date_obj)
        parsed = read[candidate]
        if parsed and _as_written(parsed, candidate):
            return _valid(parsed.date())
    return None


def _as_written(parsed: dt.datetime, text: str) -> bool:
    """Whether dateparser's date is the one ``text`` writes: its day and its year (or the
    year's last two digits) are numbers in the text. dateparser reads a part it takes for a
    relative date against the time of reading, whatever else the text says: Portuguese's
    "05/03/2021 10h15" is "10 horas" ago to it."""
    numbers = {int(number) for number in _NUMBER.findall(text)}
    return parsed.day in numbers and (parsed.year in numbers or parsed.year % 100 in numbers)


def epoch_date(value: object) -> str | None:
    """The UTC date of Unix time given in seconds or milliseconds (a JSON number, a
    ``data-timestamp`` attribute), or ``None`` for any other value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    match = _EPOCH.fullmatch(str(int(value)) if isinstance(value, (int, float)) else value.strip())
    if not match:
        return None
    return _valid(dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC).date())


def _english_date(text: str) -> dt.datetime | None:
    """The date of a text that is nothing but one of the commonest English written dates
    (:data:`_ENGLISH_DATE`), as dateparser reads it in English, else ``None`` (left to
    dateparser). A dateparser call costs about half a millisecond, and comment sections and
    bylines are mostly such dates."""
    match = _ENGLISH_DATE.fullmatch(text)
    if not match:
        return None
    month = _MONTH_NUMBERS.get((match.group("month") or match.group("month_after")).lower())
    if month is None:
        return None
    try:
        return dt.datetime(int(match.group("year")), month,
                           int(match.group("day") or match.group("day_first")))
    except ValueError:
        return None  # "February 30": dateparser's to refuse


def relative_date(text: str, languages: list[str] | None, base: dt.datetime) -> str | None:
    """The date of a relative expression ("3 days ago", "vor 3 Tagen", "yesterday") counted
    back from ``base``, the capture time; ``None`` for any other text.

    An expression is relative when its date moves with the base: it is read against ``base``
    and against a base :data:`_BASE_SHIFT` later, and counts only if the two dates are that
    far apart, or as many months and days before their bases ("a month ago": months differ in
    length); an absolute "March 5" moves by whole years, a name not at all. A date after
    ``base`` ("in 3 days") is no publication's.
    """
    text = " ".join(text.split())
    if not text or len(text) > _MAX_RELATIVE or _HAS_YEAR.search(text):
        return None
    if base.tzinfo is not None:
        base = base.astimezone(dt.UTC).replace(tzinfo=None)
    codes = tuple(code for code in (*(languages or ()), *_DEFAULT_LANGUAGES) if code in _SUPPORTED)
    found, periods = [], []
    for moment in (base, base + _BASE_SHIFT):
        read = DateDataParser(languages=list(dict.fromkeys(codes)), settings={
            "RELATIVE_BASE": moment, "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DATES_FROM": "past"}).get_date_data(text)
        if read.date_obj is None:
            return None
        found.append(read.date_obj)
        periods.append(read.period)
    moved = found[1] - found[0] == _BASE_SHIFT or (
        _calendar_gap(base, found[0]) == _calendar_gap(base + _BASE_SHIFT, found[1]))
    if not moved or found[0].date() > base.date():
        return None  # not relative, or ahead of the capture ("in 3 days"): no past date
    date = _valid(found[0].date())
    if date is None:
        return None
    age = base - found[0]
    unit = _unit_of(age, periods[0])
    return RelativeDate(date, (base - age - unit).date().isoformat(),
                        (base - max(age - unit, dt.timedelta(0))).date().isoformat())


def _unit_of(age: dt.timedelta, period: str | None) -> dt.timedelta:
    """The unit a relative date of ``age`` was said in: a week, month or year when dateparser
    read one ("2 weeks ago"), else the largest of a day, an hour and a minute that the age is a
    whole number of ("3 days ago", "2 hours ago", "5 minutes ago"; "just now" is minutes)."""
    if period in _PERIOD_UNITS:
        return _PERIOD_UNITS[period]
    return next((unit for unit in _FINE_UNITS if age >= unit and age % unit == dt.timedelta(0)),
                _FINE_UNITS[-1])


def yearless_date(text: str, languages: list[str] | None, base: dt.datetime) -> str | None:
    """The date of a written date without a year ("Mar 5", "5 March", "March 5 at 4:04 pm"):
    the most recent one not after ``base``'s day, the capture day; ``None`` for any other text.

    Comment sections and blogs write this year's dates so. The month must be a word: a
    numeric "12/3" has no region-independent order. A text is such a date when dateparser reads
    it against ``base`` and against a base :data:`_BASE_SHIFT` later as the same day of the
    same month (relative dates and weekday names move otherwise, a month alone takes the day
    of its base). Each base is the end of its day, so a time later that day ("4:04 pm") is not
    pushed back a year.
    """
    text = " ".join(text.split())
    if (not text or len(text) > _MAX_RELATIVE or _HAS_YEAR.search(text)
            or not _MONTH_WORD.search(text) or not re.search(r"\d", text)):
        return None
    if base.tzinfo is not None:
        base = base.astimezone(dt.UTC).replace(tzinfo=None)
    base = dt.datetime.combine(base.date(), dt.time.max)
    codes = tuple(code for code in (*(languages or ()), *_DEFAULT_LANGUAGES) if code in _SUPPORTED)
    found = []
    for moment in (base, base + _BASE_SHIFT):
        parsed = DateDataParser(languages=list(dict.fromkeys(codes)), settings={
            "RELATIVE_BASE": moment, "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DATES_FROM": "past"}).get_date_data(text).date_obj
        if parsed is None or parsed > moment:
            return None
        found.append(parsed)
    if (found[0].month, found[0].day) != (found[1].month, found[1].day) or found[0].year == found[1].year:
        return None
    return _valid(found[0].date())


def _calendar_gap(base: dt.datetime, date: dt.datetime) -> tuple[int, int]:
    """How far ``date`` is before ``base`` in calendar months and days of the month: the same
    for "a month ago" read against any base, though months differ in length (a weekday name's
    gap changes with the base)."""
    return (base.year * 12 + base.month) - (date.year * 12 + date.month), base.day - date.day


def timestamp_date(line: str, languages: list[str] | None = None,
                   locale: str | None = None) -> str | None:
    """The date of a line that is nothing but a timestamp, else ``None``.

    Comments carry their time as a line of their own ("27.11.2026 16:04", "Nov 27, 2026 at
    4:04 pm", "Posted on 3 mars 2022 | 09:30 CET"). A short sentence that mentions a date
    ("The vote is on 27 Nov 2026.") is text: every word of a timestamp line must be a number,
    a month or weekday name, an am/pm marker, a time zone, a date label ("Posted") or one of
    the small words dateparser itself skips ("at", "on", "um"), in English or ``languages``.
    """
    if not _HAS_YEAR.search(line) or not _timestamp_shaped(line, languages):
        return None
    return parse_date(line, [*(languages or ()), *_DEFAULT_LANGUAGES], locale)


def _timestamp_shaped(line: str, languages: list[str] | None) -> bool:
    """Whether every word of a short line may belong to a timestamp (:func:`timestamp_date`)."""
    if len(line) > _MAX_TIMESTAMP:
        return False
    vocabulary = _timestamp_words(tuple(languages or ()))
    return all(_TIMESTAMP_NUMBER.fullmatch(token) or _TIME_ZONE.fullmatch(token)
               or token.lower().rstrip(".") in vocabulary for token in _TIMESTAMP_TOKEN.findall(line))


@functools.lru_cache(maxsize=32)
def _timestamp_words(languages: tuple[str, ...]) -> frozenset[str]:
    """The words a timestamp line may hold in English and ``languages`` (dateparser's data)."""
    words = set(_TIMESTAMP_LABELS)
    for code in {*_DEFAULT_LANGUAGES, *(code for code in languages if code in _SUPPORTED)}:
        info = default_loader.get_locale(code).info
        for key in (*_MONTHS, *_WEEKDAYS, "am", "pm", "skip"):
            words.update(word.rstrip(".") for entry in info.get(key, ())
                         for word in entry.lower().split())
    return frozenset(word for word in words if word.strip(" .,'-/;@[]|，"))


@functools.lru_cache(maxsize=32)
def _parser(languages: tuple[str, ...], locale: str | None = None) -> DateDataParser:
    """One dateparser per language set and locale: building one (and guessing locales) is the
    slow part. A locale dateparser knows ("en-GB") stands for its language; a region it does
    not know reads as the bare language."""
    known = list(dict.fromkeys(code for code in languages if code in _SUPPORTED)) or list(
        _DEFAULT_LANGUAGES)
    language = (locale or "").partition("-")[0]
    if locale in language_locale_dict.get(language, ()):
        # dateparser refuses a locale beside its own bare language ("en-GB" and "en").
        return DateDataParser(locales=[locale, *(code for code in known if code != language)],
                              settings=_DATE_SETTINGS)
    return DateDataParser(languages=known, settings=_DATE_SETTINGS)


def _from_ld(data: Structured, *keys: str) -> str | None:
    """The date of the first of ``keys`` an object has, from the article's JSON-LD object
    first, then from the other objects (the ``WebPage`` around it, a live blog's updates...),
    never from an image's, a video's or a comment's."""
    ranked = sorted((obj for obj in data.objects if not ld_types(obj) & _NOT_DOCUMENT_TYPES),
                    key=lambda obj: not ld_types(obj) & ARTICLE_TYPES)
    for obj in ranked:
        value = next((obj[key] for key in keys if obj.get(key)), None)
        if isinstance(value, list):
            value = value[0] if value else None
        date = epoch_date(value) or (parse_date(value) if isinstance(value, str) else None)
        if date:
            return date
    return None


def _from_url(url: str) -> str | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    try:
        return _valid(dt.date(*(int(part) for part in match.groups())))
    except ValueError:
        return None


def _date_scope(headline: HtmlElement) -> HtmlElement | None:
    """The headline's own block (:func:`.regions.headline_scope`), narrowed to its parent when
    that block is the whole page, and ``None`` when the headline sits in ``<body>`` itself: a
    block that holds the site header cannot vouch for a date above the headline."""
    for scope in (headline_scope(headline), headline.getparent()):
        if scope is not None and scope.tag not in ("body", "html"):
            return scope
    return None


def _label_before(element: HtmlElement) -> str:
    """The text just before ``element`` in its parent ("Updated" in "Updated <time>").

    Read backwards from the element, only as far as the window: read from the parent's start,
    a listing of thousands of dates cost the square of its length.
    """
    parent = element.getparent()
    if parent is None:
        return ""
    pieces: list[str] = []
    length = 0
    for sibling in element.itersiblings(preceding=True):
        text = text_content(sibling) if isinstance(sibling.tag, str) else ""
        pieces += [sibling.tail or "", text]
        length += len(pieces[-2]) + len(text)
        if length >= _LABEL_WINDOW:
            break
    else:
        pieces.append(parent.text or "")
    return "".join(reversed(pieces))[-_LABEL_WINDOW:]


def _says_updated(element: HtmlElement) -> bool:
    """Whether a date element is the last change: marked up so (``class="updated"``,
    ``itemprop=dateModified``), labelled so in its text, or right after such a label."""
    markup = f"{attributes(element)} {element.get('itemprop') or ''}"
    if _UPDATED_MARKUP.search(markup):
        # WordPress marks a post never changed ``class="entry-date published updated"``.
        return not _PUBLISHED_MARKUP.search(markup)
    return bool(_STARTS_UPDATED.match(text_content(element))
                or _ENDS_UPDATED.search(_label_before(element)))


def _clauses(text: str, *, updated: bool) -> list[str]:
    """The parts of a byline text that may hold the publication date, or (``updated``) the
    last change's: the whole text when it names no change, then its pieces between separators
    and before each "updated" label."""
    pieces = [clause for piece in _BYLINE_SEPARATORS.split(text)
              for clause in _UPDATED_CLAUSE.split(piece) if clause.strip()]
    if updated:
        return [piece for piece in pieces if _STARTS_UPDATED.match(piece)]
    whole = [] if _UPDATED_CLAUSE.search(text) else [text]
    return whole + [piece for piece in pieces if not _STARTS_UPDATED.match(piece)]


class _PageDates:
    """The date sources of one page's markup, read in several passes by :func:`find_dates`.

    A date above the headline's block is a site header's date ("today") or a sidebar's far
    more often than the article's, even when the header is not marked up as one: every source
    is read first without such *early* candidates, and then only they. Likewise the
    publication and the last change ("Updated ...") are read in passes of their own. What the
    passes share is worked out once: the byline candidates, each candidate's place, each
    written date. Candidates are placed lazily, as a pass reads them: passes stop at the first
    one that holds a date. Placing compares how many elements precede the candidate and the
    headline (XPath's ``preceding`` axis: elements before, ancestors excepted), counted from
    one numbering of the page's elements made at the first placing: counted for each
    candidate, a page of thousands of dates cost the square of its length.
    """

    def __init__(self, tree: HtmlElement, dates: DateContext,
                 headline: HtmlElement | None, comments: Collection[HtmlElement]) -> None:
        self._tree = tree
        self._comments = comments
        self._dates = dates
        self._headline = headline
        self._scope = _date_scope(headline) if headline is not None else None
        self._order: dict[HtmlElement, int] | None = None
        self._position: int | None = None
        self._places: dict[HtmlElement, bool | None] = {}
        self._bylines: list[HtmlElement] | None = None
        self._itemprops: dict[str, list[HtmlElement]] = {}

    def _early(self, element: HtmlElement) -> bool | None:
        """Whether a candidate sits above the headline's block; ``None`` when it is no
        candidate at all (site chrome, a comment, a related-articles block)."""
        if element in self._places:
            return self._places[element]
        place: bool | None = None
        if not (in_chrome(element) or in_furniture(element) or _IN_COMMENT(element)
                or within(element, self._comments)):
            place = False
            if self._headline is not None:
                if self._position is None:
                    self._position = self._preceding(self._headline)
                # ``<head>`` holds declarations (``<meta itemprop>``), not a site header.
                inside = _IN_HEAD(element) or self._scope is not None and (
                    element is self._scope or self._scope in element.iterancestors())
                place = not inside and self._preceding(element) < self._position
        self._places[element] = place
        return place

    def _preceding(self, element: HtmlElement) -> int:
        """How many elements precede ``element``: those before it in document order, less its
        ancestors (``count(preceding::*)``)."""
        if self._order is None:
            self._order = {node: index for index, node in enumerate(self._tree.iter(etree.Element))}
        return self._order[element] - sum(1 for _ in element.iterancestors())

    def _candidates(self, elements: Iterable[HtmlElement], *,
                    early: bool) -> Iterator[HtmlElement]:
        return (element for element in elements if self._early(element) is early)

    def from_elements(self, prop: str, *, early: bool) -> str | None:
        """The first date of an ``itemprop=prop`` element."""
        if prop not in self._itemprops:
            self._itemprops[prop] = _ITEMPROP(self._tree, prop=prop)
        for element in self._candidates(self._itemprops[prop], early=early):
            date = self._dates.written(element.get("content") or element.get("datetime")
                                       or text_content(element))
            if date:
                return date
        return None

    def from_time(self, *, early: bool, updated: bool) -> str | None:
        """The first ``<time>`` date that is (``updated``) or is not the last change."""
        for element in self._candidates(self._tree.iter("time"), early=early):
            if _says_updated(element) != updated:
                continue
            date = (self._dates.written(element.get("datetime") or text_content(element))
                    or epoch_date(element.get("data-timestamp")))
            if date:
                return date
        return None

    def _byline_elements(self) -> list[HtmlElement]:
        """Byline-like elements, the author element's parents, then the short lines of the
        headline's own block (an unmarked "By NAME, DATE" line)."""
        if self._bylines is None:
            tree, headline = self._tree, self._headline
            found = [element for element in tree.iter("p", "div", "span", "small", "li", "em")
                     if _BYLINE.search(attributes(element))]
            for author in tree.xpath("/descendant::*[@rel='author' or @itemprop='author' or "
                                     "contains(@class,'author') or contains(@class,'byline')]"):
                parent = author.getparent()
                if parent is not None:
                    found.append(parent)
            if headline is not None:
                found.extend(element for element in headline_scope(headline).iter(
                    "p", "div", "span", "small", "em", "font", "td")
                    if len(text_content(element)) <= _MAX_DATE_TEXT * 2)
            self._bylines = found
        return self._bylines

    @property
    def bylines_read(self) -> bool:
        """Whether a pass has read the byline candidates (the page declares no dates)."""
        return self._bylines is not None

    def from_relative(self) -> str | None:
        """A relative date ("3 days ago") or one without a year ("Dec 3") in a byline candidate
        below the headline's top, read against the capture time: a byline piece, or a
        date-classed element in it."""
        if self._dates.captured is None:
            return None
        for element in itertools.islice(self._candidates(self._byline_elements(), early=False),
                                        _MAX_BYLINES):
            text = " ".join(text_content(element).split())
            pieces = _clauses(text, updated=False) + [
                " ".join(text_content(child).split()) for child in element.iterdescendants()
                if _BYLINE.search(attributes(child)) and not _says_updated(child)]
            for piece in pieces:
                date = self._dates.recent(piece)
                if date:
                    return date
        return None

    def from_byline(self, *, early: bool, updated: bool) -> str | None:
        """A written date in a byline candidate: the publication's, or with ``updated`` the
        one labelled as the last change."""
        for element in itertools.islice(self._candidates(self._byline_elements(), early=early),
                                        _MAX_BYLINES):
            # Line by line: "By Jane Doe<br>March 5, 2021" is not "Jane DoeMarch 5, 2021".
            text = lines_text(element)
            if updated and not _UPDATED_CLAUSE.search(text):
                continue  # nor do its children name a change
            for piece in _clauses(text, updated=updated):
                date = self._dates.written(piece) if len(piece) <= _MAX_DATE_TEXT else None
                if date:
                    return date
            for child in element.iterdescendants():
                if not _BYLINE.search(attributes(child)):
                    continue
                text = " ".join(text_content(child).split())
                if _says_updated(child):
                    pieces = [text] if updated else []
                elif _UPDATED_CLAUSE.search(text):
                    pieces = _clauses(text, updated=updated)
                else:
                    pieces = [] if updated else [text]
                for piece in pieces:
                    date = self._dates.written(piece) if len(piece) <= _MAX_DATE_TEXT else None
                    if date:
                        return date
                # Script writes some dates from ``data-timestamp``: "Tuesday" is what was archived.
                if pieces and not updated and (date := epoch_date(child.get("data-timestamp"))):
                    return date
        return None


    def as_of(self) -> str | None:
        """A byline's date labelled as the version's ("Stand: 12.03.2024 14:05 Uhr")."""
        for element in itertools.islice(self._candidates(self._byline_elements(), early=False),
                                        _MAX_BYLINES):
            text = lines_text(element)
            for piece in _clauses(text, updated=True) if "tand" in text else ():
                date = (self._dates.written(piece) if _STARTS_AS_OF.match(piece)
                        and len(piece) <= _MAX_DATE_TEXT else None)
                if date:
                    return date
        return None

    def undated_update(self, published: str | None) -> str | None:
        """A change labelled in a byline with a relative date ("Atualizado há 2 dias"),
        counted back from the capture time, or with a date without a year ("mis à jour le
        4 mars"), the first such day from the publication on: sites leave out the year of
        the publication's."""
        end = (dt.datetime.combine(dt.date.fromisoformat(published) + _YEAR_LESS_WINDOW,
                                   dt.time.max) if published else None)
        for element in itertools.islice(self._candidates(self._byline_elements(), early=False),
                                        _MAX_BYLINES):
            text = lines_text(element)
            if not _UPDATED_CLAUSE.search(text):
                continue
            for piece in _clauses(text, updated=True):
                when = _STARTS_UPDATED.sub("", piece).strip(" :")
                date = self._dates.relative(when) or (
                    yearless_date(when, self._dates.languages, end) if end else None)
                if date:
                    return date
        return None


def _unless_today(date: str | None, dates: DateContext) -> str | None:
    """``date``, unless it is the capture day (give or take a day: the site writes its own time
    zone's day). A date above the headline's block on the day the page was captured is the
    site header's "today", which an unmarked header shows like a blog's date header."""
    if date is None or dates.captured is None:
        return date
    captured = dates.captured.astimezone(dt.UTC) if dates.captured.tzinfo else dates.captured
    gap = abs(dt.date.fromisoformat(date) - captured.date())
    return None if gap <= dt.timedelta(days=1) else date


def find_dates(tree: HtmlElement, data: Structured, url: str, dates: DateContext, *,
               headline: HtmlElement | None,
               comments: Iterable[HtmlElement] = ()) -> tuple[str | None, str | None]:
    """``(published, modified)`` as ISO dates, each ``None`` when not found.

    ``dates`` says how the page's written dates read (its capture time counts a byline's
    relative date, "3 days ago", back when the page has no other date); ``headline`` is the
    page's :func:`.regions.headline_element`, found once per page; ``comments`` are the
    elements of its comment section, whatever their class (:func:`.comments.find_comments`).
    """
    page = _PageDates(tree, dates, headline, set(comments))
    # A page was neither published nor changed after it was captured (give or take a day for
    # the site's time zone): a later date is an event's, a scheduled post's or a broken
    # template's, and the next source is read.
    latest = ((dates.captured or dt.datetime.now(dt.UTC)).date() + dt.timedelta(days=1)).isoformat()
    published = next((date for date in _published_candidates(page, data, url, dates) if date and date <= latest),
                     None)
    modified = next((date for date in _modified_candidates(page, data, dates, published)
                     if date and date <= latest), None)
    if published is None and page.bylines_read:
        # A version's date ("Stand:") is the only date many German stories give: with no
        # publication date, it is the best the page says of it.
        published = page.as_of()
    if published and modified and modified < published:
        # WordPress dates a post scheduled after its last edit so: the version shown was not
        # changed after it appeared.
        modified = None
    return published, modified


def _published_candidates(page: _PageDates, data: Structured, url: str,
                          dates: DateContext) -> Iterator[str | None]:
    """The page's publication date by each source in turn, most reliable first, each read only
    when the ones before it gave none that :func:`find_dates` takes."""
    # A live blog may declare only when its coverage started.
    yield _from_ld(data, "datePublished", "coverageStartTime")
    yield dates.written(data.first_meta(*_PUBLISHED_META))
    yield page.from_elements("datePublished", early=False)
    yield page.from_time(early=False, updated=False)
    yield _from_url(url)
    yield _from_ld(data, "dateCreated")
    yield page.from_byline(early=False, updated=False)
    yield _unless_today(page.from_elements("datePublished", early=True), dates)
    yield _unless_today(page.from_time(early=True, updated=False), dates)
    yield _unless_today(page.from_byline(early=True, updated=False), dates)
    yield page.from_relative()


def _modified_candidates(page: _PageDates, data: Structured, dates: DateContext,
                        published: str | None) -> Iterator[str | None]:
    """The page's modification date by each source in turn (see :func:`_published_candidates`)."""
    yield _from_ld(data, "dateModified")
    yield dates.written(data.first_meta(*_MODIFIED_META))
    yield page.from_elements("dateModified", early=False)
    yield page.from_time(early=False, updated=True)
    # A page that declares its publication date declares its changes too, if at all; only a
    # page whose dates are written in its bylines gets them searched for "Updated".
    if page.bylines_read:
        yield page.from_byline(early=False, updated=True)
    yield page.from_elements("dateModified", early=True)
    if page.bylines_read:
        yield page.undated_update(published)
