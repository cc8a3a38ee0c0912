"""WARC 1.1 reading and writing for snapshots (warcio underneath).

A snapshot object is a small ``.warc.gz`` file (CDX names it as ``filename``): a ``warcinfo``
record naming it, as a WARC file starts, then for every HTTP exchange (redirect hops, then the
final one) a ``request`` and a ``response`` record linked by ``WARC-Concurrent-To``, or for an
unchanged re-capture a ``revisit`` (identical-payload-digest profile, or server-not-modified for
a site's ``304 Not Modified``), all with the capture's
``WARC-Date``. Each record is its own gzip member, so objects concatenate into valid WARC files
(each ``warcinfo`` describing the records after it) and any record reads from its offset.
We compress with zlib-ng rather than warcio's zlib at 9, at level 5: on the benchmark pages it
gives a ratio of 5.00 against 5.03 at zlib-ng's level 6 and 5.06 at zlib's, in 0.83 of level 6's
CPU time (itself about half of zlib's); level 4 would cost 2.7 % more bytes. A body the site
sent compressed (Content-Encoding gzip or deflate) does not compress again: its record is
written at level 0 (deflate's stored blocks), 0.01 ms instead of 0.44 for a gzipped corpus page,
for 0.25 % more bytes. The output is ordinary gzip, read back by warcio and anyone else with
plain zlib.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from zlib_ng import zlib_ng

from archivist import __version__
from archivist.core.errors import InvalidInput, PermanentFailure, TransientFailure
from archivist.core.http import header, inflate

__all__ = [
    "NOT_MODIFIED_PROFILE",
    "REVISIT_PROFILE",
    "WARCINFO_FIELDS",
    "FinalRecord",
    "Revisit",
    "decode_content",
    "StoredResponse",
    "WarcIterator",
    "digest_label",
    "payload_digest",
    "read_response",
    "uncompressed_warc",
    "verify_warc",
    "warc_date",
    "write_extraction",
    "write_snapshot",
    "write_warcinfo",
]

REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
#: A revisit whose site answered ``304 Not Modified`` to a conditional request: its HTTP headers
#: are the 304's, its payload the one it refers to.
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
#: The ``warcinfo`` fields of every file we write: who wrote it, to which format.
WARCINFO_FIELDS = {
    "software": f"archivist/{__version__}",
    "format": "WARC File Format 1.1",
    "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
}
_GZIP_LEVEL = 5
#: For a record whose payload is compressed already: level 5 would spend its time for nothing.
_STORED_LEVEL = 0


@dataclass(frozen=True, slots=True)
class Revisit:
    """What an unchanged re-capture refers to, and how it knows it is unchanged (``profile``:
    the same payload fetched again, or the site's ``304 Not Modified``)."""

    target_uri: str
    date: str
    record_id: str | None = None
    #: The payload digest of the response it refers to, where the revisit has no body to hash
    #: (an imported revisit, a 304).
    payload_digest: str | None = None
    profile: str = REVISIT_PROFILE


@dataclass(frozen=True, slots=True)
class FinalRecord:
    """Where a snapshot object's final response (or revisit) record is, and its WARC-Record-ID:
    what a CDX line points at and what a later revisit's ``WARC-Refers-To`` names."""

    offset: int
    record_id: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The final response of a snapshot, as archived. ``body`` is content-decoded."""

    url: str
    date: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    raw_body: bytes
    is_revisit: bool

    @property
    def content_type(self) -> str | None:
        return header(self.headers, "content-type")

    @property
    def content_language(self) -> str | None:
        return header(self.headers, "content-language")


def warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def digest_label(sha1: hashlib._Hash) -> str:
    """``sha1:BASE32`` of what ``sha1`` hashed, as ``WARC-Payload-Digest`` states it."""
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def payload_digest(stream: BinaryIO) -> str:
    """``sha1:BASE32`` of the stream's bytes, as in ``WARC-Payload-Digest``. Rewinds the stream."""
    sha1 = hashlib.sha1()
    while chunk := stream.read(1 << 16):
        sha1.update(chunk)
    stream.seek(0)
    return digest_label(sha1)


class _HeadersAsSent(StatusAndHeaders):
    """HTTP status line and headers written as the bytes they came as, where warcio would
    rewrite them.

    warcio writes headers in ASCII: one that is not (a ``Link: </café.css>``, a filename in
    ``Content-Disposition``) it percent-encodes, changing what the site sent, or, when its
    encoding leaves a character behind, fails with UnicodeEncodeError, which failed the capture
    or stopped the import. The fetcher holds header bytes as latin-1 text (a character a byte):
    written back in latin-1 they are the bytes received. A line with characters beyond latin-1
    (decoded as UTF-8 from another tool's WARC) is written in UTF-8.
    """

    def compute_headers_buffer(self, header_filter=None) -> None:  # noqa: ANN001 - warcio's filter
        lines = self.to_str(header_filter).split("\r\n")
        self.headers_buff = b"\r\n".join(_header_bytes(line) for line in lines) + b"\r\n"


def _header_bytes(line: str) -> bytes:
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")


class _MemberWriter:
    """Writes each WARC record as its own gzip member, at our compression level."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        #: Bytes written so far: the offset at which the next record's gzip member starts.
        self.written = 0
        self._buffer = io.BytesIO()
        self.writer = WARCWriter(self._buffer, gzip=False, warc_version="1.1")

    def write(self, record, level: int = _GZIP_LEVEL) -> None:  # noqa: ANN001 - warcio's ArcWarcRecord
        self._buffer.seek(0)
        self._buffer.truncate()
        self.writer.write_record(record)
        member = zlib_ng.compress(self._buffer.getbuffer(), level, zlib_ng.MAX_WBITS | 16)
        self.out.write(member)
        self.written += len(member)


def write_snapshot(
    out: BinaryIO,
    exchanges: Iterable,
    *,
    filename: str,
    date: datetime,
    revisit: Revisit | None = None,
) -> FinalRecord:
    """Write the exchanges (``archivist.adapters.fetcher.Exchange``-shaped) as the WARC file
    ``filename``: its ``warcinfo``, then the exchanges' records.

    With ``revisit``, the last exchange is written as a revisit record with no payload.
    Returns where the last response (or revisit) record is, and its record id.

    An exchange's ``payload_digest``, where the fetcher hashed the body as it came in, is
    written as it is: warcio would otherwise read the whole body once more to hash it again.
    """
    members = _MemberWriter(out)
    final = FinalRecord(0, "")
    writer = members.writer
    stamp = warc_date(date)
    info = _warcinfo(writer, filename, stamp)
    members.write(info)
    # Each record names the warcinfo that describes it (WARC 1.1, 5.11), so a record copied into
    # another file (an export, a crawl's aggregate WARC) still says which file and software wrote it.
    described_by = {"WARC-Date": stamp, "WARC-Warcinfo-ID": info.rec_headers.get_header("WARC-Record-ID")}
    exchanges = list(exchanges)
    for index, exchange in enumerate(exchanges):
        path = exchange.url
        request_headers = _HeadersAsSent(
            f"{exchange.method} {_request_target(path)} HTTP/1.1", exchange.request_headers, is_http_request=True
        )
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_headers,
            warc_headers_dict=dict(described_by),
        )
        status_line = f"{exchange.status} {exchange.reason}".strip()
        protocol, protocol_fields = _status_line_version(exchange.http_version)
        http_headers = _HeadersAsSent(status_line, exchange.headers, protocol=protocol)
        is_last = index == len(exchanges) - 1
        if revisit is not None and is_last:
            headers = {
                **described_by,
                **protocol_fields,
                "WARC-Profile": revisit.profile,
                "WARC-Refers-To-Target-URI": revisit.target_uri,
                "WARC-Refers-To-Date": revisit.date,
                "WARC-Payload-Digest": revisit.payload_digest or exchange.payload_digest or payload_digest(exchange.body),
            }
            if revisit.record_id:
                headers["WARC-Refers-To"] = revisit.record_id
            level = _GZIP_LEVEL  # headers alone
            response = writer.create_warc_record(
                exchange.url,
                "revisit",
                payload=io.BytesIO(b""),
                length=0,
                # An imported revisit that came without HTTP headers (optional on a revisit) has
                # no status: it stays without, and replays its original's.
                http_headers=http_headers if exchange.status else None,
                warc_headers_dict=headers,
            )
        else:
            exchange.body.seek(0)
            level = _STORED_LEVEL if _sent_compressed(exchange.headers) else _GZIP_LEVEL
            headers = {**described_by, **protocol_fields}
            if exchange.payload_digest:
                headers["WARC-Payload-Digest"] = exchange.payload_digest
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=exchange.body,
                length=exchange.body_length,
                http_headers=http_headers,
                warc_headers_dict=headers,
            )
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        members.write(request)
        final = FinalRecord(members.written, response.rec_headers.get_header("WARC-Record-ID"))
        members.write(response, level)
    return final


def write_extraction(out: BinaryIO, *, url: str, date: datetime, refers_to: str | None, text: str,
                     record: dict) -> None:
    """A page's extraction as two records after its capture's: its text as a ``resource`` record of
    ``urn:text:URL`` (``text/plain``, the form Browsertrix writes and WARC full-text indexers read),
    and the whole extracted record as a ``metadata`` record of ``urn:record:URL``
    (``application/json``). Both carry the capture's ``WARC-Date`` and name the response (or
    revisit) record they were extracted from in ``WARC-Refers-To``.

    Their targets are URNs, not the page's URL: a replay tool indexing the file finds them under
    the URN, never as a capture of the page.
    """
    members = _MemberWriter(out)
    headers = {"WARC-Date": warc_date(date), **({"WARC-Refers-To": refers_to} if refers_to else {})}
    for kind, target, content_type, payload in (
        ("resource", f"urn:text:{url}", "text/plain; charset=utf-8", text.encode("utf-8")),
        ("metadata", f"urn:record:{url}", "application/json",
         json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")),
    ):
        members.write(members.writer.create_warc_record(
            target, kind, payload=io.BytesIO(payload), length=len(payload), warc_content_type=content_type,
            warc_headers_dict=dict(headers)))


def write_warcinfo(out: BinaryIO, *, filename: str) -> None:
    """A ``warcinfo`` record (one gzip member), the record a WARC file starts with."""
    members = _MemberWriter(out)
    members.write(members.writer.create_warcinfo_record(filename, WARCINFO_FIELDS))


def _warcinfo(writer: WARCWriter, filename: str, stamp: str):  # noqa: ANN202 - warcio's ArcWarcRecord
    """The ``warcinfo`` record of a snapshot file, dated as its capture's other records."""
    record = writer.create_warcinfo_record(filename, WARCINFO_FIELDS)
    record.rec_headers.replace_header("WARC-Date", stamp)
    return record


