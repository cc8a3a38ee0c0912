"""WARC import from other tools' shapes (wget, Browsertrix, Heritrix), written here with warcio's
WARCWriter, and broken files that must import nothing."""

from __future__ import annotations

import gzip
import io
import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from archivist import views
from archivist.core.errors import InvalidInput
from archivist.core.urls import urlkey
from archivist.warcfiles import import_warc
from tests.support.stack import json_lines, run_cli

ARTICLE = ("<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
           "<p>The harbour council met on Tuesday to discuss the lighthouse and its future.</p>"
           "<p>Members agreed that the light should stay on through the winter months.</p>"
           "</article></body></html>")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _response(writer: WARCWriter, url: str, body: bytes, date: str, *, content_type: str = "text/html; charset=utf-8",
              status: str = "200 OK", extra: list[tuple[str, str]] | None = None, warc: dict | None = None):  # noqa: ANN202
    headers = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": date, **(warc or {})})


def _request(writer: WARCWriter, url: str, date: str, concurrent_to: str | None = None):  # noqa: ANN202
    path = "/" + url.split("/", 3)[3]
    headers = StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", url.split("/")[2]), ("User-Agent", "Wget/1.21")],
                               is_http_request=True)
    warc = {"WARC-Date": date}
    if concurrent_to:
        warc["WARC-Concurrent-To"] = concurrent_to
    return writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0, http_headers=headers,
                                     warc_headers_dict=warc)


def wget_warc(path: Path) -> Path:
    """wget's shape: warcinfo, then request before response, the response pointing at its request."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "Wget/1.21.3"}))
        for url, body, kind in [("http://wget.example.org/story", ARTICLE.format(title="Wget story").encode(), "text/html"),
                                ("http://wget.example.org/logo.png", PNG, "image/png")]:
            request = _request(writer, url, "2024-01-02T03:04:05Z")
            response = _response(writer, url, body, "2024-01-02T03:04:05Z", content_type=kind,
                                 warc={"WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")})
            writer.write_record(request)
            writer.write_record(response)
        writer.write_record(writer.create_warc_record("metadata://gnu.org/software/wget/warc/wget.log", "resource",
                                                      payload=io.BytesIO(b"log"), warc_content_type="text/plain"))
    return path


def browsertrix_warc(path: Path) -> Path:
    """Browsertrix's shape: response then request (linked from the request), text resources,
    a gzip-encoded page, a 404, and an identical-payload revisit of the first page."""
    url = "https://crawl.example.net/news"
    body = ARTICLE.format(title="Crawled news").encode()
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        first = _response(writer, url, body, "2024-05-01T10:00:00.123Z")
        writer.write_record(first)
        writer.write_record(_request(writer, url, "2024-05-01T10:00:00.123Z",
                                     first.rec_headers.get_header("WARC-Record-ID")))
        writer.write_record(writer.create_warc_record(f"urn:text:{url}", "resource", payload=io.BytesIO(b"Crawled news"),
                                                      warc_content_type="text/plain"))
        writer.write_record(_response(writer, "https://crawl.example.net/gz",
                                      gzip.compress(ARTICLE.format(title="Compressed page").encode()),
                                      "2024-05-01T10:00:01Z", extra=[("Content-Encoding", "gzip")]))
        writer.write_record(_response(writer, "https://crawl.example.net/missing", b"<html>gone</html>",
                                      "2024-05-01T10:00:02Z", status="404 Not Found"))
        digest = first.rec_headers.get_header("WARC-Payload-Digest")
        revisit = writer.create_revisit_record(url, digest, url, "2024-05-01T10:00:00Z",
                                               http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                                                             protocol="HTTP/1.1"))
        revisit.rec_headers.replace_header("WARC-Date", "2024-06-01T10:00:00Z")
        writer.write_record(revisit)
    return path


def heritrix_warc(path: Path) -> Path:
    """An uncompressed WARC with a response and no request record at all."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.0")
        writer.write_record(_response(writer, "http://old.example.com/page?id=2&a=1",
                                      ARTICLE.format(title="Old page").encode(), "2019-12-31T23:59:59Z"))
    return path


def _count_snapshots(client: TestClient, host: str) -> int:
    return len(client.get("/cdx", params={"url": host, "matchType": "domain"}).text.splitlines())


