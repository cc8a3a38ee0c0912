"""Captures over time on the production stack: `archivist serve` and `archivist worker` as real
processes on Redis, PostgreSQL and SeaweedFS S3. Revisits store no payload in S3; replay,
Memento, CDX, diffs, schedules, export, import and re-extraction run against them."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import redis
from minio import Minio
from warcio.archiveiterator import ArchiveIterator

from tests.support.clock import next_second
from tests.support.pages import PageServer, wait_for
from tests.support.processes import ApiServer
from tests.support.stack import json_lines, run_cli
from tests.warcfiles.test_import import browsertrix_warc

ARTICLE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
           "<p>The harbour council met on Tuesday to discuss the lighthouse and its future.</p>"
           "<p>{middle}</p></article></body></html>")


def _archive(client: httpx.Client, url: str) -> dict:
    (submitted,) = client.post("/v1/captures", json={"urls": [url]}).json()["captures"]

    def done() -> dict | None:
        body = client.get(f"/v1/captures/{submitted['id']}").json()
        return body if body["status"] in ("archived", "failed") else None

    result = wait_for(done, timeout=120, what=f"capture of {url}")
    assert result["status"] == "archived", result
    return result


def _stored(env: dict[str, str], key: str) -> bytes:
    s3 = Minio(env["ARCHIVIST_S3_ENDPOINT"].split("://", 1)[1], secure=False)
    response = s3.get_object(env["ARCHIVIST_S3_BUCKET"], key)
    try:
        return response.read(decode_content=False)
    finally:
        response.close()


def test_captures_over_time_on_the_production_stack(
    production_stack: ApiServer, pages: PageServer, production_env: dict[str, str], tmp_path: Path
) -> None:
    url = pages.set("/harbour", ARTICLE.format(title="Harbour news", middle="The light stays on."))
    with httpx.Client(base_url=production_stack.base_url, timeout=30) as client:
        first = _archive(client, url)
        next_second()
        second = _archive(client, url)

        # The unchanged re-capture is a revisit: catalog kind, and an S3 object without payload.
        assert [first["snapshots"][0]["kind"], second["snapshots"][0]["kind"]] == ["response", "revisit"]
        revisit_object = _stored(production_env, second["snapshots"][0]["storage_key"])
        records = [(r.rec_type, dict(r.rec_headers.headers), r.raw_stream.read())
                   for r in ArchiveIterator(io.BytesIO(revisit_object))]
        assert [kind for kind, _, _ in records] == ["warcinfo", "request", "revisit"]
        kind, headers, payload = records[2]
        assert payload == b""
        assert headers["WARC-Profile"].endswith("/revisit/identical-payload-digest")
        assert headers["WARC-Payload-Digest"] == first["snapshots"][0]["payload_digest"]
        original_object = _stored(production_env, first["snapshots"][0]["storage_key"])
        original_id = [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(io.BytesIO(original_object))
                       if r.rec_type == "response"][-1]
        assert headers["WARC-Refers-To"] == original_id
        assert headers["WARC-Refers-To-Target-URI"] == url
        assert len(revisit_object) < len(original_object)
        history = client.get("/v1/history", params={"url": url}).json()
        assert history["revisits"] == 1 and history["bytes_saved"] == len(pages.routes["/harbour"].body)

        # Replay and Memento against PostgreSQL and S3.
        cdx = json_lines(client.get("/cdx", params={"url": url, "output": "json"}).text)
        assert [line["mime"] for line in cdx] == ["text/html", "warc/revisit"]
        raw = client.get(f"/web/{cdx[1]['timestamp']}id_/{url}")
        assert raw.status_code == 200 and raw.content == pages.routes["/harbour"].body
        page = client.get(f"/web/{cdx[0]['timestamp']}/{url}")
        assert b'id="archivist-banner"' in page.content
        assert "allow-same-origin" not in page.headers["content-security-policy"]
        gate = client.get(f"/web/{url}", headers={"Accept-Datetime": "Sat, 01 Jan 2000 00:00:00 GMT"})
        assert gate.status_code == 302 and gate.headers["location"].endswith(f"/web/{cdx[0]['timestamp']}/{url}")
        assert 'rel="first memento"' in client.get(f"/timemap/link/{url}").text

        # A change makes a version; the diff shows it.
        pages.set("/harbour", ARTICLE.format(title="Harbour news", middle="The light goes dark in March."))
        _archive(client, url)
        record = client.get("/v1/records", params={"url": url}).json()
        assert record["version"] == 2
        diff = client.get(f"/v1/records/{record['id']}/diff").json()
        assert "+The light goes dark in March." in diff["body"].splitlines()

        # A schedule, run by the scheduler process through the Redis queue to the worker.
        scheduled = pages.set("/tides", ARTICLE.format(title="Tides", middle="High water at six."))
        assert client.post("/v1/schedules", json={"url": scheduled, "interval": "1d"}).status_code == 201
        ran = run_cli("scheduler", "--once", env=production_env)
        assert ran.returncode == 0, ran.stderr
        (due,) = json_lines(ran.stdout)
        wait_for(lambda: client.get(f"/v1/captures/{due['capture_id']}").json()["status"] == "archived",
                 timeout=120, what="the scheduled capture")
        assert json_lines(run_cli("scheduler", "--once", env=production_env).stdout) == []

        # Import a crawler's WARC: the worker extracts it from S3.
        imported = run_cli("import", str(browsertrix_warc(tmp_path / "crawl.warc.gz")), env=production_env)
        assert imported.returncode == 0, imported.stderr
        for capture_id in json_lines(imported.stdout)[0]["capture_ids"]:
            wait_for(lambda c=capture_id: client.get(f"/v1/captures/{c}").json()["status"] == "archived",
                     timeout=120, what="an imported capture")
        assert client.get("/v1/records", params={"url": "https://crawl.example.net/news"}).json()["title"] == "Crawled news"

        # Re-extraction goes through Redis to the worker; nothing is fetched, nothing changes.
        hits = dict(pages.hits)
        queued = run_cli("reextract", "--all", env=production_env)
        assert queued.returncode == 0, queued.stderr
        assert json_lines(queued.stdout) == [{"records": 4, "queued": True}]
        broker = redis.Redis.from_url(production_env["ARCHIVIST_REDIS_URL"])
        wait_for(lambda: broker.hlen("dramatiq:extract.msgs") == 0, timeout=60, what="re-extraction")
        assert client.get("/v1/records", params={"url": url}).json()["version"] == 2
        assert pages.hits == hits

    # Export everything from S3 as one WARC file that warcio accepts.
    out = tmp_path / "export.warc.gz"
    exported = run_cli("export", "--warc", str(out), env=production_env)
    assert exported.returncode == 0, exported.stderr
    checked = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(out)], capture_output=True)
    assert checked.returncode == 0, checked.stdout
    with out.open("rb") as stream:
        kinds = [r.rec_type for r in ArchiveIterator(stream)]
    assert kinds[0] == "warcinfo" and kinds.count("revisit") == 2 and kinds.count("response") == 5


def test_every_stored_snapshot_is_a_warc_file_that_starts_with_warcinfo(
    production_stack: ApiServer, pages: PageServer, production_env: dict[str, str], tmp_path: Path
) -> None:
    """A snapshot object in S3 is a WARC file of its own (CDX names it as ``filename``): it starts
    with a ``warcinfo`` record naming it, every record of the capture (redirect hop, response,
    revisit) carries the capture's one ``WARC-Date`` and names that ``warcinfo`` in
    ``WARC-Warcinfo-ID`` (WARC 1.1, 5.11), each request is linked to its response, and ``warcio
    check`` passes on it."""
    final = pages.set("/moved-here", ARTICLE.format(title="Moved", middle="The ferry timetable changes in May."))
    start = pages.set("/old-place", status=301, headers={"Location": "/moved-here", "Content-Type": "text/html"})
    with httpx.Client(base_url=production_stack.base_url, timeout=30) as client:
        first = _archive(client, start)
        next_second()
        second = _archive(client, start)
    for capture, kinds in ((first, ["warcinfo", "request", "response", "request", "response"]),
                           (second, ["warcinfo", "request", "response", "request", "revisit"])):
        (snapshot,) = capture["snapshots"]
        assert snapshot["final_url"] == final
        stored = tmp_path / snapshot["storage_key"].rsplit("/", 1)[1]
        stored.write_bytes(_stored(production_env, snapshot["storage_key"]))
        checked = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v", str(stored)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        with stored.open("rb") as stream:
            records = [dict(r.rec_headers.headers) for r in ArchiveIterator(stream)]
        assert [r["WARC-Type"] for r in records] == kinds
        info = records[0]
        assert info["WARC-Filename"] == stored.name and "WARC-Target-URI" not in info
        assert info["Content-Type"] == "application/warc-fields"
        stamp = snapshot["timestamp"]
        assert {r["WARC-Date"] for r in records} == {
            f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:]}Z"}
        assert {r["WARC-Warcinfo-ID"] for r in records[1:]} == {info["WARC-Record-ID"]}
        for request, response in zip(records[1::2], records[2::2], strict=True):
            assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
