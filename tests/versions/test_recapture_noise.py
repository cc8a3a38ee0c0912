"""Re-captures of an unchanged page make no version: what moves on a page between two captures
without the article or its comments changing (relative dates read at another time, counters,
tokens, teasers...) is no change; an edit, a new comment or a corrected title still is."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archivist import views
from archivist.core.diffs import content_changed, diff_versions
from archivist.warcfiles import import_warc
from tests.support.pages import PageServer
from tests.support.stack import capture

DAY, HOUR, MINUTE = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1)

DATED = """<html lang="en"><head><title>Harbour news</title></head><body><article><h1>Harbour news</h1>
<p class="byline">By Ann Writer · Updated {updated}</p>
<p>The harbour council met on Tuesday evening to discuss the lighthouse and its future in the town, and the
meeting ran late as residents queued to speak.</p>
<p>Members agreed that the light should stay on through the winter months at the very least, with a review of the
costs in the spring.</p></article>
<section id="comments"><ol class="comment-list">{comments}</ol></section></body></html>"""
DATED_COMMENT = """<li id="comment-{n}" class="comment"><div class="comment-body">
<div class="comment-author vcard"><b class="fn">{author}</b></div>
<div class="comment-metadata"><a href="#comment-{n}"><time>{ago}</time></a></div>
<div class="comment-content"><p>{text}</p></div></div></li>"""
BOB = ("Bob", "Keep the light on, the fishing boats still need it at night.")
EVE = ("Eve", "The council should publish the running costs before the review in spring.")


def _ago(age: dt.timedelta) -> str:
    """An age as a site prints it, cut down to its unit (WordPress's ``human_time_diff`` style)."""
    if age < HOUR:
        return f"{age // MINUTE} minutes ago"
    if age < DAY:
        return f"{age // HOUR} hours ago"
    return "yesterday" if age < 2 * DAY else f"{age // DAY} days ago"


def _dated_page(at: dt.datetime, updated: dt.datetime, comments: list[tuple[str, str, dt.datetime]]) -> str:
    """The page as the site renders it at ``at``: every date printed as an age."""
    return DATED.format(
        updated=_ago(at - updated),
        comments="".join(
            DATED_COMMENT.format(n=n, author=author, text=text, ago=_ago(at - posted))
            for n, (author, text, posted) in enumerate(comments, 1)
        ),
    )


def _import_capture(workers, url: str, html: str, at: dt.datetime, path: Path) -> None:  # noqa: ANN001
    """Archive ``html`` as ``url`` captured at ``at`` (an earlier crawl's WARC, imported)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(html.encode()),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": at.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
        )
    with path.open("rb") as stream:
        assert import_warc(workers.runtime, stream).as_dict()["imported"] == 1
    workers.drain()


def test_relative_dates_read_at_a_later_capture_make_no_version(workers, pages: PageServer, tmp_path: Path) -> None:
    """A site prints each date as an age ("23 hours ago", three days later "3 days ago"): read
    against each capture's time, the same comment and the same update got another day at every
    re-capture, and each made a version listing every comment removed and added. A date read
    from an age stands for the days its unit spans, and dates within each other's span are the
    same; a comment edited, or a new one, is still a change."""
    now = dt.datetime.now(dt.UTC)
    midnight = dt.datetime.combine((now - 3 * DAY).date(), dt.time(), dt.UTC)
    posted = midnight - 50 * MINUTE  # the day before the one "3 days ago" counts back to
    earlier = posted + 23 * HOUR + 20 * MINUTE  # "23 hours ago" counts back to its own day
    url = pages.url("/harbour")
    comments = [(*BOB, posted), (*EVE, posted - 2 * HOUR)]
    _import_capture(workers, url, _dated_page(earlier, posted, comments), earlier, tmp_path / "earlier.warc.gz")
    first = views.get_record(workers.runtime, url)
    assert first["modified"] == (posted + 20 * MINUTE).date().isoformat()

    pages.set("/harbour", _dated_page(dt.datetime.now(dt.UTC), posted, comments))
    (again,) = capture(workers, url)
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["capture_ids"][-1]) == (1, again)
    assert [c["published"] for c in record["comments"]] == [c["published"] for c in first["comments"]]

    edited = [
        (BOB[0], BOB[1] + " And the harbour wall.", posted),
        (*EVE, posted - 2 * HOUR),
        ("Ann", "Thank you all for coming to the meeting.", dt.datetime.now(dt.UTC) - 2 * HOUR),
    ]
    pages.set("/harbour", _dated_page(dt.datetime.now(dt.UTC), posted, edited))
    capture(workers, url)
    diff = views.record_diff(workers.runtime, url)
    assert (diff["from"], diff["to"], diff["metadata"], diff["body"]) == (1, 2, {}, "")
    assert [c["text"] for c in diff["comments"]["removed"]] == [BOB[1]]
    assert [c["text"] for c in diff["comments"]["added"]] == [
        BOB[1] + " And the harbour wall.",
        "Thank you all for coming to the meeting.",
    ]


def test_a_date_read_from_an_age_is_the_same_only_within_its_range() -> None:
    """The tolerance is the age's unit, no more: the same words posted again days apart are two
    comments, a written date that changed is a change, and so is a date that moved."""
    bob = {"author": "Bob", "published": "2026-11-01", "text": "+1", "published_range": ["2026-11-01", "2026-11-02"]}
    old = {
        "title": "A",
        "body": "one",
        "comments": [bob],
        "modified": "2026-11-01",
        "modified_range": ["2026-10-31", "2026-11-02"],
    }
    later = {**bob, "published": "2026-11-02", "published_range": ["2026-11-01", "2026-11-03"]}
    assert not content_changed(old, {**old, "comments": [later], "modified": "2026-11-02"})
    again = {**bob, "published": "2026-11-05", "published_range": ["2026-11-04", "2026-11-06"]}
    assert content_changed(old, {**old, "comments": [bob, again]})  # posted again, days later
    diff = diff_versions(old, {**old, "comments": [again]}, from_version=1, to_version=2)
    assert ([c["published"] for c in diff.comments_removed], [c["published"] for c in diff.comments_added]) == (
        ["2026-11-01"],
        ["2026-11-05"],
    )
    written = {"author": "Eve", "published": "2026-11-01", "text": "hi"}
    assert content_changed(
        {**old, "comments": [written]}, {**old, "comments": [{**written, "published": "2026-11-02"}]}
    )
    assert content_changed(old, {**old, "modified": "2026-11-04", "modified_range": ["2026-11-04", "2026-11-04"]})