def test_imports_wget_browsertrix_and_heritrix_shapes(workers, client: TestClient, tmp_path: Path) -> None:
    runtime = workers.runtime
    reports = []
    for make in (wget_warc, browsertrix_warc, heritrix_warc):
        with make(tmp_path / f"{make.__name__}.warc.gz").open("rb") as stream:
            reports.append(import_warc(runtime, stream))
        workers.drain()
    wget, crawl, heritrix = (report.as_dict() for report in reports)
    assert (wget["imported"], wget["skipped"]) == (1, {"not_html": 1})
    assert (crawl["imported"], crawl["revisits"], crawl["skipped"]) == (3, 1, {"http_4xx": 1})
    assert heritrix["imported"] == 1

    story = views.get_record(runtime, "http://wget.example.org/story")
    assert story["title"] == "Wget story"
    capture = views.get_capture(runtime, story["capture_ids"][0])
    assert capture["status"] == "archived" and capture["timestamp"] == "20240102030405"
    assert views.get_record(runtime, "https://crawl.example.net/gz")["title"] == "Compressed page"
    assert views.get_record(runtime, "http://old.example.com/page?a=1&id=2")["title"] == "Old page"
    news = views.get_record(runtime, "https://crawl.example.net/news")
    assert news["version"] == 1 and len(news["capture_ids"]) == 2

    # Imported captures replay like our own, revisits included; the request headers came along.
    lines = [json.loads(line) for line in client.get(
        "/cdx", params={"url": "crawl.example.net/news", "output": "json"}).text.splitlines()]
    assert [(line["timestamp"], line["mime"]) for line in lines] == [("20240501100000", "text/html"),
                                                                       ("20240601100000", "warc/revisit")]
    replayed = client.get("/web/20240601100000id_/https://crawl.example.net/news")
    assert replayed.content == ARTICLE.format(title="Crawled news").encode()
    gz = client.get("/web/2024id_/https://crawl.example.net/gz", follow_redirects=True)
    assert gz.content == ARTICLE.format(title="Compressed page").encode()
    assert "content-encoding" not in gz.headers
    with runtime.store.open(lines[0]["filename"]) as stream:
        stored = stream.read()
    assert b"User-Agent: Wget/1.21" in gzip.decompress(stored)
    with runtime.store.open(lines[1]["filename"]) as stream:
        (revisit,) = [r for r in ArchiveIterator(stream) if r.rec_type == "revisit"]
        assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == "https://crawl.example.net/news"
        assert revisit.rec_headers.get_header("WARC-Refers-To", "").startswith("<urn:uuid:")

    # Importing the same file again changes nothing.
    with (tmp_path / "browsertrix_warc.warc.gz").open("rb") as stream:
        again = import_warc(runtime, stream).as_dict()
    assert again["imported"] == 0 and again["skipped"] == {"already_imported": 3, "http_4xx": 1}
    assert _count_snapshots(client, "crawl.example.net") == 3


def test_payloads_are_decoded_whole_and_urls_with_credentials_skipped(workers, tmp_path: Path) -> None:
    """Every gzip member of a payload is decoded, chunked or not; a record whose URL holds
    credentials (which the archive must not keep) or whose encoding cannot be undone is skipped."""
    body = ARTICLE.format(title="Two members").encode()
    members = gzip.compress(body[:100]) + gzip.compress(body[100:])
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (members[:50], members[50:])) + b"0\r\n\r\n"
    path = tmp_path / "odd.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for url, payload, extra in [
            ("https://odd.example.org/members", members, [("Content-Encoding", "gzip")]),
            ("https://odd.example.org/chunked", chunked, [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]),
            ("https://user:s3cret@odd.example.org/private", body, []),
            ("https://odd.example.org/brotli", b"\x8b\x02\x80not really brotli", [("Content-Encoding", "br")]),
            ("https://odd.example.org/fake-gzip", b"<html>not gzip at all</html>", [("Content-Encoding", "gzip")]),
        ]:
            writer.write_record(_response(writer, url, payload, "2024-05-01T10:00:00Z", extra=extra))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (2, {"invalid_url": 1, "bad_encoding": 2})
    for url in ("https://odd.example.org/members", "https://odd.example.org/chunked"):
        record = views.get_record(workers.runtime, url)
        assert record["title"] == "Two members" and "through the winter months" in record["body"]


