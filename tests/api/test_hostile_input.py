"""Hostile or malformed requests to a real API process: each is answered with a clear error in
the API's one shape (``error``, ``detail``), never a 500, and what is stored is left as it was.

Found by throwing generated and hand-made requests at ``archivist serve`` (schemathesis, and raw
bytes for what no schema describes: bodies that are not UTF-8, numbers JSON cannot hold, lone
UTF-16 surrogates, dates past what a calendar holds, pages past any index).
"""

from __future__ import annotations

import httpx
import pytest

#: A JSON body's ``\\ud800`` escape is a lone surrogate: a Python string, but no UTF-8 text.
LONE_SURROGATE = "\\ud800"


def _refused(response: httpx.Response, status: int = 422) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == "invalid_input" and body["detail"], body
    return body


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_of_bytes_that_are_not_utf8_under_another_type_is_a_422(client: httpx.Client,
                                                                        content_type: str | None) -> None:
    """FastAPI hands a body it does not read as JSON to the schema as bytes, and the refusal's
    ``errors`` echoed them: bytes that are not UTF-8 were a UnicodeDecodeError (500)."""
    headers = {"Content-Type": content_type} if content_type else {}
    for path in ("/v1/captures", "/v1/schedules"):
        body = _refused(client.post(path, content=b"\xff\xfe\x00urls", headers=headers))
        assert "must be JSON" in body["detail"], body


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/captures", '{"urls": [1e400]}'),
    ("/v1/captures", '{"urls": [NaN]}'),
    ("/v1/captures", '{"urls": ["https://example.com/"], "if_not_archived_within": -Infinity}'),
    ("/v1/schedules", '{"url": "https://example.com/", "interval": 1e999}'),
])
def test_a_number_json_cannot_write_is_refused_by_name(client: httpx.Client, path: str, body: str) -> None:
    """Python's JSON reader takes ``1e400`` (infinity) and ``NaN``; the refusal echoing them
    could not be written as JSON ("Out of range float values are not JSON compliant", a 500)."""
    refused = _refused(client.post(path, content=body, headers={"Content-Type": "application/json"}))
    assert all(isinstance(error["input"], str | list | dict) for error in refused["errors"]), refused


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/schedules", f'{{"url": "https://example.com/", "interval": "{LONE_SURROGATE}"}}'),
    ("/v1/captures", f'{{"urls": ["https://example.com/"], "if_not_archived_within": "{LONE_SURROGATE}"}}'),
])
def test_a_lone_surrogate_in_a_refused_field_is_a_422(client: httpx.Client, path: str, body: str) -> None:
    """The refusal quoted the field's value, which UTF-8 cannot encode: a 500."""
    refused = _refused(client.post(path, content=body, headers={"Content-Type": "application/json"}))
    assert "\ufffd" in refused["detail"] or "\\ud800" in refused["detail"], refused
    assert client.get("/v1/schedules").json()["schedules"] == []


@pytest.mark.parametrize("date", [
    "Mon, 01 Jan 99999999999999999999 00:00:00 GMT",  # a year no C integer holds
    "Mon, 01 Jan 2024 99999999999999999999:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 -0100",  # after 9999 once in UTC
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_accept_datetime_past_any_calendar_is_a_400(client: httpx.Client, date: str, method: str) -> None:
    """RFC 7089 4.1.1: a malformed Accept-Datetime is a 400; these were OverflowError (500)."""
    answer = client.request(method, "/web/https://example.com/", headers={"Accept-Datetime": date})
    assert answer.status_code == 400, answer.text
    if method == "GET":
        assert answer.json()["error"] == "invalid_input" and "RFC 1123" in answer.json()["detail"]


def test_a_cdx_page_past_any_index_is_the_past_the_last_page_answer(client: httpx.Client) -> None:
    """``page`` times ``pageSize`` past the largest slice index was a ValueError from islice (500);
    it is past the last page, as any page beyond the lines is (pywb's 400)."""
    for page in ("99999999999999999999999", str(2**63 // 5000 + 1)):
        answer = client.get("/cdx", params={"url": "https://example.com/", "page": page})
        assert answer.status_code == 400, (page, answer.text)
        assert "past the last page" in answer.json()["detail"]


@pytest.mark.parametrize("length", ["\u00b2", "\u0663", "\uff18"])
def test_a_cdx_collapse_length_of_digits_that_are_not_ascii_is_a_422(client: httpx.Client, length: str) -> None:
    """``str.isdigit`` takes "²" (and other scripts' digits) that ``int`` then refused: a 500."""
    refused = _refused(client.get("/cdx", params={"url": "https://example.com/", "collapse": f"timestamp:{length}"}))
    assert "positive number" in refused["detail"]
