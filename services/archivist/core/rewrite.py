"""Server-side rewriting of archived HTML and CSS so that a replayed page stays in the archive.

Every URL an archived page loads or links to (``href``, ``src``, ``srcset``, ``imagesrcset``,
``action``, ``poster``, SVG's ``xlink:href``, ``<meta http-equiv=refresh>``, CSS ``url()``,
``image-set()`` strings and ``@import`` in ``<style>`` and ``style=""``, and ``<base href>``)
is made absolute against the page (or its ``<base>``) and
turned into an archive URL by the caller's ``link(url, modifier)``. The modifier follows pywb:
``im_`` images, ``js_`` scripts, ``cs_`` stylesheets, ``if_`` frames, ``""`` pages. What would
make the browser refuse the archived resources (``integrity``, ``crossorigin``, the page's own
``<meta http-equiv=Content-Security-Policy>``) is removed, as pywb disables it.

HTML is parsed with lxml, never matched with regular expressions; CSS, which has no tree here,
is rewritten token-wise by its ``url(...)`` and ``@import "..."`` forms. Scripts are left as they
are: client-side wrapping (what pywb's wombat does) is out of scope, and the replay response's
sandbox keeps them off the API's origin.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from archivist.core.markup import bounded_attributes

__all__ = ["Linker", "rewrite_css", "rewrite_html"]

#: ``link(absolute_url, modifier) -> archive URL``.
Linker = Callable[[str, str], str]

#: (tag, attribute) -> modifier. Tags not listed use ``_DEFAULT_MODIFIERS`` by attribute.
_MODIFIERS: dict[tuple[str, str], str] = {
    ("img", "src"): "im_",
    ("input", "src"): "im_",
    ("source", "src"): "im_",
    ("track", "src"): "im_",
    ("video", "src"): "im_",
    ("audio", "src"): "im_",
    ("video", "poster"): "im_",
    ("embed", "src"): "oe_",
    ("object", "data"): "oe_",
    ("script", "src"): "js_",
    ("iframe", "src"): "if_",
    ("frame", "src"): "if_",
    # Inline SVG: an image, or a sprite or pattern that <use> loads from another file.
    ("image", "href"): "im_",
    ("image", "xlink:href"): "im_",
    ("use", "href"): "im_",
    ("use", "xlink:href"): "im_",
}
_DEFAULT_MODIFIERS = {"href": "", "xlink:href": "", "src": "", "action": "", "formaction": "", "background": "im_",
                      "poster": "im_"}
#: The attributes that hold a URL on some element (``data`` only on ``<object>``).
_URL_ATTRIBUTES = ("href", "xlink:href", "src", "action", "formaction", "background", "poster", "data")
_LINK_REL_MODIFIERS = {"stylesheet": "cs_", "icon": "im_", "shortcut": "im_", "apple-touch-icon": "im_",
                       "modulepreload": "js_"}
#: ``<link rel=preload as=...>``: the modifier of the load it prepares (a font loads by CSS
#: ``url()``, ``im_``), so that the load finds the preloaded response under the same URL.
_PRELOAD_MODIFIERS = {"style": "cs_", "script": "js_", "worker": "js_", "image": "im_", "font": "im_"}
#: Attributes that make the browser refuse a replayed resource: ``integrity`` hashes bytes that
#: rewriting changes, and ``crossorigin`` asks for CORS headers, which a load from the sandboxed
#: page's opaque origin never gets. pywb neutralises both.
_BLOCKING_ATTRIBUTES = ("integrity", "crossorigin")

_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")]*?)(?P=q)\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?P<q>['"])(?P<url>[^'"]+)(?P=q)""", re.IGNORECASE)
#: ``image-set(`` (or ``-webkit-image-set(``), whose candidates may be bare strings, not ``url()``.
_CSS_IMAGE_SET = re.compile(r"(?:-webkit-)?image-set\(", re.IGNORECASE)
#: A quoted string in an ``image-set()``, unless it is a ``url()``'s argument.
_CSS_SET_STRING = re.compile(r"""(?<!url\()(?P<q>['"])(?P<url>[^'"]*)(?P=q)""", re.IGNORECASE)
#: A doctype at the start of a page, after an optional BOM and XML declaration (XHTML).
_DECLARED_DOCTYPE = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?<!doctype", re.IGNORECASE)
_SKIP_SCHEMES = ("data:", "javascript:", "mailto:", "tel:", "about:", "blob:", "#")