def test_broken_warcs_import_nothing(workers, client: TestClient, tmp_path: Path) -> None:
    good = wget_warc(tmp_path / "good.warc.gz").read_bytes()
    truncated = tmp_path / "truncated.warc.gz"
    truncated.write_bytes(good[: len(good) - 40])
    plain = heritrix_warc(tmp_path / "plain.warc").read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(plain[: len(plain) // 2])
    two = wget_warc(tmp_path / "two.warc.gz").read_bytes()
    garbage_after = tmp_path / "garbage-after.warc.gz"
    garbage_after.write_bytes(two + b"\x1f\x8b\x08 trailing garbage")
    half_member = tmp_path / "half-member.warc.gz"
    half_member.write_bytes(two + gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n")[:12])
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"this is not a WARC file at all\r\n\r\n")
    cases = ((truncated, "truncated"), (cut, "truncated"), (garbage, "not a WARC"),
             (garbage_after, "gzip"), (half_member, "truncated"))
    for path, message in cases:
        with path.open("rb") as stream, pytest.raises(InvalidInput) as caught:
            import_warc(workers.runtime, stream)
        assert caught.value.reason == "corrupt_warc" and message in caught.value.message, caught.value.message
    assert _count_snapshots(client, "wget.example.org") == 0
    assert _count_snapshots(client, "old.example.com") == 0
    objects = workers.runtime.settings.objects_dir
    assert not objects.exists() or not any(p.is_file() for p in objects.rglob("*"))


def test_import_command(tmp_path: Path) -> None:
    env = {"ARCHIVIST_HOME": str(tmp_path / "home")}
    good = browsertrix_warc(tmp_path / "crawl.warc.gz")
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(good.read_bytes()[:-30])
    result = run_cli("import", str(good), str(broken), env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    (report,) = json_lines(result.stdout)
    assert report["imported"] == 3 and report["revisits"] == 1
    assert "broken.warc.gz" in result.stderr and "nothing imported" in result.stderr
    shown = run_cli("show", "https://crawl.example.net/news", "--json", env=env)
    assert json_lines(shown.stdout)[0]["title"] == "Crawled news"
    raw = run_cli("replay", "https://crawl.example.net/news", "--raw", "--at", "20240501", env=env)
    assert raw.returncode == 0 and raw.stdout == ARTICLE.format(title="Crawled news")
    capped = run_cli("import", str(wget_warc(tmp_path / "wget.warc.gz")), env={**env, "ARCHIVIST_MAX_BODY_BYTES": "100"})
    assert capped.returncode == 0 and json_lines(capped.stdout)[0]["skipped"] == {"too_large": 1, "not_html": 1}
    out = tmp_path / "page.html"
    rewritten = run_cli("replay", "https://crawl.example.net/news", "--output", str(out), env=env)
    assert rewritten.returncode == 0, rewritten.stderr
    assert b'id="archivist-banner"' in out.read_bytes() and "20240601100000 (revisit" in rewritten.stderr


class _Sha256Writer(WARCWriter):
    """Digests in sha256, as Browsertrix (warcio.js) writes them."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def test_revisits_resolve_by_the_record_they_name_whatever_the_digest(workers, client: TestClient,
                                                                       tmp_path: Path) -> None:
    """A source's payload digest is of the payload as sent (gzip-encoded here) and in its own
    algorithm (sha256 here); we store the decoded payload under sha1. The revisit still finds its
    original: by ``WARC-Refers-To``, else by ``WARC-Refers-To-Target-URI`` and ``-Date``, in the
    same file or in one imported before, and repeats the original's stored digest."""
    gz_url, sha_url = "https://dedup.example.net/gz", "https://dedup.example.net/sha"
    first, second = tmp_path / "first.warc.gz", tmp_path / "second.warc.gz"
    with first.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        original = _response(writer, gz_url, gzip.compress(ARTICLE.format(title="Gzipped").encode()),
                             "2024-05-01T10:00:00Z", extra=[("Content-Encoding", "gzip")])
        writer.write_record(original)
        revisit = writer.create_revisit_record(gz_url, original.rec_headers.get_header("WARC-Payload-Digest"), gz_url,
                                               "2024-05-01T10:00:00Z", http_headers=StatusAndHeaders(
                                                   "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"))
        revisit.rec_headers.replace_header("WARC-Date", "2024-06-01T10:00:00Z")
        revisit.rec_headers.add_header("WARC-Refers-To", original.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(revisit)
        sha_writer = _Sha256Writer(out, gzip=True, warc_version="1.1")
        sha_original = _response(sha_writer, sha_url, ARTICLE.format(title="Sha256").encode(), "2024-05-01T10:00:00.250Z")
        sha_writer.write_record(sha_original)
    with second.open("wb") as out:
        sha_writer = _Sha256Writer(out, gzip=True, warc_version="1.1")
        sha_revisit = sha_writer.create_revisit_record(
            sha_url, sha_original.rec_headers.get_header("WARC-Payload-Digest"), sha_url, "2024-05-01T10:00:00.250Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"))
        sha_revisit.rec_headers.replace_header("WARC-Date", "2024-06-01T10:00:00Z")
        sha_writer.write_record(sha_revisit)
    reports = []
    for path in (first, second):
        with path.open("rb") as stream:
            reports.append(import_warc(workers.runtime, stream).as_dict())
    workers.drain()
    assert [(r["imported"], r["revisits"], r["skipped"]) for r in reports] == [(3, 1, {}), (1, 1, {})]
    for url, title in ((gz_url, "Gzipped"), (sha_url, "Sha256")):
        lines = [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]
        assert [line["mime"] for line in lines] == ["text/html", "warc/revisit"]
        assert lines[0]["digest"] == lines[1]["digest"] and lines[0]["digest"].startswith("sha1:")
        replayed = client.get(f"/web/20240601100000id_/{url}")
        assert replayed.status_code == 200 and replayed.content == ARTICLE.format(title=title).encode()


def test_a_redirect_chain_in_the_file_is_imported_as_a_redirected_capture(workers, client: TestClient,
                                                                          tmp_path: Path) -> None:
    """``http://sho.rt/a`` 301 ``https://sho.rt/a`` 301 ``https://news.example.net/story`` 200:
    one capture of the first URL that landed on the last, found under both, as a capture the
    fetcher followed; a 3xx whose target is not in the file is still skipped."""
    short, secure, story = "http://sho.rt/a", "https://sho.rt/a", "https://news.example.net/story"
    body = ARTICLE.format(title="Moved story").encode()
    path = tmp_path / "redirects.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for url, location in ((short, secure), (secure, story), ("https://sho.rt/gone", "https://elsewhere.example/")):
            request = _request(writer, url, "2024-05-01T10:00:00Z")
            writer.write_record(request)
            writer.write_record(_response(writer, url, b"moved", "2024-05-01T10:00:00Z", status="301 Moved Permanently",
                                          extra=[("Location", location)], warc={
                                              "WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")}))
        writer.write_record(_response(writer, story, body, "2024-05-01T10:00:01Z"))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (1, {"http_3xx": 1})

    (requested,) = views.history(workers.runtime, short)["captures"]
    (landed,) = views.history(workers.runtime, story)["captures"]
    assert requested["id"] == landed["id"] and requested["status"] == "archived"
    assert landed["redirected_from"] == short
    for url in (short, story):
        (line,) = [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]
        assert (line["url"], line["status"], line["timestamp"]) == (url, "200", "20240501100001")
        replayed = client.get(f"/web/20240501100001id_/{url}")
        assert replayed.status_code == 200 and replayed.content == body
    assert views.get_record(workers.runtime, short)["title"] == "Moved story"
    with workers.runtime.store.open(line["filename"]) as stream:
        stored = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.statusline)
                  for r in ArchiveIterator(stream) if r.rec_type != "warcinfo"]
    assert [entry for entry in stored if entry[0] == "response"] == [
        ("response", short, "301 Moved Permanently"), ("response", secure, "301 Moved Permanently"),
        ("response", story, "200 OK")]
    assert [uri for kind, uri, _ in stored if kind == "request"] == [short, secure, story]

    with path.open("rb") as stream:
        again = import_warc(workers.runtime, stream).as_dict()
    assert (again["imported"], again["skipped"]) == (0, {"already_imported": 1, "http_3xx": 1})


