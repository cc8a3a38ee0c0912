"""Origins that break HTTP in ways a real site does, through the real pipeline.

Each capture must end in the right state with a reason that names the problem, and only a
transient fault may be retried: a page that is broken the same way every time is fetched once.
"""

from __future__ import annotations

import gzip
import zlib
from http.server import BaseHTTPRequestHandler

import pytest

from archivist import pipeline, views
from archivist.settings import get_settings
from archivist.warc import read_response
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer, Route

HTML = ("<!doctype html><html><head><title>Broken origins</title></head><body><article><h1>Broken origins</h1>"
        + "<p>A paragraph long enough to be the body of an article about servers that misbehave.</p>" * 8
        + "</article></body></html>").encode()


@pytest.fixture
def retries_counted(embedded_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two retries: enough to tell a page fetched once from one that was retried."""
    monkeypatch.setenv("ARCHIVIST_FETCH_MAX_RETRIES", "2")
    get_settings.cache_clear()


def archive(urls: list[str]) -> list[dict]:
    with EmbeddedWorkers(get_settings()) as workers:
        submitted = pipeline.submit(workers.runtime, urls)
        workers.drain()
        return [views.get_capture(workers.runtime, s.id) for s in submitted]


def stored_final_response(capture_id: str):
    with EmbeddedWorkers(get_settings()) as workers:
        runtime = workers.runtime
        with runtime.database.session() as session:
            (snapshot,) = runtime.catalog.snapshots_for_capture(session, capture_id)
        with runtime.store.open(snapshot.storage_key) as stream:
            return read_response(stream)


def raw_answer(head: bytes, body: bytes) -> Route:
    """A route that writes ``head`` and ``body`` as they are and closes: what no library would send."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(head + b"\r\n\r\n" + body)
        handler.wfile.flush()
        handler.close_connection = True

    return Route(handler=answer)


def test_a_truncated_gzip_body_fails_at_once_as_bad_encoding(retries_counted, pages: PageServer) -> None:
    compressed = gzip.compress(HTML)
    url = pages.set("/cut.gz", compressed[: len(compressed) // 2],
                    headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    (capture,) = archive([url])
    assert (capture["status"], capture["reason"]) == ("failed", "bad_encoding"), capture
    assert "truncated" in capture["message"]
    assert pages.page_hits == {"/cut.gz": 1}


def test_a_raw_deflate_body_is_archived_byte_exact(embedded_settings, pages: PageServer) -> None:
    """Some servers send "deflate" without the zlib wrapper; browsers and our WARC reader accept it."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw_deflate = packer.compress(HTML) + packer.flush()
    url = pages.set("/raw-deflate", raw_deflate, headers={"Content-Type": "text/html", "Content-Encoding": "deflate"})
    (capture,) = archive([url])
    assert capture["status"] == "archived", capture
    stored = stored_final_response(capture["id"])
    assert stored.raw_body == raw_deflate
    assert stored.body == HTML


@pytest.mark.parametrize("location", ["javascript:alert(1)", "mailto:someone@example.org", "tel:+15551234567"])
def test_a_redirect_to_a_location_that_is_not_a_web_address_fails_at_once(
    retries_counted, pages: PageServer, location: str
) -> None:
    url = pages.set("/away", status=302, headers={"Location": location})
    (capture,) = archive([url])
    assert (capture["status"], capture["reason"]) == ("failed", "bad_redirect"), capture
    assert location.split(":")[0] in capture["message"]
    assert pages.page_hits == {"/away": 1}


@pytest.mark.parametrize(
    "content_length",
    [b"Content-Length: many", b"Content-Length: 10\r\nContent-Length: 99", b"Content-Length: -5"],
    ids=["not-a-number", "conflicting", "negative"],
)
def test_a_malformed_content_length_fails_at_once_as_bad_response(
    retries_counted, pages: PageServer, content_length: bytes
) -> None:
    pages.routes["/framing"] = raw_answer(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + content_length, HTML)
    (capture,) = archive([pages.url("/framing")])
    assert (capture["status"], capture["reason"]) == ("failed", "bad_response"), capture
    assert pages.page_hits == {"/framing": 1}


def test_a_body_cut_off_before_its_content_length_is_retried_as_a_broken_connection(
    retries_counted, pages: PageServer
) -> None:
    pages.routes["/short"] = raw_answer(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000", HTML)
    (capture,) = archive([pages.url("/short")])
    assert (capture["status"], capture["reason"]) == ("failed", "connect_error"), capture
    assert pages.page_hits == {"/short": 3}


@pytest.mark.parametrize("location", ["/robots.txt", "javascript:void(0)", "ftp://example.org/robots.txt"],
                         ids=["loop", "not-web", "other-scheme"])
def test_a_robots_txt_that_redirects_nowhere_counts_as_absent(
    retries_counted, pages: PageServer, location: str
) -> None:
    """RFC 9309 2.3.1.2: a robots.txt not reached through its redirects is unavailable: all allowed."""
    pages.set("/robots.txt", status=302, headers={"Location": location})
    (capture,) = archive([pages.set("/page", HTML)])
    assert capture["status"] == "archived", capture
    assert pages.page_hits == {"/page": 1}


@pytest.mark.parametrize("status_line", [b"HTTP/1.1 600 Odd", b"HTTP/1.1 999 Nope", b"HTTP/1.1 099 Early", b"HTTP/1.1 000 "])
def test_a_status_code_outside_http_fails_at_once_as_bad_response(
    retries_counted, pages: PageServer, status_line: bytes
) -> None:
    """Not a server error that may pass: no HTTP server answers so, and retrying cannot help."""
    pages.routes["/odd"] = raw_answer(status_line + b"\r\nContent-Type: text/html\r\nContent-Length: %d" % len(HTML), HTML)
    (capture,) = archive([pages.url("/odd")])
    assert (capture["status"], capture["reason"]) == ("failed", "bad_response"), capture
    assert pages.page_hits == {"/odd": 1}


def test_a_body_of_several_gzip_members_is_archived_and_extracted_whole(embedded_settings, pages: PageServer) -> None:
    """``gzip -c a b`` and servers that compress as they flush send several members; browsers read them all."""
    tail = b"<p>Only the second gzip member holds this closing paragraph about lighthouses.</p></article></body></html>"
    page = HTML.removesuffix(b"</article></body></html>") + tail
    half = len(page) // 2
    members = gzip.compress(page[:half]) + gzip.compress(page[half:])
    url = pages.set("/members", members, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    (capture,) = archive([url])
    assert capture["status"] == "archived", capture
    stored = stored_final_response(capture["id"])
    assert (stored.raw_body, stored.body) == (members, page)
    with EmbeddedWorkers(get_settings()) as workers:
        assert "closing paragraph about lighthouses" in views.get_record(workers.runtime, url)["body"]


@pytest.mark.parametrize(("codec", "content_type"), [("utf-16", "text/html"), ("utf-16-le", "text/html; charset=utf-16")],
                         ids=["bom", "declared"])
def test_a_utf16_page_is_archived_and_extracted(embedded_settings, pages: PageServer, codec: str,
                                                content_type: str) -> None:
    page = HTML.decode().replace("Broken origins", "Pages in UTF-16").encode(codec)
    url = pages.set("/utf16", page, headers={"Content-Type": content_type})
    (capture,) = archive([url])
    assert capture["status"] == "archived", capture
    assert stored_final_response(capture["id"]).body == page
    with EmbeddedWorkers(get_settings()) as workers:
        record = views.get_record(workers.runtime, url)
    assert record["title"] == "Pages in UTF-16" and "servers that misbehave" in record["body"]


def test_a_pager_of_dead_links_fetches_no_more_than_max_pages(retries_counted, pages: PageServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages that answer 404 are skipped, but they count against ``ARCHIVIST_MAX_PAGES``: every
    live page here links the next three, two of them dead, so only counting the live pages
    would fetch three times as many as the limit."""
    monkeypatch.setenv("ARCHIVIST_MAX_PAGES", "4")
    get_settings.cache_clear()
    for number in range(1, 40, 3):  # pages 1, 4, 7, ... live; the others 404
        pager = "".join(f'<a href="/story?page={n}">{n}</a> ' for n in range(number + 1, number + 4))
        pages.set(f"/story?page={number}",
                  HTML.replace(b"</article>", f'<div class="pagination">{pager}</div></article>'.encode()))
    (capture,) = archive([pages.url("/story?page=1")])
    assert capture["status"] == "archived", capture
    assert sum(pages.page_hits.values()) == 4, pages.page_hits
