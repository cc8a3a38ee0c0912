"""Search over records on SQLite (FTS5) and PostgreSQL (tsvector): words in the title or body,
URL prefix, host, archive dates, pages; the index follows new versions in their transaction;
migration 0004 backfills records written before it and round-trips on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text

from archivist import views
from archivist.adapters.catalog import NewVersion, RecordSearchRow
from archivist.adapters.catalog.database import _MIGRATIONS
from archivist.core.errors import InvalidInput
from archivist.runtime import Runtime
from archivist.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    running = Runtime(Settings(home=tmp_path, database_url=url))
    running.database.migrate()
    yield running
    running.close()


def _write(runtime: Runtime, url: str, *, title: str, body: str, at: datetime, record_id: str | None = None) -> str:
    """A record version written the way the pipeline writes it: through Catalog.add_record and add_version."""
    version = NewVersion(fingerprint=uuid.uuid4().hex, content={"url": url, "title": title, "body": body},
                         extractor_name="test", extractor_version="1", created_at=at, captured_at=at,
                         source_capture_id=None)
    with runtime.database.session() as session:
        record = runtime.catalog.record_head(session, url)
        if record is not None:
            runtime.catalog.add_version(session, record, version)
            return record.id
        from archivist.core.urls import urlkey

        record_id = record_id or str(uuid.uuid4())
        runtime.catalog.add_record(session, record_id, url, urlkey(url), version)
        return record_id


def _urls(answer: dict) -> list[str]:
    return [result["url"] for result in answer["results"]]


def test_search_by_words_prefix_host_dates_and_pages(runtime: Runtime) -> None:
    day = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    _write(runtime, "https://harbour.example/news/lighthouse", title="The lighthouse keeper",
           body="The harbour council met on Tuesday.\nThe light stays on through the winter.", at=day)
    _write(runtime, "https://www.harbour.example/news/tides", title="Tides",
           body="High water at six. The lighthouse is not mentioned in the title.", at=day + timedelta(days=1))
    _write(runtime, "https://other.example/blog/cats", title="Cats", body="Nothing about the sea.",
           at=day + timedelta(days=30))

    # Words: all required, title or body, title matches ranked first.
    assert _urls(views.search(runtime, q="lighthouse")) == [
        "https://harbour.example/news/lighthouse", "https://www.harbour.example/news/tides"]
    assert _urls(views.search(runtime, q="LIGHT stays winter")) == ["https://harbour.example/news/lighthouse"]
    assert views.search(runtime, q="lighthouse cats")["total"] == 0
    found = views.search(runtime, q="water")["results"][0]
    assert found["title"] == "Tides" and "High water at six" in found["snippet"] and found["version"] == 1

    # URL prefix (scheme and www. aside, as SURT keys have it) and host.
    assert len(_urls(views.search(runtime, url_prefix="http://harbour.example/news/"))) == 2
    assert _urls(views.search(runtime, url_prefix="harbour.example/news/li")) == ["https://harbour.example/news/lighthouse"]
    assert _urls(views.search(runtime, host="other.example")) == ["https://other.example/blog/cats"]
    assert len(_urls(views.search(runtime, host="www.harbour.example", q="the"))) == 2

    # Dates bound whole days; without words the newest come first.
    assert _urls(views.search(runtime, since="2026-03-06", until="2026-03-06")) == ["https://www.harbour.example/news/tides"]
    assert _urls(views.search(runtime, since="20260301"))[0] == "https://other.example/blog/cats"
    with pytest.raises(InvalidInput, match="not a date .*2024-03-05.* or a timestamp"):
        views.search(runtime, since="yesterday")

    # Pages of twenty.
    for n in range(25):
        _write(runtime, f"https://many.example/p{n}", title=f"Page {n}", body="common words here", at=day)
    first, second = views.search(runtime, q="common"), views.search(runtime, q="common", page=2)
    assert (first["total"], first["pages"], len(first["results"]), len(second["results"])) == (25, 2, 20, 5)
    assert not set(_urls(first)) & set(_urls(second))


def test_the_index_follows_new_versions_in_their_transaction(runtime: Runtime) -> None:
    url = "https://harbour.example/news/lighthouse"
    at = datetime(2026, 3, 5, tzinfo=UTC)
    _write(runtime, url, title="Old title", body="The light stays on.", at=at)
    _write(runtime, url, title="New title", body="The light goes dark in March.", at=at + timedelta(days=1))
    assert views.search(runtime, q="stays")["total"] == 0
    (hit,) = views.search(runtime, q="dark march")["results"]
    assert (hit["title"], hit["version"]) == ("New title", 2)

    # A version rolled back (a lost race in extract_capture) leaves the index as it was.
    with runtime.database.session() as session:
        record = runtime.catalog.record_head(session, url)
        runtime.catalog.add_version(session, record, NewVersion(
            fingerprint="x", content={"url": url, "title": "Rolled back", "body": "ephemeral"},
            extractor_name="test", extractor_version="1", created_at=at + timedelta(days=2),
            captured_at=at + timedelta(days=2), source_capture_id=None))
        session.rollback()
    assert views.search(runtime, q="ephemeral")["total"] == 0
    assert views.search(runtime, q="dark")["total"] == 1

    # Deleting a record takes its entry (and full-text index entry) with it.
    with runtime.database.session() as session:
        session.delete(runtime.catalog.get_record_by_url(session, url))
    assert views.search(runtime, q="dark")["total"] == 0


def _migrate(runtime: Runtime, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with runtime.database.engine.begin() as connection:
        config.attributes["connection"] = connection
        if target == "head":
            command.upgrade(config, target)
        else:
            command.downgrade(config, target)


def test_migration_0004_backfills_and_round_trips(runtime: Runtime) -> None:
    at = datetime(2026, 3, 5, tzinfo=UTC)
    _write(runtime, "https://harbour.example/a", title="First", body="old words", at=at)
    _write(runtime, "https://harbour.example/a", title="Second", body="newer words about tides", at=at)
    _write(runtime, "https://harbour.example/b", title="Other", body="tides again", at=at)
    _migrate(runtime, "0003")
    assert "record_search" not in inspect(runtime.database.engine).get_table_names()
    _migrate(runtime, "head")
    with runtime.database.session() as session:
        entries = {row.url: row for row in session.scalars(select(RecordSearchRow))}
    assert set(entries) == {"https://harbour.example/a", "https://harbour.example/b"}
    assert (entries["https://harbour.example/a"].title, entries["https://harbour.example/a"].version) == ("Second", 2)
    assert entries["https://harbour.example/a"].host == "harbour.example"
    assert views.search(runtime, q="tides")["total"] == 2
    assert views.search(runtime, q="old")["total"] == 0
    with runtime.database.engine.connect() as connection:
        if runtime.database.is_sqlite:
            names = set(connection.execute(text("SELECT name FROM sqlite_master")).scalars())
            assert {"record_search_fts", "record_search_ai", "record_search_ad", "record_search_au"} <= names
        else:
            index = connection.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_record_search_document'")).scalar()
            assert "gin (document)" in index


def test_words_are_found_and_marked_whatever_their_accents(runtime: Runtime) -> None:
    """A reader types ``cafe`` for "Café" and ``Zurich`` for "Zürich": both databases find the
    record either way, and the snippet is centred on the word as written in the text."""
    day = datetime(2026, 3, 5, tzinfo=UTC)
    filler = "Nothing to see in this sentence. " * 12
    _write(runtime, "https://harbour.example/cafe", title="Le Café du port",
           body=filler + "The café near Zürich opened a Łódź branch.", at=day)
    _write(runtime, "https://harbour.example/plain", title="A plain cafe", body="Zurich has no port.", at=day)

    assert sorted(_urls(views.search(runtime, q="cafe"))) == [
        "https://harbour.example/cafe", "https://harbour.example/plain"]
    assert sorted(_urls(views.search(runtime, q="CAFÉ zürich"))) == [
        "https://harbour.example/cafe", "https://harbour.example/plain"]
    (hit,) = views.search(runtime, q="cafe near")["results"]
    assert "The café near Zürich" in hit["snippet"] and not hit["snippet"].startswith("Nothing")


def test_marks_fold_accents_and_keep_the_text_as_written() -> None:
    from archivist.web.routes import _highlight

    assert str(_highlight("Le Café à Zürich, cafés", ["cafe", "zurich"])) == (
        "Le <mark>Café</mark> à <mark>Zürich</mark>, cafés")
    assert str(_highlight("Łódź & co", ["lodz"])) == "<mark>Łódź</mark> &amp; co"
