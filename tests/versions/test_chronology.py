"""A record's history in capture-time order: captures archived out of time order (an old WARC
imported after live captures) take their place in time, not at the end."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist import pipeline, views
from archivist.api import create_app
from archivist.extraction import extract as real_extract
from archivist.pipeline import extracting
from archivist.settings import Settings
from archivist.warcfiles import import_warc
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer
from tests.support.stack import capture, json_lines, run_cli

ARTICLE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>{title}: this paragraph says what the council decided at that meeting, and nothing else.</p>
</article></body></html>"""


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_workers(request: pytest.FixtureRequest, embedded_settings: Settings) -> Iterator[EmbeddedWorkers]:
    settings = embedded_settings
    if request.param == "postgresql":
        settings = Settings(database_url=request.getfixturevalue("pg_url"), home=embedded_settings.home,
                            allow_private_networks=True, host_min_interval=0)
    with EmbeddedWorkers(settings) as running:
        yield running


def _warc(path: Path, url: str, title: str, date: str) -> Path:
    """A WARC of one response of ``url`` taken at ``date``, as another crawler wrote it."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(ARTICLE.format(title=title).encode()), http_headers=headers,
            warc_headers_dict={"WARC-Date": date}))
    return path


def _import(workers: EmbeddedWorkers, path: Path, url: str, title: str, date: str) -> str:
    """Import :func:`_warc` in this process; its capture id, archived."""
    with _warc(path, url, title, date).open("rb") as stream:
        (capture_id,) = import_warc(workers.runtime, stream).captures
    workers.drain()
    assert views.get_capture(workers.runtime, capture_id)["status"] == "archived"
    return capture_id


def _timeline(record: dict) -> list[tuple[int, list[str]]]:
    return [(v["version"], v["capture_ids"]) for v in record["versions"]]


def test_an_old_capture_archived_late_takes_its_place_in_time(
    catalog_workers: EmbeddedWorkers, pages: PageServer, tmp_path: Path
) -> None:
    runtime = catalog_workers.runtime
    url = pages.set("/story", ARTICLE.format(title="Now"))
    live, = capture(catalog_workers, url)

    then = _import(catalog_workers, tmp_path / "2020.warc.gz", url, "Then", "2020-01-01T00:00:00Z")
    record = views.get_record(runtime, url)
    # The live capture is still what the record says now; the old one comes before it.
    assert (record["version"], record["title"], record["latest_version"]) == (1, "Now", 1)
    assert _timeline(record) == [(2, [then]), (1, [live])]
    assert record["versions"][0]["captured_at"] == "2020-01-01T00:00:00Z"
    diff = views.record_diff(runtime, url)
    assert (diff["from"], diff["to"], diff["metadata"]["title"]) == (2, 1, {"from": "Then", "to": "Now"})
    assert [hit["title"] for hit in views.search(runtime, q="council")["results"]] == ["Now"]
    # Re-extraction takes the newest capture in time, not the one archived last.
    assert pipeline.reextract_targets(runtime, url=url) == [live]

    # An old capture with the content in force at its time joins that version.
    again = _import(catalog_workers, tmp_path / "2021.warc.gz", url, "Then", "2021-06-01T00:00:00Z")
    assert _timeline(views.get_record(runtime, url)) == [(2, [then, again]), (1, [live])]
    # One with the content of the version after it joins that one, which now starts earlier.
    early = _import(catalog_workers, tmp_path / "2022.warc.gz", url, "Now", "2022-01-01T00:00:00Z")
    record = views.get_record(runtime, url)
    assert _timeline(record) == [(2, [then, again]), (1, [early, live])]
    assert record["versions"][1]["captured_at"] == "2022-01-01T00:00:00Z"

    # Other content between two captures of one version splits it: the later capture's
    # content is in force again after it, as a version of its own (numbers are not reused).
    # This one through `archivist import`, on the same catalog.
    env = {"ARCHIVIST_HOME": str(runtime.settings.home), "ARCHIVIST_DATABASE_URL": runtime.settings.effective_database_url}
    imported = run_cli("import", str(_warc(tmp_path / "2023.warc.gz", url, "Interim", "2023-01-01T00:00:00Z")),
                       env=env)
    assert imported.returncode == 0, imported.stderr
    (interim,) = json_lines(imported.stdout)[0]["capture_ids"]
    record = views.get_record(runtime, url)
    assert _timeline(record) == [(2, [then, again]), (1, [early]), (3, [interim]), (4, [live])]
    assert (record["version"], record["title"], record["capture_ids"]) == (4, "Now", [live])
    assert views.record_diff(runtime, url)["metadata"]["title"] == {"from": "Interim", "to": "Now"}
    assert views.get_record(runtime, url, version=1)["title"] == "Now"

    # A new live capture of the same content is compared with the current version: no new one.
    recaptured, = capture(catalog_workers, url)
    record = views.get_record(runtime, url)
    assert (record["version"], record["capture_ids"]) == (4, [live, recaptured])
    captured = [v["captured_at"] for v in record["versions"]]
    assert captured == sorted(captured)
    assert datetime.fromisoformat(captured[-1]) > datetime(2025, 1, 1, tzinfo=UTC)

    # The API and the command line show the same.
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        latest = client.get("/v1/records", params={"url": url}).json()
        assert (latest["version"], latest["title"]) == (4, "Now")
        history = client.get("/v1/history", params={"url": url}).json()
        assert [v["version"] for v in history["versions"]] == [2, 1, 3, 4]
        diff = client.get(f"/v1/records/{latest['id']}/diff").json()
        assert (diff["from"], diff["to"]) == (3, 4)
        assert "Version 4, captured" in client.get(f"/records/{latest['id']}").text
    shown = run_cli("history", url, "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    (history,) = json_lines(shown.stdout)
    assert [v["version"] for v in history["versions"]] == [2, 1, 3, 4]
    assert [c["id"] for c in history["captures"]] == [then, again, early, interim, live, recaptured]
    shown = run_cli("show", url, "--json", env=env)
    assert json_lines(shown.stdout)[0]["title"] == "Now"


def test_reextraction_after_an_old_import_revises_the_newest_capture(
    workers: EmbeddedWorkers, pages: PageServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The capture archived last is the imported old one; the one re-extracted is the one taken
    last, and its new content is the record's latest version, after the old content in time."""
    url = pages.set("/story", ARTICLE.format(title="Now"))
    live, = capture(workers, url)
    then = _import(workers, tmp_path / "2020.warc.gz", url, "Then", "2020-01-01T00:00:00Z")

    def better(source_pages):  # noqa: ANN001, ANN202
        result = real_extract(source_pages)
        return dataclasses.replace(result, title=f"{result.title} (better extracted)")

    monkeypatch.setattr(extracting, "extract", better)
    workers.runtime.queue.enqueue_reextract(pipeline.reextract_targets(workers.runtime, url=url))
    workers.drain()
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["title"]) == (3, "Now (better extracted)")
    assert _timeline(record) == [(2, [then]), (1, []), (3, [live])]
    assert views.record_diff(workers.runtime, url)["from"] == 1


