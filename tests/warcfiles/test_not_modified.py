"""Server-not-modified revisits (a site's ``304 Not Modified`` to a conditional re-capture) in
WARC files: exported with the response they confirm, indexed as pywb's indexer indexes them, and
imported from Heritrix's WARCs, which write them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist import views
from archivist.warcfiles import import_warc
from tests.support.clock import next_second
from tests.support.pages import PageServer
from tests.support.stack import capture, run_cli

PAGE = (
    "<html><head><title>{0}</title></head><body><article><h1>{0}</h1>"
    "<p>{0}: the lifeboat crew trained off the pier on Sunday in a strong westerly.</p>"
    "<p>The station asks for volunteers for the summer season, when the crossings are busiest.</p>"
    "</article></body></html>"
)
NOT_MODIFIED_1_0 = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
NOT_MODIFIED_1_1 = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
LAST_MODIFIED = "Mon, 04 Mar 2024 09:00:00 GMT"


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _cdx(client: TestClient, url: str) -> list[dict]:
    return [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]


def test_an_export_of_a_304_revisit_brings_its_original_and_indexes_as_pywb_does(
    workers, client: TestClient, pages: PageServer, tmp_path: Path
) -> None:
    url = pages.set("/lifeboat", PAGE.format("Lifeboat"), etag='"lb-1"', last_modified=LAST_MODIFIED)
    capture(workers, url)
    next_second()
    capture(workers, url)
    lines = _cdx(client, url)
    assert [(line["mime"], line["status"]) for line in lines] == [("text/html", "200"), ("warc/revisit", "304")]

    out = tmp_path / "recent.warc.gz"
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    result = run_cli("export", "--warc", str(out), "--url", url, "--since", lines[1]["timestamp"], env=env)
    assert result.returncode == 0, result.stderr
    with out.open("rb") as stream:
        records = [
            (r.rec_type, dict(r.rec_headers.headers))
            for r in ArchiveIterator(stream)
            if r.rec_type in ("response", "revisit")
        ]
    # The revisit is newer than --since; the response it confirms is not, and comes first.
    assert [kind for kind, _ in records] == ["response", "revisit"]
    (_, response), (_, revisit) = records
    assert revisit["WARC-Profile"] == NOT_MODIFIED_1_1
    assert revisit["WARC-Refers-To"] == response["WARC-Record-ID"]
    assert revisit["WARC-Refers-To-Date"] == response["WARC-Date"]
    assert revisit["WARC-Payload-Digest"] == response["WARC-Payload-Digest"]

    checked = subprocess.run([_tool("warcio"), "check", "-v", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    indexed = subprocess.run([_tool("cdxj-indexer"), str(out)], capture_output=True, text=True)
    assert indexed.returncode == 0, indexed.stderr
    theirs = {
        (key, stamp, fields["mime"], fields["status"], fields["digest"])
        for key, stamp, fields in (
            (key, stamp, json.loads(rest))
            for key, stamp, rest in (line.split(" ", 2) for line in indexed.stdout.splitlines() if line)
        )
        if fields["mime"] != "warc/request"
    }
    ours = {(line["urlkey"], line["timestamp"], line["mime"], line["status"], line["digest"]) for line in lines}
    assert ours == theirs


def _heritrix_response(writer: WARCWriter, url: str, body: bytes, date: str):  # noqa: ANN202
    headers = StatusAndHeaders(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"h-1"'), ("Last-Modified", LAST_MODIFIED)],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )


def _heritrix_not_modified(writer: WARCWriter, url: str, date: str, refers_to_date: str):  # noqa: ANN202
    """A 304 revisit as Heritrix writes one: the 304's headers, no payload, marked truncated."""
    headers = StatusAndHeaders(
        "304 Not Modified", [("ETag", '"h-1"'), ("Date", "Tue, 05 Mar 2024 09:00:00 GMT")], protocol="HTTP/1.1"
    )
    return writer.create_warc_record(
        url,
        "revisit",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=headers,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Profile": NOT_MODIFIED_1_0,
            "WARC-Truncated": "length",
            "WARC-Refers-To-Target-URI": url,
            "WARC-Refers-To-Date": refers_to_date,
        },
    )


def test_heritrix_304_revisits_import_as_revisits_of_the_response_they_confirm(
    workers, client: TestClient, tmp_path: Path
) -> None:
    runtime = workers.runtime
    crawled = "http://heritrix.example.org/tides"
    elsewhere = "http://heritrix.example.org/harbour"
    body = PAGE.format("Tides").encode()
    first_crawl, second_crawl = tmp_path / "crawl-1.warc.gz", tmp_path / "crawl-2.warc.gz"
    with first_crawl.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(_heritrix_response(writer, crawled, body, "2024-03-04T10:00:00Z"))
        # In the same file as its original, and confirming it.
        writer.write_record(_heritrix_not_modified(writer, crawled, "2024-03-05T10:00:00Z", "2024-03-04T10:00:00Z"))
    with second_crawl.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        # Its original is in the archive, imported from the first file.
        writer.write_record(_heritrix_not_modified(writer, crawled, "2024-03-06T10:00:00Z", "2024-03-04T10:00:00Z"))
        # Its original was never imported: nothing to replay it as.
        writer.write_record(_heritrix_not_modified(writer, elsewhere, "2024-03-06T10:00:00Z", "2024-02-01T10:00:00Z"))

    reports = []
    for path in (first_crawl, second_crawl):
        with path.open("rb") as stream:
            reports.append(import_warc(runtime, stream).as_dict())
        workers.drain()
    first, second = reports
    assert (first["imported"], first["revisits"], first["skipped"]) == (2, 1, {})
    assert (second["imported"], second["revisits"], second["skipped"]) == (1, 1, {"unresolved_revisit": 1})

    lines = _cdx(client, crawled)
    assert [(line["timestamp"], line["mime"], line["status"]) for line in lines] == [
        ("20240304100000", "text/html", "200"),
        ("20240305100000", "warc/revisit", "304"),
        ("20240306100000", "warc/revisit", "304"),
    ]
    assert len({line["digest"] for line in lines}) == 1
    for line in lines[1:]:
        with runtime.store.open(line["filename"]) as stream:
            (stored,) = [r for r in ArchiveIterator(stream) if r.rec_type == "revisit"]
        assert stored.rec_headers.get_header("WARC-Profile") == NOT_MODIFIED_1_1
        assert stored.http_headers.get_statuscode() == "304"
        replayed = client.get(f"/web/{line['timestamp']}id_/{crawled}")
        assert replayed.status_code == 200 and replayed.content == body
        assert replayed.headers["content-type"] == "text/html; charset=utf-8"
        assert replayed.headers["etag"] == '"h-1"'
    record = views.get_record(runtime, crawled)
    assert record["title"] == "Tides" and record["version"] == 1 and len(record["capture_ids"]) == 3
    assert _cdx(client, elsewhere) == []
