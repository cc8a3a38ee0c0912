"""The parser's guard against a tag crowded with attributes: what it keeps, and that it reads
attributes as the HTML tokenizer does, so that no spelling of them slips past it."""

from __future__ import annotations

import lxml.html
import pytest

from archivist.core.markup import MAX_ATTRIBUTES, bounded_attributes


@pytest.mark.parametrize("spelled", [
    "a{n}='{n}'",  # quoted
    'a{n}="{n}"',
    "a{n}={n}",  # unquoted
    "a{n}",  # no value
    "a{n}='>'",  # a quoted ">" does not end the tag
    "<a{n}",  # "<" is a character of a name
    "/a{n}",  # "/" separates attributes
])
def test_a_tag_keeps_its_first_attributes_however_they_are_spelled(spelled: str) -> None:
    separator = "" if spelled.startswith("/") else " "
    attributes = separator.join(spelled.format(n=n) for n in range(3 * MAX_ATTRIBUTES))
    markup = f"<p>before</p><div {attributes}>inside</div><p>after</p>"
    body = lxml.html.document_fromstring(bounded_attributes(markup)).body
    (div,) = body.iter("div")
    assert len(div.attrib) == MAX_ATTRIBUTES
    assert div.text_content() == "inside" and body.text_content() == "beforeinsideafter"


def test_tags_within_the_limit_and_bytes_are_left_as_they_are() -> None:
    page = "<div " + " ".join(f"a{n}" for n in range(MAX_ATTRIBUTES)) + "><a href='x' title='a > b'>link</a></div>"
    assert bounded_attributes(page) == page
    assert bounded_attributes(page.encode()) == page.encode()
    crowded = ("<div " + " ".join(f"a{n}" for n in range(MAX_ATTRIBUTES + 1)) + ">").encode()
    assert bounded_attributes(crowded) == crowded[:crowded.rindex(b" a")] + b">"
