"""Payload sniffing (what a body is when it is not a page) and undoing a Content-Encoding."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime

import pytest

from archivist.core.http import binary_kind, conditional_headers, inflate


@pytest.mark.parametrize(("head", "kind"), [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a WebP image"),
    (b"PK\x03\x04\x14\x00", "a ZIP archive (or an Office document or EPUB)"),
    (bytes(range(256)), "binary data"),
])
def test_binary_payloads_are_named(head: bytes, kind: str) -> None:
    assert binary_kind(head) == kind


@pytest.mark.parametrize("head", [
    b"<!DOCTYPE html><html><body><p>Caf\xe9</p>",  # cp1252
    "<html><body>Ünïcödé</body></html>".encode(),
    "\ufeff<html><body>hi</body></html>".encode("utf-16"),  # NUL bytes, after a BOM
    b"<html>\x1b$B$3$s$K$A$O\x1b(B</html>",  # ISO-2022-JP escapes
    b"<p>a stray \x0b in a long page " + b"x" * 200 + b"</p>",
    b"plain text",
])
def test_text_is_not_binary(head: bytes) -> None:
    assert binary_kind(head) is None


# Content-Encoding, piece by piece, whatever the chunk boundaries ------------------------------

FIRST = bytes(range(256)) * 12 + b"x" * 5000
SECOND = b"the second member " * 300
MEMBERS = gzip.compress(FIRST) + gzip.compress(SECOND)


def decoded(data: bytes, encoding: str = "gzip", *, chunk: int, step: int) -> bytes:
    return b"".join(inflate([data[i:i + chunk] for i in range(0, len(data), chunk)], encoding, step=step))


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(("chunk", "step"), [(1, 1), (2, 5), (7, 4096), (1 << 20, 1 << 20)])
def test_every_gzip_member_is_decoded_and_trailing_bytes_ignored(chunk: int, step: int) -> None:
    for data in (MEMBERS, MEMBERS + b"\n", MEMBERS + b"\x1f", MEMBERS + b"\x00\x00 padding"):
        assert decoded(data, chunk=chunk, step=step) == FIRST + SECOND
    assert decoded(gzip.compress(b"") + gzip.compress(b"a") + gzip.compress(b"b"), chunk=chunk, step=step) == b"ab"
    assert decoded(zlib.compress(FIRST) + b"tail", "deflate", chunk=chunk, step=step) == FIRST
    assert decoded(raw_deflate(FIRST), "deflate", chunk=chunk, step=step) == FIRST


@pytest.mark.parametrize("data", [MEMBERS[:1], MEMBERS[:10], MEMBERS[:-3], gzip.compress(FIRST) + gzip.compress(SECOND)[:15],
                                  b"not gzip at all"], ids=["1-byte", "header", "cut", "second-cut", "not-gzip"])
def test_a_stream_cut_short_or_corrupt_is_an_error(data: bytes) -> None:
    for chunk in (1, 7, 1 << 20):
        with pytest.raises(zlib.error):
            decoded(data, chunk=chunk, step=64)


def test_nothing_to_decode_is_no_error() -> None:
    assert decoded(b"", chunk=1, step=1) == b""


def test_validators_go_back_as_sent_unless_the_date_is_none_or_in_the_future() -> None:
    received = datetime(2026, 3, 4, 9, 0, 30, tzinfo=UTC)
    assert conditional_headers('W/"a-1"', "Wed, 04 Mar 2026 09:00:00 GMT", received_at=received) == [
        ("If-None-Match", 'W/"a-1"'), ("If-Modified-Since", "Wed, 04 Mar 2026 09:00:00 GMT")]
    assert conditional_headers(None, "Wed, 04 Mar 2026 09:01:00 GMT", received_at=received) == []  # after it came
    assert conditional_headers(None, "yesterday", received_at=received) == []
    assert conditional_headers(" ", None, received_at=received) == []