def test_a_warc_gzipped_whole_imports_like_one_gzipped_per_record(workers, tmp_path: Path) -> None:
    """``gzip crawl.warc`` makes one gzip member of the whole file: a valid WARC that warcio
    cannot iterate (it wants a member per record); it imports all the same."""
    plain = heritrix_warc(tmp_path / "plain.warc")
    with plain.open("ab") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.0")
        writer.write_record(_response(writer, "http://old.example.com/second", ARTICLE.format(title="Second").encode(),
                                      "2020-01-01T00:00:00Z"))
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    with whole.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["records"], report["imported"], report["skipped"]) == (2, 2, {})
    assert views.get_record(workers.runtime, "http://old.example.com/second")["title"] == "Second"

    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[:-30])
    with cut.open("rb") as stream, pytest.raises(InvalidInput) as caught:
        import_warc(workers.runtime, stream)
    assert "truncated" in caught.value.message


def test_payloads_are_judged_as_the_fetcher_judges_them(workers, tmp_path: Path) -> None:
    """An untyped payload that starts as HTML is a page, as the fetcher archives it; an untyped
    image is not, and neither is a PDF or an image labelled as HTML (``binary_content``)."""
    path = tmp_path / "untyped.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        for url, body, content_type in [
            ("http://untyped.example.org/page", ARTICLE.format(title="Untyped page").encode(), None),
            ("http://untyped.example.org/image", PNG, None),
            ("http://untyped.example.org/labelled", PNG, "text/html"),
            ("http://untyped.example.org/report", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "text/html; charset=utf-8"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)] if content_type else [],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                          warc_headers_dict={"WARC-Date": "2024-01-02T03:04:05Z"}))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (1, {"not_html": 1, "binary_content": 2})
    assert views.get_record(workers.runtime, "http://untyped.example.org/page")["title"] == "Untyped page"


def test_an_export_imported_into_the_archive_it_came_from_adds_nothing(workers, client: TestClient,
                                                                        tmp_path: Path) -> None:
    """The exported records carry the WARC-Record-IDs of the stored snapshots: they are already
    in this archive (restoring a backup over it duplicates no capture), and import elsewhere."""
    from archivist.warcfiles import export_warc

    with browsertrix_warc(tmp_path / "crawl.warc.gz").open("rb") as stream:
        import_warc(workers.runtime, stream)
    workers.drain()
    exported = tmp_path / "export.warc.gz"
    with exported.open("wb") as out:
        export_warc(workers.runtime, out, filename=exported.name)
    with exported.open("rb") as stream:
        again = import_warc(workers.runtime, stream).as_dict()
    assert (again["imported"], again["skipped"]) == (0, {"already_imported": 3})
    assert _count_snapshots(client, "crawl.example.net") == 3


