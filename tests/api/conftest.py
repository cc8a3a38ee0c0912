"""An HTTP client of a real ``archivist serve`` process on PostgreSQL, Redis and S3.

One server answers all the tests of a module (its start-up cost seconds per test); each test
gets the catalog emptied (``pg_url``) and a client of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.processes import ApiServer


@pytest.fixture(scope="module")
def module_api(module_production_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    server = ApiServer(module_production_env, tmp_path_factory.mktemp("api") / "api.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(module_api: ApiServer, pg_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=module_api.base_url, timeout=30) as http:
        yield http
