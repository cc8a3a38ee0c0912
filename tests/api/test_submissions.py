"""Bad submissions through a real API process on PostgreSQL, Redis and S3.

Every bad input gets a clear answer (the right status and a message that names the problem),
never a 500, and a batch is recorded whole: one bad URL does not cost the good ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx


def post_json(client: httpx.Client, path: str, document: object) -> httpx.Response:
    """POST ``document`` as JSON text exactly as given: escapes such as a lone ``\\ud800`` included."""
    return client.post(path, content=json.dumps(document), headers={"Content-Type": "application/json"})


#: What a JSON body or a command line can carry and no catalog column can hold: NUL (PostgreSQL
#: text refuses it) and lone surrogates (they have no UTF-8 form), in a host and in a path.
#: Each with the text it is shown as: the character as an escape, the rest as sent.
UNSTORABLE = {
    "http://exa\x00mple.com/": "http://exa\\x00mple.com/",
    "http://example.com/\x00page": "http://example.com/\\x00page",
    "http://\ud800.example.com/": "http://\\ud800.example.com/",
    "http://example.com/\ud800": "http://example.com/\\ud800",
}


def test_urls_no_catalog_can_store_are_refused_alone_and_the_batch_recorded(client: httpx.Client) -> None:
    response = post_json(client, "/v1/captures", {"urls": ["https://example.com/first", *UNSTORABLE,
                                                           "https://example.com/last"]})
    assert response.status_code == 202, response.text
    first, *refused, last = response.json()["captures"]
    assert (first["status"], last["status"]) == ("queued", "queued")
    for capture, shown_as in zip(refused, UNSTORABLE.values(), strict=True):
        assert (capture["status"], capture["reason"]) == ("failed", "invalid_url"), capture
        assert capture["url"] == shown_as
        shown = client.get(f"/v1/captures/{capture['id']}")
        assert shown.status_code == 200, shown.text
        assert (shown.json()["status"], shown.json()["url"]) == ("failed", capture["url"])


def test_urls_with_credentials_are_refused_and_the_secret_kept_nowhere(client: httpx.Client) -> None:
    """An archive must not store or replay secrets: the capture is refused, shown without them."""
    response = post_json(client, "/v1/captures", {"urls": ["https://user:s3cret@example.com/private",
                                                           "https://example.com\\@s3cret.example/",
                                                           "https://ex%61mple.com%40s3cret.example/",
                                                           "https://ex%61mple.com/x"]})
    assert response.status_code == 202, response.text
    refused, backslashed, escaped, decoded = response.json()["captures"]
    assert (refused["status"], refused["reason"], refused["url"]) == (
        "failed", "invalid_url", "https://***@example.com/private")
    shown = client.get(f"/v1/captures/{refused['id']}")
    assert "credentials" in shown.text and "s3cret" not in shown.text
    # A backslash is a path separator to a browser: the host is example.com, with no user name.
    assert (backslashed["status"], backslashed["url"]) == ("queued", "https://example.com/@s3cret.example/")
    # A browser decodes a host's escapes, and an "@" so decoded is no user name: refused.
    assert (escaped["status"], escaped["reason"]) == ("failed", "invalid_url"), escaped
    assert (decoded["status"], decoded["url"]) == ("queued", "https://example.com/x")

    schedule = post_json(client, "/v1/schedules", {"url": "https://user:s3cret@example.com/", "interval": "1d"})
    assert schedule.status_code == 422, schedule.text
    assert "credentials" in schedule.text and "s3cret" not in schedule.text


def test_a_web_scheme_without_its_slashes_is_refused_for_what_it_lacks(client: httpx.Client) -> None:
    """``http:example.com`` was refused as "unsupported scheme 'http': only http and https can be
    archived", which contradicts itself; the answer names the missing "//"."""
    response = post_json(client, "/v1/captures", {"urls": ["http:example.com/page", "HTTPS:example.com"]})
    assert response.status_code == 202, response.text
    for capture in response.json()["captures"]:
        assert (capture["status"], capture["reason"]) == ("failed", "invalid_url"), capture
        assert "unsupported scheme" not in capture["message"] and "//" in capture["message"], capture
    replayed = client.get("/web/2024/http:example.com/page")
    assert replayed.status_code == 422 and "//" in replayed.json()["detail"], replayed.text


