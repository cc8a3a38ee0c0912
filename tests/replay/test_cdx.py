"""The CDX index query: match types, time bounds, limits, output forms, on SQLite and PostgreSQL,
and the PostgreSQL plan (index range scans, not a table scan)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from archivist.adapters.catalog import CaptureRow, Catalog, SnapshotRow
from archivist.api import create_app
from archivist.core.urls import urlkey
from archivist.runtime import Runtime
from archivist.settings import Settings

URLS = [
    ("http://example.org/", "2020-01-01T00:00:00"),
    ("http://example.org/news", "2021-06-01T12:00:00"),
    ("http://example.org/news/1?b=2&a=1", "2022-03-04T05:06:07"),
    ("http://example.org/news/1?b=2&a=1", "2023-03-04T05:06:07"),
    ("http://example.org/newsletter", "2023-07-01T00:00:00"),
    ("http://example.org/about", "2024-01-01T00:00:00"),
    ("http://www.example.org/www", "2024-02-01T00:00:00"),
    ("http://blog.example.org/post", "2024-03-01T00:00:00"),
    ("http://example.com/elsewhere", "2024-04-01T00:00:00"),
    ("http://notexample.org/x", "2024-05-01T00:00:00"),
]


def _add_snapshot(session, url: str, moment: datetime, *, kind: str = "response", digest: str = "sha1:AAAA",  # noqa: ANN001
                  key: str) -> None:
    """An archived capture of ``url`` at ``moment`` and its snapshot row: catalog rows only, as
    the CDX query never reads the stored objects."""
    capture_id = str(uuid.uuid4())
    session.add(CaptureRow(id=capture_id, url=url, urlkey=urlkey(url), status="archived",
                           submitted_at=moment, updated_at=moment, attempts=1))
    session.flush()
    session.add(SnapshotRow(
        id=str(uuid.uuid4()), capture_id=capture_id, page=1, url=url, urlkey=urlkey(url), captured_at=moment,
        kind=kind, http_status=200, mime="text/html", payload_digest=digest, payload_length=10,
        storage_key=key, stored_length=900, record_offset=400, redirects=None,
    ))


def _fill(runtime: Runtime) -> None:
    with runtime.database.session() as session:
        for index, (url, when) in enumerate(URLS):
            _add_snapshot(session, url, datetime.fromisoformat(when).replace(tzinfo=UTC),
                          kind="revisit" if index == 3 else "response", key=f"snapshots/x/{index}.warc.gz")


@pytest.fixture(params=["sqlite", "postgresql"])
def cdx_client(request: pytest.FixtureRequest, embedded_settings: Settings) -> Iterator[TestClient]:
    settings = embedded_settings
    if request.param == "postgresql":
        settings = Settings(database_url=request.getfixturevalue("pg_url"), home=embedded_settings.home)
    runtime = Runtime(settings)
    runtime.prepare()
    _fill(runtime)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        client.runtime = runtime  # type: ignore[attr-defined]
        yield client
    runtime.close()


def _query(client: TestClient, **params: str) -> list[dict]:
    response = client.get("/cdx", params={"output": "json", **params})
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _urls(lines: list[dict]) -> list[str]:
    return [line["url"] for line in lines]


def test_match_types(cdx_client: TestClient) -> None:
    exact = _query(cdx_client, url="example.org/news/1?a=1&b=2")
    assert _urls(exact) == ["http://example.org/news/1?b=2&a=1"] * 2
    first = exact[0]
    assert first["urlkey"] == "org,example)/news/1?a=1&b=2"
    assert first["timestamp"] == "20220304050607"
    assert (first["mime"], first["status"], first["digest"]) == ("text/html", "200", "sha1:AAAA")
    assert (first["filename"], first["offset"], first["length"]) == ("snapshots/x/2.warc.gz", "400", "500")
    assert exact[1]["mime"] == "warc/revisit"

    prefix = _query(cdx_client, url="http://example.org/news", matchType="prefix")
    assert _urls(prefix) == ["http://example.org/news", "http://example.org/news/1?b=2&a=1",
                             "http://example.org/news/1?b=2&a=1", "http://example.org/newsletter"]
    assert _urls(_query(cdx_client, url="example.org/news*")) == _urls(prefix)

    host = _query(cdx_client, url="example.org", matchType="host")
    # SURT drops "www.", so www.example.org is the same host key, as in pywb.
    assert sorted(_urls(host)) == sorted(u for u, _ in URLS if "//example.org" in u or "//www." in u)
    assert all(line["urlkey"].startswith("org,example)/") for line in host)

    domain = _query(cdx_client, url="example.org", matchType="domain")
    assert "http://blog.example.org/post" in _urls(domain)
    assert not {"http://example.com/elsewhere", "http://notexample.org/x"} & set(_urls(domain))
    assert _urls(_query(cdx_client, url="*.example.org")) == _urls(domain)
    keys = [(line["urlkey"].encode(), line["timestamp"]) for line in domain]
    assert keys == sorted(keys)


def test_time_bounds_limit_and_cdxj(cdx_client: TestClient) -> None:
    window = _query(cdx_client, url="example.org", matchType="domain", **{"from": "2023", "to": "202401"})
    assert [line["timestamp"][:6] for line in window] == ["202401", "202303", "202307"]
    assert len(_query(cdx_client, url="example.org", matchType="domain", limit="2")) == 2
    cdxj = cdx_client.get("/cdx", params={"url": "example.org/news"}).text.splitlines()
    key, stamp, rest = cdxj[0].split(" ", 2)
    assert (key, stamp) == ("org,example)/news", "20210601120000")
    assert json.loads(rest)["url"] == "http://example.org/news"
    assert cdx_client.get("/cdx", params={"url": "example.org", "matchType": "fuzzy"}).status_code == 422
    assert cdx_client.get("/cdx", params={"url": "example.org", "from": "20x"}).status_code == 422
    assert cdx_client.get("/cdx", params={"url": "ftp://example.org/"}).status_code == 422


def test_filters_and_closest_ordering(cdx_client: TestClient) -> None:
    domain = {"url": "example.org", "matchType": "domain"}
    revisits = _query(cdx_client, **domain, filter="mime:warc/")
    assert [line["mime"] for line in revisits] == ["warc/revisit"]
    assert len(_query(cdx_client, **domain, filter="!=mime:warc/revisit")) == 7
    news = _query(cdx_client, **domain, filter="url:/news")
    assert {line["url"] for line in news} == {"http://example.org/news", "http://example.org/news/1?b=2&a=1",
                                              "http://example.org/newsletter"}
    assert len(_query(cdx_client, **domain, filter="url:/news", limit="2")) == 2
    both = cdx_client.get("/cdx", params=[("url", "example.org"), ("matchType", "domain"), ("output", "json"),
                                          ("filter", "url:/news"), ("filter", "!mime:warc")])
    assert len(both.text.splitlines()) == 3

    nearest = _query(cdx_client, url="example.org/news/1?a=1&b=2", closest="2023", sort="closest")
    assert [line["timestamp"] for line in nearest] == ["20230304050607", "20220304050607"]
    assert _query(cdx_client, url="example.org/news/1?a=1&b=2", closest="2022", limit="1")[0]["timestamp"] == "20220304050607"
    for bad in ({"filter": "nofield"}, {"filter": "~status:("}, {"filter": "colour:red"}, {"closest": "2023", "matchType": "prefix"}):
        assert cdx_client.get("/cdx", params={"url": "example.org", **bad}).status_code == 422, bad


@pytest.mark.parametrize("cdx_client", ["sqlite"], indirect=True)
def test_a_filter_that_backtracks_without_end_is_refused_in_time(cdx_client: TestClient) -> None:
    """The pattern is the caller's: on a field of a few dozen characters this one runs for hours
    (each character doubles the time) and ``re`` holds the whole process while it does."""
    started = time.monotonic()
    answer = cdx_client.get("/cdx", params={"url": "example.org", "matchType": "domain",
                                            "filter": r"~filename:(.*?,?)*\d\d\d"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_input" and "too long" in answer.json()["detail"]
    assert time.monotonic() - started < 5


def test_prefix_and_exact_queries_use_the_key_indexes_on_postgresql(pg_url: str, embedded_settings: Settings) -> None:
    """Each key column's statement is a range scan of its own index: ``urlkey`` of the URL as
    requested, ``final_urlkey`` of the URL a redirected capture landed on (migration 0005)."""
    runtime = Runtime(Settings(database_url=pg_url, home=embedded_settings.home))
    runtime.prepare()
    try:
        _fill(runtime)
        queries = [
            Catalog.snapshot_queries(exact="org,example)/news"),
            Catalog.snapshot_queries(prefixes=("org,example)/news",)),
            Catalog.snapshot_queries(prefixes=("org,example)", "org,example,")),
        ]
        indexes = {"urlkey": "ix_snapshots_urlkey_captured", "final_urlkey": "ix_snapshots_final_urlkey_captured"}
        with runtime.database.session() as session:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            for statements in queries:
                assert set(statements) == set(indexes)
                for column, query in statements.items():
                    compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
                    plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))
                    assert indexes[column] in plan, plan
                    assert "Seq Scan" not in plan, plan
    finally:
        runtime.close()


def test_to_and_closest_read_a_timestamp_as_its_whole_second(cdx_client: TestClient) -> None:
    """A capture at 12:00:41.9 has the timestamp ...120041 in every CDX line: ``to`` of that
    timestamp includes it, and ``closest`` of it puts it first, not a capture 0.6 s away."""
    runtime = cdx_client.runtime  # type: ignore[attr-defined]
    url = "http://example.org/fractions"
    with runtime.database.session() as session:
        for index, moment in enumerate((datetime(2025, 5, 1, 12, 0, 40, 500_000, tzinfo=UTC),
                                        datetime(2025, 5, 1, 12, 0, 41, 900_000, tzinfo=UTC))):
            _add_snapshot(session, url, moment, digest="sha1:BBBB", key=f"snapshots/f/{index}.warc.gz")
    stamps = [line["timestamp"] for line in _query(cdx_client, url=url)]
    assert stamps == ["20250501120040", "20250501120041"]
    assert [line["timestamp"] for line in _query(cdx_client, url=url, to="20250501120041")] == stamps
    assert [line["timestamp"] for line in _query(cdx_client, url=url, **{"from": "20250501120041",
                                                                          "to": "20250501120041"})] == stamps[1:]
    assert _query(cdx_client, url=url, closest="20250501120041", limit="1")[0]["timestamp"] == "20250501120041"


def test_cdxj_lines_are_those_cdxj_indexer_writes_for_the_stored_objects(
    client: TestClient, workers, pages, tmp_path  # noqa: ANN001 - fixtures of tests/support/stack.py
) -> None:
    """Each CDXJ line (a response, then an unchanged re-capture's revisit) is byte for byte the
    line ``cdxj-indexer`` writes for its final record in the stored object: same key, timestamp,
    fields, field order and values, so our index merges and diffs with the tools' own."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from tests.support.stack import capture

    url = pages.set("/notes?b=2&a=1", "<html><head><title>Notes</title></head><body><article><p>The harbour "
                                       "council met on Tuesday to discuss the lighthouse.</p></article></body></html>")
    landed = pages.set("/landed", "<html><head><title>Landed</title></head><body><article><p>The ferry "
                                  "timetable changes in May, the harbour master said.</p></article></body></html>")
    moved = pages.set("/moved", status=301, headers={"Location": "/landed"})
    capture(workers, url, moved)
    time.sleep(1.1)
    capture(workers, url)

    # The capture that landed on /landed is its line there (under /moved it is ours alone: it
    # points at the page it landed on, where an indexer lists the 301).
    ours = [*client.get("/cdx", params={"url": url}).text.splitlines(),
            *client.get("/cdx", params={"url": landed}).text.splitlines()]
    assert [json.loads(line.split(" ", 2)[2])["mime"] for line in ours] == ["text/html", "warc/revisit", "text/html"]
    indexer = shutil.which("cdxj-indexer", path=str(Path(sys.executable).parent))
    for line in ours:
        key = json.loads(line.split(" ", 2)[2])["filename"]
        copy = tmp_path / key
        copy.parent.mkdir(parents=True, exist_ok=True)
        with workers.runtime.store.open(key) as stored:
            copy.write_bytes(stored.read())
        indexed = subprocess.run([indexer, "--dir-root", str(tmp_path), str(copy)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()
        assert line in indexed, (line, indexed)


def test_filters_read_their_modifiers_as_pywb_and_the_wayback_machines_field_names(cdx_client: TestClient) -> None:
    """pywb: no modifier is "contains", ``~`` a regular expression from the field's start, ``=``
    equality; the Wayback Machine's clients name the fields ``original``, ``mimetype``, ``statuscode``."""
    domain = {"url": "example.org", "matchType": "domain"}
    assert _urls(_query(cdx_client, **domain, filter=r"~url:.*/news/\d")) == ["http://example.org/news/1?b=2&a=1"] * 2
    assert len(_query(cdx_client, **domain, filter="mime:html")) == 7
    assert len(_query(cdx_client, **domain, filter="statuscode:200")) == 8
    assert len(_query(cdx_client, **domain, filter="!=mimetype:warc/revisit")) == 7
    assert _urls(_query(cdx_client, **domain, filter="~original:http://blog")) == ["http://blog.example.org/post"]


def test_field_lists_and_the_text_output(cdx_client: TestClient) -> None:
    news = {"url": "example.org/news"}
    picked = _query(cdx_client, **news, fl="timestamp,original,statuscode")
    assert picked == [{"timestamp": "20210601120000", "original": "http://example.org/news", "statuscode": "200"}]
    text = cdx_client.get("/cdx", params={**news, "output": "text", "fl": "timestamp,url,status"})
    assert (text.status_code, text.text) == (200, "20210601120000 http://example.org/news 200\n")
    assert text.headers["content-type"].startswith("text/plain")
    whole = cdx_client.get("/cdx", params={**news, "output": "text"}).text
    assert whole.split() == ["org,example)/news", "20210601120000", "http://example.org/news", "text/html", "200",
                             "sha1:AAAA", "500", "400", "snapshots/x/1.warc.gz"]
    cdxj = cdx_client.get("/cdx", params={**news, "fl": "urlkey,timestamp,url"}).text
    assert cdxj == 'org,example)/news 20210601120000 {"url": "http://example.org/news"}\n'
    refused = cdx_client.get("/cdx", params={**news, "fl": "timestamp,colour"})
    assert refused.status_code == 422 and "colour" in refused.json()["detail"]


def test_reverse_order_negative_limits_and_collapsing(cdx_client: TestClient) -> None:
    domain = {"url": "example.org", "matchType": "domain"}
    ordered = _urls(_query(cdx_client, **domain))
    assert len(ordered) == 8
    assert _urls(_query(cdx_client, **domain, sort="reverse")) == ordered[::-1]
    assert _urls(_query(cdx_client, **domain, sort="reverse", limit="3")) == ordered[::-1][:3]
    assert _urls(_query(cdx_client, **domain, limit="-2")) == ordered[-2:]
    assert _urls(_query(cdx_client, **domain, sort="reverse", limit="-2")) == ordered[::-1][-2:]
    stamps = [line["timestamp"] for line in _query(cdx_client, url="example.org/news/1?a=1&b=2", sort="reverse")]
    assert stamps == ["20230304050607", "20220304050607"]

    assert _urls(_query(cdx_client, **domain, collapse="urlkey")) == list(dict.fromkeys(ordered))
    assert len(_query(cdx_client, **domain, collapse="digest")) == 1
    years = [line["timestamp"][:4] for line in _query(cdx_client, **domain, collapse="timestamp:4")]
    assert years == ["2020", "2024", "2021", "2022", "2023", "2024"]
    for bad in ({"limit": "0"}, {"collapse": "timestamp:x"}, {"collapse": "colour"}, {"sort": "sideways"}):
        assert cdx_client.get("/cdx", params={**domain, **bad}).status_code == 422, bad


def test_pages_of_lines_and_their_count(cdx_client: TestClient) -> None:
    """pywb's pagination API, which Common Crawl clients (``cdx_toolkit``...) use: ask for the
    number of pages, then read each page; together they hold every line once."""
    domain = {"url": "example.org", "matchType": "domain"}
    everything = _query(cdx_client, **domain)
    counted = cdx_client.get("/cdx", params={**domain, "pageSize": "3", "showNumPages": "true", "output": "json"})
    assert counted.status_code == 200 and counted.json() == {"pages": 3, "pageSize": 3, "blocks": 8}
    pages = [_query(cdx_client, **domain, pageSize="3", page=str(number)) for number in range(3)]
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [line for page in pages for line in page] == everything
    assert cdx_client.get("/cdx", params={**domain, "showNumPages": "true"}).json()["pages"] == 1
    past = cdx_client.get("/cdx", params={**domain, "pageSize": "3", "page": "3"})
    assert past.status_code == 400 and "past the last page" in past.json()["detail"]


@pytest.mark.parametrize("cdx_client", ["sqlite"], indirect=True)
def test_the_index_and_timemaps_answer_under_the_replay_prefix_as_pywb_serves_them(cdx_client: TestClient) -> None:
    """pywb serves ``/{coll}/cdx`` and ``/{coll}/timemap/link/{url}``: a client pointed at the
    collection ``/web/`` finds them there, not a TimeGate lookup of the URL "cdx"."""
    params = {"url": "example.org/news*", "output": "json"}
    under_prefix = cdx_client.get("/web/cdx", params=params)
    assert under_prefix.status_code == 200, under_prefix.text
    assert under_prefix.text == cdx_client.get("/cdx", params=params).text != ""
    for kind in ("link", "json"):
        path = f"timemap/{kind}/http://example.org/news"
        answer = cdx_client.get(f"/web/{path}")
        assert answer.status_code == 200, (kind, answer.text)
        assert answer.text == cdx_client.get(f"/{path}").text
        assert cdx_client.head(f"/web/{path}").status_code == 200


@pytest.mark.parametrize("cdx_client", ["sqlite"], indirect=True)
def test_a_wildcard_listing_shows_the_urls_archived_under_it(cdx_client: TestClient) -> None:
    """pywb's ``/{coll}/*/example.org/news*`` lists the URLs under the prefix (``*.example.org``,
    the domain), each leading to its captures, where a URL ending in ``*`` was looked up as one."""
    page = cdx_client.get("/web/*/example.org/news*")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    items = lxml.html.fromstring(page.content).findall(".//li")
    assert [item.find("a").get("href") for item in items] == [
        "/web/*/http://example.org/news", "/web/*/http://example.org/news/1?b=2&a=1", "/web/*/http://example.org/newsletter"]
    assert "2 captures" in items[1].text_content()
    domain = lxml.html.fromstring(cdx_client.get("/web/*/*.example.org").content).findall(".//li")
    assert len(domain) == 7
    assert cdx_client.get("/web/*/example.net/*").status_code == 404


@pytest.mark.parametrize("cdx_client", ["sqlite"], indirect=True)
def test_a_url_sent_percent_encoded_whole_is_looked_up_as_that_url(cdx_client: TestClient) -> None:
    """Clients that quote the archived URL as one path segment (``quote(url, safe="")``) send
    ``http%3A%2F%2Fexample.org%2Fnews``; pywb decodes it, and so do the TimeMaps and the listing."""
    for encoded in ("http%3A%2F%2Fexample.org%2Fnews", "HTTP%3a%2f%2fexample.org%2fnews"):
        timemap = cdx_client.get(f"/timemap/link/{encoded}")
        assert timemap.status_code == 200, (encoded, timemap.text)
        assert timemap.text.startswith("<http://example.org/news>; rel=\"original\"")
        assert cdx_client.get(f"/web/*/{encoded}").status_code == 200
    query = cdx_client.get(f"/timemap/link/{quote('http://example.org/news/1?b=2&a=1', safe='')}")
    assert query.status_code == 200 and "news/1?b=2&a=1" in query.text


def test_collapsing_runs_in_index_order_before_the_closest_ordering(cdx_client: TestClient) -> None:
    """pywb and the Wayback CDX server collapse lines adjacent in the index: of a URL's captures
    with one digest, ``collapse=digest`` keeps the first captured, whatever ``closest`` then orders."""
    url = "example.org/news/1?a=1&b=2"
    kept = _query(cdx_client, url=url, collapse="digest", closest="2023", sort="closest")
    assert [line["timestamp"] for line in kept] == ["20220304050607"]
    assert [line["timestamp"] for line in _query(cdx_client, url=url, collapse="digest", sort="reverse")] == [
        "20220304050607"]
