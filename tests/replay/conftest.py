"""Fixtures for the replay, versions and WARC tests: a Runtime on real adapters with in-process
workers, and a FastAPI TestClient over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from archivist.api import create_app
from archivist.settings import Settings
from archivist_workers.embedded import EmbeddedWorkers
from fastapi.testclient import TestClient


@pytest.fixture
def workers(embedded_settings: Settings) -> Iterator[EmbeddedWorkers]:
    """Embedded default: SQLite, a local object folder, Dramatiq's in-process broker."""
    with EmbeddedWorkers(embedded_settings) as running:
        yield running


@pytest.fixture
def client(workers: EmbeddedWorkers) -> Iterator[TestClient]:
    with TestClient(create_app(workers.runtime.settings, runtime=workers.runtime)) as test_client:
        yield test_client