def test_records_with_a_broken_status_line_or_date_are_skipped_and_the_rest_imported(workers, tmp_path: Path) -> None:
    """A record the rest of the file does not depend on is skipped with its reason: the import
    neither crashes nor stops half-way."""
    path = tmp_path / "odd-headers.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.0")
        for url, status, date in [("http://odd.example.com/status", "OK", "2024-01-01T00:00:00Z"),
                                  ("http://odd.example.com/moved", "3O1 Moved", "2024-01-01T00:00:00Z"),
                                  ("http://odd.example.com/date", "200 OK", "2024-13-45T99:00:00Z"),
                                  ("http://odd.example.com/good", "200 OK", "2024-01-01T00:00:00Z")]:
            writer.write_record(_response(writer, url, ARTICLE.format(title="Odd").encode(), date, status=status,
                                          extra=[("Location", "/good")]))
        # A status of digits to str.isdigit and no number to int ("²²²", which warcio cannot
        # write): it was a ValueError out of the import.
        http = "HTTP/1.1 \u00b2\u00b2\u00b2 OK\r\nContent-Type: text/html\r\n\r\n".encode() + ARTICLE.format(title="Odd").encode()
        out.write(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://odd.example.com/super\r\n"
                  b"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
                  b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n"
                  % (str(uuid.uuid4()).encode(), len(http), http))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    assert (report["imported"], report["skipped"]) == (1, {"bad_status": 3, "bad_date": 1})


def test_a_revisit_without_http_headers_is_imported(workers, client: TestClient, tmp_path: Path) -> None:
    """A revisit's HTTP headers are optional (warcio's create_revisit_record leaves them out):
    it is stored without them too, and replays with the status and headers of its original."""
    url = "https://bare.example.net/page"
    body = ARTICLE.format(title="Bare revisit").encode()
    path = tmp_path / "bare.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        original = _response(writer, url, body, "2024-05-01T10:00:00Z")
        writer.write_record(original)
        revisit = writer.create_revisit_record(url, original.rec_headers.get_header("WARC-Payload-Digest"), url,
                                               "2024-05-01T10:00:00Z")
        revisit.rec_headers.replace_header("WARC-Date", "2024-06-01T10:00:00Z")
        writer.write_record(revisit)
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["revisits"], report["skipped"]) == (2, 1, {})
    lines = [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]
    assert [(line["mime"], line["status"]) for line in lines] == [("text/html", "200"), ("warc/revisit", "200")]
    replayed = client.get(f"/web/20240601100000id_/{url}")
    assert replayed.status_code == 200 and replayed.content == body
    assert replayed.headers["content-type"].startswith("text/html")
    with workers.runtime.store.open(lines[1]["filename"]) as stream:
        (stored,) = [r for r in ArchiveIterator(stream) if r.rec_type == "revisit"]
        assert stored.http_headers is None and stored.rec_headers.get_header("WARC-Refers-To-Target-URI") == url


def test_a_truncated_payload_is_not_imported_as_a_whole_page(workers, tmp_path: Path) -> None:
    """Crawlers cut a payload at their size limit and say so (``WARC-Truncated``), or split a
    record into segments (``WARC-Segment-Number``): a part of a page is not archived as the page."""
    body = ARTICLE.format(title="Long page").encode()
    path = tmp_path / "truncated-records.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        writer.write_record(_response(writer, "http://cut.example.org/long", body[:120], "2024-01-02T03:04:05Z",
                                      warc={"WARC-Truncated": "length"}))
        writer.write_record(_response(writer, "http://cut.example.org/segment", body[:120], "2024-01-02T03:04:05Z",
                                      warc={"WARC-Segment-Number": "1"}))
        whole = _response(writer, "http://cut.example.org/whole", body, "2024-01-02T03:04:05Z")
        writer.write_record(whole)
        # Heritrix marks its revisits "WARC-Truncated: length" (the payload is left out): not a cut page.
        revisit = writer.create_revisit_record("http://cut.example.org/whole", whole.rec_headers.get_header(
            "WARC-Payload-Digest"), "http://cut.example.org/whole", "2024-01-02T03:04:05Z", http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"))
        revisit.rec_headers.replace_header("WARC-Date", "2024-02-02T03:04:05Z")
        revisit.rec_headers.add_header("WARC-Truncated", "length")
        writer.write_record(revisit)
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    assert (report["imported"], report["revisits"], report["skipped"]) == (2, 1, {"truncated": 2})


def test_a_hop_leads_to_the_response_after_it_in_the_file(workers, tmp_path: Path) -> None:
    """wget fetched ``/news/`` from a link, then ``/old`` (301 to ``/news/``) and ``/news/`` again,
    all within a second: the redirected capture is the second fetch, not the first."""
    old, news = "http://wget.example.net/old", "http://wget.example.net/news/"
    path = tmp_path / "wget-redirect.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.0")
        direct = _response(writer, news, ARTICLE.format(title="News").encode(), "2024-05-01T10:00:00Z")
        writer.write_record(direct)
        writer.write_record(_response(writer, old, b"", "2024-05-01T10:00:00Z", status="301 Moved Permanently",
                                      extra=[("Location", "/news/")]))
        followed = _response(writer, news, ARTICLE.format(title="News").encode(), "2024-05-01T10:00:00Z")
        writer.write_record(followed)
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    assert (report["imported"], report["skipped"]) == (2, {})
    (redirected,) = views.history(workers.runtime, old)["captures"]
    assert redirected["id"] == report["capture_ids"][1]


