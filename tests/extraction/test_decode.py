"""Charsets: the HTTP header, the document's meta, and declarations that lie."""

from __future__ import annotations

from archivist.extraction import SourcePage, extract
from archivist.extraction.decode import decode_html

TEXT = "Café crème, naïve façade: déjà vu à Zürich. " * 3


def _html(meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{TEXT}</p></body></html>"


def test_header_charset() -> None:
    assert TEXT in decode_html(_html().encode("cp1252"), "text/html; charset=windows-1252")


def test_meta_charset_when_header_has_none() -> None:
    body = _html('<meta charset="iso-8859-15">').encode("iso-8859-15")
    assert TEXT in decode_html(body, "text/html")


def test_header_wins_over_meta() -> None:
    body = _html('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')
    assert TEXT in decode_html(body.encode("cp1252"), "text/html; charset=ISO-8859-1")


def test_a_byte_windows_1252_leaves_undefined_does_not_discard_the_declaration() -> None:
    """Browsers read 0x81, 0x8D, 0x8F, 0x90 and 0x9D as control characters under ISO-8859-1
    and windows-1252 labels; a stray one must not send the page to statistical detection."""
    body = _html().encode("cp1252").replace(b"vu", b"vu\x81", 1)
    for label in ("iso-8859-1", "windows-1252"):
        text = decode_html(body, f"text/html; charset={label}")
        assert TEXT.replace("vu", "vu\x81", 1) in text


def test_header_says_latin1_but_bytes_are_utf8() -> None:
    body = _html('<meta charset="iso-8859-1">').encode("utf-8")
    assert TEXT in decode_html(body, "text/html; charset=iso-8859-1")


def test_header_says_utf8_but_bytes_are_cp1252() -> None:
    body = _html('<meta charset="windows-1252">').encode("cp1252")
    assert TEXT in decode_html(body, "text/html; charset=utf-8")


def test_undeclared_legacy_bytes() -> None:
    text = decode_html(_html().encode("cp1252"), None)
    assert "Café" in text and "Zürich" in text


def test_utf8_bom_and_xml_declaration() -> None:
    body = b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>" + _html().encode("utf-8")
    page = SourcePage("https://example.com/a", body, None)
    assert "Zürich" in extract([page]).body


def test_russian_meta_charset() -> None:
    russian = "Городской совет обсудил новый бюджет на следующий год. " * 4
    body = (f'<html><head><meta charset="koi8-r"></head><body><p>{russian}</p></body></html>'
            ).encode("koi8-r")
    result = extract([SourcePage("https://example.ru/a", body, "text/html")])
    assert "Городской совет" in result.body
    assert result.language == "ru"


def test_utf16_declared_by_the_header_without_a_bom() -> None:
    """UTF-16 of ASCII letters is ASCII bytes, zeros and all: the header's declaration decides."""
    body = _html().replace(TEXT, "Plain ASCII words only. " * 3)
    for charset, codec in [("utf-16", "utf-16-le"), ("UTF-16LE", "utf-16-le"), ("utf-16be", "utf-16-be")]:
        assert decode_html(body.encode(codec), f"text/html; charset={charset}") == body


def test_a_header_that_says_utf16_over_utf8_bytes_is_not_believed() -> None:
    assert TEXT in decode_html(_html().encode("utf-8"), "text/html; charset=utf-16")
