"""The language a server declares in its Content-Language header reaches extraction.

On the real stack (PostgreSQL, SeaweedFS, Redis), the fetch step called directly on a page
served over HTTP on 127.0.0.1, then the stored snapshot re-extracted: the header is read from
the response as fetched and from the archived record alike.
"""

from __future__ import annotations

import pytest

from archivist import pipeline, views
from archivist.extraction import extract
from archivist.pipeline.extracting import load_pages
from archivist.runtime import Runtime
from tests.support.pages import PageServer

#: No ``<html lang>``: only the server says the page is British English, in which 12/07/2019
#: is 12 July (in American English, December 7).
PAGE = """<!DOCTYPE html><html><head><title>Harbour dues rise</title></head><body><article>
<h1>Harbour dues rise</h1><p class="byline">By Jane Doe, 12/07/2019</p>
<p>The harbour board raised the mooring dues on Tuesday after a long and heated meeting.</p>
<p>Skippers said the new dues would drive the smaller boats out of the harbour for good.</p>
<p>The board answered that the breakwater repairs could not be paid for in any other way.</p>
</article></body></html>"""


@pytest.fixture
def runtime(production_runtime: Runtime) -> Runtime:
    """The tests here drive the pipeline in this process, on the real servers."""
    return production_runtime


def test_the_content_language_header_declares_the_language_of_a_page_without_lang(
        runtime: Runtime, pages: PageServer) -> None:
    url = pages.set("/news/harbour-dues", PAGE, headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Language": "en-GB"})
    (submission,) = pipeline.submit(runtime, [url])
    pipeline.fetch_capture(runtime, submission.id, delivery=f"d-{submission.id}")
    assert views.get_capture(runtime, submission.id)["status"] == "archived"

    record = views.get_record(runtime, url)
    assert (record["language"], record["published"]) == ("en", "2019-07-12")
    with runtime.database.session() as session:
        snapshots = list(runtime.catalog.snapshots_for_capture(session, submission.id))
    stored = extract(load_pages(runtime, snapshots))
    assert (stored.language, stored.published) == ("en", "2019-07-12")