def _with_digests(writer: WARCWriter, url: str, http_block: bytes, payload_digest_of: bytes):  # noqa: ANN202
    """A response record of ``http_block`` (status line, headers, body as sent) whose block digest
    is right and whose payload digest is of ``payload_digest_of``."""
    import base64
    import hashlib

    def sha1(data: bytes) -> str:
        return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()

    return writer.create_warc_record(url, "response", payload=io.BytesIO(http_block), length=len(http_block),
                                     warc_content_type="application/http; msgtype=response", warc_headers_dict={
                                         "WARC-Date": "2024-01-02T03:04:05Z", "WARC-Block-Digest": sha1(http_block),
                                         "WARC-Payload-Digest": sha1(payload_digest_of)})


def test_a_chunked_payload_digested_after_dechunking_is_not_corruption(workers, tmp_path: Path) -> None:
    """Tools disagree on a chunked response's payload digest: over the body as sent (wget,
    warcio) or over the entity, de-chunked, as WARC says and Heritrix now writes. The block
    digest, which covers every byte, decides; a wrong block digest still rejects the file."""
    body = ARTICLE.format(title="Chunked entity").encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:90], body[90:])) + b"0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    good = tmp_path / "dechunked-digest.warc"
    with good.open("wb") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.1")
        writer.write_record(_with_digests(writer, "http://chunks.example.org/page", head + chunked, body))
    with good.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert report["imported"] == 1
    assert views.get_record(workers.runtime, "http://chunks.example.org/page")["title"] == "Chunked entity"

    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(good.read_bytes().replace(b"winter months", b"winter m0nths"))
    with damaged.open("rb") as stream, pytest.raises(InvalidInput) as caught:
        import_warc(workers.runtime, stream)
    assert "block digest" in caught.value.message


class _CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer) -> int:  # noqa: ANN001
        count = super().readinto(buffer) or 0
        self.read_bytes += count
        return count


