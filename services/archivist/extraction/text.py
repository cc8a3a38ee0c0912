"""Element text with the line structure a reader sees: ``<br>`` and block ends become newlines.

``text_content()`` glues "line one<br>line two" into "line oneline two"; comments and bylines
need the lines kept.
"""

from __future__ import annotations

import re
from collections.abc import Container

from lxml import etree
from lxml.html import HtmlElement

__all__ = ["BLOCK_TAGS", "heading_text", "lines_text", "site_key", "text_content"]

BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "figure",
    "figcaption", "address", "hr", "form",
})
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "textarea", "select",
                           "button", "input", "iframe", "svg"})


def _collect(element: HtmlElement, skip: Container[HtmlElement], out: list[str]) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if child in skip or tag in _SKIPPED_TAGS or not tag:
            pass
        elif tag == "br":
            out.append("\n")
        else:
            block = tag in BLOCK_TAGS
            if block:
                out.append("\n")
            if child.text:
                out.append(child.text)
            _collect(child, skip, out)
            if block:
                out.append("\n")
        if child.tail:
            out.append(child.tail)


def lines_text(element: HtmlElement, skip: Container[HtmlElement] = ()) -> str:
    """The element's text, one visual line per line, blank lines and extra spaces removed."""
    out: list[str] = [element.text or ""]
    _collect(element, skip, out)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def text_content(element: HtmlElement) -> str:
    """``element.text_content()``: all the text inside the element, as libxml2 joins it.

    lxml's ``text_content()`` evaluates an XPath ``string()`` for this, and the steps call it
    hundreds of times a page; serialising the element as text reads the same node content
    (libxml2's ``xmlBufGetNodeContent``) in half the time.
    """
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)



def _collect_words(element: HtmlElement, out: list[str]) -> None:
    after_element = False  # whether the last child ended where the next one starts
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br" or (tag and after_element):
            out.append(" ")
        if tag and tag not in _SKIPPED_TAGS:
            out.append(child.text or "")
            _collect_words(child, out)
        out.append(child.tail or "")
        # A comment between two elements separates nothing.
        after_element = not child.tail and (bool(tag) or after_element)


def heading_text(element: HtmlElement) -> str:
    """A heading's text on one line, with a ``<br>`` and the meeting of two elements that
    nothing separates ("<span>Kicker</span><span>Headline</span>") read as a space: that is
    how the heading shows, its pieces set on lines of their own."""
    out: list[str] = [element.text or ""]
    _collect_words(element, out)
    return " ".join("".join(out).split())


def site_key(name: str) -> str:
    """A site name's letters without a leading "The" and a domain ending: "The Daily Herald",
    "Daily Herald" and "DailyHerald.com" name one site."""
    return "".join(site_words(name))


#: What a site name may carry around its words: a leading "The", a domain ending.
_SITE_DECORATION = re.compile(r"^\s*the\s+|\.(?:com|net|org|co\.uk|com\.au|de|fr|es|it|nl|in)\s*$",
                              re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


def site_words(name: str) -> tuple[str, ...]:
    """A site name's words, lower-cased, without a leading "The" and a domain ending (see
    :func:`site_key`): ("daily", "herald")."""
    return tuple(word for word in _NOT_WORD.split(_SITE_DECORATION.sub("", name).lower()) if word)
