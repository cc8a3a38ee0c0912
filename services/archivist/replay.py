"""The replay read side: which snapshot answers a URL at a moment, its archived response, the
URL's mementos, and CDX index lines. The API's replay routes and ``archivist replay`` use it.

Lookups go through the catalog's (urlkey, captured_at) and (final_urlkey, captured_at) indexes:
a capture whose redirects ended on another URL is found under the URL it was requested as and
under the one it landed on (:class:`Found`). Bodies come from the object store. A revisit
replays the payload of the snapshot it refers to, with its own date, status and headers.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import unquote

import lxml.html
from lxml.html import builder as E

from archivist.adapters.catalog import FoundSnapshot, SnapshotRow
from archivist.core.cdx import closest_first, collapse, parse_collapse, parse_filter
from archivist.core.errors import InvalidInput, NotFound
from archivist.core.http import looks_like_html, sendable_headers
from archivist.core.memento import format_http_date, parse_timestamp, timestamp_of
from archivist.core.rewrite import Linker, rewrite_css, rewrite_html
from archivist.core.urls import canonicalize, urlkey
from archivist.runtime import Runtime
from archivist.snapshots import read_snapshot

__all__ = [
    "CDX_PAGE_SIZE",
    "MATCH_TYPES",
    "Found",
    "Replayed",
    "archived_url",
    "aware",
    "cdx_fields",
    "cdx_page_count",
    "cdx_query",
    "listing",
    "load",
    "mementos",
    "neighbours",
    "render",
    "resolve",
    "url_listing",
]

MATCH_TYPES = ("exact", "prefix", "host", "domain")

#: Original headers replayed as they were on the ``id_`` view; every other one is renamed
#: ``X-Archive-Orig-*`` (as pywb does) so that it cannot act on the archive's own origin.
SAFE_HEADERS = frozenset({"content-type", "content-encoding", "content-language", "last-modified", "etag"})
#: The prefix of an archived header replayed under another name.
_ORIGINAL_PREFIX = "X-Archive-Orig-"
#: Headers that describe the original transfer, never replayed in any form.
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

T = TypeVar("T")

#: Lines a CDX page holds unless the query says (``pageSize``).
CDX_PAGE_SIZE = 5000
#: URLs a wildcard listing (``/web/*/example.org/*``) shows; the CDX API lists them all.
URL_LISTING_LIMIT = 1000

_SLASH_COLLAPSED = re.compile(r"^(https?):/(?!/)", re.IGNORECASE)
#: A URL whose scheme's colon is escaped: the whole URL was percent-encoded.
_ENCODED_WHOLE = re.compile(r"^https?%3A", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Found:
    """A snapshot as a lookup by URL found it: under ``key``, answering for ``url``.

    A capture of ``A`` whose redirects ended on ``B`` is one snapshot, found under both: as
    ``A``, the URL it was requested as, and as ``B``, the URL its final response came from (the
    one browsers end up on and other pages link to). ``url`` names the memento: replay paths,
    ``Link: rel="original"``, TimeMaps and CDX lines use it.
    """

    snapshot: SnapshotRow
    url: str
    key: str

    @property
    def moment(self) -> datetime:
        return aware(self.snapshot.captured_at)

    @property
    def timestamp(self) -> str:
        return timestamp_of(self.snapshot.captured_at)


def _found(snapshot: SnapshotRow, key: str, asked: str | None = None) -> Found:
    """``snapshot`` as found under ``key``, for a lookup of the canonical URL ``asked`` if any.

    The URL it answers for is ``asked`` when that is its requested or final URL (an http page
    that redirected to https shares its key with it); else the one whose key was matched.
    """
    final = snapshot.final_url
    if asked is not None and asked in (snapshot.url, final):
        url = asked
    else:
        url = snapshot.url if snapshot.urlkey == key else final
    return Found(snapshot=snapshot, url=url, key=key)


@dataclass(frozen=True, slots=True)
class Replayed:
    """An archived response ready to serve: the snapshot's metadata and the payload it replays."""

    url: str
    #: Where the response came from: ``url``, or the page its redirects ended on. The payload's
    #: relative URLs are relative to it.
    base_url: str
    moment: datetime
    kind: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    raw_body: bytes

    @property
    def timestamp(self) -> str:
        return timestamp_of(self.moment)

    @property
    def content_type(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "content-type"), None)

    @property
    def mime(self) -> str:
        return (self.content_type or "").split(";")[0].strip().lower()

    @property
    def is_html(self) -> bool:
        """HTML or XHTML; or untyped and starting as HTML does, as the fetcher took it (an untyped
        payload that does not, say an image in an imported WARC, is served as it is)."""
        if self.mime:
            return self.mime in ("text/html", "application/xhtml+xml")
        return looks_like_html(self.body[:1024])

    @property
    def rendered_type(self) -> str | None:
        """The Content-Type of :func:`render`'s output. Rewriting writes HTML syntax and UTF-8,
        so rewritten XHTML is ``text/html`` (as XML, its ``<br>`` would be an error)."""
        if self.is_html:
            return "text/html; charset=utf-8"
        if self.mime == "text/css":
            return "text/css; charset=utf-8"
        return self.content_type

    @property
    def charset(self) -> str | None:
        content_type = (self.content_type or "").lower()
        if "charset=" not in content_type:
            return None
        return content_type.split("charset=")[-1].split(";")[0].strip().strip('"') or None

    def original_headers(self) -> list[tuple[str, str]]:
        """The archived headers for the identity view: safe ones as they were, others renamed.

        One the WARC already holds renamed (the fetcher stores ``Transfer-Encoding`` as
        ``X-Archive-Orig-Transfer-Encoding``, as warcio does) keeps that name, not a second prefix.
        """
        out = []
        for name, value in self.headers:
            lower = name.lower()
            if lower in _HOP_HEADERS:
                continue
            kept = lower in SAFE_HEADERS or lower.startswith(_ORIGINAL_PREFIX.lower())
            out.append((name, value) if kept else (f"{_ORIGINAL_PREFIX}{name}", value))
        return out