@pytest.mark.parametrize("compressed", [False, True], ids=["warc", "warc.gz"])
def test_the_file_is_read_once_before_its_records_are_imported(workers, tmp_path: Path, compressed: bool) -> None:
    """The file is verified, and its requests and redirects gathered, in one pass before the
    import's own (it was read twice, a gzipped one three times: minutes of a multi-GB file
    before the first record), with what that pass gathers still used: a request after its
    response (Heritrix), a redirect hop."""
    path = tmp_path / ("large.warc.gz" if compressed else "large.warc")
    filler = "".join(f"<p>Paragraph {n} of the report on the harbour, reference {uuid.uuid4().hex}.</p>"
                     for n in range(400))
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compressed, warc_version="1.1")
        writer.write_record(_response(writer, "http://big.example/old", b"moved", "2024-05-01T10:00:00Z",
                                      status="301 Moved Permanently", extra=[("Location", "/page0")]))
        for n in range(40):
            url = f"http://big.example/page{n}"
            response = _response(writer, url, ARTICLE.format(title=f"Page {n}").replace(
                "</article>", filler + "</article>").encode(), "2024-05-01T10:00:01Z")
            writer.write_record(response)
            writer.write_record(_request(writer, url, "2024-05-01T10:00:01Z",
                                         concurrent_to=response.rec_headers.get_header("WARC-Record-ID")))
    size = path.stat().st_size
    assert size > 1 << 18
    with _CountingFile(path, "rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["records"], report["imported"], report["skipped"]) == (81, 40, {})
    assert stream.read_bytes < 2.5 * size  # a pass to verify, one to import: not three (or four)
    (landed,) = views.history(workers.runtime, "http://big.example/page0")["captures"]
    assert landed["redirected_from"] == "http://big.example/old"
    with workers.runtime.database.session() as session:
        (found, _), *_ = workers.runtime.catalog.find_snapshots(session, exact=urlkey("http://big.example/page7"))
    with workers.runtime.store.open(found.storage_key) as stored:
        agents = [r.http_headers.get_header("User-Agent") for r in ArchiveIterator(stored) if r.rec_type == "request"]
    assert agents == ["Wget/1.21"]  # its request, found after it in the file


def test_a_gzip_member_broken_midway_imports_nothing(workers, client: TestClient, tmp_path: Path) -> None:
    """Gzip members are checked as the verifying pass reads them (no pass of their own): a
    member corrupted in the middle of the file still stops the import before anything is stored."""
    good = wget_warc(tmp_path / "good.warc.gz").read_bytes()
    middle = good.index(b"\x1f\x8b", len(good) // 2)  # a member in the second half
    for name, broken in (("flipped", good[:middle + 40] + bytes(b ^ 0xFF for b in good[middle + 40:middle + 60])
                          + good[middle + 60:]),
                         ("crc", good[:middle - 8] + bytes(b ^ 0xFF for b in good[middle - 8:middle - 4])
                          + good[middle - 4:])):
        path = tmp_path / f"{name}.warc.gz"
        path.write_bytes(broken)
        with path.open("rb") as stream, pytest.raises(InvalidInput) as caught:
            import_warc(workers.runtime, stream)
        assert caught.value.reason == "corrupt_warc", name
    assert _count_snapshots(client, "wget.example.org") == 0


def test_a_target_uri_with_an_upper_case_scheme_is_read_as_http(workers, client: TestClient, tmp_path: Path) -> None:
    """A URI scheme is case-insensitive (RFC 3986): ``HTTP://News.Example.ORG/...`` is an HTTP
    record, whose status line and headers warcio leaves unparsed (it looks for a lower-case
    ``http:``). Its request comes along, and a payload digest without a block digest is checked
    against the payload, after the HTTP headers, not against the whole block."""
    import base64
    import hashlib

    url = "HTTP://News.Example.ORG/harbour"
    body = ARTICLE.format(title="Shouted scheme").encode()
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    path = tmp_path / "upper-scheme.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.0")
        request = _request(writer, url, "2024-01-02T03:04:05Z")
        writer.write_record(request)
        # Written by hand: warcio's writer adds the block digest this record goes without.
        out.write(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
                  b"WARC-Date: 2024-01-02T03:04:05Z\r\nWARC-Target-URI: %s\r\nWARC-Concurrent-To: %s\r\n"
                  b"WARC-Payload-Digest: sha1:%s\r\nContent-Type: application/http;msgtype=response\r\n"
                  b"Content-Length: %d\r\n\r\n%s\r\n\r\n" % (
                      str(uuid.uuid4()).encode(), url.encode(), request.rec_headers.get_header("WARC-Record-ID").encode(),
                      base64.b32encode(hashlib.sha1(body).digest()), len(block), block))
        writer.write_record(_response(writer, "HTTPS://News.Example.ORG/gone", b"<html>gone</html>",
                                      "2024-01-02T03:04:06Z", status="404 Not Found"))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (1, {"http_4xx": 1})
    assert views.get_record(workers.runtime, "http://news.example.org/harbour")["title"] == "Shouted scheme"
    (line,) = [json.loads(line) for line in client.get(
        "/cdx", params={"url": "http://news.example.org/harbour", "output": "json"}).text.splitlines()]
    with workers.runtime.store.open(line["filename"]) as stream:
        stored = {r.rec_type: r for r in ArchiveIterator(stream)}
        assert stored["response"].rec_headers.get_header("WARC-Target-URI") == "http://news.example.org/harbour"
        assert stored["request"].http_headers.get_header("User-Agent") == "Wget/1.21"


def test_an_http2_response_is_stored_with_a_status_line_pywb_reads(workers, client: TestClient, tmp_path: Path) -> None:
    """Browsertrix writes the status line of a page fetched over HTTP/2 as ``HTTP/2 200`` (lower-case
    headers, no reason phrase). pywb loads a record with warcio's strict parser, which refuses any
    status line but HTTP/1.0 and HTTP/1.1: the snapshot writes ``HTTP/1.1 200`` and keeps the
    version in ``WARC-Protocol: h2``, as StormCrawler and Nutch do."""
    from warcio.bufferedreaders import DecompressingBufferedReader
    from warcio.recordloader import ArcWarcRecordLoader

    url = "https://h2.example.net/story"
    body = ARTICLE.format(title="Over HTTP/2").encode()
    path = tmp_path / "browsertrix-h2.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warc_record(
            "urn:pageinfo:" + url, "resource", payload=io.BytesIO(b'{"pages": {}}'), warc_content_type="application/json",
            warc_headers_dict={"WARC-Page-ID": "a1b2c3", "WARC-Date": "2024-05-01T10:00:00.250Z"}))
        response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=StatusAndHeaders(
            "200", [("content-type", "text/html; charset=utf-8"), ("server", "nginx")], protocol="HTTP/2"),
            warc_headers_dict={"WARC-Date": "2024-05-01T10:00:00.250Z", "WARC-Page-ID": "a1b2c3",
                               "WARC-JSON-Metadata": '{"ipType": "public"}'})
        writer.write_record(response)
        writer.write_record(_request(writer, url, "2024-05-01T10:00:00.250Z", response.rec_headers.get_header("WARC-Record-ID")))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (1, {})
    assert views.get_record(workers.runtime, url)["title"] == "Over HTTP/2"

    (line,) = [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]
    with workers.runtime.store.open(line["filename"]) as stream:
        stream.read(int(line["offset"]))  # pywb's loader: the record at the CDX line's offset, alone
        record = ArcWarcRecordLoader().parse_record_stream(DecompressingBufferedReader(stream))
    assert (record.http_headers.protocol, record.http_headers.get_statuscode()) == ("HTTP/1.1", "200")
    assert record.rec_headers.get_header("WARC-Protocol") == "h2"
    assert record.content_stream().read() == body
    replayed = client.get(f"/web/{line['timestamp']}id_/{url}")
    assert replayed.status_code == 200 and replayed.content == body


