"""WARC export: a standard WARC 1.1 file that warcio's checker accepts and indexers read, with
the CDX offsets of the catalog pointing at the right records of the stored objects."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator

from archivist.runtime import Runtime
from tests.support.clock import next_second
from tests.support.pages import PageServer
from tests.support.stack import capture, run_cli

PAGE = "<html><head><title>{0}</title></head><body><article><p>{0}: the harbour council met again.</p></article></body></html>"


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _records(path: Path) -> list[tuple[str, str | None, dict]]:
    with path.open("rb") as stream:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), dict(r.rec_headers.headers))
                for r in ArchiveIterator(stream)]


def _archive(workers, pages: PageServer) -> tuple[str, str]:  # noqa: ANN001
    changing = pages.set("/changing", PAGE.format("first"))
    same = pages.set("/same", PAGE.format("same"))
    capture(workers, changing, same)
    next_second()
    pages.set("/changing", PAGE.format("second"))
    capture(workers, changing, same)
    return changing, same


def test_export_is_a_valid_warc_that_indexers_read(workers, client: TestClient, pages: PageServer, tmp_path: Path) -> None:
    changing, same = _archive(workers, pages)
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    out = tmp_path / "all.warc.gz"
    result = run_cli("export", "--warc", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert "exported 4 snapshots" in result.stderr

    checked = subprocess.run([_tool("warcio"), "check", "-v", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    records = _records(out)
    assert records[0][0] == "warcinfo"
    assert records[0][2]["WARC-Type"] == "warcinfo"
    kinds = [(kind, uri) for kind, uri, _ in records[1:] if kind in ("response", "revisit")]
    assert sorted(kinds) == sorted([("response", changing), ("response", changing), ("response", same),
                                    ("revisit", same)])
    # Each snapshot object is a WARC file of its own, its warcinfo first: it comes along.
    assert {kind for kind, _, _ in records[1:]} == {"warcinfo", "request", "response", "revisit"}
    assert [kind for kind, _, _ in records].count("warcinfo") == 1 + 4
    revisit = next(headers for kind, _, headers in records if kind == "revisit")
    assert revisit["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert revisit["WARC-Refers-To-Target-URI"] == same and revisit["WARC-Refers-To-Date"]
    same_responses = [headers for kind, uri, headers in records if kind == "response" and uri == same]
    assert revisit["WARC-Refers-To"] == same_responses[0]["WARC-Record-ID"]
    assert revisit["WARC-Refers-To-Date"] == same_responses[0]["WARC-Date"]
    assert all(headers.get("WARC-Payload-Digest", "sha1:").startswith("sha1:") for _, _, headers in records)

    indexed = subprocess.run([_tool("cdxj-indexer"), str(out)], capture_output=True, text=True)
    assert indexed.returncode == 0, indexed.stderr
    lines = [line.split(" ", 2) for line in indexed.stdout.splitlines() if line and not line.startswith("!")]
    entries = {(key, stamp, json.loads(rest)["mime"], json.loads(rest)["digest"]) for key, stamp, rest in lines
               if "request" not in rest}
    ours = {(line["urlkey"], line["timestamp"], line["mime"], line["digest"]) for line in map(json.loads, client.get(
        "/cdx", params={"url": pages.base_url, "matchType": "host", "output": "json"}).text.splitlines())}
    assert ours <= entries, (ours, entries)
    assert subprocess.run([_tool("warcio"), "index", str(out)], capture_output=True).returncode == 0


def test_export_selections_keep_revisits_resolvable(workers, client: TestClient, pages: PageServer, tmp_path: Path) -> None:
    changing, same = _archive(workers, pages)
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    only_same = tmp_path / "same.warc.gz"
    assert run_cli("export", "--warc", str(only_same), "--url", same, env=env).returncode == 0
    assert {uri for kind, uri, _ in _records(only_same) if kind != "warcinfo"} == {same}

    stamps = [json.loads(line)["timestamp"] for line in client.get("/cdx", params={"url": same, "output": "json"}).text.splitlines()]
    recent = tmp_path / "recent.warc.gz"
    assert run_cli("export", "--warc", str(recent), "--since", stamps[1], "--url", same, env=env).returncode == 0
    # The revisit is newer than --since; the response it repeats is not, and comes along.
    assert [kind for kind, _, _ in _records(recent) if kind in ("response", "revisit")] == ["response", "revisit"]

    nothing = tmp_path / "none.warc.gz"
    assert run_cli("export", "--warc", str(nothing), "--since", "2999", env=env).returncode == 0
    assert [kind for kind, _, _ in _records(nothing)] == ["warcinfo"]
    assert run_cli("export", "--warc", str(nothing), "--since", "soon", env=env).returncode == 2
    assert run_cli("export", "--warc", str(nothing), "--url", same, "--host", same, env=env).returncode != 0


def test_a_host_selects_its_urls_on_every_port_unless_it_names_one(workers, pages: PageServer, tmp_path: Path) -> None:
    """The page server is a site on a port of its own (127.0.0.1:PORT): ``--host 127.0.0.1``
    selects it, as search's host filter does; ``--host 127.0.0.1:PORT`` too; another port not."""
    from archivist.pipeline.extracting import reextract_targets

    changing, same = _archive(workers, pages)
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    port = pages.base_url.rsplit(":", 1)[1]
    for host, expected in (("127.0.0.1", {changing, same}), (f"127.0.0.1:{port}", {changing, same}),
                           ("127.0.0.1:1", set())):
        out = tmp_path / f"{host.replace(':', '-')}.warc.gz"
        assert run_cli("export", "--warc", str(out), "--host", host, env=env).returncode == 0
        assert {uri for kind, uri, _ in _records(out) if kind in ("response", "revisit")} == expected, host
        assert len(reextract_targets(workers.runtime, host=host)) == len(expected), host