@contextmanager
def uncompressed_warc(stream: BinaryIO) -> Iterator[BinaryIO]:
    """The WARC of a stream, uncompressed: the stream itself, or a gzipped one read through
    ``gzip``, in constant memory and no disk.

    A gzipped WARC is meant to hold a gzip member per record, but ``gzip crawl.warc`` makes one
    member of the whole file, which warcio refuses to iterate; decompressed on the fly, both
    read alike. Seeking back to the start (each pass over the file) decompresses it again.
    A broken or cut gzip member raises when it is read: :func:`verify_warc` reads it all.
    """
    start = stream.tell()
    magic = stream.read(2)
    stream.seek(start)
    if magic != b"\x1f\x8b":
        yield stream
        return
    with gzip.GzipFile(fileobj=stream, mode="rb") as plain:
        yield plain  # type: ignore[misc]


class _SchemeBlindLoader(ArcWarcRecordLoader):
    """warcio's record loader, reading the HTTP status line and headers of a record whatever the
    case of its URI's scheme.

    warcio reads them only under a WARC-Target-URI starting with lower-case ``http:`` or
    ``https:``; but a scheme is case-insensitive (RFC 3986), and a record of
    ``HTTP://Example.COM/`` left unparsed reads as not HTTP, its payload digest checked against
    the whole block (HTTP headers included) and so failing.
    """

    def load_http_headers(self, rec_type, uri, stream, length):  # noqa: ANN001, ANN201 - warcio's signature
        scheme, colon, rest = (uri or "").partition(":")
        return super().load_http_headers(rec_type, scheme.lower() + colon + rest if uri else uri, stream, length)


