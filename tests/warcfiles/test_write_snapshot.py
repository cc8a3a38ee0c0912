"""Snapshot objects as ``write_snapshot`` makes them: valid WARC, each record its own gzip member."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime

from archivist.adapters.fetcher import Exchange
from archivist.warc import payload_digest, read_response, verify_warc, write_snapshot

HTML = b"<!doctype html><html><body>" + b"<p>A paragraph that compresses very well indeed.</p>" * 200 + b"</body></html>"


def exchange(body: bytes, headers: list[tuple[str, str]], *, digested: bool) -> Exchange:
    return Exchange(
        url="http://example.org/page", method="GET", request_headers=[("User-Agent", "test")], http_version="HTTP/1.1",
        status=200, reason="OK", headers=headers, body=io.BytesIO(body), body_length=len(body),
        started_at=datetime(2026, 11, 28, tzinfo=UTC),
        payload_digest=payload_digest(io.BytesIO(body)) if digested else None,
    )


def snapshot(page: Exchange) -> bytes:
    out = io.BytesIO()
    write_snapshot(out, [page], filename="page.warc.gz", date=page.started_at)
    return out.getvalue()


def test_a_body_sent_compressed_is_stored_without_compressing_it_again() -> None:
    compressed = gzip.compress(HTML)
    stored = snapshot(exchange(compressed, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                               digested=True))
    assert compressed in stored  # deflate's stored blocks keep it byte for byte
    assert verify_warc(gzip.GzipFile(fileobj=io.BytesIO(stored))) == 3
    response = read_response(io.BytesIO(stored))
    assert (response.raw_body, response.body) == (compressed, HTML)


def test_a_plain_body_is_compressed_and_its_digests_hold_whoever_hashed_it() -> None:
    for digested in (True, False):
        stored = snapshot(exchange(HTML, [("Content-Type", "text/html")], digested=digested))
        assert len(stored) < len(HTML) / 5
        assert verify_warc(gzip.GzipFile(fileobj=io.BytesIO(stored))) == 3  # digests checked
        assert read_response(io.BytesIO(stored)).body == HTML