def archived_url(url: str) -> str:
    """The canonical form of a URL as it appears in a replay path (``http:/x`` is repaired, and a
    URL percent-encoded whole, ``http%3A%2F%2Fx%2Fa``, as clients that quote it as one path
    segment send it, is decoded once, as pywb does).

    Raises:
        InvalidURL: not a URL we could have archived.
    """
    url = url.strip()
    if _ENCODED_WHOLE.match(url):
        url = unquote(url)
    return canonicalize(_SLASH_COLLAPSED.sub(r"\1://", url))


def resolve(runtime: Runtime, url: str, *, at: datetime | None = None) -> Found:
    """The snapshot found under ``url`` closest to ``at`` (the latest one without ``at``): one
    captured as ``url``, or one whose redirects ended on it.

    Raises:
        NotFound: the URL was never archived.
        InvalidURL: the URL is not valid.
    """
    asked = archived_url(url)
    key = urlkey(asked)
    moment = at or datetime.now(UTC)
    with runtime.database.session() as session:
        snapshot = runtime.catalog.nearest_snapshot(session, key, moment)
    if snapshot is None:
        raise NotFound(f"{url} is not in the archive")
    return _found(snapshot, key, asked)


def load(runtime: Runtime, found: Found) -> Replayed:
    """The snapshot's archived response; for a revisit, the payload of the snapshot it refers to.

    Raises:
        NotFound: the revisit refers to no snapshot.
        SnapshotUnreadable: the stored object (or the revisited one) is gone or damaged.
    """
    snapshot = found.snapshot
    own = read_snapshot(runtime.store, snapshot)
    payload = own
    if snapshot.kind == "revisit":
        with runtime.database.session() as session:
            original = runtime.catalog.get_snapshot(session, snapshot.refers_to_id) if snapshot.refers_to_id else None
        if original is None:
            raise NotFound(f"the revisit {snapshot.id} refers to no stored response")
        payload = read_snapshot(runtime.store, original)
    # A revisit without HTTP headers replays its original's; so does a server-not-modified one,
    # whose 304 and its headers describe no body: what it confirms is the original response.
    not_modified = own.status == 304
    return Replayed(
        url=found.url,
        base_url=own.url or snapshot.final_url,
        moment=aware(snapshot.captured_at),
        kind=snapshot.kind,
        status=payload.status if not_modified else own.status or payload.status,
        headers=sendable_headers(payload.headers if not_modified else own.headers or payload.headers),
        body=payload.body,
        raw_body=payload.raw_body,
    )


