"""The fetcher against real (and hostile) HTTP servers on loopback."""

from __future__ import annotations

import gzip
import io
import time
import zlib
from dataclasses import replace
from http.server import BaseHTTPRequestHandler

import pytest

from archivist.adapters.fetcher import MAX_RETRY_AFTER, Conditional, Fetcher
from archivist.core.errors import (
    BlockedAddress,
    BodyTooLarge,
    FetchConnectionError,
    FetchTimeout,
    HTTPClientError,
    HTTPServerError,
    MalformedResponse,
    NotHTML,
    RateLimited,
    TooManyRedirects,
    UnknownHost,
    UnsupportedHost,
)
from archivist.settings import Settings
from archivist.warc import payload_digest
from tests.support.pages import PageServer, Route

HTML = "<!doctype html><html><body><p>Hello</p></body></html>"


@pytest.fixture
def policy():
    return replace(Settings().fetch_policy, allow_private_networks=True, total_timeout=5, read_timeout=2,
                   connect_timeout=2, max_body_bytes=100_000, max_redirects=3)


@pytest.fixture
def fetcher(policy):
    client = Fetcher(policy)
    yield client
    client.close()


def test_plain_page_keeps_raw_bytes_and_headers(fetcher: Fetcher, pages: PageServer) -> None:
    url = pages.set("/a", HTML)
    result = fetcher.fetch(url)
    assert result.final.status == 200
    assert result.final.body.read() == HTML.encode()
    assert ("Content-Type", "text/html; charset=utf-8") in result.final.headers
    assert any(name == "User-Agent" for name, _ in result.final.request_headers)
    result.close()