def test_numbers_too_large_to_represent_are_refused_clearly(client: httpx.Client) -> None:
    for path, document in [
        ("/v1/captures", {"urls": ["https://example.com/"], "if_not_archived_within": "99999999999d"}),
        ("/v1/schedules", {"url": "https://example.com/", "interval": "99999999999w"}),
    ]:
        response = post_json(client, path, document)
        assert response.status_code == 422, response.text
        assert "too long" in response.text
    response = client.get("/v1/search", params={"q": "anything", "page": str(10**20)})
    assert response.status_code == 422, response.text
    assert "page" in response.text


def test_identifiers_no_row_can_have_are_not_found(client: httpx.Client) -> None:
    """Ids are UUIDs; any other text names nothing, a NUL included (PostgreSQL refuses it in a
    comparison, which was a 500), in the API and in the pages alike."""
    for path in ["/v1/captures/a%00b", "/v1/records/a%00b", "/v1/records/a%00b/diff", "/v1/captures/0",
                 "/records/a%00b", "/captures?id=a%00b"]:
        answer = client.get(path)
        assert answer.status_code == 404, (path, answer.text)
    assert client.delete("/v1/schedules/a%00b").status_code == 404


def test_a_search_host_that_is_no_host_is_refused_clearly(client: httpx.Client) -> None:
    for host in ["[1, 'null']", "]x[", "http://[::1", "a\x00b"]:
        response = client.get("/v1/search", params={"host": host})
        assert response.status_code == 422, (host, response.text)
        assert "is not a host name" in response.json()["detail"]


def test_malformed_request_bodies_are_refused_with_what_is_wrong(client: httpx.Client) -> None:
    for content, content_type, words in [
        (b'{"urls": ["https://example.com/"', "application/json", "JSON"),
        (b"https://example.com/", "text/plain", "application/json"),
        (b'{"urls": []}', "application/json", "at least 1"),
        (b'{"urls": "https://example.com/"}', "application/json", "list"),
        (b'{"url": "https://example.com/"}', "application/json", "urls"),
    ]:
        response = client.post("/v1/captures", content=content, headers={"Content-Type": content_type})
        assert response.status_code == 422, response.text
        assert words in response.json()["detail"], response.text
        assert response.json()["error"] == "invalid_input"  # the shape of every other error


def test_a_body_that_is_missing_or_not_json_is_named_and_its_fault_said(client: httpx.Client) -> None:
    """A problem with the whole body was said without saying where ("Field required" for no body
    at all) and JSON's own complaint was dropped ("32: JSON decode error", 32 being where)."""
    for path, content, detail in [
        ("/v1/captures", b"", "body: Field required"),
        ("/v1/schedules", b"", "body: Field required"),
        ("/v1/captures", b'{"urls": ["https://example.com/"', "body: not JSON: Expecting ',' delimiter at character 32"),
        ("/v1/captures", b"[]", "body: Input should be a valid dictionary or object to extract fields from"),
    ]:
        response = client.post(path, content=content, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == detail, (path, content)


def test_a_json_body_sent_as_another_type_is_told_to_send_it_as_json(client: httpx.Client) -> None:
    """FastAPI reads a body as JSON only under a JSON Content-Type: a well-formed body sent as
    text/plain (curl's -d sends form-urlencoded) or with none was told "Input should be a valid
    dictionary", which names neither the body's type nor the fix."""
    body = b'{"urls": ["https://example.com/"]}'
    for headers, sent in [({"Content-Type": "text/plain"}, "text/plain"),
                          ({"Content-Type": "application/x-www-form-urlencoded"}, "application/x-www-form-urlencoded"),
                          ({}, "none")]:
        response = client.post("/v1/schedules", content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_input", response.text
        detail = response.json()["detail"]
        assert detail.startswith("body: must be JSON sent as Content-Type: application/json") and sent in detail, detail


def test_the_cli_reads_a_url_file_that_is_not_utf8_line_by_line(production_env: dict[str, str], tmp_path: Path) -> None:
    """A file of URLs with one line in Latin-1: that line is refused or queued, the others queued."""
    from tests.e2e.test_embedded import run_cli

    urls = tmp_path / "urls.txt"
    urls.write_bytes(b"https://example.com/one\nhttps://ex\xe9mple.com/caf\xe9\nhttps://example.com/three\n")
    done = run_cli("submit", "--file", str(urls), home=tmp_path, env=production_env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["url"] for line in lines[::2]] == ["https://example.com/one", "https://example.com/three"]
    assert len(lines) == 3
    assert lines[1]["status"] in ("queued", "failed")
