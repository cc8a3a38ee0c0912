"""Payload sniffing: what a body is when it is not a page."""

from __future__ import annotations

import pytest

from archivist.core.http import binary_kind


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