def rewrite_html(
    body: bytes,
    *,
    page_url: str,
    link: Linker,
    charset: str | None = None,
    banner: Callable[[], etree._Element] | None = None,
) -> bytes:
    """The page with its URLs pointing into the archive, UTF-8 encoded, banner first in ``<body>``.

    ``charset`` is the one the response declared (Content-Type); without it, UTF-8 is tried,
    then lxml's own detection (``<meta charset>``). A body lxml cannot parse comes back as is.
    """
    if not body.strip():
        return body
    try:
        document = _parse(body, charset)
    except (etree.ParserError, ValueError):
        return body
    _drop_meta_policies(document)
    base = page_url
    for element in document.iter("base"):
        href = element.get("href")
        joined = _joined(page_url, href) if href else None
        if joined is not None:
            base = joined
            _set(element, "href", link(base, ""))
        break
    for element in document.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        for attribute in _URL_ATTRIBUTES:
            value = element.get(attribute)
            if value is None or tag == "base":
                continue
            modifier = _modifier(tag, attribute, element)
            if modifier is None:
                continue
            _set(element, attribute, _absolute_link(value, base, modifier, link))
        for attribute in _BLOCKING_ATTRIBUTES:
            element.attrib.pop(attribute, None)
        for attribute in ("srcset", "imagesrcset"):
            srcset = element.get(attribute)
            if srcset:
                _set(element, attribute, _rewrite_srcset(srcset, base, link))
        style = element.get("style")
        if style:
            _set(element, "style", rewrite_css(style, base_url=base, link=link))
        if tag == "style" and element.text:
            element.text = _storable(rewrite_css(element.text, base_url=base, link=link))
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            _set(element, "content", _rewrite_refresh(element.get("content") or "", base, link))
    if banner is not None:
        _insert_banner(document, banner())
    # lxml reports a default DTD for pages that declared none; adding one could change the
    # page's rendering mode, so only a declared doctype is written back.
    declared = _DECLARED_DOCTYPE.match(body) is not None
    doctype = document.getroottree().docinfo.doctype if declared else None
    return lxml.html.tostring(document, encoding="utf-8", doctype=doctype or None)


def rewrite_css(text: str, *, base_url: str, link: Linker) -> str:
    """CSS with its ``url(...)`` and ``@import "..."`` targets pointing into the archive."""

    def url_form(match: re.Match[str]) -> str:
        quote = match.group("q")
        return f"url({quote}{_absolute_link(match.group('url'), base_url, 'im_', link)}{quote})"

    def import_form(match: re.Match[str]) -> str:
        quote = match.group("q")
        return f"@import {quote}{_absolute_link(match.group('url'), base_url, 'cs_', link)}{quote}"

    def string_form(match: re.Match[str]) -> str:
        quote = match.group("q")
        return f"{quote}{_absolute_link(match.group('url'), base_url, 'im_', link)}{quote}"

    return _CSS_URL.sub(url_form, _rewrite_image_sets(_CSS_IMPORT.sub(import_form, text), string_form))


def _rewrite_image_sets(text: str, string_form: Callable[[re.Match[str]], str]) -> str:
    """``text`` with the bare string candidates of each ``image-set()`` rewritten by ``string_form``.

    The set runs to its matching parenthesis (its ``url()`` candidates nest); those are left to
    the ``url()`` rewriting.
    """
    pieces, position = [], 0
    for match in _CSS_IMAGE_SET.finditer(text):
        if match.start() < position:
            continue  # inside the set just rewritten
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        pieces += [text[position:match.end()], _CSS_SET_STRING.sub(string_form, text[match.end():end])]
        position = end
    return "".join(pieces) + text[position:]


def _parse(body: bytes, charset: str | None) -> etree._Element:
    """The page's tree, each tag with at most a thousand attributes (see :mod:`.markup`)."""
    text: str | None = None
    if charset:
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return lxml.html.document_fromstring(bounded_attributes(body))
    if text.lstrip().startswith("<?xml"):
        # lxml refuses str input that carries an encoding declaration; the text is decoded.
        text = text.lstrip().split("?>", 1)[-1]
    return lxml.html.document_fromstring(bounded_attributes(text))


