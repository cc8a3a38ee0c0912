"""Fixtures shared by the replay, versions and WARC tests (their conftest modules import them):
a Runtime on real adapters with in-process workers, a FastAPI TestClient over it, helpers to
capture URLs and to run the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archivist import pipeline, views
from archivist.api import create_app
from archivist.runtime import Runtime
from archivist.settings import Settings
from archivist_workers.embedded import EmbeddedWorkers


@pytest.fixture
def workers(embedded_settings: Settings) -> Iterator[EmbeddedWorkers]:
    """Embedded default: SQLite, a local object folder, Dramatiq's in-process broker."""
    with EmbeddedWorkers(embedded_settings) as running:
        yield running


@pytest.fixture
def client(workers: EmbeddedWorkers) -> Iterator[TestClient]:
    with TestClient(create_app(workers.runtime.settings, runtime=workers.runtime)) as test_client:
        yield test_client


def capture(workers: EmbeddedWorkers, *urls: str) -> list[str]:
    """Capture the URLs in-process and wait; the capture ids, each archived."""
    ids = [s.id for s in pipeline.submit(workers.runtime, list(urls))]
    workers.drain()
    for capture_id in ids:
        with workers.runtime.database.session() as session:
            row = workers.runtime.catalog.get_capture(session, capture_id)
            assert row.status == "archived", (row.status, row.reason, row.message)
    return ids


def capture_in_process(runtime: Runtime, url: str) -> dict:
    """Submit ``url`` and run its fetch delivery (which extracts) in this process; the capture as
    the API shows it."""
    (submission,) = pipeline.submit(runtime, [url])
    pipeline.fetch_capture(runtime, submission.id, delivery=f"d-{submission.id}")
    return views.get_capture(runtime, submission.id)


def run_cli(*args: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``python -m archivist ARGS`` with exactly the given ARCHIVIST_* variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVIST_")}
    environment.update({"ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1", **env})
    return subprocess.run([sys.executable, "-m", "archivist", *args], env=environment, capture_output=True,
                          text=True, timeout=timeout)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def home_env(path: Path) -> dict[str, str]:
    return {"ARCHIVIST_HOME": str(path)}


def link_relations(header: str) -> dict[str, tuple[str, str | None]]:
    """A Memento ``Link`` header as ``{rel: (uri, datetime)}``."""
    found = {}
    for link in header.split(", <"):
        uri, _, params = link.lstrip("<").partition(">")
        attributes = dict(part.strip().split("=", 1) for part in params.split(";") if "=" in part)
        found[attributes["rel"].strip('"')] = (uri, attributes.get("datetime", "").strip('"') or None)
    return found
