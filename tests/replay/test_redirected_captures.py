"""A capture whose fetch was redirected is found under the URL it landed on as well as under the
URL it was requested as: replay, the TimeGate, TimeMaps, the capture list and CDX answer both,
as pywb and the Wayback Machine answer the final URL with the final response. Real redirects
from the local page server, captured by the embedded workers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist.core.urls import urlkey
from archivist.warcfiles import import_warc
from tests.support.clock import next_second
from tests.support.pages import PageServer, Route
from tests.support.stack import capture, link_relations

STORY = ('<html><head><title>Harbour</title></head><body><article><h1>The harbour</h1>'
         '<p>{text}</p><a id="next" href="page-2/">next</a></article></body></html>')


def _cdx(client: TestClient, url: str, **params: str) -> list[dict]:
    response = client.get("/cdx", params={"url": url, "output": "json", **params})
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _shortlink(pages: PageServer, text: str) -> tuple[str, str]:
    """``/?p=7`` answering 301 to ``/2024/05/harbour/``, a URL of another SURT key (a WordPress
    short link); the requested and the landed URL."""
    pages.routes["/?p=7"] = Route(status=301, headers={"Location": f"{pages.base_url}/2024/05/harbour/"})
    landed = pages.set("/2024/05/harbour/", STORY.format(text=text))
    return pages.url("/?p=7"), landed


def test_the_landed_url_replays_the_final_response_with_its_own_memento_headers(
    workers, client: TestClient, pages: PageServer
) -> None:
    requested, landed = _shortlink(pages, "the harbour keeper")
    capture(workers, requested)
    ((line,),) = [_cdx(client, landed)]
    stamp = line["timestamp"]
    assert (line["url"], line["status"], line["mime"]) == (landed, "200", "text/html")
    assert line == {**_cdx(client, requested)[0], "urlkey": line["urlkey"], "url": landed}

    memento = client.get(f"/web/{stamp}/{landed}")
    assert memento.status_code == 200, memento.text
    assert b"the harbour keeper" in memento.content
    doc = lxml.html.fromstring(memento.content)
    assert doc.get_element_by_id("next").get("href") == f"/web/{stamp}/{landed}page-2/"
    links = link_relations(memento.headers["link"])
    assert links["original"] == (landed, None)
    assert links["memento"][0] == f"http://testserver/web/{stamp}/{landed}"
    assert links["timemap"][0] == f"http://testserver/timemap/link/{landed}"
    raw = client.get(f"/web/{stamp}id_/{landed}")
    assert raw.status_code == 200 and raw.content == pages.routes["/2024/05/harbour/"].body

    # An inexact timestamp and the TimeGate lead to the memento under the landed URL.
    assert client.get(f"/web/1999/{landed}", follow_redirects=False).headers["location"] == f"/web/{stamp}/{landed}"
    gate = client.get(f"/web/{landed}", follow_redirects=False)
    assert gate.status_code == 302 and gate.headers["location"] == f"http://testserver/web/{stamp}/{landed}"
    assert link_relations(gate.headers["link"])["original"] == (landed, None)

    timemap = client.get(f"/timemap/link/{landed}")
    assert timemap.status_code == 200
    assert timemap.text.startswith(f"<{landed}>; rel=\"original\"")
    assert f"<http://testserver/web/{stamp}/{landed}>; rel=\"first last memento\"" in timemap.text
    assert [row["url"] for row in map(json.loads, client.get(f"/timemap/json/{landed}").text.splitlines())] == [landed]
    listing = lxml.html.fromstring(client.get(f"/web/*/{landed}").content)
    assert [a.get("href") for a in listing.iter("a")][1:] == [f"/web/{stamp}/{landed}"]

    # The requested URL still answers as itself.
    asked = client.get(f"/web/{stamp}/{requested}")
    assert asked.status_code == 200 and link_relations(asked.headers["link"])["original"] == (requested, None)


def test_captures_through_a_redirect_and_direct_ones_are_one_timeline_of_the_landed_url(
    workers, client: TestClient, pages: PageServer
) -> None:
    """The landed URL's mementos are its direct captures and the redirected ones, in time order,
    linked first/prev/next/last; CDX prefix queries list the redirected capture under both keys."""
    requested, landed = _shortlink(pages, "first")
    capture(workers, landed)
    next_second()
    pages.set("/2024/05/harbour/", STORY.format(text="second"))
    capture(workers, requested)
    next_second()
    pages.set("/2024/05/harbour/", STORY.format(text="third"))
    capture(workers, landed)
    stamps = [line["timestamp"] for line in _cdx(client, landed)]
    assert len(stamps) == 3 and stamps == sorted(stamps)
    first, middle, last = stamps

    assert b"second" in client.get(f"/web/{middle}/{landed}").content
    links = link_relations(client.get(f"/web/{middle}/{landed}").headers["link"])
    assert links["prev memento"][0] == f"http://testserver/web/{first}/{landed}"
    assert links["next memento"][0] == f"http://testserver/web/{last}/{landed}"
    assert links["first memento"][0] == f"http://testserver/web/{first}/{landed}"
    assert links["last memento"][0] == f"http://testserver/web/{last}/{landed}"
    assert [line["url"] for line in _cdx(client, landed)] == [landed] * 3
    assert [line["timestamp"] for line in _cdx(client, landed, closest=middle, limit="1")] == [middle]
    assert [line["timestamp"] for line in _cdx(client, landed, **{"from": middle, "to": middle})] == [middle]

    # The requested URL's own timeline holds only its capture.
    assert [line["timestamp"] for line in _cdx(client, requested)] == [middle]
    host = [(line["urlkey"], line["url"], line["timestamp"]) for line in _cdx(client, pages.base_url, matchType="host")]
    expected = [(urlkey(requested), requested, middle), *((urlkey(landed), landed, stamp) for stamp in stamps)]
    assert host == sorted(expected, key=lambda line: (line[0].encode(), line[2]))

    # The capture history (API and the timeline page) lists the same captures as the replay.
    landed_history = client.get("/v1/history", params={"url": landed})
    assert landed_history.status_code == 200, landed_history.text
    assert [(c["timestamp"], c["redirected_from"]) for c in landed_history.json()["captures"]] == [
        (first, None), (middle, requested), (last, None)]
    requested_history = client.get("/v1/history", params={"url": requested}).json()
    assert [(c["timestamp"], c["redirected_from"]) for c in requested_history["captures"]] == [(middle, None)]
    assert client.get("/timeline", params={"url": landed}).text.count("/replay/") >= 3


def test_the_record_of_a_redirected_capture_is_found_from_the_url_it_landed_on(
    workers, client: TestClient, pages: PageServer
) -> None:
    """A record is keyed by the page's canonical URL. Here the page declares one that is
    neither the requested nor the landed URL; each of the three finds the record."""
    base = pages.base_url
    pages.routes["/?p=9"] = Route(status=301, headers={"Location": f"{base}/2024/05/lighthouse/?utm_source=feed"})
    landed = pages.set("/2024/05/lighthouse/?utm_source=feed", (
        f'<html><head><title>Lighthouse</title><link rel="canonical" href="{base}/2024/05/lighthouse/"></head>'
        '<body><article><h1>The lighthouse</h1><p>' + "The light stays on through the winter. " * 20
        + '</p></article></body></html>'))
    requested, canonical = pages.url("/?p=9"), f"{base}/2024/05/lighthouse/"
    capture(workers, requested)

    found = {url: client.get("/v1/records", params={"url": url}) for url in (requested, landed, canonical)}
    assert {url: answer.status_code for url, answer in found.items()} == dict.fromkeys(found, 200)
    assert {answer.json()["id"] for answer in found.values()} == {found[canonical].json()["id"]}
    assert found[landed].json()["url"] == canonical


def _records(workers, storage_key: str) -> list[dict[str, str]]:
    """The response and revisit records of a stored snapshot object, as their WARC headers."""
    with workers.runtime.store.open(storage_key) as stream:
        return [dict(record.rec_headers.headers) for record in ArchiveIterator(stream)
                if record.rec_type in ("response", "revisit")]


def test_an_unchanged_recapture_through_a_redirect_refers_to_the_final_response_it_repeats(
    workers, client: TestClient, pages: PageServer
) -> None:
    """WARC-Refers-To-Target-URI is the WARC-Target-URI of the record the revisit refers to: the
    final response (the landed URL), not the redirect the URL first answered. pywb and other
    readers resolve a revisit by that URI and date."""
    requested, landed = _shortlink(pages, "unchanged")
    capture(workers, requested)
    next_second()
    capture(workers, requested)
    original, repeat = _cdx(client, requested)
    assert repeat["mime"] == "warc/revisit"

    final = _records(workers, original["filename"])[-1]
    revisit = _records(workers, repeat["filename"])[-1]
    assert final["WARC-Target-URI"] == landed and revisit["WARC-Target-URI"] == landed
    assert revisit["WARC-Refers-To"] == final["WARC-Record-ID"]
    assert revisit["WARC-Refers-To-Target-URI"] == final["WARC-Target-URI"]
    assert client.get(f"/web/{repeat['timestamp']}id_/{landed}").content == pages.routes["/2024/05/harbour/"].body


def test_an_imported_revisit_of_the_landed_url_refers_to_the_final_response_captured_through_a_redirect(
    workers, client: TestClient, pages: PageServer, tmp_path: Path
) -> None:
    """A crawler's WARC revisits the landed URL with the payload we captured through the
    redirect: the import resolves it to that capture and names its final URL as the target."""
    requested, landed = _shortlink(pages, "crawled later")
    capture(workers, requested)
    (original,) = _cdx(client, landed)
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        revisit = writer.create_revisit_record(landed, original["digest"], landed, "2024-05-01T10:00:00Z",
                                               http_headers=http)
        later = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)  # after our capture
        revisit.rec_headers.replace_header("WARC-Date", later.strftime("%Y-%m-%dT%H:%M:%SZ"))
        writer.write_record(revisit)
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream)
    assert (report.revisits, dict(report.skipped)) == (1, {})

    imported = _cdx(client, landed)[-1]
    timestamp = later.strftime("%Y%m%d%H%M%S")
    assert (imported["timestamp"], imported["mime"]) == (timestamp, "warc/revisit")
    stored = _records(workers, imported["filename"])[-1]
    assert stored["WARC-Refers-To-Target-URI"] == landed
    assert stored["WARC-Refers-To"] == _records(workers, original["filename"])[-1]["WARC-Record-ID"]
    assert client.get(f"/web/{timestamp}id_/{landed}").content == pages.routes["/2024/05/harbour/"].body