class WarcIterator(ArchiveIterator):
    """warcio's ArchiveIterator, reading HTTP records whatever the case of their URI's scheme."""

    def __init__(self, stream: BinaryIO, **options) -> None:  # noqa: ANN003 - ArchiveIterator's options
        super().__init__(stream, **options)
        self.loader = _SchemeBlindLoader(verify_http=False, arc2warc=False)


def verify_warc(stream: BinaryIO, visit: Callable[[ArcWarcRecord, int], None] | None = None) -> int:
    """Read a whole uncompressed WARC and check it is complete; returns its record count.

    warcio stops quietly at a truncated record and reads garbage as an empty record, so before
    anything is imported we check ourselves: every record has a WARC-Type and a WARC-Record-ID,
    every block is as long as its Content-Length and followed by blank lines only (warcio skips a
    line of garbage there, or the end of a block longer than declared), and the digests it
    declares match (warcio's own check, read as :func:`_digest_problem` says). Rewinds the stream.

    ``visit`` is shown each record (and where it starts in the stream) before its block is
    read, so that a caller needing the file's headers gets them in this pass, not another
    whole read of the file; what it gathered is worthless if this raises.

    Raises:
        InvalidInput: the file is not a complete, readable WARC (reason ``corrupt_warc``).
    """
    start = stream.tell()
    count = 0
    try:
        iterator = _QuietIterator(stream, check_digests=True)
        for record in iterator:
            _check_ending(iterator, count)
            headers = record.rec_headers
            if not headers.get_header("WARC-Type") or not headers.get_header("WARC-Record-ID"):
                raise InvalidInput(f"record {count + 1} has no WARC-Type or WARC-Record-ID: not a WARC",
                                   reason="corrupt_warc")
            if visit is not None:
                visit(record, iterator.offset)
            entity_digested = _read_block(record)
            if getattr(record.raw_stream, "limit", 0):
                raise InvalidInput(f"record {count + 1} ({headers.get_header('WARC-Target-URI')}) is truncated",
                                   reason="corrupt_warc")
            if problem := _digest_problem(record, entity_digested=entity_digested):
                raise InvalidInput(f"record {count + 1} ({headers.get_header('WARC-Target-URI')}): {problem}",
                                   reason="corrupt_warc")
            count += 1
        _check_ending(iterator, count)
        stream.seek(start + iterator.offset)  # a gzip stream seeks forward, not from its end
        while rest := stream.read(1 << 16):  # to the end: a gzip stream checks its last members
            if rest.strip():
                raise InvalidInput(f"the file is truncated (or has garbage) after record {count}, "
                                   f"at offset {iterator.offset}", reason="corrupt_warc")
    except InvalidInput:
        raise
    except EOFError as exc:  # a gzip stream cut inside a member; read ahead of the record being checked
        raise InvalidInput("the file is truncated: its last gzip member is cut short", reason="corrupt_warc") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:  # read ahead too: the record is not known
        raise InvalidInput(f"the file is damaged: a gzip member is broken ({exc})", reason="corrupt_warc") from exc
    except Exception as exc:  # warcio raises ArchiveLoadFailed, ValueError and bare Exceptions
        raise InvalidInput(f"record {count + 1} is unreadable (the file is truncated or not a WARC): "
                           f"{_unreadable(exc)}", reason="corrupt_warc") from exc
    finally:
        stream.seek(start)
    if count == 0:
        raise InvalidInput("no complete WARC record (the file is truncated or not a WARC)", reason="corrupt_warc")
    return count