def test_gzip_body_is_stored_as_sent(fetcher: Fetcher, pages: PageServer) -> None:
    compressed = gzip.compress(HTML.encode())
    url = pages.set("/gz", compressed, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    result = fetcher.fetch(url)
    assert result.final.body.read() == compressed
    assert result.final.decoded_body == HTML.encode()  # inflated once, to vet it, and kept
    result.close()
    result = fetcher.fetch(pages.set("/plain", HTML))
    assert result.final.decoded_body is None  # nothing to undo: the body is its own decoding
    result.close()


def test_the_payload_digest_is_of_the_body_as_sent(fetcher: Fetcher, pages: PageServer) -> None:
    compressed = gzip.compress(HTML.encode())
    pages.set("/moved", b"moved", status=302, headers={"Location": "/digest"})
    pages.set("/digest", compressed, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    result = fetcher.fetch(pages.url("/moved"))
    for exchange in result.exchanges:
        assert exchange.payload_digest == payload_digest(exchange.body)
    assert result.final.payload_digest == payload_digest(io.BytesIO(compressed))
    result.close()


def test_redirects_are_followed_and_recorded(fetcher: Fetcher, pages: PageServer) -> None:
    pages.set("/r1", status=301, headers={"Location": "/r2"})
    pages.set("/r2", status=302, headers={"Location": pages.url("/final")})
    pages.set("/final", HTML)
    result = fetcher.fetch(pages.url("/r1"))
    assert [hop.status for hop in result.redirects] == [301, 302]
    assert result.final.url == pages.url("/final")
    result.close()


def test_redirect_loops_and_chains_are_refused(fetcher: Fetcher, pages: PageServer) -> None:
    pages.set("/loop1", status=302, headers={"Location": "/loop2"})
    pages.set("/loop2", status=302, headers={"Location": "/loop1"})
    with pytest.raises(TooManyRedirects) as caught:
        fetcher.fetch(pages.url("/loop1"))
    assert caught.value.reason == "redirect_loop"
    for n in range(6):
        pages.set(f"/chain{n}", status=302, headers={"Location": f"/chain{n + 1}"})
    with pytest.raises(TooManyRedirects):
        fetcher.fetch(pages.url("/chain0"))


def test_a_redirect_to_a_url_with_credentials_is_refused_unsent(fetcher: Fetcher, pages: PageServer) -> None:
    """Following it would send the credentials as Basic auth and archive them in the request record."""
    pages.set("/private", HTML)
    pages.set("/to-credentials", status=302, headers={"Location": pages.url("/private").replace("//", "//u:secret@")})
    with pytest.raises(TooManyRedirects) as caught:
        fetcher.fetch(pages.url("/to-credentials"))
    assert caught.value.reason == "bad_redirect" and "credentials" in caught.value.message
    assert "secret" not in caught.value.message
    assert pages.hits.get("/private") is None


def test_a_location_that_cannot_be_split_is_a_bad_redirect(fetcher: Fetcher, pages: PageServer) -> None:
    pages.set("/to-broken", status=302, headers={"Location": "http://[broken"})
    with pytest.raises(TooManyRedirects) as caught:
        fetcher.fetch(pages.url("/to-broken"))
    assert caught.value.reason == "bad_redirect"


def test_backslashes_in_a_location_lead_where_a_browser_goes(fetcher: Fetcher, pages: PageServer) -> None:
    """``\\\\host\\path`` is a network-path reference to another host in the WHATWG URL standard."""
    port = pages.base_url.rsplit(":", 1)[1]
    pages.set("/final", HTML)
    pages.set("/backslashed", status=302, headers={"Location": f"\\\\localhost:{port}\\final"})
    result = fetcher.fetch(pages.url("/backslashed"))
    assert result.final.url == f"http://localhost:{port}/final"
    assert result.final.status == 200
    result.close()


@pytest.mark.parametrize(
    ("status", "headers", "error", "retry_after"),
    [
        (404, {}, HTTPClientError, None),
        (410, {}, HTTPClientError, None),
        (500, {}, HTTPServerError, None),
        (502, {}, HTTPServerError, None),
        (429, {"Retry-After": "7"}, RateLimited, 7.0),
        (503, {"Retry-After": "3"}, RateLimited, 3.0),
        (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, RateLimited, 0.0),
        # RFC 5322's "-0000" and a date without a zone: Python reads them as naive times.
        (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"}, RateLimited, 0.0),
        (503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00"}, RateLimited, 0.0),
        (429, {"Retry-After": "soon"}, RateLimited, None),
        # A wait of years would park the host and its captures as long: an hour at most.
        (429, {"Retry-After": "999999999"}, RateLimited, MAX_RETRY_AFTER),
        (503, {"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}, RateLimited, MAX_RETRY_AFTER),
        # No answer either, not a ValueError or OverflowError out of the fetch: "²" is a digit to
        # str.isdigit but no number to float, and a year past 9999 is no date Python holds.
        (429, {"Retry-After": "\u00b2"}, RateLimited, None),
        (503, {"Retry-After": "Fri, 01 Jan 99999999999999999999 00:00:00 GMT"}, RateLimited, None),
        (503, {"Retry-After": "Fri, 31 Dec 9999 23:59:59 -0100"}, RateLimited, MAX_RETRY_AFTER),
    ],
)
def test_status_classes(fetcher, pages, status, headers, error, retry_after) -> None:
    url = pages.set("/s", "<html></html>", status=status, headers={"Content-Type": "text/html", **headers})
    with pytest.raises(error) as caught:
        fetcher.fetch(url)
    assert getattr(caught.value, "retry_after", None) == retry_after
    assert caught.value.status == status


@pytest.mark.parametrize("status", [600, 701, 999])
def test_a_status_code_outside_http_is_a_malformed_answer_not_a_server_error(fetcher, pages, status) -> None:
    """A 5xx is retried; a status no HTTP server sends would be retried for nothing."""
    pages.set("/robots.txt", "User-agent: *\nDisallow:\n", status=status, headers={"Content-Type": "text/plain"})
    pages.set("/odd", HTML, status=status)
    for fetch in (lambda: fetcher.fetch(pages.url("/odd")), lambda: fetcher.fetch_robots(pages.base_url)):
        with pytest.raises(MalformedResponse) as caught:
            fetch()
        assert caught.value.reason == "bad_response" and f"status {status}" in caught.value.message


def test_non_html_and_binary_bodies_are_refused(fetcher: Fetcher, pages: PageServer) -> None:
    with pytest.raises(NotHTML):
        fetcher.fetch(pages.set("/pdf", b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    with pytest.raises(NotHTML):
        fetcher.fetch(pages.set("/img", b"\x89PNG\r\n\x1a\n\x00\x00", headers={"Content-Type": "text/html"}))
    with pytest.raises(NotHTML):
        fetcher.fetch(pages.set("/none", b"just text, no markup", headers={}))
    result = fetcher.fetch(pages.set("/sniffed", HTML, headers={}))  # no type, but plainly HTML
    assert result.final.status == 200
    result.close()


def test_a_document_labelled_as_html_is_refused_by_what_it_is(fetcher: Fetcher, pages: PageServer) -> None:
    """A PDF whose first kilobytes hold no NUL (its header and an uncompressed object) served as
    text/html is a PDF: the signature decides, and the message names it."""
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 20
    with pytest.raises(NotHTML) as caught:
        fetcher.fetch(pages.set("/report", pdf, headers={"Content-Type": "text/html; charset=utf-8"}))
    assert caught.value.reason == "binary_content" and "a PDF document" in caught.value.message


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (HTML.encode("utf-16"), "text/html"),  # with a byte-order mark
        (HTML.encode("utf-16-le"), "text/html; charset=utf-16"),  # "utf-16" is little-endian
        (HTML.encode("utf-16-be"), "text/html; charset=UTF-16BE"),
    ],
    ids=["bom", "declared-le", "declared-be"],
)
def test_utf16_pages_are_html_not_binary(fetcher: Fetcher, pages: PageServer, body: bytes, content_type: str) -> None:
    result = fetcher.fetch(pages.set("/utf16", body, headers={"Content-Type": content_type}))
    assert result.final.body.read() == body
    result.close()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/html; charset=utf-16"),
        (b"\xff\xfe" + b"\x00" * 64, "text/html"),
        (b"\xff\xfe<\x00h\x00\x00\xdc", "text/html"),  # a lone low surrogate: not UTF-16 text
    ],
    ids=["png-declared-utf16", "zeros-after-a-bom", "not-utf16"],
)
def test_binaries_that_claim_utf16_are_still_refused(fetcher: Fetcher, pages: PageServer, body: bytes,
                                                     content_type: str) -> None:
    with pytest.raises(NotHTML) as caught:
        fetcher.fetch(pages.set("/fake", body, headers={"Content-Type": content_type}))
    assert caught.value.reason == "binary_content"


def test_size_limits_declared_streamed_and_decompressed(fetcher: Fetcher, pages: PageServer) -> None:
    with pytest.raises(BodyTooLarge):
        fetcher.fetch(pages.set("/big", "<html>" + "x" * 200_000))

    def endless_chunked(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"<p>" + b"y" * 8000 + b"</p>"
        try:
            for _ in range(10_000):
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass

    pages.routes["/endless"] = Route(handler=endless_chunked)
    with pytest.raises(BodyTooLarge):
        fetcher.fetch(pages.url("/endless"))

    bomb = gzip.compress(b"<html>" + b"\x00" * 50_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(BodyTooLarge) as caught:
        fetcher.fetch(pages.set("/bomb", bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    assert caught.value.reason == "decompression_bomb"

    # The limit counts every gzip member: a bomb split in many stays a bomb.
    members = gzip.compress(b"<html>") + gzip.compress(b"\x00" * 300_000, compresslevel=9) * 3
    with pytest.raises(BodyTooLarge) as caught:
        fetcher.fetch(pages.set("/members-bomb", members, headers={"Content-Type": "text/html",
                                                                    "Content-Encoding": "gzip"}))
    assert caught.value.reason == "decompression_bomb"

    with pytest.raises(NotHTML) as broken:
        fetcher.fetch(pages.set("/badgz", b"not gzip at all", headers={"Content-Type": "text/html",
                                                                       "Content-Encoding": "gzip"}))
    assert broken.value.reason == "bad_encoding"
    assert zlib  # deflate is covered by the WARC reader tests


def test_slow_server_hits_the_total_deadline(fetcher: Fetcher, pages: PageServer) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"<p>x</p>")
                handler.wfile.flush()
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    pages.routes["/drip"] = Route(handler=drip)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetcher.fetch(pages.url("/drip"))
    assert time.monotonic() - started < 10


def test_headers_dripped_under_the_read_timeout_hit_the_total_deadline(policy, pages: PageServer) -> None:
    """Each read beats the read timeout, and h11 waits for 16 KiB of headers: only the total
    deadline ends it, for a page and for a robots.txt."""

    def drip_headers(handler: BaseHTTPRequestHandler) -> None:
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            for n in range(40):
                handler.wfile.write(b"X-Drip-%d: x\r\n" % n)
                handler.wfile.flush()
                time.sleep(0.25)
            handler.wfile.write(b"Content-Length: 0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    pages.routes["/drip-headers"] = Route(handler=drip_headers)
    pages.routes["/robots.txt"] = Route(handler=drip_headers)
    client = Fetcher(replace(policy, total_timeout=2, read_timeout=1))
    try:
        for fetch in (lambda: client.fetch(pages.url("/drip-headers")), lambda: client.fetch_robots(pages.base_url)):
            started = time.monotonic()
            with pytest.raises(FetchTimeout) as caught:
                fetch()
            assert time.monotonic() - started < 3
            assert caught.value.reason == "deadline" and "ARCHIVIST_TOTAL_TIMEOUT" in caught.value.message
    finally:
        client.close()


def test_huge_headers_fail_cleanly(fetcher: Fetcher, pages: PageServer) -> None:
    url = pages.set("/hdr", HTML, headers={"Content-Type": "text/html", "X-Big": "a" * 300_000})
    with pytest.raises(MalformedResponse) as caught:
        fetcher.fetch(url)
    assert caught.value.reason == "bad_response"


def test_private_addresses_are_refused_after_resolution(policy, pages: PageServer) -> None:
    strict = Fetcher(replace(policy, allow_private_networks=False))
    port = pages.base_url.rsplit(":", 1)[1]
    pages.set("/", HTML)
    for url in (f"http://127.0.0.1:{port}/", f"http://localhost:{port}/", f"http://[::1]:{port}/",
                f"http://[::ffff:127.0.0.1]:{port}/", f"http://2130706433:{port}/", f"http://0x7f000001:{port}/"):
        with pytest.raises((BlockedAddress, FetchConnectionError)) as caught:
            strict.fetch(url)
        assert isinstance(caught.value, BlockedAddress) or "resolve" in caught.value.message
    strict.close()


def test_redirect_to_a_refused_address_is_blocked(policy, pages: PageServer) -> None:
    """The guard checks every hop: here 127.0.0.1 stands for the internet, 127.0.0.2 for inside."""
    port = pages.base_url.rsplit(":", 1)[1]
    pages.set("/hop", status=302, headers={"Location": f"http://127.0.0.2:{port}/secret"})
    pages.set("/secret", HTML)
    fetcher = Fetcher(policy, address_allowed=lambda address: address == "127.0.0.1")
    with pytest.raises(BlockedAddress):
        fetcher.fetch(pages.url("/hop"))
    assert pages.hits.get("/secret") is None
    fetcher.close()


def test_unknown_host_is_permanent(fetcher: Fetcher) -> None:
    with pytest.raises(UnknownHost):
        fetcher.fetch("http://no-such-host.invalid/")


@pytest.mark.parametrize("url", ["http://xn--n3h.net/", "http://xn--yba.example/"])
def test_a_host_in_idna_2003_only_fails_at_once_with_its_reason(fetcher: Fetcher, url: str) -> None:
    """``☃.net`` and ``».example`` are valid URLs (IDNA 2003, as browsers read them), but httpx
    writes hosts in IDNA 2008 only and cannot build a request to them: the page and its
    robots.txt fail for good, saying so, instead of raising idna's error out of the worker."""
    with pytest.raises(UnsupportedHost, match="IDNA 2008"):
        fetcher.fetch(url)
    with pytest.raises(UnsupportedHost, match="IDNA 2008"):
        fetcher.fetch_robots(url.rstrip("/"))


def test_an_empty_body_labelled_as_compressed_is_not_refused(fetcher: Fetcher, pages: PageServer) -> None:
    """Nothing to decode is not a truncated stream (servers label 204s and empty pages so)."""
    result = fetcher.fetch(pages.set("/empty", b"", status=204, headers={"Content-Type": "text/html",
                                                                         "Content-Encoding": "gzip"}))
    assert result.final.status == 204
    assert result.final.body_length == 0
    result.close()


def test_a_304_is_an_answer_only_to_the_conditional_request(fetcher: Fetcher, pages: PageServer) -> None:
    """Validators go with the request for the URL that sent them (not a redirect before it, not
    another URL); a 304 to any other request, or one that names a Location, is malformed."""
    pages.routes["/start"] = Route(status=301, headers={"Location": "/page"})
    pages.routes["/page"] = Route(body=HTML.encode(), etag='W/"p-1"')
    asked = [("If-None-Match", 'W/"p-1"')]
    result = fetcher.fetch(pages.url("/start"), conditional=Conditional(pages.url("/page"), asked))
    assert result.not_modified and [hop.status for hop in result.exchanges] == [301, 304]
    assert ("If-None-Match", 'W/"p-1"') in result.final.request_headers
    assert "if-none-match" not in pages.requests["/start"][0]

    for answer in (Route(status=304), Route(status=304, headers={"Location": "/elsewhere"})):
        pages.routes["/unasked"] = answer
        with pytest.raises(MalformedResponse) as refused:
            fetcher.fetch(pages.url("/unasked"))
        assert refused.value.reason == "bad_response" and "not conditional" in refused.value.message
        with pytest.raises(MalformedResponse):  # asked about another URL: this request was not conditional
            fetcher.fetch(pages.url("/unasked"), conditional=Conditional(pages.url("/page"), asked))
