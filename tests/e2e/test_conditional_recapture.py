"""Conditional re-capture: a re-capture asks with the validators of the URL's last full response
(``If-None-Match`` / ``If-Modified-Since``), and a ``304 Not Modified`` is archived as a
server-not-modified revisit of it, replayed as that response.

On the real stack (PostgreSQL, SeaweedFS, Redis), the fetch step called directly on pages served
over HTTP on 127.0.0.1 by a server that answers conditional requests.
"""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator

from archivist import views
from archivist.api import create_app
from archivist.runtime import Runtime
from tests.support.clock import next_second
from tests.support.pages import PageServer, Route
from tests.support.stack import capture_in_process

ARTICLE = """<html><head><title>{0}</title></head><body><article><h1>{0}</h1>
<p>The ferry to the island of {0} leaves the harbour at seven, weather permitting, every morning.</p>
<p>Passengers for {0} are asked to be at the quay a quarter of an hour before it casts off.</p>
<p>The timetable for {0} changes in October, when the winter crossings begin again.</p>
{1}</article></body></html>"""
LAST_WEEK = email.utils.format_datetime(datetime.now(UTC) - timedelta(days=7), usegmt=True)
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"



def rows(runtime: Runtime, capture_id: str) -> list:
    with runtime.database.session() as session:
        found = list(runtime.catalog.snapshots_for_capture(session, capture_id))
        session.expunge_all()
    return found


def stored_records(runtime: Runtime, key: str) -> list:
    """The stored object's records as (type, WARC headers, HTTP headers or None, payload)."""
    with runtime.store.open(key) as stream:
        return [
            (record.rec_type, record.rec_headers, record.http_headers, record.content_stream().read())
            for record in ArchiveIterator(stream)
        ]


def conditional_asked(pages: PageServer, path: str) -> list[dict[str, str]]:
    """The validators each request for ``path`` carried."""
    return [{name: value for name, value in asked.items() if name.startswith("if-")} for asked in pages.requests[path]]


def test_an_unchanged_page_answers_304_and_is_archived_as_a_server_not_modified_revisit(
    runtime: Runtime, pages: PageServer
) -> None:
    url = pages.set("/ferry", ARTICLE.format("Inishmore", ""), etag='"ferry-1"', last_modified=LAST_WEEK)
    first = capture_in_process(runtime, url)
    next_second()
    second = capture_in_process(runtime, url)

    assert first["status"] == second["status"] == "archived", (first, second)
    assert conditional_asked(pages, "/ferry") == [{}, {"if-none-match": '"ferry-1"', "if-modified-since": LAST_WEEK}]
    (original,), (revisit,) = rows(runtime, first["id"]), rows(runtime, second["id"])
    assert (revisit.kind, revisit.http_status, revisit.refers_to_id) == ("revisit", 304, original.id)
    assert revisit.payload_digest == original.payload_digest
    assert revisit.payload_length == original.payload_length > 0
    # No new version: the capture joins the version of the response it confirms.
    assert second["record_version_id"] == first["record_version_id"]
    assert views.get_record(runtime, url)["latest_version"] == 1

    # The object: the conditional request, then a revisit with the 304's headers and no payload.
    records = stored_records(runtime, revisit.storage_key)
    assert [kind for kind, *_ in records] == ["warcinfo", "request", "revisit"]
    request_http = records[1][2]
    assert request_http.get_header("If-None-Match") == '"ferry-1"'
    _, warc, http, payload = records[2]
    assert warc.get_header("WARC-Profile") == NOT_MODIFIED
    assert warc.get_header("WARC-Refers-To") == original.warc_record_id
    assert warc.get_header("WARC-Refers-To-Target-URI") == url
    assert warc.get_header("WARC-Refers-To-Date") == original.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert http.get_statuscode() == "304" and http.get_header("ETag") == '"ferry-1"'
    assert payload == b""

    # Replayed as the response it confirms, a memento of its own time; CDX lists it as a 304 revisit.
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        cdx = client.get("/cdx", params={"url": url, "output": "json"})
        lines = [json.loads(line) for line in cdx.text.splitlines()]
        assert [(line["mime"], line["status"]) for line in lines] == [("text/html", "200"), ("warc/revisit", "304")]
        replayed = client.get(f"/web/{lines[1]['timestamp']}id_/{url}")
        assert replayed.status_code == 200
        assert replayed.content == pages.routes["/ferry"].body
        assert replayed.headers["content-type"] == "text/html; charset=utf-8"
        assert (
            email.utils.parsedate_to_datetime(replayed.headers["memento-datetime"]).strftime("%Y%m%d%H%M%S")
            == lines[1]["timestamp"]
        )