def neighbours(runtime: Runtime, found: Found) -> list[tuple[str, Found]]:
    """The snapshots a memento links to by RFC 7089's ``first``, ``prev``, ``next`` and ``last``
    relations, in that order (``prev``/``next`` only where they exist), found under the same key."""
    with runtime.database.session() as session:
        related = runtime.catalog.memento_neighbours(session, found.key, found.snapshot.captured_at)
    return [(rel, _found(related[rel], found.key, found.url)) for rel in ("first", "prev", "next", "last")
            if rel in related]


def render(replayed: Replayed, *, link: Linker, banner: bool = True, timemap_uri: str | None = None) -> bytes:
    """The payload rewritten for replay: HTML and CSS point into the archive; others unchanged.

    Relative URLs resolve against the page the capture's redirects ended on (``base_url``), as
    they did in the browser. The result is of type ``replayed.rendered_type``.
    """
    if replayed.is_html:
        make_banner = (lambda: _banner(replayed, timemap_uri)) if banner else None
        return rewrite_html(replayed.body, page_url=replayed.base_url, link=link, charset=replayed.charset,
                            banner=make_banner)
    if replayed.mime == "text/css":
        text = replayed.body.decode(replayed.charset or "utf-8", errors="replace")
        return rewrite_css(text, base_url=replayed.base_url, link=link).encode("utf-8")
    return replayed.body


def mementos(runtime: Runtime, url: str) -> list[Found]:
    """Every snapshot found under the URL, oldest first.

    Raises:
        NotFound: the URL was never archived.
    """
    asked = archived_url(url)
    key = urlkey(asked)
    with runtime.database.session() as session:
        found = [_found(snapshot, key, asked) for snapshot, _ in runtime.catalog.find_snapshots(session, exact=key)]
    if not found:
        raise NotFound(f"{url} is not in the archive")
    return found


def listing(found: list[Found]) -> bytes:
    """A plain HTML page listing the captures of one URL (pywb's ``/web/*/{url}``), newest first."""
    url = found[0].url
    items = [
        E.LI(E.A(format_http_date(memento.moment), href=f"/web/{memento.timestamp}/{memento.url}"),
             f" HTTP {memento.snapshot.http_status}", " (unchanged)" if memento.snapshot.kind == "revisit" else "")
        for memento in reversed(found)
    ]
    page = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE(f"Captures of {url}")),
                  E.BODY(E.H1("Captures of ", E.A(url, href=url)), E.P(f"{len(found)} captures"), E.UL(*items)))
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8")