def _drop_meta_policies(document: etree._Element) -> None:
    """Remove the page's ``<meta http-equiv=Content-Security-Policy>``: it allows the live hosts
    the page loaded from, not the archive its URLs now point to (pywb disables it too; the
    replay's own policy applies)."""
    policies = [meta for meta in document.iter("meta")
                if (meta.get("http-equiv") or "").strip().lower() == "content-security-policy"]
    for meta in policies:
        meta.drop_tree()


def _modifier(tag: str, attribute: str, element: etree._Element) -> str | None:
    if (tag, attribute) in _MODIFIERS:
        return _MODIFIERS[(tag, attribute)]
    if tag == "link" and attribute == "href":
        rels = (element.get("rel") or "").lower().split()
        if "preload" in rels:
            return _PRELOAD_MODIFIERS.get((element.get("as") or "").strip().lower(), "")
        return next((_LINK_REL_MODIFIERS[rel] for rel in rels if rel in _LINK_REL_MODIFIERS), "")
    if attribute == "data":
        return None  # only <object data> is a URL; data="" elsewhere is not
    return _DEFAULT_MODIFIERS.get(attribute)


def _absolute_link(value: str, base: str, modifier: str, link: Linker) -> str:
    stripped = value.strip()
    if not stripped or stripped.lower().startswith(_SKIP_SCHEMES):
        return value
    absolute = _joined(base, stripped)
    if absolute is None or urlsplit(absolute).scheme not in ("http", "https"):
        return value
    return link(absolute, modifier)


def _joined(base: str, reference: str) -> str | None:
    """``reference`` made absolute against ``base``; None when no URL parser reads it (an IPv6
    host never closed, ``http://[::1``; a name in brackets, ``http://[cdn]/``), which a
    browser does not load either: such a link is left as the page had it."""
    try:
        absolute = urljoin(base, reference.strip())
        urlsplit(absolute)
    except ValueError:
        return None
    return absolute


#: What lxml refuses to hold in a tree (XML 1.0's excluded characters): C0 controls other than
#: tab, LF and CR, U+FFFE, U+FFFF and lone surrogates. Its HTML parser reads them from a page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _storable(text: str) -> str:
    """``text`` with each character lxml cannot hold percent-encoded, as a browser's URL parser
    encodes a control character in a URL (the only place it means anything): a value
    rewritten from the page's own could not otherwise be put back, and the replay failed."""
    return _NOT_XML.sub(lambda found: "".join(f"%{byte:02X}" for byte in found[0].encode("utf-8", "surrogatepass")),
                        text)


def _set(element: etree._Element, attribute: str, value: str) -> None:
    element.set(attribute, _storable(value))


def _rewrite_srcset(srcset: str, base: str, link: Linker) -> str:
    """``a.jpg 1x, b.jpg 2x`` with each candidate URL rewritten, descriptors kept."""
    return ", ".join(
        f"{_absolute_link(url, base, 'im_', link)} {descriptors}".rstrip()
        for url, descriptors in _srcset_candidates(srcset)
    )


def _srcset_candidates(srcset: str) -> list[tuple[str, str]]:
    """The (URL, descriptors) pairs of a srcset, split as HTML's srcset parsing splits them.

    A candidate's URL runs to the next whitespace and may hold commas (image CDNs'
    ``w_400,h_300``, every ``data:`` URL); commas that end it are separators. After the URL,
    the descriptors run to the next comma outside parentheses.
    """
    candidates = []
    position, end = 0, len(srcset)
    while True:
        while position < end and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        if position == end:
            return candidates
        start = position
        while position < end and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            start, depth = position, 0
            while position < end and (srcset[position] != "," or depth > 0):
                if srcset[position] == "(":
                    depth += 1
                elif srcset[position] == ")":
                    depth = max(depth - 1, 0)
                position += 1
            descriptors = srcset[start:position].strip()
        candidates.append((url, descriptors))


def _rewrite_refresh(content: str, base: str, link: Linker) -> str:
    delay, separator, rest = content.partition(";")
    key, equals, target = rest.strip().partition("=")
    if not separator or not equals or key.strip().lower() != "url":
        return content
    target = target.strip().strip("'\"")
    return f"{delay}; url={_absolute_link(target, base, '', link)}"


def _insert_banner(document: etree._Element, banner: etree._Element) -> None:
    body = document.find(".//body")
    if body is None:
        body = etree.SubElement(document, "body")
    body.insert(0, banner)