def test_a_changed_page_is_fetched_whole_and_makes_a_version(runtime: Runtime, pages: PageServer) -> None:
    url = pages.set("/timetable", ARTICLE.format("Inisheer", ""), etag='"t-1"')
    first = capture_in_process(runtime, url)
    pages.set(
        "/timetable", ARTICLE.format("Inisheer", "<p>Winter crossings are cancelled this year.</p>"), etag='"t-2"'
    )
    next_second()
    second = capture_in_process(runtime, url)

    assert conditional_asked(pages, "/timetable")[1] == {"if-none-match": '"t-1"'}
    (changed,) = rows(runtime, second["id"])
    assert (changed.kind, changed.http_status, changed.etag) == ("response", 200, '"t-2"')
    assert second["record_version_id"] != first["record_version_id"]
    assert "cancelled" in views.get_record(runtime, url)["body"]


def test_a_304_to_a_request_that_was_not_conditional_is_a_bad_response(runtime: Runtime, pages: PageServer) -> None:
    never = pages.set("/never-seen", b"", status=304)
    assert (capture_in_process(runtime, never)["status"], capture_in_process(runtime, never)["reason"]) == ("failed", "bad_response")

    # Captured once without validators: the next request asks nothing, so a 304 answers nothing.
    plain = pages.set("/no-validators", ARTICLE.format("Inishmaan", ""))
    assert capture_in_process(runtime, plain)["status"] == "archived"
    pages.set("/no-validators", b"", status=304)
    next_second()
    failed = capture_in_process(runtime, plain)
    assert (failed["status"], failed["reason"]) == ("failed", "bad_response")
    assert conditional_asked(pages, "/no-validators") == [{}, {}]
    assert views.get_record(runtime, plain)["latest_version"] == 1


def test_a_304_confirming_a_response_gone_from_storage_is_asked_again_in_full(
    runtime: Runtime, pages: PageServer
) -> None:
    """The confirmed response is read only once the site answered 304 (a changed page costs no
    read); found gone, the page is asked for again without validators and stored whole."""
    url = pages.set("/harbour", ARTICLE.format("Clare", ""), etag='"h-1"', last_modified=LAST_WEEK)
    first = capture_in_process(runtime, url)
    (original,) = rows(runtime, first["id"])
    runtime.store.delete(original.storage_key)
    next_second()
    second = capture_in_process(runtime, url)

    assert second["status"] == "archived", second
    assert conditional_asked(pages, "/harbour") == [
        {}, {"if-none-match": '"h-1"', "if-modified-since": LAST_WEEK}, {}]
    # Stored whole: a revisit of the lost response would replay nothing.
    (stored,) = rows(runtime, second["id"])
    assert (stored.kind, stored.http_status, stored.refers_to_id) == ("response", 200, None)
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        replayed = client.get(f"/web/{stored.captured_at.strftime('%Y%m%d%H%M%S')}id_/{url}")
    assert replayed.status_code == 200 and replayed.content == pages.routes["/harbour"].body


