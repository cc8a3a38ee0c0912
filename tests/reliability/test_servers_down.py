"""The API while PostgreSQL or S3 is away, restarted or frozen, through the real servers.

A request that needs a server which is down gets a 503 naming it, quickly: never a 500, a hang
or an API that cannot start. A server that is back is used at once, without a failed request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.support.pages import PageServer
from tests.support.processes import ApiServer

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"


@pytest.fixture
def api(production_env: dict[str, str], tmp_path: Path) -> Iterator[ApiServer]:
    server = ApiServer(production_env, tmp_path / "api.log").start()
    yield server
    server.stop()


def end_every_session(pg_url: str) -> int:
    """``pg_terminate_backend`` on every other session of the test database, as a restart does."""
    with psycopg.connect(pg_url, autocommit=True) as admin:
        return len(admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall())


def test_the_api_answers_at_once_after_the_database_ended_its_connections(
    api: ApiServer, pg_url: str, pages: PageServer
) -> None:
    url = pages.set("/harbour", ARTICLE.format("Harbour"))
    answer = httpx.post(f"{api.base_url}/v1/captures", json={"urls": [url]}, timeout=10)
    assert answer.status_code == 202, answer.text
    capture_id = answer.json()["captures"][0]["id"]
    assert httpx.get(f"{api.base_url}/v1/captures/{capture_id}", timeout=10).status_code == 200

    assert end_every_session(pg_url) >= 1  # the API's pooled connection among them

    read = httpx.get(f"{api.base_url}/v1/captures/{capture_id}", timeout=10)
    assert read.status_code == 200, read.text
    end_every_session(pg_url)
    submitted = httpx.post(f"{api.base_url}/v1/captures", json={"urls": [url]}, timeout=10)
    assert submitted.status_code == 202, submitted.text
