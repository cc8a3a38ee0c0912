"""Replay through the API on the embedded stack: rewriting, Memento headers, TimeGate, TimeMap,
the identity view, revisits, the sandbox. Pages change between captures on a local server."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import lxml.html
import pytest
from fastapi.testclient import TestClient

from archivist.core.memento import parse_http_date
from tests.support.clock import next_second
from tests.support.pages import PageServer, Route
from tests.support.stack import capture, link_relations

PAGE = """<!DOCTYPE html><html><head><title>Harbour</title><base href="/site/">
<link rel="stylesheet" href="style.css"><style>body {{ background: url('bg.png') }}</style></head>
<body><p>{text}</p><a id="next" href="page2?x=1">next</a><a id="frag" href="#top">top</a>
<img id="pic" src="/img/a.png" srcset="/img/a.png 1x, b.png 2x">
<form id="search" action="/search"></form><div id="styled" style="background-image: url(dot.gif)"></div>
<iframe id="frame" src="https://other.example.org/embed"></iframe><script src="app.js"></script></body></html>"""


def _stamp(client: TestClient, url: str) -> list[str]:
    return [line["timestamp"] for line in map(json.loads, client.get(
        "/cdx", params={"url": url, "output": "json"}).text.splitlines())]


def test_memento_is_rewritten_into_the_archive_with_memento_headers(
    workers, client: TestClient, pages: PageServer
) -> None:
    url = pages.set("/site/index", PAGE.format(text="first"))
    capture(workers, url)
    (stamp,) = _stamp(client, url)

    response = client.get(f"/web/{stamp}/{url}")
    assert response.status_code == 200, response.text
    base = pages.base_url
    doc = lxml.html.fromstring(response.content)
    archive = f"/web/{stamp}"
    assert doc.get_element_by_id("next").get("href") == f"{archive}/{base}/site/page2?x=1"
    assert doc.get_element_by_id("frag").get("href") == "#top"
    assert doc.get_element_by_id("pic").get("src") == f"{archive}im_/{base}/img/a.png"
    assert doc.get_element_by_id("pic").get("srcset") == f"{archive}im_/{base}/img/a.png 1x, {archive}im_/{base}/site/b.png 2x"
    assert doc.get_element_by_id("search").get("action") == f"{archive}/{base}/search"
    assert f"url({archive}im_/{base}/site/dot.gif)" in doc.get_element_by_id("styled").get("style")
    assert doc.get_element_by_id("frame").get("src") == f"{archive}if_/https://other.example.org/embed"
    assert doc.find(".//script").get("src") == f"{archive}js_/{base}/site/app.js"
    assert doc.find(".//link").get("href") == f"{archive}cs_/{base}/site/style.css"
    assert f"url('{archive}im_/{base}/site/bg.png')" in doc.find(".//style").text
    assert doc.find(".//base").get("href") == f"{archive}/{base}/site/"
    banner = doc.get_element_by_id("archivist-banner")
    assert url in banner.text_content()
    assert response.content.startswith(b"<!DOCTYPE html>")

    headers = response.headers
    assert headers["content-type"] == "text/html; charset=utf-8"
    moment = parse_http_date(headers["memento-datetime"])
    assert moment.strftime("%Y%m%d%H%M%S") == stamp
    link = headers["link"]
    assert f'<{url}>; rel="original"' in link
    assert f'<http://testserver/web/{url}>; rel="timegate"' in link
    assert f'<http://testserver/timemap/link/{url}>; rel="timemap"; type="application/link-format"' in link
    csp = headers["content-security-policy"]
    assert csp.startswith("sandbox") and "allow-scripts" in csp and "allow-same-origin" not in csp
    assert headers["x-content-type-options"] == "nosniff"


def test_closest_capture_wins_and_partial_timestamps_redirect(workers, client: TestClient, pages: PageServer) -> None:
    url = pages.set("/story", PAGE.format(text="before the vote"))
    capture(workers, url)
    next_second()
    pages.set("/story", PAGE.format(text="after the vote"))
    capture(workers, url)
    first, second = _stamp(client, url)
    assert first < second

    assert b"before the vote" in client.get(f"/web/{first}/{url}").content
    assert b"after the vote" in client.get(f"/web/{second}/{url}").content
    # Far in the past and far in the future resolve to the ends; a prefix redirects to the exact memento.
    early = client.get(f"/web/1999/{url}", follow_redirects=False)
    assert early.status_code == 302 and early.headers["location"] == f"/web/{first}/{url}"
    late = client.get(f"/web/29991231/{url}", follow_redirects=False)
    assert late.headers["location"] == f"/web/{second}/{url}"
    assert client.get(f"/web/{second}/{url}".replace("http://", "http:/")).status_code == 200
    assert client.get(f"/web/{second}/http://127.0.0.1:1/never").status_code == 404



def test_a_modifier_without_a_timestamp_is_the_latest_captures_permalink(
    workers, client: TestClient, pages: PageServer
) -> None:
    """pywb reads ``/{coll}/id_/{url}`` (``mp_/``, ``im_/``...) as the latest capture in that view."""
    url = pages.set("/latest", PAGE.format(text="old"))
    capture(workers, url)
    next_second()
    pages.set("/latest", PAGE.format(text="new"))
    capture(workers, url)
    _, newest = _stamp(client, url)
    for modifier in ("id_", "mp_", "im_"):
        answer = client.get(f"/web/{modifier}/{url}", follow_redirects=False)
        assert answer.status_code == 302, (modifier, answer.status_code, answer.text)
        assert answer.headers["location"] == f"/web/{newest}{modifier}/{url}"
    raw = client.get(f"/web/id_/{url}")
    assert raw.status_code == 200 and raw.content == PAGE.format(text="new").encode()

def test_a_timestamp_longer_than_14_digits_is_refused_as_such(workers, client: TestClient, pages: PageServer) -> None:
    """A replay timestamp is 1 to 14 digits (YYYYMMDDhhmmss): a longer one (milliseconds added,
    a digit too many) is a 422 that says so, not a TimeGate lookup of a URL with no host."""
    url = pages.set("/story", PAGE.format(text="before the vote"))
    capture(workers, url)
    (stamp,) = _stamp(client, url)
    for path in (f"/web/{stamp}123/{url}", f"/web/{stamp}0id_/{url}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 422, (path, answer.status_code, answer.text)
        assert answer.json()["error"] == "invalid_input"
        assert "1 to 14 digits" in answer.json()["detail"], answer.json()
    assert client.get(f"/web/{stamp}/{url}").status_code == 200



def test_a_malformed_timestamp_is_refused_as_such(workers, client: TestClient, pages: PageServer) -> None:
    """``2021x``, ``2021-03-04``, ``20210304T101010``: a typo in a timestamp is a 422 naming the
    timestamp, not a TimeGate lookup that blames a URL "with no host"."""
    url = pages.set("/typo", PAGE.format(text="typo"))
    capture(workers, url)
    for stamp in ("2021x", "2021-03-04", "20210304T101010", "2021ID_", "2021id"):
        answer = client.get(f"/web/{stamp}/{url}", follow_redirects=False)
        assert answer.status_code == 422, (stamp, answer.status_code, answer.text)
        assert stamp in answer.json()["detail"] and "timestamp" in answer.json()["detail"], answer.json()
    assert client.get(f"/web/{url}", follow_redirects=False).status_code == 302

def test_identity_view_returns_the_original_bytes_and_safe_headers(
    workers, client: TestClient, pages: PageServer
) -> None:
    body = PAGE.format(text="identity").encode()
    url = pages.set("/raw", body, headers={"Content-Type": "text/html; charset=utf-8", "X-Custom": "42",
                                           "Set-Cookie": "session=abc"})
    capture(workers, url)
    (stamp,) = _stamp(client, url)
    response = client.get(f"/web/{stamp}id_/{url}")
    assert response.status_code == 200
    assert response.content == body
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-archive-orig-x-custom"] == "42"
    assert response.headers["x-archive-orig-set-cookie"] == "session=abc"
    assert "set-cookie" not in response.headers
    assert response.headers["memento-datetime"]
    assert "allow-same-origin" not in response.headers["content-security-policy"]



def test_identity_view_of_a_gzipped_chunked_response_is_its_bytes_with_their_encoding(
    workers, client: TestClient, pages: PageServer
) -> None:
    """``id_`` sends the gzip bytes as archived with ``Content-Encoding: gzip`` (a client decodes
    them as the site's own would be); the transfer framing is gone, its header named once as
    archived (``X-Archive-Orig-Transfer-Encoding``, the WARC's name), not prefixed a second time."""
    html = PAGE.format(text="compressed and chunked").encode()
    compressed = gzip.compress(html)

    def answer(handler) -> None:  # noqa: ANN001 - http.server's handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(compressed), 64):
            part = compressed[start:start + 64]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        handler.wfile.write(b"0\r\n\r\n")

    pages.routes["/chunked"] = Route(handler=answer)
    url = pages.url("/chunked")
    capture(workers, url)
    (stamp,) = _stamp(client, url)
    with client.stream("GET", f"/web/{stamp}id_/{url}") as response:
        sent = b"".join(response.iter_raw())
        headers = response.headers
    assert sent == compressed
    assert (headers["content-encoding"], headers["content-length"]) == ("gzip", str(len(compressed)))
    assert headers["x-archive-orig-transfer-encoding"] == "chunked"
    assert not [name for name in headers if name.lower().startswith("x-archive-orig-x-archive-orig-")], headers
    assert "transfer-encoding" not in headers

def test_revisit_replays_the_referred_payload_with_its_own_date(workers, client: TestClient, pages: PageServer) -> None:
    url = pages.set("/same", PAGE.format(text="unchanged"))
    capture(workers, url)
    next_second()
    capture(workers, url)
    lines = [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]
    assert [line["mime"] for line in lines] == ["text/html", "warc/revisit"]
    assert lines[0]["digest"] == lines[1]["digest"]
    revisit = client.get(f"/web/{lines[1]['timestamp']}id_/{url}")
    assert revisit.status_code == 200
    assert revisit.content == pages.routes["/same"].body
    assert parse_http_date(revisit.headers["memento-datetime"]).strftime("%Y%m%d%H%M%S") == lines[1]["timestamp"]
    rewritten = client.get(f"/web/{lines[1]['timestamp']}/{url}")
    assert b"unchanged since an earlier capture" in rewritten.content
    history = client.get("/v1/history", params={"url": url}).json()
    assert history["revisits"] == 1 and history["bytes_saved"] == len(pages.routes["/same"].body)


def test_timegate_and_timemaps(workers, client: TestClient, pages: PageServer) -> None:
    url = pages.set("/tg", PAGE.format(text="one"))
    capture(workers, url)
    next_second()
    pages.set("/tg", PAGE.format(text="two"))
    capture(workers, url)
    first, second = _stamp(client, url)

    gate = client.get(f"/web/{url}", headers={"Accept-Datetime": "Thu, 01 Jan 1998 00:00:00 GMT"},
                      follow_redirects=False)
    assert gate.status_code == 302
    assert gate.headers["location"] == f"http://testserver/web/{first}/{url}"
    assert gate.headers["vary"] == "accept-datetime"
    assert 'rel="original"' in gate.headers["link"] and 'rel="timemap"' in gate.headers["link"]
    probe = client.head(f"/web/{url}", follow_redirects=False)
    assert probe.status_code == 302 and probe.headers["vary"] == "accept-datetime"
    memento = client.head(probe.headers["location"])
    assert memento.status_code == 200 and memento.headers["memento-datetime"]
    assert client.head(f"/timemap/link/{url}").status_code == 200
    latest = client.get(f"/web/{url}", follow_redirects=False)
    assert latest.headers["location"].endswith(f"/web/{second}/{url}")
    assert client.get(f"/web/{url}", headers={"Accept-Datetime": "yesterday"}).status_code == 400

    timemap = client.get(f"/timemap/link/{url}")
    assert timemap.headers["content-type"].startswith("application/link-format")
    lines = timemap.text.strip().split(",\n")
    assert lines[0] == f'<{url}>; rel="original"'
    assert 'rel="self"' in lines[2]
    assert lines[3].startswith(f'<http://testserver/web/{first}/{url}>; rel="first memento"; datetime="')
    assert lines[4].startswith(f'<http://testserver/web/{second}/{url}>; rel="last memento"; datetime="')
    as_json = [json.loads(line) for line in client.get(f"/timemap/json/{url}").text.splitlines()]
    assert [line["timestamp"] for line in as_json] == [first, second]
    assert client.get("/timemap/link/http://127.0.0.1:1/never").status_code == 404
    listed = client.get(f"/web/*/{url}")
    listing = lxml.html.fromstring(listed.content)
    assert [a.get("href") for a in listing.iter("a")][1:] == [f"/web/{second}/{url}", f"/web/{first}/{url}"]
    # Our own page of links: it loads nothing, and no other site may frame it.
    assert "default-src 'none'" in listed.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in listed.headers["content-security-policy"]
    assert listed.headers["x-content-type-options"] == "nosniff"
    assert datetime.now(UTC) >= parse_http_date(latest.headers["link"].rsplit('datetime="', 1)[1].rstrip('"'))


def test_escaped_delimiters_in_the_archived_path_stay_escaped(workers, client: TestClient, pages: PageServer) -> None:
    """``/tags/c%23`` and ``/tags/c`` are two documents: the replay path is read as the client
    sent it, so ``%23`` is not decoded into a fragment that canonicalisation then drops."""
    sharp = pages.set("/tags/c%23", "<html><body><p>the C sharp tag</p></body></html>")
    plain = pages.set("/tags/c", "<html><body><p>the C tag</p></body></html>")
    capture(workers, sharp, plain)
    (stamp,) = _stamp(client, sharp)

    assert b"the C sharp tag" in client.get(f"/web/{stamp}/{sharp}").content
    assert client.get(f"/web/{stamp}id_/{sharp}").content == pages.routes["/tags/c%23"].body
    gate = client.get(f"/web/{sharp}", follow_redirects=False)
    assert gate.headers["location"].endswith(f"/web/{stamp}/{sharp}")
    timemap = client.get(f"/timemap/link/{sharp}").text
    assert timemap.startswith(f"<{sharp}>; rel=\"original\"")
    assert [line["url"] for line in map(json.loads, client.get(f"/timemap/json/{sharp}").text.splitlines())] == [sharp]
    listing = lxml.html.fromstring(client.get(f"/web/*/{sharp}").content)
    assert [a.get("href") for a in listing.iter("a")][1:] == [f"/web/{stamp}/{sharp}"]


def test_a_redirected_capture_resolves_relative_links_against_the_page_it_landed_on(
    workers, client: TestClient, pages: PageServer
) -> None:
    """``/go`` redirected to ``/section/story/``: the archived page's relative URLs are relative
    to where the browser would have been, ``/section/story/``, not to ``/go``."""
    base = pages.base_url
    pages.routes["/go"] = Route(status=302, headers={"Location": f"{base}/section/story/"}, body=b"")
    pages.set("/section/story/", '<html><head><style>p { background: url(dot.png) }</style></head><body>'
                                 '<p><a id="next" href="page-2.html">next</a><img id="pic" src="img/a.png"></p>'
                                 '</body></html>')
    url = pages.url("/go")
    capture(workers, url)
    (stamp,) = _stamp(client, url)

    response = client.get(f"/web/{stamp}/{url}")
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content)
    archive = f"/web/{stamp}"
    assert doc.get_element_by_id("next").get("href") == f"{archive}/{base}/section/story/page-2.html"
    assert doc.get_element_by_id("pic").get("src") == f"{archive}im_/{base}/section/story/img/a.png"
    assert f"url({archive}im_/{base}/section/story/dot.png)" in doc.find(".//style").text


def test_the_last_representable_moment_resolves_to_the_latest_capture(
    workers, client: TestClient, pages: PageServer
) -> None:
    """``99999999999999`` (a common "latest" timestamp) and an Accept-Datetime in 9999 are the
    far future: the latest memento, not an overflow."""
    url = pages.set("/far", PAGE.format(text="far future"))
    capture(workers, url)
    (stamp,) = _stamp(client, url)

    latest = client.get(f"/web/99999999999999/{url}", follow_redirects=False)
    assert latest.status_code == 302 and latest.headers["location"] == f"/web/{stamp}/{url}"
    gate = client.get(f"/web/{url}", headers={"Accept-Datetime": "Fri, 31 Dec 9999 23:59:59 GMT"},
                      follow_redirects=False)
    assert gate.status_code == 302 and gate.headers["location"].endswith(f"/web/{stamp}/{url}")


def test_xhtml_and_untyped_pages_replay_rewritten_as_html(workers, client: TestClient, pages: PageServer) -> None:
    """Rewriting writes HTML syntax, so a rewritten XHTML page is served as text/html (as
    application/xhtml+xml its ``<br>`` is an XML error). A page archived without a Content-Type
    was taken as HTML when it was fetched and extracted, and is replayed as HTML, rewritten."""
    xhtml = pages.set("/x", '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>'
                            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>X</title></head>'
                            '<body><p>line<br/>break</p><a id="next" href="next">next</a></body></html>',
                      headers={"Content-Type": "application/xhtml+xml"})
    untyped = pages.set("/untyped", '<html><body><p>no type</p><a id="next" href="next">next</a></body></html>',
                        headers={})
    capture(workers, xhtml, untyped)
    for url in (xhtml, untyped):
        (stamp,) = _stamp(client, url)
        response = client.get(f"/web/{stamp}/{url}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        doc = lxml.html.fromstring(response.content)
        assert doc.get_element_by_id("next").get("href") == f"/web/{stamp}/{pages.base_url}/next"
        assert doc.get_element_by_id("archivist-banner") is not None
    (stamp,) = _stamp(client, xhtml)
    assert client.get(f"/web/{stamp}/{xhtml}").content.startswith(b"<!DOCTYPE html>")  # standards mode kept
    assert client.get(f"/web/{stamp}id_/{xhtml}").headers["content-type"] == "application/xhtml+xml"


def test_mementos_and_the_timegate_link_their_first_last_prev_and_next_mementos(
    workers, client: TestClient, pages: PageServer
) -> None:
    """RFC 7089's navigation relations, with datetimes: a client steps through time from any
    memento without fetching the TimeMap."""
    url = pages.set("/steps", PAGE.format(text="one"))
    capture(workers, url)
    for text in ("two", "three"):
        next_second()
        pages.set("/steps", PAGE.format(text=text))
        capture(workers, url)
    first, middle, last = _stamp(client, url)

    def memento(stamp: str) -> tuple[str, str]:
        moment = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        return f"http://testserver/web/{stamp}/{url}", moment.strftime("%a, %d %b %Y %H:%M:%S GMT")

    links = link_relations(client.get(f"/web/{middle}/{url}").headers["link"])
    assert links["memento"] == memento(middle)
    assert links["first memento"] == memento(first) and links["prev memento"] == memento(first)
    assert links["next memento"] == memento(last) and links["last memento"] == memento(last)
    assert links["original"] == (url, None)

    oldest = link_relations(client.get(f"/web/{first}/{url}").headers["link"])
    assert "prev memento" not in oldest
    assert oldest["first memento"] == memento(first) and oldest["next memento"] == memento(middle)

    gate = client.get(f"/web/{url}", headers={"Accept-Datetime": "Thu, 01 Jan 2099 00:00:00 GMT"},
                      follow_redirects=False)
    links = link_relations(gate.headers["link"])
    assert links["memento"] == memento(last) and links["prev memento"] == memento(middle)
    assert links["first memento"] == memento(first) and "next memento" not in links


SECURED = """<!DOCTYPE html><html><head><title>Secured</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self' https://cdn.example.net; img-src https://cdn.example.net">
<link id="css" rel="stylesheet" href="https://cdn.example.net/site.css"
 integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin="anonymous">
<link id="font" rel="preload" href="/fonts/body.woff2" as="font" type="font/woff2" crossorigin>
<link id="early-css" rel="preload" href="/site.css" as="style">
<link id="early-js" rel="preload" href="/app.js" as="script">
<link id="module" rel="modulepreload" href="/main.mjs">
</head><body><p>Secured page</p>
<script id="lib" src="https://cdn.example.net/lib.js" integrity="sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
 crossorigin="anonymous"></script></body></html>"""


def test_integrity_crossorigin_and_the_pages_own_csp_do_not_block_replayed_resources(
    workers, client: TestClient, pages: PageServer
) -> None:
    """A rewritten stylesheet no longer has the bytes its ``integrity`` hash names, and the
    sandboxed page's origin is opaque, so a ``crossorigin`` load needs CORS headers the archive
    does not send: browsers refuse both. The page's own ``<meta>`` CSP allows the live CDN, not
    the archive. pywb neutralises all three; preloads name the modifier their resource loads with."""
    url = pages.set("/secured", SECURED)
    capture(workers, url)
    (stamp,) = _stamp(client, url)
    response = client.get(f"/web/{stamp}/{url}")
    assert response.status_code == 200, response.text
    doc = lxml.html.fromstring(response.content)
    archive, base = f"/web/{stamp}", pages.base_url
    for element in (doc.get_element_by_id("css"), doc.get_element_by_id("lib"), doc.get_element_by_id("font")):
        assert element.get("integrity") is None and element.get("crossorigin") is None, lxml.html.tostring(element)
    assert doc.get_element_by_id("css").get("href") == f"{archive}cs_/https://cdn.example.net/site.css"
    assert not [meta for meta in doc.iter("meta") if (meta.get("http-equiv") or "").lower() == "content-security-policy"]
    assert doc.get_element_by_id("font").get("href") == f"{archive}im_/{base}/fonts/body.woff2"
    assert doc.get_element_by_id("early-css").get("href") == f"{archive}cs_/{base}/site.css"
    assert doc.get_element_by_id("early-js").get("href") == f"{archive}js_/{base}/app.js"
    assert doc.get_element_by_id("module").get("href") == f"{archive}js_/{base}/main.mjs"


BROKEN_LINKS = """<!DOCTYPE html><html><head><title>Broken links</title>
<style>.hero { background: url(http://[2001:db8::1/hero.png) } .tile { background: url(tile.png) }</style></head>
<body><p>The page still reads.</p><a id="v6" href="http://[2001:db8::1/page">an unclosed IPv6 host</a>
<a id="named" href="http://[cdn]/x">a name in brackets</a><img id="ctl" src="/img/a\x01b.png">
<div id="styled" style="background: url('http://[::1'); color: red\x02"></div>
<a id="fine" href="/next">next</a></body></html>"""


def test_links_no_url_parser_reads_are_left_as_the_page_had_them(
    workers, client: TestClient, pages: PageServer
) -> None:
    """``href="http://[2001:db8::1/page"`` (an IPv6 host never closed) is a ValueError to
    urljoin, and a control character in a rewritten attribute one to lxml: the replay of any
    page holding either was a 500."""
    url = pages.set("/broken", BROKEN_LINKS)
    capture(workers, url)
    (stamp,) = _stamp(client, url)
    for view in (f"/web/{stamp}/{url}", f"/web/{stamp}mp_/{url}"):
        response = client.get(view)
        assert response.status_code == 200, (view, response.text)
    doc = lxml.html.fromstring(response.content)
    archive, base = f"/web/{stamp}", pages.base_url
    assert doc.get_element_by_id("v6").get("href") == "http://[2001:db8::1/page"
    assert doc.get_element_by_id("named").get("href") == "http://[cdn]/x"
    assert doc.get_element_by_id("ctl").get("src") == f"{archive}im_/{base}/img/a%01b.png"
    assert "url('http://[::1')" in doc.get_element_by_id("styled").get("style")
    assert doc.get_element_by_id("fine").get("href") == f"{archive}/{base}/next"
    style = doc.find(".//style").text
    assert "url(http://[2001:db8::1/hero.png)" in style and f"url({archive}im_/{base}/tile.png)" in style


@pytest.mark.timeout(120)
def test_a_page_with_a_tag_crowded_with_attributes_replays_in_seconds(
    workers, client: TestClient, pages: PageServer
) -> None:
    """libxml2 checks each attribute of a tag against every one before it: one tag of 100,000
    attributes made every replay of its page (and its extraction) take minutes of CPU. The tag
    keeps its first thousand, rewritten as any others; the rest of the page is as it was."""
    crowded = " ".join(f"data-a{number}='{number}'" for number in range(100_000))
    url = pages.set("/crowded", f"<!DOCTYPE html><html><head><title>Crowded</title></head><body>"
                                f"<div id='crowded' {crowded} data-last='x'><a id='in' href='/next'>next</a></div>"
                                "<p>The page still reads.</p></body></html>")
    capture(workers, url)
    (stamp,) = _stamp(client, url)
    response = client.get(f"/web/{stamp}/{url}")
    assert response.status_code == 200, response.text
    doc = lxml.html.fromstring(response.content)
    tag = doc.get_element_by_id("crowded")
    assert len(tag.attrib) == 1000 and tag.get("data-a998") == "998" and tag.get("data-last") is None
    assert doc.get_element_by_id("in").get("href") == f"/web/{stamp}/{pages.base_url}/next"
    assert "The page still reads." in response.text
