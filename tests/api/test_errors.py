"""The API's errors as a client sees them, through a real API process: one shape for every
error, the framework's own included, and an OpenAPI description that says so.

A client generated from ``/openapi.json`` must be able to read every error it is given: the
schema of each documented error is :class:`~archivist.api.schemas.ErrorBody`, never FastAPI's
default validation-error shape, which the API does not send.
"""

from __future__ import annotations

import httpx


def test_every_documented_error_is_the_shape_the_api_sends(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    error_body = spec["components"]["schemas"]["ErrorBody"]
    assert set(error_body["required"]) == {"error", "detail"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            documented = {status: answer for status, answer in operation["responses"].items() if status[0] in "45"}
            assert "422" in documented and "503" in documented, (method, path)
            for status, answer in documented.items():
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)

    # And what the API answers for a refused input is that shape.
    refused = client.get("/v1/records", params={"version": "0"})
    assert refused.status_code == 422
    assert set(refused.json()) <= set(error_body["properties"]) and refused.json()["error"] == "invalid_input"


def test_the_frameworks_own_errors_have_the_same_shape(client: httpx.Client) -> None:
    unreadable = client.post("/v1/captures", content=b'{"urls": ["\xff\xfe"]}',
                             headers={"Content-Type": "application/json"})
    assert unreadable.status_code == 400, unreadable.text
    assert unreadable.json() == {"error": "bad_request", "detail": "There was an error parsing the body"}

    unknown = client.get("/v1/no-such-thing")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")


def test_a_method_not_allowed_names_every_method_the_path_takes(client: httpx.Client) -> None:
    """RFC 9110: ``Allow`` lists the methods the resource supports, not one route's."""
    for path, allowed in [("/v1/schedules", {"GET", "HEAD", "POST"}), ("/v1/captures", {"POST"}),
                          ("/web/2024/https://example.com/", {"GET", "HEAD"})]:
        refused = client.put(path, json={})
        assert refused.status_code == 405, (path, refused.text)
        assert set(refused.headers["Allow"].split(", ")) == allowed, path
        assert refused.json()["error"] == "method_not_allowed"


def test_openapi_names_each_operation_once_and_the_media_types_it_answers(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operations = [(method, path, operation) for path, methods in spec["paths"].items()
                  for method, operation in methods.items()]
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)), "a generated client needs one operationId per operation"
    assert {method for method, path, _ in operations if path == "/web/{path}"} == {"get", "head"}
    assert set(spec["paths"]["/cdx"]["get"]["responses"]["200"]["content"]) == {"text/x-cdxj", "application/x-ndjson",
                                                                           "text/plain"}
    answered = client.get("/cdx", params={"url": "https://example.com/"})
    assert answered.status_code == 200 and answered.headers["content-type"].startswith("text/x-cdxj")


def test_a_replay_url_with_an_escape_that_is_not_utf8_is_looked_up_as_sent(client: httpx.Client) -> None:
    """``/caf%E9`` (a Latin-1 site's link) reached the lookup as ``/caf\ufffd``, another URL: the
    router decodes the path as UTF-8 and the escape was not found again in the raw path."""
    for path in ["/web/2024/http://example.com/caf%E9", "/web/2024id_/http://example.com/caf%E9",
                 "/web/http://example.com/caf%E9", "/web/*/http://example.com/caf%E9",
                 "/timemap/link/http://example.com/caf%E9", "/timemap/json/http://example.com/caf%E9"]:
        missing = client.get(path)
        assert missing.status_code == 404, (path, missing.text)
        assert missing.json()["detail"] == "http://example.com/caf%E9 is not in the archive", path


def test_head_is_answered_wherever_get_is(client: httpx.Client) -> None:
    """RFC 9110 (9.1): a general-purpose server supports GET and HEAD. FastAPI serves a route
    only the methods it declares, so ``HEAD /v1/records`` was a 405 that said ``Allow: GET``."""
    for path in ["/v1/records?url=https://example.com/", "/v1/search?q=x", "/v1/schedules", "/healthz", "/",
                 "/search", "/openapi.json", "/v1/records?version=0"]:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.content == b"", path
    assert client.head("/v1/captures").status_code == 405  # a POST-only path still refuses it
    assert client.put("/v1/schedules").headers["Allow"] == "GET, HEAD, POST"
