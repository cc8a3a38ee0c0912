"""HTTP as archived: header lists ``[(name, value), ...]`` in the order received; payload sniffing and decoding."""

from __future__ import annotations

import codecs
import email.utils
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from urllib.parse import quote

__all__ = ["binary_kind", "conditional_headers", "content_wbits", "header", "inflate", "looks_like_html",
           "sendable_headers", "utf16_byte_order"]

#: File signatures of formats that are sent or saved where a page is expected, with a name a
#: user recognises.
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document or EPUB)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"%!PS", "a PostScript document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
)
#: Control bytes never found in text (tab, newlines, form feed and ISO-2022's escape are).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_GZIP_MAGIC = b"\x1f\x8b"
#: Text with more control bytes than this share is binary (a stray one in a page is not).
_MAX_CONTROL_SHARE = 0.01


def header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


#: RFC 9110 5.1: a field name is a token.
_FIELD_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: What a field value may not hold (RFC 9110 5.5): controls but HTAB, DEL, and characters a
#: response cannot carry (beyond Latin-1).
_UNSENDABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]")


def sendable_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Archived headers as a response of ours can carry them again.

    An archived response (a WARC from elsewhere) is bound by nothing; ours is bound by HTTP's
    grammar, and the server refuses to send a response whose headers break it. A header whose
    name is not a token is left out; what a value may not hold is percent-encoded, as warcio
    writes the non-ASCII it reads; surrounding blanks are trimmed.
    """
    return [(name, _UNSENDABLE.sub(lambda match: quote(match.group(), safe=""), value.strip(" \t")))
            for name, value in headers if _FIELD_NAME.fullmatch(name)]


def binary_kind(head: bytes, content_type: str | None = None) -> str | None:
    """What a payload is when it is not text, named for a message ("a PDF document", "a PNG
    image", "binary data"), from its first bytes; ``None`` for text, which may be HTML.

    Signatures decide first, whatever the payload is labelled as (a PDF served as text/html is
    a PDF). A RIFF container (WebP) starts with its length, so it is recognised further in.
    Then text must hold no NUL character and few control bytes in its first 4 KiB. In UTF-16
    (:func:`utf16_byte_order`: a byte order mark, or ``content_type``'s charset) every ASCII
    character holds a zero byte, so characters are counted, not bytes; bytes that are not UTF-16
    at all are binary.
    """
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    window = head[:_BINARY_WINDOW]
    byte_order = utf16_byte_order(window, content_type)
    if byte_order is not None:
        decoder = codecs.getincrementaldecoder(byte_order)()
        try:
            text = decoder.decode(window, final=False)  # a cut character is no error
        except UnicodeDecodeError:
            return "binary data"
        return "binary data" if "\x00" in text else None
    controls = len(_CONTROL.findall(window))
    if b"\x00" in window or controls > _MAX_CONTROL_SHARE * len(window):
        return "binary data"
    return None


def content_wbits(encoding: str, head: bytes) -> int:
    """zlib's ``wbits`` for a body in Content-Encoding ``encoding`` (gzip, x-gzip or deflate).

    RFC 9110's "deflate" is the zlib format, but some servers send the bare deflate stream, which
    browsers accept too; the two tell apart by the zlib header's first two bytes (``head``):
    compression method 8 and a check value that makes them a multiple of 31.
    """
    if encoding != "deflate":
        return zlib.MAX_WBITS | 32  # gzip, or zlib, told apart by zlib itself
    wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS


def inflate(chunks: Iterable[bytes], encoding: str, *, step: int = 1 << 20) -> Iterator[bytes]:
    """Decode a body in Content-Encoding ``encoding`` (gzip, x-gzip or deflate), piece by piece.

    A gzip body may be several gzip members one after the other (``gzip -c a b``, servers that
    compress as they flush): browsers and Python's gzip module decode them all, and so does this.
    Bytes after the end that start no gzip member are ignored, as zlib alone ignores them.
    No piece is longer than ``step``, so that a caller can stop a decompression bomb early.
    Nothing to decode (an empty body) is no error.

    Raises:
        zlib.error: the stream is corrupt, or cut short.
    """
    decoder = None  # the stream, or gzip member, being decoded
    members = 0
    gzip = False
    rest = b""  # bytes not given to a decoder yet
    for chunk in chunks:
        rest += chunk
        while rest:
            if decoder is None:
                if len(rest) < 2:
                    break  # too little to tell what starts here
                if members and not (gzip and rest.startswith(_GZIP_MAGIC)):
                    return  # bytes after the end that start no gzip member: ignored
                gzip = rest.startswith(_GZIP_MAGIC)
                decoder = zlib.decompressobj(content_wbits(encoding, rest[:2]))
                members += 1
            data, rest = rest, b""
            while True:
                piece = decoder.decompress(data, step)
                if piece:
                    yield piece
                data = decoder.unconsumed_tail
                # A piece of ``step`` bytes may leave output inside zlib with no input left.
                if decoder.eof or not data and len(piece) < step:
                    break
            if decoder.eof:
                rest, decoder = decoder.unused_data, None
    if decoder is not None or rest and not members:
        # zlib stops quietly at the end of its input: a stream cut short is only seen here.
        raise zlib.error("the compressed stream is truncated")


def looks_like_html(head: bytes) -> bool:
    """Whether a payload that came without a Content-Type starts as an HTML document does.

    The fetcher archives such a payload as a page only when it does, and replay rewrites an
    untyped payload as HTML only when it does: an untyped image from an imported WARC is
    served as it was.
    """
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f")[:512].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")) or b"<html" in start


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
#: The WHATWG Encoding standard's labels of UTF-16, and the byte order each means.
_UTF16_LABELS = {
    "utf-16be": "utf-16-be", "unicodefffe": "utf-16-be",
    "utf-16": "utf-16-le", "utf-16le": "utf-16-le", "unicode": "utf-16-le", "unicodefeff": "utf-16-le",
    "ucs-2": "utf-16-le", "csunicode": "utf-16-le", "iso-10646-ucs-2": "utf-16-le",
}
#: How far into a payload labelled as HTML a NUL character makes it binary.
_BINARY_WINDOW = 4096


def utf16_byte_order(head: bytes, content_type: str | None) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when a payload is UTF-16 as a browser decides, else None.

    A byte-order mark decides first (a UTF-8 one says it is not UTF-16), then the charset of the
    Content-Type. A ``<meta>`` cannot declare UTF-16: it is read as ASCII, which UTF-16 is not.
    """
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    if head.startswith(codecs.BOM_UTF8):
        return None
    declared = _CHARSET.search(content_type or "")
    return _UTF16_LABELS.get(declared[1].lower()) if declared else None


def conditional_headers(etag: str | None, last_modified: str | None, *,
                        received_at: datetime) -> list[tuple[str, str]]:
    """The request headers that ask whether a response received at ``received_at`` with these
    validators is still current (RFC 9110 13.1): ``If-None-Match`` and ``If-Modified-Since``.

    Each goes back as the site sent it: an ETag, weak (``W/"..."``) or strong, is opaque, and a
    date is best returned as the exact string the site wrote (13.1.3). A ``Last-Modified`` that is
    not a date, or that was later than the moment it was received (a server's clock ahead, or a
    date it made up), is not sent: a site would compare it with its own, and a date in the
    future can claim "not modified" for a page changed until then. No validator, no header.
    """
    found = []
    if etag and etag.strip():
        found.append(("If-None-Match", etag.strip()))
    if last_modified and last_modified.strip():
        try:
            moment = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # an HTTP-date is UTC
            if moment <= received_at:
                found.append(("If-Modified-Since", last_modified.strip()))
    return found
