"""An HTTP client of a real ``archivist serve`` process on PostgreSQL, Redis and S3."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ApiServer


@pytest.fixture
def client(production_env: dict[str, str], tmp_path: Path) -> Iterator[httpx.Client]:
    server = ApiServer(production_env, tmp_path / "api.log").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            yield http
    finally:
        server.stop()
