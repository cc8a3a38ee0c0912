"""Re-captures of an unchanged page make no version: what moves on a page between two captures
without the article or its comments changing (relative dates read at another time, counters,
tokens, teasers...) is no change; an edit, a new comment or a corrected title still is."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
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


NEWS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Bayview Gazette</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-11-20T09:00:00Z">
<meta name="csrf-token" content="{nonce}"></head><body>
<header class="site-header"><a href="/" class="logo">Bayview Gazette</a>
<div class="date-bar">{clock}</div><nav><a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
{experiment}<main><article class="post"><h1 class="entry-title">{title}</h1>
<div class="byline">By <a rel="author" href="/authors/ann">Ann Writer</a> ·
<time datetime="2026-11-20T09:00:00Z">November 20, 2026</time> · <span class="reading-time">{minutes} min read</span></div>
<p class="stats">{counter}</p>
<div class="entry-content">
<p>The harbour council met on Tuesday evening to discuss the lighthouse and its{space}future in the town, and the
meeting ran late as residents queued to speak.</p>
<p>{middle}</p>
<figure><img src="/img/lighthouse.jpg?v={stamp}" alt="The lighthouse at dusk"><figcaption>The lighthouse at dusk.</figcaption></figure>
<div class="ad-slot" id="ad-{ad}"><span>Advertisement</span><a href="https://ads.example.net/c?id={ad}">{advert}</a></div>
<p>A final vote is expected next week after the public consultation closes on Friday evening at the town hall.</p>
</div>
<div class="share-bar"><span class="share-count">{shares} shares</span> <a href="#">Share on Facebook</a></div>
</article>
<section class="related-posts"><h3>Related articles</h3><ul>{related}</ul></section>
<section id="comments" class="comments-area"><h2 class="comments-title">{count}</h2>
<ol class="comment-list">{comments}</ol>
<form action="/wp-comments-post.php" method="post" id="commentform"><textarea name="comment"></textarea>
<input type="hidden" name="_wpnonce" value="{nonce}"><input type="submit" value="Post Comment"></form>
</section></main>{experiment_end}
<aside class="sidebar"><h3>Most read</h3><ol>{most_read}</ol></aside><footer>© 2026 Bayview Gazette</footer>
</body></html>"""
NEWS_COMMENT = """<li id="comment-{n}" class="comment"><article class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{author}</b></div><div class="comment-metadata"><a href="#comment-{n}">
<time datetime="2026-11-2{n}T10:00:00Z">November 2{n}, 2026 at 10:00 am</time></a></div></footer>
<div class="comment-content"><p>{text}</p>{reaction}</div>
<div class="comment-votes"><span class="score">{votes}</span> points</div></article></li>"""
READERS = [
    ("Bob", "Keep the light on, the fishing boats still need it at night."),
    ("Eve", "The council should publish the running costs before the review."),
    ("Raj", "My grandfather kept that light for thirty years; glad it stays."),
]


MIDDLE = "Members agreed that the light should stay on through the winter months, with a review of the costs."


def _teasers(first: int) -> str:
    return "".join(
        f'<li><a href="/2026/11/{n}/story-{n}/">Story {n} about the town and its harbour</a></li>'
        for n in range(first, first + 4)
    )


def _news(**changes: object) -> str:
    """The article as the site renders it at one visit; ``changes`` are what another visit
    renders differently."""
    fields: dict[str, object] = {
        "title": "Harbour council keeps the lighthouse lit",
        "nonce": "a1b2c3d4e5",
        "stamp": "1732700000",
        "clock": "Friday, November 27, 2026 · Last updated 08:01",
        "experiment": "",
        "experiment_end": "",
        "minutes": 4,
        "counter": "1,204 views",
        "space": " ",
        "ad": 4821,
        "advert": "Cheap flights to Lisbon",
        "middle": MIDDLE,
        "shares": 214,
        "related": _teasers(1),
        "count": "3 thoughts on “Harbour council keeps the lighthouse lit”",
        "most_read": _teasers(11),
        "reaction": "",
        "order": (0, 1, 2),
        "votes": (3, 5, 1),
        "readers": READERS,
    }
    fields.update(changes)
    readers = fields.pop("readers")
    fields["comments"] = "".join(
        NEWS_COMMENT.format(
            n=i + 1,
            author=readers[i][0],
            text=readers[i][1],
            votes=votes,
            reaction=fields["reaction"].format(votes=votes),
        )
        for i, votes in zip(fields.pop("order"), fields.pop("votes"), strict=False)
    )
    del fields["reaction"]
    return NEWS.format(**fields)