def test_an_old_capture_inside_an_earlier_version_splits_it_and_leaves_the_latest(
    catalog_workers: EmbeddedWorkers, pages: PageServer, tmp_path: Path
) -> None:
    url = pages.set("/story", ARTICLE.format(title="Now"))
    first = _import(catalog_workers, tmp_path / "2020.warc.gz", url, "Then", "2020-01-01T00:00:00Z")
    second = _import(catalog_workers, tmp_path / "2022.warc.gz", url, "Then", "2022-01-01T00:00:00Z")
    live, = capture(catalog_workers, url)
    between = _import(catalog_workers, tmp_path / "2021.warc.gz", url, "Interim", "2021-01-01T00:00:00Z")
    record = views.get_record(catalog_workers.runtime, url)
    assert _timeline(record) == [(1, [first]), (3, [between]), (4, [second]), (2, [live])]
    assert (record["version"], record["title"]) == (2, "Now")
    assert views.get_record(catalog_workers.runtime, url, version=4)["title"] == "Then"
    diff = views.record_diff(catalog_workers.runtime, url)
    assert (diff["from"], diff["to"], diff["metadata"]["title"]) == (4, 2, {"from": "Then", "to": "Now"})
    assert [hit["version"] for hit in views.search(catalog_workers.runtime, q="council")["results"]] == [2]


def test_a_record_dated_in_the_future_is_not_imported(workers: EmbeddedWorkers, pages: PageServer, tmp_path: Path) -> None:
    """A crawler's clock far ahead would make its content the record's latest for years: every
    real capture would be older. The record is skipped with its reason; the rest is imported."""
    url = pages.set("/story", ARTICLE.format(title="Now"))
    live, = capture(workers, url)
    path = _warc(tmp_path / "future.warc.gz", url, "Ahead", "2999-01-01T00:00:00Z")
    with path.open("rb") as stream:
        report = import_warc(workers.runtime, stream).as_dict()
    assert (report["imported"], report["skipped"]) == (0, {"future_date": 1})
    record = views.get_record(workers.runtime, url)
    assert (record["title"], _timeline(record)) == ("Now", [(1, [live])])