class _QuietIterator(WarcIterator):
    """warcio's iterator without the warning it writes on stderr when a record is not followed by
    a blank line, skipping the line: :func:`_check_ending` makes that the file's one error."""

    INC_RECORD = ""


def _check_ending(iterator: ArchiveIterator, count: int) -> None:
    """Refuse record ``count`` if warcio found something other than blank lines after it: garbage
    it would skip, or the end of a block longer than its Content-Length says (the page cut).

    Raises:
        InvalidInput: reason ``corrupt_warc``.
    """
    if iterator.err_count:
        raise InvalidInput(f"record {count} is followed by garbage, not the blank lines that end a record "
                           "(or its Content-Length is wrong)", reason="corrupt_warc")


#: How much of warcio's error a ``corrupt_warc`` message quotes: it quotes the lines it could not
#: read, which in a binary file are hundreds of escaped bytes that bury the reason.
_QUOTED_ERROR_CHARS = 120


def _unreadable(exc: Exception) -> str:
    """What is wrong with a record warcio failed to parse, in terms of the file.

    Only :class:`ArchiveLoadFailed` is worded for users (it quotes the line that is not a record
    header). Its other errors are its internals tripping on the record: a ValueError decoding a
    ``WARC-*-Digest`` value, and an AttributeError or TypeError on a header it needs and did not
    find, as when the file ends inside the record's headers ("'NoneType' object has no attribute
    'startswith'").
    """
    if isinstance(exc, ArchiveLoadFailed):
        return _gist(exc)
    if isinstance(exc, ValueError):
        return "a WARC-Block-Digest or WARC-Payload-Digest is not a valid digest"
    return "its WARC headers are cut short or incomplete (no WARC-Target-URI)"