#: What another visit to the same article renders differently, one case at a time.
NOISE = {
    "view counter": {"counter": "1,377 views"},
    "read count": {"counter": "Read 1,377 times"},
    "readers now": {"counter": "31 people are reading this"},
    "eye counter": {"counter": "👁 1377"},
    "share count": {"shares": 391},
    "comment count": {"count": "3 comments"},
    "reading time": {"minutes": 5},
    "header clock": {"clock": "Saturday, November 28, 2026 · Last updated 11:47"},
    "teasers": {"related": _teasers(7), "most_read": _teasers(21)},
    "image cache-buster": {"stamp": "1732799999"},
    "form nonce": {"nonce": "zz99yy88xx"},
    "ad slot": {"ad": 9313, "advert": "Try our new meal kit today"},
    "a/b wrapper": {
        "experiment": '<div class="ab-test variant-b" data-experiment="exp-42">',
        "experiment_end": "</div>",
    },
    "comments by votes": {"order": (1, 0, 2), "votes": (9, 5, 2)},
    "white space": {"space": "&nbsp;", "readers": [(a, t.replace(" the ", " the\n    ", 1)) for a, t in READERS]},
}


@pytest.mark.parametrize("noise", NOISE.values(), ids=NOISE.keys())
def test_an_unchanged_article_rendered_anew_makes_no_version(workers, pages: PageServer, noise: dict) -> None:
    """What a site renders anew at every visit, around an article and its comments that did not
    change, is no change: counters, clocks, teasers, tokens, ads, experiments, the comments'
    order and votes, white space."""
    url = pages.set("/2026/11/20/harbour-lighthouse/", _news())
    (first,) = capture(workers, url)
    pages.set("/2026/11/20/harbour-lighthouse/", _news(**noise))
    (again,) = capture(workers, url)
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["capture_ids"]) == (1, [first, again])


EVERY_NOISE = {key: value for case in NOISE.values() for key, value in case.items()}
EDITED = "Members agreed that the light should stay on all year round, with a review of the costs."
NEW_READER = ("Ann", "Thank you all for coming to the meeting on Tuesday.")
CORRECTED = "Harbour council keeps the lighthouse lit through winter"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"middle": EDITED}, {"body": EDITED}),
        (
            {"readers": [*READERS, NEW_READER], "order": (0, 1, 2, 3), "votes": (3, 5, 1, 0)},
            {"added": [NEW_READER[1]], "removed": []},
        ),
        (
            {"readers": [READERS[0], (READERS[1][0], "The council must publish the costs first."), READERS[2]]},
            {"added": ["The council must publish the costs first."], "removed": [READERS[1][1]]},
        ),
        ({"title": CORRECTED}, {"title": CORRECTED}),
    ],
    ids=["edited paragraph", "new comment", "edited comment", "corrected title"],
)
def test_a_real_change_amid_the_noise_makes_a_version_and_its_diff(
    workers, pages: PageServer, change: dict, expected: dict
) -> None:
    url = pages.set("/2026/11/20/harbour-lighthouse/", _news())
    capture(workers, url)
    pages.set("/2026/11/20/harbour-lighthouse/", _news(**{**EVERY_NOISE, **change}))
    capture(workers, url)
    diff = views.record_diff(workers.runtime, url)
    assert (diff["from"], diff["to"], diff["changed"]) == (1, 2, True)
    if "body" in expected:
        changed = [line for line in diff["body"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        assert changed == ["-" + MIDDLE, "+" + expected["body"]]
    else:
        assert diff["body"] == ""
    added, removed = diff["comments"]["added"], diff["comments"]["removed"]
    assert ([c["text"] for c in added], [c["text"] for c in removed]) == (
        expected.get("added", []),
        expected.get("removed", []),
    )
    assert diff["metadata"] == (
        {"title": {"from": "Harbour council keeps the lighthouse lit", "to": CORRECTED}} if "title" in expected else {}
    )


@pytest.mark.parametrize(
    "reaction",
    [
        "<p>👍 {votes}</p>",
        "<p>{votes} points</p>",
        "<p>{votes} upvotes</p>",
        '<span class="score">{votes}</span>',
        "<p>Was this helpful? Yes ({votes}) No (1)</p>",
    ],
    ids=["thumbs", "points", "upvotes", "bare score", "helpful"],
)
def test_a_comments_votes_in_its_text_block_make_no_version(workers, pages: PageServer, reaction: str) -> None:
    """Votes under a comment's text change at every visit; the comment does not."""
    url = pages.set("/2026/11/20/harbour-lighthouse/", _news(reaction=reaction))
    (first,) = capture(workers, url)
    assert [c["text"] for c in views.get_record(workers.runtime, url)["comments"]] == [t for _, t in READERS]
    pages.set("/2026/11/20/harbour-lighthouse/", _news(reaction=reaction, votes=(9, 5, 2)))
    (again,) = capture(workers, url)
    record = views.get_record(workers.runtime, url)
    assert (record["version"], record["capture_ids"]) == (1, [first, again])
