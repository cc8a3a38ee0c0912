"""Re-extraction: stored snapshots through the current extractor as Dramatiq messages, new
versions only where the result changed, nothing re-fetched; embedded, CLI, and on Redis +
PostgreSQL + SeaweedFS."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import dramatiq
import pytest

from archivist import pipeline, views
from archivist.extraction import extract as real_extract
from archivist.pipeline import extracting
from archivist.settings import Settings
from archivist_workers.broker import build
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer, Route, wait_for
from tests.support.stack import capture, json_lines, run_cli

ARTICLE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>Members agreed that the light should stay on through the winter months at the very least.</p>
</article></body></html>"""


def _revising(marker: str):  # noqa: ANN202
    """An extractor whose output changes for documents whose URL contains ``marker``."""

    def extract(pages):  # noqa: ANN001, ANN202
        result = real_extract(pages)
        if marker in pages[0].url:
            return dataclasses.replace(result, title=f"{result.title} (revised)")
        return result

    return extract


def _reextract(workers, **selection: str) -> None:  # noqa: ANN001
    workers.runtime.queue.enqueue_reextract(pipeline.reextract_targets(workers.runtime, **selection))
    workers.drain()


def test_reextraction_makes_versions_only_where_the_result_changed(
    workers, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = pages.set("/same", ARTICLE.format(title="Lighthouse stays"))
    changed = pages.set("/changed", ARTICLE.format(title="Council meets"))
    ids = capture(workers, same, changed)
    hits = dict(pages.hits)

    _reextract(workers)
    assert views.get_record(workers.runtime, same)["version"] == 1
    assert views.get_record(workers.runtime, changed)["version"] == 1

    monkeypatch.setattr(extracting, "extract", _revising("/changed"))
    _reextract(workers)
    unchanged = views.get_record(workers.runtime, same)
    revised = views.get_record(workers.runtime, changed)
    assert unchanged["version"] == 1
    assert revised["version"] == 2 and revised["title"] == "Council meets (revised)"
    assert revised["capture_ids"] == [ids[1]]
    assert [v["version"] for v in revised["versions"]] == [1, 2]
    # Version 1 keeps where it came from, though its capture now points at version 2.
    assert [v["source_capture_id"] for v in revised["versions"]] == [ids[1], ids[1]]
    assert revised["versions"][0]["capture_ids"] == []
    # Nothing was fetched again, and the captures did not move in the state machine.
    assert pages.hits == hits
    assert [views.get_capture(workers.runtime, i)["status"] for i in ids] == ["archived", "archived"]

    # A second run with the same extractor finds nothing new.
    _reextract(workers, url=changed)
    assert views.get_record(workers.runtime, changed)["version"] == 2


def test_only_the_newest_capture_of_a_record_is_reextracted(
    workers, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pages.set("/story", ARTICLE.format(title="Old title"))
    old, = capture(workers, url)
    pages.set("/story", ARTICLE.format(title="New title"))
    new, = capture(workers, url)
    monkeypatch.setattr(extracting, "extract", _revising("/story"))
    assert pipeline.reextract_capture(workers.runtime, old).skipped
    outcome = pipeline.reextract_capture(workers.runtime, new)
    assert outcome.new_version and not outcome.skipped
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["title"]) == (3, "New title (revised)")
    assert pipeline.reextract_targets(workers.runtime, url=url) == [new]


def test_reextract_command_embedded(workers, pages: PageServer) -> None:
    url = pages.set("/cli", ARTICLE.format(title="From the CLI"))
    capture(workers, url)
    hits = dict(pages.hits)
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    result = run_cli("reextract", "--all", env=env)
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout) == [{"records": 1, "queued": False, "new_versions": 0}]
    assert run_cli("reextract", "--host", pages.base_url, env=env).returncode == 0
    assert pages.hits == hits
    refused = run_cli("reextract", env=env)
    assert refused.returncode != 0 and "exactly one" in refused.stderr


@pytest.fixture
def redis_workers(production_settings: Settings) -> Iterator:
    """The production adapters (Redis broker, PostgreSQL, SeaweedFS) with workers in this process,
    so that a test can change the extractor they run."""
    setup = build(production_settings, embedded=False)
    runtime = setup.provider.attach(setup.broker)
    runtime.prepare()
    worker = dramatiq.Worker(setup.broker, worker_threads=2, worker_timeout=100)
    worker.start()

    def drain() -> None:
        for queue in ("fetch", "extract", "fetch", "extract"):
            setup.broker.join(queue, timeout=60_000)
        worker.join()

    try:
        yield runtime, drain
    finally:
        worker.stop()
        runtime.close()
        setup.broker.close()


def test_reextraction_on_redis_postgresql_and_s3(
    redis_workers, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, drain = redis_workers
    urls = [pages.set(f"/doc{i}", ARTICLE.format(title=f"Document {i}")) for i in range(3)]
    ids = [s.id for s in pipeline.submit(runtime, urls)]
    drain()
    assert all(views.get_capture(runtime, i)["status"] == "archived" for i in ids)
    hits = dict(pages.hits)

    monkeypatch.setattr(extracting, "extract", _revising("/doc1"))
    runtime.queue.enqueue_reextract(pipeline.reextract_targets(runtime))
    drain()
    assert [views.get_record(runtime, u)["version"] for u in urls] == [1, 2, 1]
    assert views.get_record(runtime, urls[1])["title"] == "Document 1 (revised)"
    assert pages.hits == hits


def test_the_newest_capture_is_the_one_archived_last_not_submitted_last(
    embedded_settings: Settings, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A capture whose first fetch met a 503 is fetched again after its backoff, after a capture
    submitted later: its content is the newer, and the record's latest version. Re-extraction
    must start from it, not from the capture submitted last, whose older content it would
    append as the newest version."""
    answers = iter([(503, "busy"), (200, ARTICLE.format(title="Earlier edition")),
                    (200, ARTICLE.format(title="Later edition"))])

    def answer(handler) -> None:  # noqa: ANN001
        status, text = next(answers)
        body = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    pages.routes["/edition"] = Route(handler=answer)
    url = pages.url("/edition")
    settings = embedded_settings.model_copy(update={"retry_min_backoff_ms": 1500, "retry_max_backoff_ms": 1500})
    with EmbeddedWorkers(settings) as running:
        (retried,) = [s.id for s in pipeline.submit(running.runtime, [url])]
        wait_for(lambda: pages.hits.get("/edition") == 1, timeout=10, what="the first fetch's 503")
        (submitted_last,) = [s.id for s in pipeline.submit(running.runtime, [url])]
        running.drain()
        record = views.get_record(running.runtime, url)
        assert (record["title"], record["capture_ids"]) == ("Later edition", [retried])
        assert pipeline.reextract_targets(running.runtime, url=url) == [retried]
        monkeypatch.setattr(extracting, "extract", _revising("/edition"))
        assert pipeline.reextract_capture(running.runtime, submitted_last).skipped
        pipeline.reextract_capture(running.runtime, retried)
        assert views.get_record(running.runtime, url)["title"] == "Later edition (revised)"
