"""What replay serves for a payload, decided from its type, or from its first bytes when it has none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archivist.replay import Replayed, render

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def _replayed(body: bytes, headers: list[tuple[str, str]]) -> Replayed:
    return Replayed(url="http://example.org/a", base_url="http://example.org/a", moment=datetime(2024, 1, 2, tzinfo=UTC),
                    kind="response", status=200, headers=headers, body=body, raw_body=body)


def _link(url: str, modifier: str) -> str:
    return f"/web/20240102000000{modifier}/{url}"


@pytest.mark.parametrize("body", [b"\xef\xbb\xbf\n<!DOCTYPE html><p><a href='b'>b</a>", b"  <html><a href='b'>b</a></html>"])
def test_an_untyped_payload_that_starts_as_html_is_rewritten_as_html(body: bytes) -> None:
    replayed = _replayed(body, [])
    assert replayed.is_html and replayed.rendered_type == "text/html; charset=utf-8"
    assert b'href="/web/20240102000000/http://example.org/b"' in render(replayed, link=_link, banner=False)


def test_an_untyped_payload_that_is_not_html_is_served_byte_for_byte() -> None:
    replayed = _replayed(PNG, [("Content-Length", str(len(PNG)))])
    assert not replayed.is_html and replayed.rendered_type is None
    assert render(replayed, link=_link) == PNG
