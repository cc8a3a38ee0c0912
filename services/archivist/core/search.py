"""Searching records: what a query asks for, and the pieces of an answer computed in Python.

The catalog keeps one search entry per record (its latest version) and matches words with the
database's own full-text index: PostgreSQL's ``tsvector`` or SQLite's FTS5. Both are given the
same thing, the query's words, all required, so that a search finds the same records on either
database. Quoting, ``OR`` and negation are not offered: their syntaxes differ between the two
engines, and a plain "all these words" is what a search box in an archive is mostly used for.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from archivist.core.errors import InvalidInput
from archivist.core.memento import parse_timestamp
from archivist.core.urls import canonicalize, shown_input

__all__ = ["INDEXED_CHARS", "MAX_PAGE", "PER_PAGE", "SearchQuery", "fold_accents", "host_of", "query_words", "snippet",
           "word_spans"]

#: How much of a body is indexed. PostgreSQL refuses a ``tsvector`` above 1 MB, which would fail
#: the version write; the first 200,000 characters (a long book chapter) are searched on both.
INDEXED_CHARS = 200_000
#: Results on one page of a search.
PER_PAGE = 20
#: The last page a search may ask for: 20 million results in, far past any useful one, and an
#: offset that both databases' 64-bit integers hold (a larger page number is a 500 otherwise).
MAX_PAGE = 1_000_000
#: Words kept from a query; more would only slow the index down without narrowing much.
_MAX_WORDS = 16
_WORD = re.compile(r"\w+", re.UNICODE)
_DATE_SEPARATORS = re.compile(r"[-:T ]")


def query_words(text: str | None) -> tuple[str, ...]:
    """The words of a query, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall((text or "").lower()):
        seen.setdefault(word, None)
    return tuple(seen)[:_MAX_WORDS]


def host_of(url: str) -> str:
    """The host a record is filed under: lower-cased, without ``www.``, which names the same site."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _moment(text: str | None, *, upper: bool) -> datetime | None:
    """``2024``, ``2024-03``, ``2024-03-05`` (a date input's value) or a 1 to 14 digit timestamp.

    Raises:
        InvalidInput: anything else.
    """
    if not text or not text.strip():
        return None
    try:
        return parse_timestamp(_DATE_SEPARATORS.sub("", text.strip()), upper=upper)
    except InvalidInput as exc:
        raise InvalidInput(f"{text.strip()!r} is not a date (2024, 2024-03, 2024-03-05) or a timestamp of "
                           "1 to 14 digits (YYYYMMDDhhmmss)") from exc


def _host_filter(text: str | None) -> str | None:
    """The host a search is narrowed to, written as a host name or as a URL of the site, filed
    as records are: the canonical URL's host (IDNA-encoded, lower-case), without ``www.``.

    Raises:
        InvalidInput: the text holds no valid host name (``[1, 2]``, a NUL, a label too long).
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return host_of(canonicalize(text if "://" in text else f"http://{text}")) or None
    except InvalidInput as exc:
        raise InvalidInput(f"{shown_input(text)!r} is not a host name or a site's URL: {exc.message}") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchQuery:
    """A validated search: words, a SURT key prefix, a host, an archive-date range, a page."""

    words: tuple[str, ...] = ()
    urlkey_prefix: str | None = None
    host: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def parse(cls, *, q: str | None = None, urlkey_prefix: str | None = None, host: str | None = None,
              since: str | None = None, until: str | None = None, page: int = 1) -> SearchQuery:
        """A query from a form's strings; ``since``/``until`` bound the day (or second) they name.

        Raises:
            InvalidInput: a date that is not one, a host that is not one, or a page below 1 or
                above ``MAX_PAGE``.
        """
        if page < 1:
            raise InvalidInput("page numbers start at 1")
        if page > MAX_PAGE:
            raise InvalidInput(f"page {page} is past the last page a search can show ({MAX_PAGE:,})")
        lower, upper = _moment(since, upper=False), _moment(until, upper=True)
        if lower and upper and lower > upper:
            raise InvalidInput("the date range ends before it starts")
        return cls(words=query_words(q), urlkey_prefix=urlkey_prefix or None, host=_host_filter(host),
                   since=lower, until=upper, page=page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


class _AccentFolding(dict):
    """A ``str.translate`` table, filled as characters are met: each Latin, Greek or Cyrillic
    letter to itself without diacritics (``é`` to ``e``, ``Å`` to ``A``, ``ё`` to ``е``), and
    the letters with a stroke that Unicode does not decompose (``ł``, ``ø``, ``đ``) as
    PostgreSQL's ``unaccent`` reads them. Other scripts are left alone: a kana's voicing mark or
    a Hangul syllable's parts are not accents. One character for one, so offsets in the folded
    text are offsets in the text."""

    _STROKES = dict(zip(map(ord, "łŁøØđĐħĦŧŦ"), "lLoOdDhHtT", strict=True))

    def __missing__(self, code: int) -> str:
        character = chr(code)
        folded = self._STROKES.get(code, character)
        if folded is character and (code < 0x0530 or 0x1E00 <= code < 0x2000):
            parts = unicodedata.normalize("NFD", character)
            if len(parts) > 1 and all(unicodedata.combining(mark) for mark in parts[1:]):
                folded = parts[0]
        self[code] = folded
        return folded


_FOLDING = _AccentFolding()


def fold_accents(text: str) -> str:
    """``text`` with its letters' diacritics removed, as both search indexes compare words
    (PostgreSQL's ``unaccent``, FTS5's ``remove_diacritics``): ``Café`` and ``cafe`` are one word."""
    return text if text.isascii() else text.translate(_FOLDING)


def _word_pattern(words: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    """Whole words of the query in a folded text, in any case."""
    if not words:
        return None
    folded = sorted({fold_accents(word) for word in words}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, folded))})(?!\w)", re.IGNORECASE)


def word_spans(text: str, words: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    """Where the query's words occur in ``text`` as whole words, in any case and with or without
    accents: as the index matched them. A search for ``sea`` found the record by ``sea``, not by
    the ``sea`` inside ``season``; one for ``cafe`` found it by ``Café``."""
    pattern = _word_pattern(words)
    return [match.span() for match in pattern.finditer(fold_accents(text))] if pattern else []


def snippet(body: str | None, words: tuple[str, ...], *, width: int = 240) -> str:
    """About ``width`` characters of the body where most of the query's words appear together.

    Computed here rather than by the database (``ts_headline``, FTS5 ``snippet``) so that both
    catalogs give the same excerpt, and only for the page of results shown.
    """
    text = " ".join((body or "").split())
    if len(text) <= width:
        return text
    found = [(start, fold_accents(text[start:end]).lower()) for start, end in word_spans(text, words)]
    hits = [at for at, _ in found]

    def words_within(at: int) -> int:
        return len({word for _, word in found[bisect_left(hits, at):bisect_left(hits, at + width)]})

    start = 0
    if hits:
        best = max(hits[:200], key=lambda at: (words_within(at), -at))
        start = max(0, best - width // 4)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    if end < len(text) and text.rfind(" ", start, end) > start:
        end = text.rfind(" ", start, end)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