def test_headers_that_are_not_ascii_are_imported_as_the_source_holds_them(workers, client: TestClient,
                                                                          tmp_path: Path) -> None:
    """A response or request header in UTF-8 (a ``Link`` to ``/café.css``, a ``Referer`` with
    an accent) stopped the import with a UnicodeEncodeError: warcio cannot write it back. It is
    stored as the source holds it."""
    target, url = "https://accents.example.org/sj%C3%B6v%C3%A4der", "https://accents.example.org/sjöväder"
    link, region, referer = ("Link: </café.css>; rel=preload".encode(), "X-Region: 日本".encode(),
                             "Referer: https://accents.example.org/väder".encode())
    body = ARTICLE.format(title="Sjöväder").encode()
    path = tmp_path / "accents.warc"
    response_id = f"<urn:uuid:{uuid.uuid4()}>".encode()
    with path.open("wb") as out:
        # Written by hand: warcio's writer cannot write these headers either.
        for kind, record_id, link_to, block in (
                (b"response", response_id, b"",
                 b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n%s\r\n%s\r\n\r\n%s" % (link, region, body)),
                (b"request", f"<urn:uuid:{uuid.uuid4()}>".encode(), b"WARC-Concurrent-To: %s\r\n" % response_id,
                 b"GET /sj%%C3%%B6v%%C3%%A4der HTTP/1.1\r\nHost: accents.example.org\r\n%s\r\n\r\n" % referer)):
            out.write(b"WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\n%sWARC-Date: 2024-05-01T10:00:00Z\r\n"
                      b"WARC-Target-URI: %s\r\nContent-Type: application/http; msgtype=%s\r\nContent-Length: %d\r\n\r\n"
                      b"%s\r\n\r\n" % (kind, record_id, link_to, target.encode(), kind, len(block), block))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (1, {})
    assert views.get_record(workers.runtime, url)["title"] == "Sjöväder"
    (line,) = [json.loads(line) for line in client.get("/cdx", params={"url": url, "output": "json"}).text.splitlines()]
    with workers.runtime.store.open(line["filename"]) as stream:
        block = gzip.decompress(stream.read())
    for header in (link, region, referer):
        assert b"\r\n" + header + b"\r\n" in block, header


def test_a_chunked_payload_heritrix_digested_without_a_block_digest_is_not_corruption(workers, tmp_path: Path) -> None:
    """Heritrix writes a response's payload digest, taken over the de-chunked entity, and no block
    digest: nothing vouched for the record, whose payload digest warcio checks over the chunks as
    sent, and the whole file was refused as corrupt. The de-chunked entity is checked too; a
    payload that matches neither way still refuses the file."""
    import base64
    import hashlib

    body = ARTICLE.format(title="Heritrix chunks").encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:70], body[70:])) + b"0\r\n\r\n"
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    digest = base64.b32encode(hashlib.sha1(body).digest())
    path = tmp_path / "heritrix-chunked.warc"
    path.write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://heritrix.example.org/chunks\r\n"
        b"WARC-Date: 2024-01-02T03:04:05Z\r\nWARC-Payload-Digest: sha1:%s\r\nWARC-IP-Address: 192.0.2.7\r\n"
        b"WARC-Record-ID: <urn:uuid:%s>\r\nContent-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n%s\r\n\r\n" % (digest, str(uuid.uuid4()).encode(), len(block), block))
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    workers.drain()
    assert (report["imported"], report["skipped"]) == (1, {})
    assert views.get_record(workers.runtime, "http://heritrix.example.org/chunks")["title"] == "Heritrix chunks"

    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(path.read_bytes().replace(b"winter months", b"winter m0nths"))
    with damaged.open("rb") as stream, pytest.raises(InvalidInput) as caught:
        import_warc(workers.runtime, stream)
    assert "payload digest" in caught.value.message