def url_listing(runtime: Runtime, pattern: str, *, most: int = URL_LISTING_LIMIT) -> bytes:
    """A plain HTML page of the URLs archived under a pywb wildcard (``/web/*/example.org/news*``,
    ``/web/*/*.example.org``): each with its number of captures, first and last, linking to its
    own list; in index order, the first ``most`` of them.

    Raises:
        NotFound: no URL archived under the pattern.
        InvalidInput, InvalidURL: as :func:`cdx_query`.
    """
    items = []
    with contextlib.closing(cdx_query(runtime, pattern)) as lines:
        for _, group in itertools.islice(itertools.groupby(lines, key=lambda line: line["urlkey"]), most + 1):
            captures = list(group)
            url, first, last = captures[0]["url"], captures[0]["timestamp"], captures[-1]["timestamp"]
            items.append(E.LI(E.A(url, href=f"/web/*/{url}"), f" {len(captures)} captures, "
                              f"{format_http_date(parse_timestamp(first))} to {format_http_date(parse_timestamp(last))}"))
    if not items:
        raise NotFound(f"no URL under {pattern} is in the archive")
    shown = f"{len(items)} URLs" if len(items) <= most else f"the first {most} URLs (/cdx lists them all)"
    page = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE(f"URLs under {pattern}")),
                  E.BODY(E.H1(f"URLs under {pattern}"), E.P(shown), E.UL(*items[:most])))
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8")


