"""WARC files in and out of the archive.

Export streams the stored snapshot objects, which are already sequences of gzip members (one
per record), behind a ``warcinfo`` record: the output is a standard WARC 1.1 file that
``warcio check`` and ``warcio index`` / pywb read, written in constant memory whatever its size.

Import reads WARCs written by other tools (wget, Heritrix, Browsertrix: responses with or
without request records, identical-payload and server-not-modified revisits) and makes each 2xx HTML response a capture
of its own, stored as our snapshot WARC and handed to extraction, as if we had fetched it then
(after the file's redirects that led to it, as a capture of the URL they started from).
The file is verified whole before anything is stored, so a truncated or broken file imports
nothing.
"""

from __future__ import annotations

import io
import tempfile
import threading
import uuid
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, BinaryIO

from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders

from archivist.adapters.catalog import CaptureRow, NewSnapshot, SnapshotRow
from archivist.adapters.fetcher import Exchange
from archivist.core.captures import CaptureStatus
from archivist.core.errors import InvalidInput, SnapshotUnreadable
from archivist.core.http import binary_kind, header, inflate, looks_like_html
from archivist.core.keys import snapshot_key
from archivist.core.urls import canonicalize, final_urlkey, host_prefixes, join, urlkey
from archivist.pipeline import store_snapshot
from archivist.runtime import Runtime
from archivist.snapshots import copy_snapshot
from archivist.warc import (
    NOT_MODIFIED_PROFILE,
    REVISIT_PROFILE,
    Revisit,
    WarcIterator,
    payload_digest,
    uncompressed_warc,
    verify_warc,
    warc_date,
    write_extraction,
    write_warcinfo,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["ExportReport", "ImportReport", "export_warc", "import_warc"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: How far ahead of this machine's clock a record's WARC-Date may be (a crawler's clock a little
#: ahead, a local time written as UTC). Beyond, it is skipped as ``future_date``: a record's
#: history is in capture time, so a capture dated years ahead would be its latest version
#: whatever is captured until then.
_CLOCK_AHEAD = timedelta(days=1)
#: The revisit profiles imported (WARC 1.0's and 1.1's names), as the profile we store them with:
#: the same payload fetched again, or a site's ``304 Not Modified`` (Heritrix writes these).
_REVISIT_PROFILES = {
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest": REVISIT_PROFILE,
    "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest": REVISIT_PROFILE,
    "http://netpreserve.org/warc/1.1/revisit/server-not-modified": NOT_MODIFIED_PROFILE,
    "http://netpreserve.org/warc/1.0/revisit/server-not-modified": NOT_MODIFIED_PROFILE,
}
#: HTTP headers that describe the transfer encoding we undo on import: the stored payload is the
#: entity itself, so these would misdescribe it.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(slots=True)
class ExportReport:
    snapshots: int = 0
    #: Captures whose extraction was written (``extractions=True``).
    extractions: int = 0
    bytes: int = 0
    #: Snapshots left out, each saying why: its object gone or damaged in storage, or (a revisit)
    #: the snapshot it refers to so.
    skipped: list[SnapshotUnreadable] = field(default_factory=list)
    #: A stop request ended the export before the end of the selection.
    stopped: bool = False


@dataclass(slots=True)
class ImportReport:
    records: int = 0
    captures: list[str] = field(default_factory=list)
    revisits: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    #: Records imported before, whose extraction had not ended: it is queued again.
    resumed: int = 0
    #: A stop request ended the import before the end of the file.
    stopped: bool = False

    def as_dict(self) -> dict:
        return {"records": self.records, "imported": len(self.captures), "revisits": self.revisits,
                "skipped": dict(self.skipped), "resumed": self.resumed, "capture_ids": self.captures,
                **({"stopped": True} if self.stopped else {})}


class _Counting:
    """A write-only stream wrapper that counts bytes, for the report."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.count = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.count += len(data)
        return len(data)


def export_warc(
    runtime: Runtime,
    out: BinaryIO,
    *,
    filename: str,
    url: str | None = None,
    host: str | None = None,
    since: datetime | None = None,
    stop: threading.Event | None = None,
    extractions: bool = False,
) -> ExportReport:
    """Write a WARC file of the selected snapshots (all of them without a filter) to ``out``.

    With ``extractions``, each extracted capture's first page is followed by what extraction
    made of the capture (:func:`~archivist.warc.write_extraction`): its text and its record, as
    the version the capture gives now (after a re-extraction, the new one). A capture not
    extracted (failed, or not yet) has none.

    A revisit whose original is not in the selection is preceded by that original, so every
    revisit in the file resolves within the file. Each object is checked whole before it is
    written (:func:`~archivist.snapshots.copy_snapshot`): one gone or damaged in storage is left
    out, and so is a revisit of it, each in the report's ``skipped``. ``stop`` set ends the
    export between two snapshots (the report says ``stopped``): what was written is whole
    records, not the selection.

    Raises:
        InvalidURL: ``url`` or ``host`` is not valid.
        StorageUnavailable: a snapshot object could not be read.
    """
    exact, prefixes = None, ()
    if url is not None:
        exact = urlkey(canonicalize(url))
    elif host is not None:
        prefixes = host_prefixes(host)
    counting = _Counting(out)
    write_warcinfo(counting, filename=filename)  # type: ignore[arg-type]
    report = ExportReport()
    written: set[str] = set()
    #: The snapshots left out, by id: a revisit of one is left out too, and it is tried once.
    unreadable: dict[str, SnapshotUnreadable] = {}

    def write(snapshot: SnapshotRow) -> None:
        try:
            copy_snapshot(runtime.store, snapshot, counting)  # type: ignore[arg-type]
        except SnapshotUnreadable as exc:
            unreadable[snapshot.id] = exc
            report.skipped.append(exc)
            return
        written.add(snapshot.id)
        report.snapshots += 1
        if extractions and snapshot.page == 1:
            report.extractions += _write_extraction(runtime, session, snapshot, counting)

    with runtime.database.session() as session:
        # A redirected snapshot found under two keys of the selection is written once.
        for snapshot, _ in runtime.catalog.find_snapshots(session, exact=exact, prefixes=prefixes, since=since):
            if stop is not None and stop.is_set():
                report.stopped = True
                break
            if snapshot.id in written or snapshot.id in unreadable:
                continue
            original_id = snapshot.refers_to_id if snapshot.kind == "revisit" else None
            if original_id and original_id not in written and original_id not in unreadable:
                original = runtime.catalog.get_snapshot(session, original_id)
                if original is not None:
                    write(original)
            if original_id in unreadable:
                refused = SnapshotUnreadable(
                    f"the revisit of {snapshot.url} (capture {snapshot.capture_id}) refers to a snapshot left "
                    f"out: {unreadable[original_id].message}", reason=unreadable[original_id].reason)
                unreadable[snapshot.id] = refused
                report.skipped.append(refused)
                continue
            write(snapshot)
    report.bytes = counting.count
    return report


def _write_extraction(runtime: Runtime, session: Session, snapshot: SnapshotRow, out: BinaryIO) -> bool:
    """Write the extraction of the capture whose first page ``snapshot`` is; False if it has none."""
    found = runtime.catalog.extraction_of_capture(session, snapshot.capture_id)
    if found is None:
        return False
    record, version = found
    content = version.content
    write_extraction(
        out,
        url=content.get("url") or record.url,
        date=snapshot.captured_at,
        refers_to=snapshot.warc_record_id,
        text=content.get("body") or "",
        record={
            "record_id": record.id,
            "version": version.version,
            "capture_id": snapshot.capture_id,
            "extractor": {"name": version.extractor_name, "version": version.extractor_version},
            **content,
        },
    )
    return True


def import_warc(runtime: Runtime, stream: BinaryIO, *, stop: threading.Event | None = None) -> ImportReport:
    """Import every 2xx HTML response (and revisit of one) of a seekable WARC stream.

    Each becomes a capture, born at ``extracting`` (it was fetched by another tool), with one
    snapshot stored as our own snapshot WARC, and its extraction is queued. Payloads above the
    fetcher's ``max_body_bytes`` are skipped, as a fetch of them would fail. Imported payloads
    are stored without their transfer and content encodings (every gzip member decoded); one
    whose encoding cannot be undone is skipped as ``bad_encoding``, and one whose URL the
    fetcher would refuse (credentials, no valid host) as ``invalid_url``. Importing a
    file twice does nothing the second time: capture ids derive from the WARC-Record-IDs; and a
    record this archive stores itself (a file it exported) is not imported again. A record
    imported before whose capture is still ``extracting`` (an import stopped before its
    extraction ran) has its extraction queued again, which is harmless if it was only slow.

    ``stop`` set ends the import between two records (the report says ``stopped``): every record
    is imported whole or not at all, so importing the file again completes it.

    Raises:
        InvalidInput: the file is not a complete WARC (nothing was imported).
        StorageUnavailable, CatalogUnavailable, QueueUnavailable: transient; importing again
            later completes the file (what was imported is skipped).
    """
    with uncompressed_warc(stream) as warc:
        return _import(runtime, warc, stop or threading.Event())


def _import(runtime: Runtime, stream: BinaryIO, stop: threading.Event) -> ImportReport:
    """:func:`import_warc` on the uncompressed WARC."""
    index = _FileIndex()
    report = ImportReport(records=verify_warc(stream, index.add))
    requests, redirects = index.requests, index.redirects
    records = WarcIterator(stream)
    for record in records:
        if stop.is_set():
            report.stopped = True
            break
        kind = record.rec_type
        if kind not in ("response", "revisit"):
            continue
        headers = record.rec_headers
        record_id = headers.get_header("WARC-Record-ID")
        if record_id in redirects:
            continue  # a hop: imported with the response it leads to, or counted at the end
        if kind == "response" and (headers.get_header("WARC-Truncated") or headers.get_header("WARC-Segment-Number")):
            # A part of the payload, cut at a crawler's limit or segmented. (Heritrix marks its
            # revisits truncated too: their payload is left out, as any revisit's is.)
            report.skipped["truncated"] += 1
            continue
        if kind == "revisit" and headers.get_header("WARC-Profile") not in _REVISIT_PROFILES:
            report.skipped["revisit_profile"] += 1
            continue
        http = record.http_headers  # optional on a revisit, which then replays its original's
        if (http is None and kind == "response") or not headers.get_header("WARC-Target-URI", "").lower().startswith(
                ("http:", "https:")):
            report.skipped["not_http"] += 1
            continue
        try:
            url = canonicalize(headers.get_header("WARC-Target-URI"))
        except InvalidInput:
            report.skipped["invalid_url"] += 1
            continue
        status = _status(http) if http is not None else 0
        if status is None:
            report.skipped["bad_status"] += 1
            continue
        mime = (http.get_header("Content-Type") or "").split(";")[0].strip().lower() if http is not None else ""
        if kind == "response" and not 200 <= status < 300:
            report.skipped[f"http_{status // 100}xx"] += 1
            continue
        if kind == "response" and mime and mime not in _HTML_TYPES:
            report.skipped["not_html"] += 1
            continue
        try:
            exchange = _exchange(record, url, *_request_for(requests, headers))
        except InvalidInput:
            report.skipped["bad_date"] += 1
            continue
        if exchange.started_at > datetime.now(UTC) + _CLOCK_AHEAD:
            report.skipped["future_date"] += 1
            continue
        hops = redirects.leading_to(url, exchange.started_at, records.offset,
                                    runtime.settings.max_redirects)
        capture_id = _capture_id(record_id)
        with runtime.database.session() as session:
            imported = runtime.catalog.get_capture(session, capture_id)
            if imported is not None or runtime.catalog.holds_record(session, urlkey(url), exchange.started_at,
                                                                    record_id):
                report.skipped["already_imported"] += 1
                if imported is not None and imported.status == CaptureStatus.EXTRACTING.value:
                    runtime.queue.enqueue_extract(capture_id)
                    report.resumed += 1
                continue
        for hop in hops:
            hop.exchange.method, hop.exchange.request_headers = _request_for(requests, hop.headers)
        chain = [hop.exchange for hop in hops]
        if kind == "revisit":
            skipped = _import_revisit(runtime, capture_id, chain, exchange, headers)
        else:
            skipped = _import_response(runtime, capture_id, chain, exchange, record)
        if skipped:
            report.skipped[skipped] += 1
            report.skipped.update(["http_3xx"] * len(hops))
            continue
        report.revisits += kind == "revisit"
        report.captures.append(capture_id)
    report.skipped.update(["http_3xx"] * redirects.unclaimed())
    stream.seek(0)
    return report


class _UnsupportedEncoding(ValueError):
    """A payload in a Content-Encoding that the fetcher would not accept either (br, zstd...)."""


def _payload(record) -> Iterator[bytes]:  # noqa: ANN001
    """A response's payload without its transfer and content encodings, in pieces.

    Every gzip member is decoded (warcio's own decoding stops after the first), the way the
    fetcher reads a body it archives.

    Raises:
        _UnsupportedEncoding: a Content-Encoding other than gzip and deflate.
        zlib.error (while iterated): the payload is not the gzip or deflate it is labelled as,
            or is cut short.
    """
    http = record.http_headers
    raw = record.raw_stream
    if (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        raw = ChunkedDataReader(raw)  # de-chunks only: no decompressor is given
    chunks = iter(lambda: raw.read(1 << 16), b"")
    encoding = (http.get_header("Content-Encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        return chunks
    if encoding in ("gzip", "x-gzip", "deflate"):
        return inflate(chunks, encoding, step=1 << 16)
    raise _UnsupportedEncoding(f"unsupported Content-Encoding {encoding!r}")


def _spool_capped(source: Iterable[bytes], spool: BinaryIO, cap: int) -> bool:
    """Copy the decoded payload; False once it exceeds ``cap`` (the fetcher's body limit)."""
    for chunk in source:
        spool.write(chunk)
        if spool.tell() > cap:
            return False
    return True


class _FileIndex:
    """The file's request methods and headers, and its redirect hops, gathered from its headers
    as :func:`verify_warc` reads it (one pass of the file before the import's own).

    Requests are found by the request's WARC-Record-ID and by the record it is concurrent to, so
    that a response finds its request whichever side carries the link (wget links the response
    to its request; Heritrix and warcio the request to its response, and Heritrix writes the
    request after its response, hence gathered before the import). A hop may come after the response it
    leads to, too.
    """

    def __init__(self) -> None:
        self.requests: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        self.redirects = _Redirects()

    def add(self, record, offset: int) -> None:  # noqa: ANN001
        """Take a record's headers; ``offset``: where it starts, its payload unread."""
        if record.http_headers is None:
            return
        if record.rec_type == "response":
            self.redirects.add(record, offset)
        if record.rec_type != "request":
            return
        method = (record.http_headers.protocol or "GET").split(" ", 1)[0] or "GET"
        entry = (method, _as_received(record.http_headers.headers))
        self.requests[record.rec_headers.get_header("WARC-Record-ID")] = entry
        concurrent = record.rec_headers.get_header("WARC-Concurrent-To")
        if concurrent:
            self.requests[concurrent] = entry


def _request_for(requests: dict[str, tuple[str, list[tuple[str, str]]]], headers) -> tuple[str, list]:  # noqa: ANN001
    """The method and headers of the request of a response (by its WARC headers); GET and none
    when the file has no request for it."""
    found = requests.get(headers.get_header("WARC-Record-ID")) or requests.get(
        headers.get_header("WARC-Concurrent-To") or "")
    return found or ("GET", [])


@dataclass(slots=True)
class _Hop:
    """A 3xx response of the file, its status line and headers (not its body, a "moved" notice:
    what is replayed is the page it leads to)."""

    exchange: Exchange
    headers: StatusAndHeaders  # its WARC headers, to find its request
    offset: int  # where its record is in the (uncompressed) file


class _Redirects:
    """The file's 3xx responses with a Location, by the canonical URL they redirect to.

    A response is imported with the chain of hops that led to it, as the fetcher stores a capture
    it was redirected through: one capture of the first URL that landed on the response's,
    found under both (``final_urlkey``). A hop leads to the response when its Location resolves
    to the response's URL and it comes before the response, in the file and in time (a crawler
    may fetch the URL earlier in the same second, from a link); of several, the latest, and each
    hop is part of one capture only.
    """

    def __init__(self) -> None:
        self._to: dict[str, list[_Hop]] = {}
        self._ids: set[str] = set()

    def __contains__(self, record_id: str) -> bool:
        return record_id in self._ids

    def add(self, record, offset: int) -> None:  # noqa: ANN001
        http = record.http_headers
        location = http.get_header("Location")
        if not 300 <= (_status(http) or 0) < 400 or not location:
            return
        try:
            url = canonicalize(record.rec_headers.get_header("WARC-Target-URI") or "")
            target = canonicalize(join(url, location))
            exchange = _exchange(record, url, "GET", [])
        except (InvalidInput, ValueError):
            return  # counted where it is read again: invalid_url, or http_3xx
        self._to.setdefault(target, []).append(_Hop(exchange, record.rec_headers, offset))
        self._ids.add(record.rec_headers.get_header("WARC-Record-ID"))

    def leading_to(self, url: str, moment: datetime, offset: int, limit: int) -> list[_Hop]:
        """The hops that led to ``url``'s response at ``moment`` and ``offset``, first hop first;
        taken from the pool."""
        chain: list[_Hop] = []
        seen = {url}
        while len(chain) < limit:
            candidates = [hop for hop in self._to.get(url, []) if hop.exchange.started_at <= moment
                          and hop.offset < offset and hop.exchange.url not in seen]
            if not candidates:
                break
            hop = max(candidates, key=lambda candidate: (candidate.exchange.started_at, candidate.offset))
            self._to[url].remove(hop)
            chain.insert(0, hop)
            url, moment, offset = hop.exchange.url, hop.exchange.started_at, hop.offset
            seen.add(url)
        return chain

    def unclaimed(self) -> int:
        """Hops that led to no imported response: skipped as ``http_3xx``."""
        return sum(len(hops) for hops in self._to.values())


def _status(http: StatusAndHeaders) -> int | None:
    """A response's HTTP status code; None when its status line holds none ("OK", "2OO")."""
    code = http.get_statuscode() or ""
    return int(code) if len(code) == 3 and code.isascii() and code.isdigit() else None  # "²²²" is no number


def _exchange(record, url: str, method: str, request_headers: list[tuple[str, str]]) -> Exchange:  # noqa: ANN001
    """A response record as the fetcher's exchange, without its payload (read apart, decoded).

    Raises:
        InvalidInput: its WARC-Date is not a date.
    """
    http = record.http_headers or StatusAndHeaders("", [], protocol="")  # a revisit's are optional
    _, _, reason = (http.statusline or "").partition(" ")
    headers = _as_received([(k, v) for k, v in http.headers if k.lower() not in _TRANSFER_HEADERS])
    return Exchange(
        url=url, method=method, request_headers=request_headers, http_version=http.protocol or "HTTP/1.1",
        status=_status(http) or 0, reason=reason, headers=headers, body=io.BytesIO(b""), body_length=0,
        started_at=_warc_datetime(record.rec_headers.get_header("WARC-Date")),
    )


def _as_received(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers as the fetcher holds them, a character a byte (latin-1), which the snapshot writes
    back as those bytes; warcio decoded each line as UTF-8 (falling back to latin-1 for a line
    that is not UTF-8, which comes out re-encoded in UTF-8, the same text)."""
    return [(name.encode("utf-8").decode("latin-1"), value.encode("utf-8").decode("latin-1"))
            for name, value in headers]


def _import_response(runtime: Runtime, capture_id: str, hops: list[Exchange], exchange: Exchange,
                     record) -> str | None:  # noqa: ANN001
    """Store a response with its decoded payload; the reason it is skipped, or None.

    The payload is judged as the fetcher judges one: without a Content-Type it must start as
    HTML does, and whatever its label it must not be binary (a PDF, an image)."""
    with tempfile.SpooledTemporaryFile(max_size=4 << 20) as spool:
        try:
            within_cap = _spool_capped(_payload(record), spool, runtime.settings.max_body_bytes)
        except (zlib.error, _UnsupportedEncoding):
            return "bad_encoding"
        if not within_cap:
            return "too_large"
        exchange.body_length = spool.tell()
        spool.seek(0)
        head = spool.read(8192)
        if exchange.content_type is None and not looks_like_html(head):
            return "not_html"
        if binary_kind(head, exchange.content_type) is not None:
            return "binary_content"
        spool.seek(0)
        exchange.body = spool  # type: ignore[assignment]
        digest = payload_digest(exchange.body)
        _commit(runtime, capture_id, hops, exchange, kind="response", digest=digest, revisit=None, refers_to=None)
    return None


def _import_revisit(runtime: Runtime, capture_id: str, hops: list[Exchange], exchange: Exchange,
                    headers) -> str | None:  # noqa: ANN001
    """Store a revisit if the response it repeats (or, server-not-modified, confirms) is in the
    archive, imported before it from this file or another; it carries that response's payload
    digest, under which it is stored here (and which pywb resolves revisits by), and its profile.
    The reason it is skipped, or None."""
    with runtime.database.session() as session:
        original = _original(runtime, session, headers, exchange.url)
    if original is None:
        return "unresolved_revisit"
    revisit = Revisit(target_uri=original.final_url, date=warc_date(_aware(original.captured_at)),
                      record_id=original.warc_record_id, payload_digest=original.payload_digest,
                      profile=_REVISIT_PROFILES[headers.get_header("WARC-Profile")])
    exchange.body_length = 0
    _commit(runtime, capture_id, hops, exchange, kind="revisit", digest=original.payload_digest, revisit=revisit,
            refers_to=original)
    return None


def _original(runtime: Runtime, session, headers, url: str) -> SnapshotRow | None:  # noqa: ANN001
    """The imported response a revisit names: by ``WARC-Refers-To`` (whose capture id we derive),
    else by ``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date``, else the newest response of
    the URL with the declared payload digest.

    The digest comes last because the source hashed the payload as it was sent (gzip, chunked),
    in its own algorithm (Browsertrix: sha256), while we hash the stored, decoded payload in sha1:
    it matches only an identity-encoded payload hashed as we do (our own exports).
    """
    refers_to = headers.get_header("WARC-Refers-To")
    if refers_to:
        named = runtime.catalog.snapshots_for_capture(session, _capture_id(refers_to))
        if named and named[-1].kind == "response":
            return named[-1]
    try:
        target_key = urlkey(canonicalize(headers.get_header("WARC-Refers-To-Target-URI") or url))
    except InvalidInput:
        return None
    date = headers.get_header("WARC-Refers-To-Date")
    if date:
        try:
            found = runtime.catalog.response_at(session, target_key, _warc_datetime(date))
        except InvalidInput:
            found = None
        if found is not None:
            return found
    digest = headers.get_header("WARC-Payload-Digest")
    return runtime.catalog.response_with_digest(session, target_key, digest) if digest else None


def _commit(runtime: Runtime, capture_id: str, hops: list[Exchange], exchange: Exchange, *, kind: str,
            digest: str, revisit: Revisit | None, refers_to: SnapshotRow | None) -> None:
    """Store the snapshot object, then its catalog rows, then queue its extraction.

    After redirect ``hops``, the capture is of the first hop's URL, found under the final one
    too, as the fetcher records a capture it was redirected through."""
    captured_at = exchange.started_at
    url = hops[0].url if hops else exchange.url
    key = snapshot_key(url, captured_at, capture_id)
    stored_length, final_record = store_snapshot(runtime, key, [*hops, exchange], captured_at, revisit)
    now = datetime.now(UTC)
    content_type = next((v for k, v in exchange.headers if k.lower() == "content-type"), "")
    with runtime.database.session() as session:
        runtime.catalog.add_captures(session, [CaptureRow(
            id=capture_id, url=url, urlkey=urlkey(url), status=CaptureStatus.EXTRACTING.value,
            submitted_at=captured_at, updated_at=now, attempts=0,
        )])
        session.flush()
        runtime.catalog.put_snapshots(session, capture_id, [NewSnapshot(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{capture_id} {url}")), capture_id=capture_id, page=1,
            url=url, urlkey=urlkey(url), captured_at=captured_at, kind=kind,
            http_status=exchange.status or (refers_to.http_status if refers_to else 0),
            mime=content_type.split(";")[0].strip() or (refers_to.mime if refers_to else None),
            payload_digest=digest,
            payload_length=refers_to.payload_length if refers_to else exchange.body_length,
            storage_key=key, stored_length=stored_length, record_offset=final_record.offset,
            warc_record_id=final_record.record_id,
            refers_to_id=refers_to.id if refers_to else None,
            redirects={"chain": [{"url": hop.url, "status": hop.status} for hop in hops],
                       "final_url": exchange.url, "imported": True},
            final_urlkey=final_urlkey(url, exchange.url),
            etag=header(exchange.headers, "etag"), last_modified=header(exchange.headers, "last-modified"),
        )], replace=False)
    runtime.queue.enqueue_extract(capture_id)


def _capture_id(record_id: str) -> str:
    """An imported record's capture id: the same on every import of the record."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"import {record_id}"))


def _warc_datetime(text: str | None) -> datetime:
    """WARC-Date (``2024-01-02T03:04:05Z``, fractions allowed in WARC 1.1) as a UTC moment."""
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"bad WARC-Date {text!r}", reason="corrupt_warc") from exc
    return _aware(moment).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
