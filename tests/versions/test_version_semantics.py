"""What makes a new version: a change a reader can see in the diff, and nothing else."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from sqlalchemy import event
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist import pipeline, views
from archivist.core.diffs import content_changed
from archivist.extraction import extract as real_extract
from archivist.pipeline import extracting
from archivist.warcfiles import import_warc
from tests.support.pages import PageServer, Route
from tests.support.stack import capture

ARTICLE = """<html><head><title>Harbour news</title></head><body><article><h1>Harbour news</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>Members agreed that the light should stay on through the winter months at the very least.</p>
</article><section id="comments"><ol class="comment-list">{comments}</ol></section></body></html>"""
COMMENT = """<li class="comment"><div class="comment-author">{0}</div>
<div class="comment-content"><p>{1}</p></div></li>"""
BOB = ("Bob", "Keep the light on, the fishing boats still need it.")
EVE = ("Eve", "The council should publish the running costs first.")


def _page(*comments: tuple[str, str]) -> str:
    return ARTICLE.format(comments="".join(COMMENT.format(*c) for c in comments))


def test_comments_listed_in_another_order_make_no_version(workers, pages: PageServer) -> None:
    url = pages.set("/harbour", _page(BOB, EVE))
    first, = capture(workers, url)
    pages.set("/harbour", _page(EVE, BOB))  # the site now sorts its comments another way
    reordered, = capture(workers, url)
    record = views.get_record(workers.runtime, url)
    assert record["version"] == 1
    assert [c["author"] for c in record["comments"]] == ["Bob", "Eve"]
    assert record["capture_ids"] == [first, reordered]

    pages.set("/harbour", _page(EVE, (BOB[0], BOB[1] + " Edited.")))  # a comment edited: a change
    capture(workers, url)
    diff = views.record_diff(workers.runtime, url)
    assert (diff["from"], diff["to"], diff["changed"]) == (1, 2, True)
    assert [c["text"] for c in diff["comments"]["removed"]] == [BOB[1]]
    assert [c["text"] for c in diff["comments"]["added"]] == [BOB[1] + " Edited."]


def test_content_changed_is_what_the_diff_shows() -> None:
    bob, eve = {"author": "Bob", "published": None, "text": "hi"}, {"author": "Eve", "published": None, "text": "yo"}
    reply = {"author": "Ann", "published": None, "text": "agreed", "parent": 0}
    old = {"title": "A", "body": "one\ntwo", "comments": [bob, eve, reply]}
    assert not content_changed(old, {**old, "comments": [eve, bob, {**reply, "parent": 1}]})
    assert content_changed(old, {**old, "comments": [bob, eve, {**reply, "parent": 1}]})  # the reply moved
    assert content_changed(old, {**old, "comments": [bob, eve, reply, bob]})  # one more of the same
    assert content_changed(old, {**old, "body": "one\n2"})
    assert content_changed(old, {**old, "title": "B"})
    pictured = {**old, "image": "https://example.org/img/a.JPG?v=1"}
    assert not content_changed(pictured, {**pictured, "image": "https://example.org/img/a.JPG?v=2#top"})
    chosen = {**old, "image": "https://example.org/image.php?id=7"}  # the query chooses the picture
    assert content_changed(chosen, {**chosen, "image": "https://example.org/image.php?id=8"})


@pytest.mark.parametrize("answer", [Route(body=b"", status=200), Route(body=b"", status=204),
                                    Route(body=b"<html><body>\n</body></html>")], ids=["empty", "204", "blank"])
def test_a_recapture_with_nothing_in_it_fails_and_keeps_the_latest_version(
    workers, pages: PageServer, answer: Route
) -> None:
    url = pages.set("/harbour", _page(BOB))
    first, = capture(workers, url)
    pages.routes["/harbour"] = answer
    empty, = [s.id for s in pipeline.submit(workers.runtime, [url])]
    workers.drain()
    failed = views.get_capture(workers.runtime, empty)
    assert (failed["status"], failed["reason"]) == ("failed", "no_content")
    assert "no title, text or comment" in failed["message"] and "keeps its version 1" in failed["message"]
    assert len(failed["snapshots"]) == 1  # what the site sent is archived all the same
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["title"], record["capture_ids"]) == (1, "Harbour news", [first])



def test_a_first_capture_with_nothing_in_it_is_archived(workers, pages: PageServer) -> None:
    """Nothing to keep: the record is what the page is, and its replay shows it."""
    url = pages.set("/blank", "<html><body><img src='a.png'></body></html>")
    first, = capture(workers, url)
    assert views.get_record(workers.runtime, url)["body"] == ""
    again, = capture(workers, url)  # the same nothing again: unchanged, not refused
    assert views.get_record(workers.runtime, url)["capture_ids"] == [first, again]


def test_a_reextraction_that_finds_nothing_keeps_the_latest_version(
    workers, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pages.set("/harbour", _page(BOB))
    first, = capture(workers, url)
    monkeypatch.setattr(extracting, "extract", lambda pages: dataclasses.replace(
        real_extract(pages), title=None, body="", comments=[]))  # an extractor that lost its way
    outcome = pipeline.reextract_capture(workers.runtime, first)
    assert outcome.failed_reason == "no_content" and not outcome.new_version
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["title"]) == (1, "Harbour news")


def test_a_long_history_is_read_in_a_fixed_number_of_queries(workers, pages: PageServer) -> None:
    """``show`` and ``history`` list every version and capture: a query per version or capture
    made a page re-captured hourly for months take seconds to show."""
    url = pages.set("/harbour", _page())
    for n in range(6):
        pages.set("/harbour", _page(*[(f"Reader {i}", f"Comment number {i} on the lighthouse.") for i in range(n)]))
        capture(workers, url)

    def statements(read) -> int:  # noqa: ANN001
        sent: list[str] = []
        listener = lambda *args: sent.append(args[2])  # noqa: E731 - the statement text
        event.listen(workers.runtime.database.engine, "before_cursor_execute", listener)
        try:
            read()
        finally:
            event.remove(workers.runtime.database.engine, "before_cursor_execute", listener)
        return len(sent)

    record = views.get_record(workers.runtime, url)
    assert record["version"] == 6 and all(len(v["capture_ids"]) == 1 for v in record["versions"])
    history = views.history(workers.runtime, url)
    assert [c["http_status"] for c in history["captures"]] == [200] * 6
    shown, listed = statements(lambda: views.get_record(workers.runtime, url)), statements(
        lambda: views.history(workers.runtime, url))
    for n in range(6, 10):
        pages.set("/harbour", _page(*[(f"Reader {i}", f"Comment number {i} on the lighthouse.") for i in range(n)]))
        capture(workers, url)
    assert statements(lambda: views.get_record(workers.runtime, url)) == shown
    assert statements(lambda: views.history(workers.runtime, url)) == listed


NOISY = """<html><head><title>Harbour news</title>
<meta property="og:image" content="{base}/img/lighthouse.jpg?v={stamp}">
<meta name="csrf-token" content="{token}"></head><body><article><h1>Harbour news</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>Members agreed that the light should stay on through the winter months at the very least.</p>
<figure><img src="/img/lighthouse.jpg?v={stamp}" alt="The lighthouse at dusk"></figure>
</article><form action="/comment" method="post"><input type="hidden" name="_token" value="{token}">
<textarea name="text"></textarea></form></body></html>"""


def test_an_image_url_with_a_new_cache_busting_query_makes_no_version(workers, pages: PageServer) -> None:
    """A site that stamps its image URLs with a deploy or render time (``?v=1732700000``) serves
    the same picture under a new query on every capture: the same page, no version. A picture
    at another path is another picture, and a version."""
    url = pages.url("/harbour")
    pages.set("/harbour", NOISY.format(base=pages.base_url, stamp="1732700000", token="a1b2c3"))
    first, = capture(workers, url)
    pages.set("/harbour", NOISY.format(base=pages.base_url, stamp="1732703600", token="d4e5f6"))
    again, = capture(workers, url)
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["capture_ids"]) == (1, [first, again])

    pages.set("/harbour", NOISY.format(base=pages.base_url, stamp="1732703600", token="d4e5f6").replace(
        "/img/lighthouse.jpg", "/img/harbour-wall.jpg"))
    capture(workers, url)
    diff = views.record_diff(workers.runtime, url)
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["metadata"] == {"image": {"from": pages.url("/img/lighthouse.jpg?v=1732700000"),
                                          "to": pages.url("/img/harbour-wall.jpg?v=1732703600")}}


RELATIVE = """<html lang="en"><head><title>Harbour news</title></head><body><article><h1>Harbour news</h1>
<p>The harbour council met on Tuesday evening to discuss the lighthouse and its future in the town, and the
meeting ran late as residents queued to speak.</p>
<p>Members agreed that the light should stay on through the winter months at the very least, with a review of the
costs in the spring.</p></article>
<section id="comments"><ol class="comment-list"><li id="comment-1" class="comment"><div class="comment-body">
<div class="comment-author vcard"><b class="fn">Bob</b></div>
<div class="comment-metadata"><a href="#comment-1"><time>2 hours ago</time></a></div>
<div class="comment-content"><p>Keep the light on, the fishing boats still need it at night.</p></div></div></li></ol>
</section></body></html>"""


def test_a_recapture_of_the_same_bytes_reads_their_relative_dates_as_its_original_did(
    workers, pages: PageServer, tmp_path: Path
) -> None:
    """A re-capture whose payload is the one archived before (a revisit) is that content again,
    whatever day it is: "2 hours ago" in the same bytes was written when they were, so it is read
    against the original's time, as re-extraction and the extract step read it. Read against
    the re-capture's own time, every relative date moved a day or more and the unchanged page
    made a version listing every comment removed and added."""
    url = pages.set("/harbour", RELATIVE)
    path = tmp_path / "earlier.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(RELATIVE.encode()),
                                                      http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2026-11-01T10:00:00Z"}))
    with path.open("rb") as stream:
        assert import_warc(workers.runtime, stream).as_dict()["imported"] == 1
    workers.drain()
    imported = views.get_record(workers.runtime, url)
    assert [c["published"] for c in imported["comments"]] == ["2026-11-01"]

    again, = capture(workers, url)
    assert [s["kind"] for s in views.get_capture(workers.runtime, again)["snapshots"]] == ["revisit"]
    record = views.get_record(workers.runtime, url)
    assert record["version"] == 1 and again in record["capture_ids"]
    assert [c["published"] for c in record["comments"]] == ["2026-11-01"]