def cdx_query(
    runtime: Runtime,
    url: str,
    *,
    match_type: str = "exact",
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    filters: Sequence[str] = (),
    collapses: Sequence[str] = (),
    closest: str | None = None,
    reverse: bool = False,
    page: int | None = None,
    page_size: int = CDX_PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """CDX lines (dicts) for the query, in (urlkey, timestamp) order, as pywb's CDX server shapes it.

    ``url`` may carry pywb's wildcards: ``example.com/path*`` is a prefix query and
    ``*.example.com`` a domain query. ``since``/``until`` are 1 to 14 digit timestamps.
    ``filters`` are pywb's ``[!][=|~]field:value`` and ``collapses`` the Wayback CDX server's
    ``field[:N]`` (:mod:`archivist.core.cdx`). ``closest`` (a timestamp; exact queries only, as
    in pywb) orders the lines nearest first; else ``reverse`` orders them last first. ``limit``
    keeps the first lines of that order, a negative one the last (the Wayback CDX server's).
    ``page`` (from 0) answers only the lines ``page * page_size`` to ``(page + 1) * page_size``
    of the filtered and collapsed lines (:func:`cdx_page_count` counts the pages), the order and
    limit then applying to those: pywb's pagination API, in lines where pywb counts index blocks.

    Everything is validated here, before the first line: the caller can answer an error before
    it starts streaming. The rows stream from the index (``closest`` sorts one URL's captures;
    ``reverse`` and a negative limit hold the lines they keep, all of them without a limit).

    Raises:
        InvalidInput: unknown match type, bad timestamp, filter, collapse or URL; a limit of 0;
            ``closest`` on a non-exact query.
    """
    if url.startswith("*."):
        url, match_type = url[2:], "domain"
    elif url.endswith("*"):
        url, match_type = url[:-1], "prefix"
    if match_type not in MATCH_TYPES:
        raise InvalidInput(f"matchType must be one of {', '.join(MATCH_TYPES)}")
    if limit == 0:
        raise InvalidInput("limit must be a positive number of lines (a negative one: the last lines)")
    asked = archived_url(url)
    key = urlkey(asked)
    host = key.split(")", 1)[0]
    exact, prefixes = None, ()
    if match_type == "exact":
        exact = key
    elif match_type == "prefix":
        # "example.com/news" has the key "com,example)/news"; a bare host ends in ")/".
        prefixes = (key,)
    elif match_type == "host":
        prefixes = (host + ")/",)
    else:
        prefixes = (host + ")", host + ",")
    lower = parse_timestamp(since) if since else None
    # ``to`` names its last second whole: a capture at 12:00:41.9 has the timestamp ...120041.
    upper = parse_timestamp(until, upper=True).replace(microsecond=999_999) if until else None
    checks = [parse_filter(text) for text in filters]
    rules = [parse_collapse(text) for text in collapses]
    target = parse_timestamp(closest) if closest else None
    if target is not None and match_type != "exact":
        raise InvalidInput("closest ordering needs matchType=exact")
    reverse = reverse and target is None
    # The limit goes to the database only when nothing is dropped or reordered after it.
    plain = not checks and not rules and target is None and not reverse
    sql_limit = limit if plain and limit is not None and limit > 0 else None

    def lines() -> Iterator[dict[str, Any]]:
        with runtime.database.session() as session:
            rows: Iterable[FoundSnapshot] = runtime.catalog.find_snapshots(
                session, exact=exact, prefixes=prefixes, since=lower, until=upper, limit=sql_limit
            )
            found = (_found(snapshot, under, asked if exact else None) for snapshot, under in rows)
            selected = (fields for fields in map(cdx_fields, found) if all(c.matches(fields) for c in checks))
            # pywb's order: filters, collapsing (of lines adjacent in the index), then the order asked.
            kept: Iterable[dict[str, Any]] = collapse(selected, rules)
            if page is not None:
                # A page past the largest index islice takes is past every line all the same.
                start, stop = (min(bound * page_size, sys.maxsize) for bound in (page, page + 1))
                kept = itertools.islice(kept, start, stop)
            if target is not None:
                kept = closest_first(((parse_timestamp(fields["timestamp"]), fields) for fields in kept), target)
            yield from _limited(kept, limit, reverse=reverse)

    return lines()


def cdx_page_count(runtime: Runtime, url: str, *, page_size: int = CDX_PAGE_SIZE, **query: Any) -> dict[str, int]:
    """pywb's ``showNumPages=true`` answer for a :func:`cdx_query`: ``pages`` (at least one, as
    pywb answers), ``pageSize`` and, as ``blocks``, the number of lines, which it reads to count.

    Raises:
        InvalidInput: as :func:`cdx_query`.
    """
    lines = sum(1 for _ in cdx_query(runtime, url, **query))
    return {"pages": max(1, -(-lines // page_size)), "pageSize": page_size, "blocks": lines}


def _limited(lines: Iterable[T], limit: int | None, *, reverse: bool) -> Iterator[T]:
    """The first ``limit`` lines (the last ``-limit`` when negative) of ``lines``, or of their
    reverse order. Only the lines kept are held in memory."""
    count = abs(limit) if limit is not None else None
    from_end = reverse != (limit is not None and limit < 0)
    kept: Iterable[T] = collections.deque(lines, maxlen=count) if from_end else itertools.islice(lines, count)
    return reversed(list(kept)) if reverse else iter(kept)


def cdx_fields(found: Found) -> dict[str, Any]:
    """One snapshot as a CDXJ object, under the key and URL it was found as. ``filename``/
    ``offset``/``length`` locate its final record (response or revisit) in the stored object, a
    small WARC of its own. The fields come in ``cdxj-indexer``'s order, so a line is the one that
    tool writes for the record, byte for byte."""
    row = found.snapshot
    fields: dict[str, Any] = {
        "urlkey": found.key,
        "timestamp": found.timestamp,
        "url": found.url,
        "mime": "warc/revisit" if row.kind == "revisit" else (row.mime or "unk"),
        "status": str(row.http_status),
        "digest": row.payload_digest,
        "length": str(row.stored_length - (row.record_offset or 0)),
    }
    if row.record_offset is not None:
        fields["offset"] = str(row.record_offset)
    fields["filename"] = row.storage_key
    return fields


def _banner(replayed: Replayed, timemap_uri: str | None):  # noqa: ANN202 - an lxml element
    """A small fixed bar saying what this is: an archived copy, of what, from when."""
    parts = ["Archived copy of ", E.A(replayed.url, href=replayed.url, target="_blank", rel="noopener"),
             f" captured {format_http_date(replayed.moment)}"]
    if replayed.kind == "revisit":
        parts.append(" (unchanged since an earlier capture)")
    if timemap_uri:
        parts.extend([" · ", E.A("all captures", href=timemap_uri)])
    return E.DIV(
        *parts,
        id="archivist-banner",
        style="position:sticky;top:0;z-index:2147483647;background:#222;color:#eee;font:13px/1.6 sans-serif;"
              "padding:4px 10px;",
    )


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