def test_a_weak_etag_goes_back_as_is_and_a_last_modified_in_the_future_not_at_all(
    runtime: Runtime, pages: PageServer
) -> None:
    tomorrow = email.utils.format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    weak = pages.set("/weak", ARTICLE.format("Aran", ""), etag='W/"aran-7"', last_modified=tomorrow)
    ahead = pages.set("/ahead", ARTICLE.format("Galway", ""), last_modified=tomorrow)
    capture_in_process(runtime, weak), capture_in_process(runtime, ahead)
    next_second()
    weak_again, ahead_again = capture_in_process(runtime, weak), capture_in_process(runtime, ahead)

    assert conditional_asked(pages, "/weak")[1] == {"if-none-match": 'W/"aran-7"'}
    assert conditional_asked(pages, "/ahead")[1] == {}
    (not_modified,), (same_payload,) = rows(runtime, weak_again["id"]), rows(runtime, ahead_again["id"])
    assert (not_modified.kind, not_modified.http_status) == ("revisit", 304)
    assert (same_payload.kind, same_payload.http_status) == ("revisit", 200)  # identical payload, fetched whole


def test_each_page_of_an_article_asks_about_its_own_capture(runtime: Runtime, pages: PageServer) -> None:
    pager = '<nav><a href="/crossing">1</a> <a href="/crossing?page=2">2</a> <a href="/crossing?page=3">3</a></nav>'
    url = pages.set("/crossing", ARTICLE.format("Crossing one", pager), etag='"p1"')
    pages.set("/crossing?page=2", ARTICLE.format("Crossing two", pager), etag='"p2"')
    pages.set("/crossing?page=3", ARTICLE.format("Crossing three", pager), etag='"p3"')
    first = capture_in_process(runtime, url)
    assert first["status"] == "archived" and len(first["snapshots"]) == 3, first

    pages.set(
        "/crossing?page=2",
        ARTICLE.format(
            "Crossing two", pager + "<p>The second crossing now stops at Kilronan pier on its way back.</p>"
        ),
        etag='"p2b"',
    )
    next_second()
    second = capture_in_process(runtime, url)

    assert second["status"] == "archived", second
    for path, etag in (("/crossing", '"p1"'), ("/crossing?page=2", '"p2"'), ("/crossing?page=3", '"p3"')):
        assert conditional_asked(pages, path)[1] == {"if-none-match": etag}
    by_page = {row.url: (row.kind, row.http_status) for row in rows(runtime, second["id"])}
    assert by_page == {
        url: ("revisit", 304),
        pages.url("/crossing?page=2"): ("response", 200),
        pages.url("/crossing?page=3"): ("revisit", 304),
    }
    record = views.get_record(runtime, url)
    assert record["latest_version"] == 2
    assert "Kilronan" in record["body"] and "Crossing one" in record["body"] and "Crossing three" in record["body"]


def test_behind_a_redirect_only_the_url_that_sent_the_validators_is_asked(runtime: Runtime, pages: PageServer) -> None:
    pages.routes["/?p=12"] = Route(status=301, headers={"Location": f"{pages.base_url}/2024/05/pier/"})
    pages.set("/2024/05/pier/", ARTICLE.format("Pier", ""), etag='"pier-1"')
    submitted = pages.url("/?p=12")
    first = capture_in_process(runtime, submitted)
    next_second()
    second = capture_in_process(runtime, submitted)

    assert second["status"] == "archived", second
    assert conditional_asked(pages, "/?p=12") == [{}, {}]  # the redirect is asked nothing
    assert conditional_asked(pages, "/2024/05/pier/") == [{}, {"if-none-match": '"pier-1"'}]
    (original,), (revisit,) = rows(runtime, first["id"]), rows(runtime, second["id"])
    assert (revisit.kind, revisit.http_status, revisit.refers_to_id) == ("revisit", 304, original.id)
    assert revisit.redirects["final_url"] == pages.url("/2024/05/pier/")
    kinds = [kind for kind, *_ in stored_records(runtime, revisit.storage_key)]
    assert kinds == ["warcinfo", "request", "response", "request", "revisit"]  # the hop, then the 304
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        stamp = revisit.captured_at.strftime("%Y%m%d%H%M%S")
        replayed = client.get(f"/web/{stamp}id_/{pages.url('/2024/05/pier/')}")
    assert replayed.status_code == 200 and replayed.content == pages.routes["/2024/05/pier/"].body
