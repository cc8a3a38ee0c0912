"""Bytes to text: find the character encoding of an archived HTML payload.

Archived pages often lie about their charset (a ``Content-Type`` header saying ISO-8859-1 over
UTF-8 bytes, or a ``<meta charset>`` that disagrees with the server). We decode in the order
that gets real pages right most often:

1. a byte-order mark, which cannot be accidental; then UTF-16 declared by the HTTP header,
   when the zero bytes of its ASCII characters are there;
2. strict UTF-8 when the bytes hold non-ASCII UTF-8 sequences: random legacy-encoded text is
   almost never valid UTF-8, so validity outweighs any declaration;
3. the HTTP header's charset, then the document's ``<meta>`` declaration (the HTML standard's
   precedence), as long as the bytes decode under it;
4. statistical detection by ``charset_normalizer``;
5. Windows-1252 with replacement characters, which never fails.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["declared_charset", "decode_html"]

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Legacy labels that browsers map to a superset; decoding with the superset loses nothing.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
            "ascii": "cp1252", "iso-8859-9": "cp1254", "gb2312": "gb18030", "gbk": "gb18030"}
#: UTF-16 as the HTTP header may declare it; the label "utf-16" means little-endian (WHATWG).
_UTF16 = {"utf-16": "utf-16-le", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}
#: The legacy encodings of the WHATWG Encoding Standard, the only ones a browser decodes, so the
#: only ones a page on the web can be in; statistical detection is kept to them (left free, it
#: reads Latin-1 French as DOS code page 775, which fits the bytes just as well). The Mac code
#: pages are left out too: next to no site serves them, and they fit windows-1251 Russian
#: better than windows-1251 itself ("Портовый" came out "ѕортовый").
_WEB_ENCODINGS = [
    "cp866", "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7",
    "iso8859_8", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r",
    "koi8_u", "cp874", "cp1250", "cp1251", "cp1252", "cp1253",
    "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "gb18030", "big5hkscs", "euc_jp",
    "iso2022_jp", "shift_jis", "cp932", "euc_kr", "cp949",
]
#: Browsers' default for a Western page that declares nothing usable; detection ties are
#: common between the Latin code pages, and this one is the web's commonest by far.
_WESTERN_DEFAULT = "cp1252"
#: How far into the payload a ``<meta charset>`` is looked for (the HTML standard says 1024).
_META_WINDOW = 4096


def _normalise(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(label, _ALIASES.get(name, name))


def declared_charset(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """The charsets declared by the HTTP header and by the document's ``<meta>``, normalised."""
    header = None
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        header = _normalise(match.group(1)) if match else None
    match = _META_CHARSET.search(body[:_META_WINDOW])
    meta = _normalise(match.group(1).decode("ascii", "ignore")) if match else None
    return header, meta


def _windows_1252_controls(error: UnicodeDecodeError) -> tuple[str, int]:
    """The five bytes Python's cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) as the
    control characters of the same number, as the WHATWG windows-1252 decoder (every browser's
    ISO-8859-1) reads them."""
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("archivist-windows-1252", _windows_1252_controls)


def _try(body: bytes, encoding: str) -> str | None:
    """``body`` decoded as ``encoding``, or None when it is not in it.

    Windows-1252, which is also what ISO-8859-1 and ASCII labels mean, decodes any byte (one
    stray undefined byte would otherwise send a whole page to statistical detection).
    """
    errors = "archivist-windows-1252" if encoding == "cp1252" else "strict"
    try:
        return body.decode(encoding, errors)
    except (UnicodeDecodeError, LookupError):
        return None


def _by_fit(body: bytes, declared: list[str]) -> list[str]:
    """The declared charsets, header first, unless the header and the ``<meta>`` disagree and
    the meta's reads the bytes as better text (a server's default ``iso-8859-1`` over a page
    whose meta rightly says ``windows-1251``); the HTML standard's order breaks a tie."""
    if len(set(declared)) < 2:
        return declared
    matches = from_bytes(body[:200_000], cp_isolation=declared)
    best = matches.best()
    if best is None:
        return declared
    header = codecs.lookup(declared[0]).name
    if any(codecs.lookup(match.encoding).name == header
           and (match.chaos, match.coherence) == (best.chaos, best.coherence) for match in matches):
        return declared
    return declared[::-1]


def _detect(sample: bytes) -> str | None:
    """The web encoding ``charset_normalizer`` finds likeliest for ``sample``; of several that
    fit equally well (same chaos and coherence), windows-1252."""
    matches = from_bytes(sample, cp_isolation=_WEB_ENCODINGS)
    best = matches.best()
    if best is None:
        return None
    tied = {match.encoding for match in matches
            if (match.chaos, match.coherence) == (best.chaos, best.coherence)}
    return _WESTERN_DEFAULT if _WESTERN_DEFAULT in tied else best.encoding


def decode_html(body: bytes | str, content_type: str | None = None) -> str:
    """Decode an HTML payload to text, trusting the evidence in the order given above."""
    if isinstance(body, str):
        return body
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(encoding, errors="replace")
    header, meta = declared_charset(body, content_type)
    if header in _UTF16 and b"\x00" in body[:_META_WINDOW]:
        # Only the header can declare UTF-16 (a <meta> is read as ASCII, which UTF-16 is not).
        # The zero bytes of its ASCII characters back the declaration, and would pass for ASCII.
        return body.decode(_UTF16[header], errors="replace")
    if not body.isascii():
        text = _try(body, "utf-8")
        if text is not None:
            return text
    for encoding in _by_fit(body, [label for label in (header, meta) if label and label not in (
            "utf-8", "utf-16", "utf-16-le", "utf-16-be")]):
        text = _try(body, encoding)
        if text is not None:
            return text
    if body.isascii():
        return body.decode("ascii")
    detected = _detect(body[:200_000])
    if detected:
        text = _try(body, detected)
        if text is not None:
            return text
    return body.decode("cp1252", errors="replace")