def test_cdx_offsets_point_at_the_final_record(workers, client: TestClient, pages: PageServer) -> None:
    _archive(workers, pages)
    runtime: Runtime = workers.runtime
    lines = [json.loads(line) for line in client.get(
        "/cdx", params={"url": pages.base_url, "matchType": "host", "output": "json"}).text.splitlines()]
    assert len(lines) == 4
    for line in lines:
        with runtime.store.open(line["filename"]) as stream:
            data = stream.read()
        offset, length = int(line["offset"]), int(line["length"])
        assert offset + length == len(data)
        record = next(iter(ArchiveIterator(io.BytesIO(data[offset:offset + length]))))
        assert record.rec_type == ("revisit" if line["mime"] == "warc/revisit" else "response")
        assert record.rec_headers.get_header("WARC-Target-URI") == line["url"]


def test_an_object_gone_from_the_folder_is_left_out_of_the_export_and_named(
    workers, pages: PageServer, tmp_path: Path
) -> None:
    """An object removed from the embedded store's folder stopped the whole export (exit 2, no
    file). It is left out with a line naming its capture (exit 1), the file holds the others, and
    no ``.partial`` stays behind (an export that fails leaves none: ``tests/reliability/test_local_disk.py``)."""
    changing, _ = _archive(workers, pages)
    runtime = workers.runtime
    with runtime.database.session() as session:  # a page no revisit refers to: it alone is left out
        key = next(snapshot.storage_key for snapshot, _ in runtime.catalog.find_snapshots(session)
                   if snapshot.url == changing)
    gone = runtime.settings.objects_dir / key
    gone.unlink()
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "three.warc.gz"
    result = run_cli("export", "--warc", str(out), env={"ARCHIVIST_HOME": str(workers.runtime.settings.home)})
    assert result.returncode == 1, result.stderr
    (skipped,) = [line for line in result.stderr.splitlines() if line.startswith("skipped (snapshot_missing)")]
    assert key in skipped, result.stderr
    assert "exported 3 snapshots" in result.stderr and "1 skipped" in result.stderr, result.stderr
    assert list((tmp_path / "out").iterdir()) == [out]
    checked = subprocess.run([_tool("warcio"), "check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_headers_that_are_not_ascii_are_archived_as_the_site_sent_them(workers, pages: PageServer, tmp_path: Path) -> None:
    """Sites send UTF-8 (and latin-1) bytes in header values: a ``Link`` to ``/café.css``, a
    ``Content-Disposition`` filename. warcio percent-encodes such a header when it writes it, and
    raises on one it cannot encode (here the ``Link``), which failed the capture. The response
    record holds the header bytes as they came, and the export passes ``warcio check``."""
    link = "</café.css>; rel=preload; as=style".encode()
    disposition = 'inline; filename="Sjömän.html"'.encode("latin-1")
    url = pages.set("/accents", PAGE.format("accents"), headers={
        "Content-Type": "text/html; charset=utf-8", "Link": link.decode("latin-1"),
        "Content-Disposition": disposition.decode("latin-1")})
    capture(workers, url)
    (stored,) = [p for p in workers.runtime.settings.objects_dir.rglob("*") if p.is_file()]
    block = gzip.decompress(stored.read_bytes())
    assert b"\r\nLink: " + link + b"\r\n" in block and b"\r\nContent-Disposition: " + disposition + b"\r\n" in block

    out = tmp_path / "accents.warc.gz"
    assert run_cli("export", "--warc", str(out), env={"ARCHIVIST_HOME": str(workers.runtime.settings.home)}).returncode == 0
    checked = subprocess.run([_tool("warcio"), "check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_export_with_extractions_carries_each_captures_text_and_record(
    workers, client: TestClient, seed_site: PageServer, seed: dict, tmp_path: Path
) -> None:
    """``--extractions`` follows each capture's first page with what was extracted from it, as
    derived data travels in a WARC (Browsertrix's ``urn:text:`` resource records): its text, and
    its whole record as JSON, each naming the record it came from. A paginated article's capture
    has one of each, for all its pages; the file stays one that warcio checks and indexes."""
    changing, same = _archive(workers, seed_site)
    (article_id,) = capture(workers, seed_site.url(list(seed["served_as"])[-1]))
    article = client.get(f"/v1/captures/{article_id}").json()["url"]
    article_record = client.get("/v1/records", params={"url": article}).json()["url"]
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    out = tmp_path / "with-extractions.warc.gz"
    result = run_cli("export", "--warc", str(out), "--extractions", env=env)
    assert result.returncode == 0, result.stderr
    assert "exported 7 snapshots and 5 extractions" in result.stderr, result.stderr
    checked = subprocess.run([_tool("warcio"), "check", "-v", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    indexed = subprocess.run([_tool("warcio"), "index", "-f", "warc-type,warc-target-uri", str(out)],
                             capture_output=True, text=True)
    assert indexed.returncode == 0 and "urn:text:" in indexed.stdout, indexed.stderr

    with out.open("rb") as stream:
        records = [(r.rec_type, r.rec_headers, r.content_stream().read()) for r in ArchiveIterator(stream)]
    finals = {headers.get_header("WARC-Record-ID"): (kind, headers) for kind, headers, _ in records
              if kind in ("response", "revisit")}
    texts = [(headers, payload) for kind, headers, payload in records if kind == "resource"]
    derived = [(headers, json.loads(payload)) for kind, headers, payload in records if kind == "metadata"]
    assert len(texts) == len(derived) == 5
    seen = []
    for (text_headers, text), (record_headers, record) in zip(texts, derived, strict=True):
        url = record["url"]
        assert text_headers.get_header("WARC-Target-URI") == f"urn:text:{url}"
        assert record_headers.get_header("WARC-Target-URI") == f"urn:record:{url}"
        assert text_headers.get_header("Content-Type").startswith("text/plain")
        assert record_headers.get_header("Content-Type") == "application/json"
        kind, final = finals[record_headers.get_header("WARC-Refers-To")]
        assert text_headers.get_header("WARC-Refers-To") == final.get_header("WARC-Record-ID")
        assert record_headers.get_header("WARC-Date") == final.get_header("WARC-Date")
        shown = client.get("/v1/records", params={"url": url, "version": record["version"]}).json()
        assert text.decode("utf-8") == shown["body"] and record["title"] == shown["title"]
        assert record["comments"] == shown["comments"] and record["capture_id"] in shown["capture_ids"]
        seen.append((url, record["version"], kind))
    assert sorted(seen) == sorted([(changing, 1, "response"), (changing, 2, "response"), (same, 1, "response"),
                                   (same, 1, "revisit"), (article_record, 1, "response")]), seen
    (article_text,) = [text.decode() for headers, text in texts
                       if headers.get_header("WARC-Target-URI") == f"urn:text:{article_record}"]
    for paragraph in seed["body_paragraphs_stitched"][:1] + seed["body_paragraphs_stitched"][-1:]:
        assert paragraph in article_text  # the first page's and the last page's
