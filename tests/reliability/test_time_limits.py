"""A page whose extraction runs past the step's time limit, on real ``archivist worker`` processes.

Dramatiq's TimeLimit raises ``TimeLimitExceeded`` in the worker thread; the same pages would
take as long again, so the capture must end failed with a reason that says so, at once, while
the worker goes on serving other captures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pages import PageServer, wait_for
from tests.support.processes import ApiServer, Service

ARTICLE = "<html><head><title>{0}</title></head><body><article><p>{0} " + "text " * 60 + "</p></article></body></html>"
#: Half a million line breaks: 2 MB that the extractor works on for several seconds.
EXPENSIVE = "<html><body><p>Start</p>" + "<br>" * 500_000 + "</body></html>"


@pytest.fixture
def limited_env(production_env: dict[str, str]) -> dict[str, str]:
    """A one-page fetch of at most 1 s and a 1 s extraction: the step's limit is 3 s."""
    return {**production_env, "ARCHIVIST_TOTAL_TIMEOUT": "1", "ARCHIVIST_MAX_PAGES": "1",
            "ARCHIVIST_EXTRACT_TIME_LIMIT": "1", "ARCHIVIST_FETCH_MAX_RETRIES": "3"}


@pytest.fixture
def api(limited_env: dict[str, str], tmp_path: Path) -> Iterator[ApiServer]:
    server = ApiServer(limited_env, tmp_path / "api.log").start()
    yield server
    server.stop()


def test_extraction_past_the_time_limit_fails_the_capture_once(api, limited_env, pages: PageServer,
                                                                tmp_path: Path) -> None:
    expensive = pages.set("/expensive", EXPENSIVE)
    worker = Service(["worker", "--processes", "1", "--threads", "2"], limited_env, tmp_path / "w.log").start()
    try:
        capture_id = api.submit(expensive)
        failed = wait_for(lambda: api.finished(capture_id), timeout=90, what="the capture to end")
        fine_id = api.submit(pages.set("/fine", ARTICLE.format("Fine")))
        fine = wait_for(lambda: api.finished(fine_id), timeout=60, what="the next capture")
    finally:
        worker.stop()
    assert (failed["status"], failed["reason"]) == ("failed", "time_limit"), failed
    assert "3 s" in failed["message"], failed
    assert pages.page_hits["/expensive"] == 1  # not fetched and extracted again: it would take as long
    assert fine["status"] == "archived", fine
