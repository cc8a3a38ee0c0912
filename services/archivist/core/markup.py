"""A guard for the HTML parser against one tag crowded with attributes.

libxml2, which lxml parses HTML with, checks each attribute of a start tag against every one
before it (a duplicate is dropped), so one tag's attributes cost the square of their number:
a 1.4 MB tag of 100,000 attributes took minutes to parse, and did so again on every replay of
the page and every extraction of it. No page has a thousand attributes on one element, so a
tag keeps its first :data:`MAX_ATTRIBUTES`, as the markup is handed to the parser (the archived
bytes are untouched).

Attributes are told apart as the HTML standard's tokenizer (which libxml2 2.14 follows) tells
them: a name runs to whitespace, ``/``, ``>`` or ``=`` (``<`` and quotes included), a quoted
value to its closing quote (``>`` included), an unquoted one to whitespace or ``>``. The scan
is one regular expression with possessive quantifiers, linear in the markup: a tag is looked at
only when it has :data:`_CROWDED` attributes or more, and a tag it gives up on costs at most
that many attributes again for each ``<`` inside it.
"""

from __future__ import annotations

import itertools
import re
from typing import AnyStr

__all__ = ["MAX_ATTRIBUTES", "bounded_attributes"]

#: Attributes of one start tag that reach the parser (their checks cost about 1 ms together).
MAX_ATTRIBUTES = 1000
#: Attributes a tag must have for its attributes to be counted one by one (rare on real pages).
_CROWDED = 16

_NAME = r"[^\s/>][^\s/>=]*+"
_VALUE = r"""(?:"[^"]*+"|'[^']*+'|[^\s>]*+)"""
_ATTRIBUTE = rf"[\s/]*+{_NAME}(?:\s*+=\s*+{_VALUE})?+"
_TAG = rf"(?P<start><[A-Za-z][^\s/>]*+)(?P<attributes>(?:{_ATTRIBUTE}){{{_CROWDED}}}+(?:{_ATTRIBUTE})*+)"

_PATTERNS = {
    str: (re.compile(_TAG), re.compile(_ATTRIBUTE)),
    bytes: (re.compile(_TAG.encode()), re.compile(_ATTRIBUTE.encode())),
}


def bounded_attributes(markup: AnyStr) -> AnyStr:
    """``markup`` with each start tag cut to its first :data:`MAX_ATTRIBUTES` attributes."""
    tag, attribute = _PATTERNS[type(markup)]

    def first_attributes(found: re.Match[AnyStr]) -> AnyStr:
        attributes = found["attributes"]
        if len(attributes) < 2 * MAX_ATTRIBUTES:  # an attribute takes two characters at least
            return found[0]
        ends = [one.end() for one in itertools.islice(attribute.finditer(attributes), MAX_ATTRIBUTES + 1)]
        if len(ends) <= MAX_ATTRIBUTES:
            return found[0]
        return found["start"] + attributes[:ends[MAX_ATTRIBUTES - 1]]

    return tag.sub(first_attributes, markup)