def _gist(exc: Exception) -> str:
    """``exc``'s message on one line, cut to :data:`_QUOTED_ERROR_CHARS` characters."""
    text = " ".join(str(exc).split())
    return text if len(text) <= _QUOTED_ERROR_CHARS else text[:_QUOTED_ERROR_CHARS] + "…"


def _read_block(record) -> bool:  # noqa: ANN001 - warcio's ArcWarcRecord, its block unread
    """Read a record's block to its end (warcio's checker hashes it as it goes); whether it is a
    chunked response whose payload, de-chunked, is what its ``WARC-Payload-Digest`` states.

    Tools disagree on what the payload of a chunked response is: the body as sent (wget, warcio:
    what the checker hashes) or the de-chunked entity (WARC itself, Heritrix since 3.x).
    """
    declared = record.rec_headers.get_header("WARC-Payload-Digest") or ""
    http = record.http_headers
    hasher = _hasher(declared)
    if (record.rec_type != "response" or http is None or hasher is None
            or (http.get_header("Transfer-Encoding") or "").strip().lower() != "chunked"):
        while record.raw_stream.read(1 << 16):
            pass
        return False
    entity = ChunkedDataReader(record.raw_stream)  # de-chunks only: no decompressor is given
    while chunk := entity.read(1 << 16):
        hasher.update(chunk)
    while record.raw_stream.read(1 << 16):  # what follows the last chunk (trailers)
        pass
    return _states(declared, hasher.digest())


def _hasher(declared: str):  # noqa: ANN202 - hashlib's hash object
    """A hash of the algorithm a ``WARC-*-Digest`` names (``sha1:...``, ``sha256:...``), or None."""
    algorithm = declared.partition(":")[0].strip().lower().replace("-", "")
    try:
        return hashlib.new(algorithm) if algorithm else None
    except ValueError:
        return None


def _states(declared: str, digest: bytes) -> bool:
    """Whether a ``WARC-*-Digest`` value is ``digest``, in base32 (the usual), hex or base64."""
    value = declared.partition(":")[2].strip()
    return value.upper().rstrip("=") == base64.b32encode(digest).decode("ascii").rstrip("=") or \
        value.lower() == digest.hex() or value == base64.b64encode(digest).decode("ascii")


def _digest_problem(record, *, entity_digested: bool = False) -> str | None:  # noqa: ANN001 - warcio's ArcWarcRecord, read
    """The digest failure that makes a record corrupt, as warcio's checker found it, or None.

    A failed block digest is corruption: the block is every byte of the record. A failed
    payload digest is too, unless a block digest vouches for those bytes, or it is the digest of
    the de-chunked payload (``entity_digested``, :func:`_read_block`): tools disagree on what the
    payload of a chunked response is, and of a non-HTTP one.
    """
    problems = record.digest_checker.problems
    block = [problem for problem in problems if "block digest" in problem]
    if block:
        return block[0]
    if problems and not record.rec_headers.get_header("WARC-Block-Digest") and not entity_digested:
        return problems[0]
    return None


def read_response(stream: BinaryIO) -> StoredResponse:
    """The last response or revisit record of a snapshot object, checked whole.

    For a revisit, ``body`` is empty: the caller reads the snapshot it refers to.

    warcio reads a gzip member cut short, or whose bytes changed, as a record that simply ends
    early (it stops at the first block it cannot inflate): unchecked, a damaged object was
    replayed as a truncated page and re-extracted into a new, shorter version. So each record
    must be as long as it says and match its digests.

    Raises:
        PermanentFailure: the object holds no response, or a damaged one (reason
            ``corrupt_warc``).
        StorageUnavailable: the stream's server broke off while sending it.
    """
    found: StoredResponse | None = None
    count = 0
    try:
        for record in _QuietIterator(stream, check_digests=True):
            count += 1
            raw = record.raw_stream.read()
            if getattr(record.raw_stream, "limit", 0):
                raise PermanentFailure(f"record {count} is cut short (damaged or truncated)", reason="corrupt_warc")
            if problem := _digest_problem(record):
                raise PermanentFailure(f"record {count}: {problem}", reason="corrupt_warc")
            if record.rec_type not in ("response", "revisit"):
                continue
            headers = record.http_headers.headers if record.http_headers else []
            status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
            body = raw if record.rec_type == "response" else b""
            found = StoredResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                date=record.rec_headers.get_header("WARC-Date"),
                status=status,
                headers=list(headers),
                body=decode_content(body, headers),
                raw_body=body,
                is_revisit=record.rec_type == "revisit",
            )
    except (PermanentFailure, TransientFailure):
        raise  # said already; or the store broke off sending the bytes, which may well be whole
    except Exception as exc:  # warcio raises ArchiveLoadFailed, ValueError and bare Exceptions
        raise PermanentFailure(f"record {count + 1} is unreadable: {_unreadable(exc)}",
                               reason="corrupt_warc") from exc
    if found is None:
        raise PermanentFailure("the WARC holds no response record", reason="corrupt_warc")
    return found


def decode_content(raw: bytes, headers: list[tuple[str, str]]) -> bytes:
    """Undo the Content-Encoding (gzip, deflate) the fetcher stored as sent, every gzip member.

    Raises:
        zlib.error: the stored body is corrupt (the fetcher refuses such bodies).
        PermanentFailure: an encoding other than gzip or deflate.
    """
    encoding = (header(headers, "content-encoding") or "").strip().lower()
    if not raw or encoding in ("", "identity"):
        return raw
    if encoding in ("gzip", "x-gzip", "deflate"):
        return b"".join(inflate([raw], encoding))
    raise PermanentFailure(f"unsupported Content-Encoding {encoding!r}", reason="bad_encoding")


def _sent_compressed(headers: list[tuple[str, str]]) -> bool:
    """Whether the body came with a Content-Encoding (stored as sent, so compressed already)."""
    return (header(headers, "content-encoding") or "").strip().lower() not in ("", "identity")


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


#: The HTTP versions a WARC reader takes in a status line: pywb loads records with warcio's
#: strict parser, which refuses any other (``HTTP/2 200``, as Browsertrix writes it).
_STATUS_LINE_VERSIONS = ("HTTP/1.0", "HTTP/1.1")
#: ``WARC-Protocol`` values (the IIPC proposal, written by StormCrawler, Nutch, jwarc) by major
#: HTTP version: the ALPN ids.
_PROTOCOL_IDS = {"2": "h2", "3": "h3"}


def _status_line_version(http_version: str) -> tuple[str, dict[str, str]]:
    """The HTTP version a response's status line is written with, and the WARC fields that keep
    the version it came in when the line cannot say it.

    HTTP/2 and HTTP/3 have no status line; their exchange is written in HTTP/1.1's syntax, as
    other crawlers do, and named in ``WARC-Protocol``.
    """
    version = http_version.strip().upper()
    if version in _STATUS_LINE_VERSIONS:
        return version, {}
    major = version.removeprefix("HTTP/").split(".")[0]
    return "HTTP/1.1", ({"WARC-Protocol": _PROTOCOL_IDS[major]} if major in _PROTOCOL_IDS else {})
