"""Record diffs: the core comparison, and `archivist diff` / `GET /v1/records/{id}/diff` on a
page that changes between captures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archivist import views
from archivist.api import create_app
from archivist.core.diffs import diff_versions
from archivist.settings import Settings
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.pages import PageServer
from tests.support.stack import capture, json_lines, run_cli

ARTICLE = """<html><head><title>{title}</title><meta name="author" content="Ann Writer">
<meta name="description" content="{description}"></head><body><article><h1>{title}</h1>
<p>The harbour council met on Tuesday to discuss the lighthouse and its future in the town.</p>
<p>{middle}</p>
<p>A vote is expected next week after the public consultation closes on Friday evening.</p>
</article></body></html>"""


def _article(**overrides: str) -> str:
    fields = {"title": "Harbour news", "description": "The council and the light",
              "middle": "Members agreed that the light should stay on through the winter months."}
    return ARTICLE.format(**{**fields, **overrides})


def test_core_diff_reports_body_comments_and_metadata() -> None:
    old = {"title": "A", "tags": ["x"], "body": "one\ntwo\nthree",
           "comments": [{"author": "Bob", "published": None, "text": "hi"},
                        {"author": "Eve", "published": "2024-01-01", "text": "spam"}]}
    new = {"title": "B", "tags": ["x"], "body": "one\n2\nthree\nfour",
           "comments": [{"author": "Bob", "published": None, "text": "hi", "parent": None},
                        {"author": "Ann", "published": None, "text": "welcome"}]}
    diff = diff_versions(old, new, from_version=1, to_version=3)
    assert diff.changed
    assert diff.metadata == {"title": {"from": "A", "to": "B"}}
    assert diff.body.splitlines()[:2] == ["--- version 1", "+++ version 3"]
    assert "-two" in diff.body.splitlines() and "+2" in diff.body.splitlines() and "+four" in diff.body.splitlines()
    assert diff.comments_added == [{"author": "Ann", "published": None, "text": "welcome"}]
    assert diff.comments_removed == [{"author": "Eve", "published": "2024-01-01", "text": "spam"}]
    same = diff_versions(old, dict(old), from_version=2, to_version=2)
    assert not same.changed and same.body == "" and same.as_dict()["comments"] == {"added": [], "removed": []}


def test_core_diff_follows_replies_by_what_they_reply_to_not_their_index() -> None:
    """A reply moved under another comment changed (the content's fingerprint says so too); a
    comment added above a reply shifts its parent's index but changes nothing about the reply."""
    bob, eve = {"author": "Bob", "published": None, "text": "hi"}, {"author": "Eve", "published": None, "text": "yo"}
    reply = {"author": "Ann", "published": None, "text": "agreed"}
    old = {"comments": [bob, eve, {**reply, "parent": 0}]}
    moved = diff_versions(old, {"comments": [bob, eve, {**reply, "parent": 1}]}, from_version=1, to_version=2)
    assert moved.changed
    assert moved.comments_removed == [{**reply, "in_reply_to": bob}]
    assert moved.comments_added == [{**reply, "in_reply_to": eve}]
    new = {"comments": [{"author": "Zed", "published": None, "text": "first!"}, bob, eve, {**reply, "parent": 1}]}
    shifted = diff_versions(old, new, from_version=1, to_version=2)
    assert shifted.comments_added == [{"author": "Zed", "published": None, "text": "first!"}]
    assert shifted.comments_removed == []


def test_diff_between_captured_versions_over_api_and_cli(
    workers, client: TestClient, pages: PageServer, tmp_path: Path
) -> None:
    url = pages.set("/harbour", _article())
    capture(workers, url)
    pages.set("/harbour", _article(middle="Members voted to switch the light off for good in March."))
    capture(workers, url)
    pages.set("/harbour", _article(middle="Members voted to switch the light off for good in March.",
                                   title="Harbour light to go dark", description="A decision"))
    capture(workers, url)
    record = client.get("/v1/records", params={"url": url}).json()
    assert record["version"] == 3

    latest = client.get(f"/v1/records/{record['id']}/diff").json()
    assert (latest["from"], latest["to"]) == (2, 3)
    assert latest["metadata"]["title"] == {"from": "Harbour news", "to": "Harbour light to go dark"}
    assert latest["metadata"]["description"] == {"from": "The council and the light", "to": "A decision"}
    assert latest["body"] == ""  # the headline is the title, not body text: only metadata changed

    first = client.get(f"/v1/records/{record['id']}/diff", params={"from": 1, "to": 2}).json()
    assert first["metadata"] == {}
    assert "-Members agreed that the light should stay on through the winter months." in first["body"].splitlines()
    assert "+Members voted to switch the light off for good in March." in first["body"].splitlines()
    backwards = client.get(f"/v1/records/{record['id']}/diff", params={"from": 3, "to": 1}).json()
    assert backwards["metadata"]["title"]["to"] == "Harbour news"
    assert client.get(f"/v1/records/{record['id']}/diff", params={"from": 9}).status_code == 404
    assert client.get("/v1/records/nope/diff").status_code == 404

    # The same through the CLI, on the same embedded home.
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    shown = run_cli("diff", url, "--from", "1", "--to", "2", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    (line,) = json_lines(shown.stdout)
    assert line["body"] == first["body"]
    human = run_cli("diff", url, env=env)
    assert human.returncode == 0, human.stderr
    assert "version 2 → 3" in human.stdout and "title: 'Harbour news' → 'Harbour light to go dark'" in human.stdout
    missing = run_cli("diff", pages.url("/never"), env=env)
    assert missing.returncode == 2 and "not_found" in missing.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_workers(request: pytest.FixtureRequest, embedded_settings: Settings) -> Iterator[EmbeddedWorkers]:
    """In-process workers on either catalog: their integer columns have different ranges."""
    settings = embedded_settings
    if request.param == "postgresql":
        settings = Settings(database_url=request.getfixturevalue("pg_url"), home=embedded_settings.home,
                            allow_private_networks=True, host_min_interval=0)
    with EmbeddedWorkers(settings) as running:
        yield running


def test_version_numbers_that_cannot_exist_are_not_found(catalog_workers: EmbeddedWorkers, pages: PageServer) -> None:
    """A version number beyond what the catalog's column holds is a version the record does not
    have: 404 naming it, like any other missing version, not a database error."""
    url = pages.set("/numbers", _article())
    capture(catalog_workers, url)
    with TestClient(create_app(catalog_workers.runtime.settings, runtime=catalog_workers.runtime)) as client:
        record_id = client.get("/v1/records", params={"url": url}).json()["id"]
        for number in (2**31, 10**20):
            for path, params in [(f"/v1/records/{record_id}", {"version": number}),
                                 ("/v1/records", {"url": url, "version": number}),
                                 (f"/v1/records/{record_id}/diff", {"from": number}),
                                 (f"/v1/records/{record_id}/diff", {"from": 1, "to": number})]:
                response = client.get(path, params=params)
                assert response.status_code == 404, (path, params, response.text)
                assert response.json()["detail"].endswith(f"has no version {number}")
        # Only "to" given: the missing version named is the one asked for, not the default "from".
        response = client.get(f"/v1/records/{record_id}/diff", params={"to": 9})
        assert response.status_code == 404 and response.json()["detail"].endswith("has no version 9")


def test_cli_diff_shows_brackets_and_colons_in_the_content_as_text(workers, pages: PageServer) -> None:
    """Rich markup and emoji codes in a page ("[/b]", ":thumbs_up:") are its text: the human
    diff shows them as they are, and a URL holding them is named in a plain not-found error."""
    url = pages.set("/brackets", _article(title="Draft [1]"))
    capture(workers, url)
    pages.set("/brackets", _article(title="Final [/b] :thumbs_up:",
                                    middle="Members voted [/] against it, [bold]loudly[/bold], ünïcödé 漢字."))
    capture(workers, url)
    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    human = run_cli("diff", url, env=env)
    assert human.returncode == 0, human.stderr
    assert "title: 'Draft [1]' → 'Final [/b] :thumbs_up:'" in human.stdout
    assert "+Members voted [/] against it, [bold]loudly[/bold], ünïcödé 漢字." in human.stdout.splitlines()
    missing = run_cli("diff", pages.url("/never[/b]"), env=env)
    assert missing.returncode == 2 and f"error (not_found): no record for {pages.url('/never[/b]')}" in missing.stderr


def test_core_diff_of_long_comment_threads_takes_linear_time() -> None:
    """Every comment of a 20,000-comment thread replaced: matched by count, not by searching a
    list (quadratic: half a minute, an API thread held all the while)."""
    count = 20_000
    old = {"comments": [{"author": f"u{i}", "published": None, "text": f"comment {i}"} for i in range(count)]}
    new = {"comments": [{"author": f"u{i}", "published": None, "text": f"reply {i}"} for i in range(count)]}
    started = time.process_time()  # CPU time: a loaded machine slows the wall clock, not this
    diff = diff_versions(old, new, from_version=1, to_version=2)
    assert time.process_time() - started < 3
    assert len(diff.comments_added) == len(diff.comments_removed) == count
    assert diff.comments_removed[0] == old["comments"][0] and diff.comments_added[-1] == new["comments"][-1]


def test_cli_diff_keeps_each_long_line_whole(workers, pages: PageServer) -> None:
    """Written to a pipe, a comment or title longer than 80 columns is one line, not cut in two."""
    url = pages.set("/long", _article())
    capture(workers, url)
    long_title = "Harbour light to go dark after the council's vote on the lighthouse, the quay and the winter"
    pages.set("/long", _article(title=long_title))
    capture(workers, url)
    human = run_cli("diff", url, env={"ARCHIVIST_HOME": str(workers.runtime.settings.home)})
    assert human.returncode == 0, human.stderr
    assert f"title: 'Harbour news' → {long_title!r}" in human.stdout.splitlines()


def test_ids_that_cannot_exist_are_not_found(catalog_workers: EmbeddedWorkers) -> None:
    """An id no row can have (PostgreSQL text holds no NUL) is 404 naming it, not a database error."""
    app = create_app(catalog_workers.runtime.settings, runtime=catalog_workers.runtime)
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path in [("GET", "/v1/records/a%00b"), ("GET", "/v1/records/a%00b/diff"),
                             ("GET", "/v1/captures/a%00b"), ("DELETE", "/v1/schedules/a%00b")]:
            response = client.request(method, path)
            assert response.status_code == 404, (path, response.text)
            assert response.json()["error"] == "not_found"
        assert client.get("/records/a%00b/diff").status_code == 404


THREAD = """<html lang="en"><head><title>Harbour news</title></head><body><article><h1>Harbour news</h1>
<div class="entry-content">
<p>The harbour council met on Tuesday evening to discuss the lighthouse and its future in the town, and the
meeting ran late as residents queued to speak.</p>
<p>{middle}</p>
<p>A vote on the longer term is expected next week, after the public consultation closes on Friday evening.</p>
</div>{pager}</article>
<section id="comments" class="comments-area"><ol class="comment-list">{comments}</ol></section></body></html>"""
REPLY = """<li id="comment-{0}" class="comment"><div id="div-comment-{0}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{1}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-{0}"><time datetime="{2}">{2}</time></a></div></footer>
<div class="comment-content"><p>{3}</p></div></div></li>"""
READERS = {
    1: ("Bob", "2026-11-20T10:15:00+00:00", "Keep the light on, the fishing boats still need it at night."),
    2: ("Eve", "2026-11-21T08:40:00+00:00", "The council should publish the running costs before the vote."),
    3: ("Ann", "2026-11-22T19:05:00+00:00", "My grandfather kept that light for thirty years, keep it lit."),
}


def _thread(*readers: int, middle: str = "Members agreed that the light should stay on through the winter months at the very least.",
            pager: str = "") -> str:
    return THREAD.format(middle=middle, pager=pager,
                         comments="".join(REPLY.format(n, *READERS[n]) for n in readers))


def test_diff_names_each_real_change_between_any_two_versions(workers, pages: PageServer) -> None:
    """A corrected sentence, a new comment, a deleted comment and a second page added: each
    capture is a version, and a diff between any two of them (1 → 3 too) says what changed,
    the same over the API and the CLI."""
    url = pages.set("/harbour", _thread(1, 2))
    capture(workers, url)
    corrected = "Members agreed that the light should stay on through the winter and the spring at least."
    pages.set("/harbour", _thread(1, 2, 3, middle=corrected))
    capture(workers, url)
    pages.set("/harbour?page=2", THREAD.format(
        middle="The keeper's cottage will be let to the sailing club from April onwards.", pager="",
        comments="").replace("The harbour council met", "Page two: the harbour council also met"))
    pages.set("/harbour", _thread(1, 3, middle=corrected,
                                  pager='<nav class="pagination"><span>1</span> <a href="?page=2">2</a></nav>'))
    capture(workers, url)

    second = views.record_diff(workers.runtime, url, from_version=1, to_version=2)
    assert [line for line in second["body"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-Members agreed that the light should stay on through the winter months at the very least.", f"+{corrected}"]
    assert second["comments"] == {"added": [{"author": "Ann", "published": "2026-11-22", "text": READERS[3][2]}],
                                  "removed": []}
    third = views.record_diff(workers.runtime, url)
    assert (third["from"], third["to"]) == (2, 3)
    assert third["comments"] == {"added": [], "removed": [
        {"author": "Eve", "published": "2026-11-21", "text": READERS[2][2]}]}
    assert "+The keeper's cottage will be let to the sailing club from April onwards." in third["body"].splitlines()
    assert third["metadata"]["pages"] == {"from": [url], "to": [url, pages.url("/harbour?page=2")]}
    across = views.record_diff(workers.runtime, url, from_version=1, to_version=3)
    assert [c["author"] for c in across["comments"]["added"]] == ["Ann"]
    assert [c["author"] for c in across["comments"]["removed"]] == ["Eve"]

    env = {"ARCHIVIST_HOME": str(workers.runtime.settings.home)}
    shown = run_cli("diff", url, "--from", "1", "--to", "3", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    assert json_lines(shown.stdout) == [across]
    human = run_cli("diff", url, "--from", "1", "--to", "2", env=env)
    assert human.returncode == 0, human.stderr
    assert f"comment added (Ann, 2026-11-22): {READERS[3][2]}" in human.stdout.splitlines()


NESTED = """<li id="comment-{0}" class="comment"><div id="div-comment-{0}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{1}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-{0}"><time datetime="{2}">{2}</time></a></div></footer>
<div class="comment-content"><p>{3}</p></div></div>{4}</li>"""


def test_an_edited_comment_is_the_one_change_its_replies_stay(workers, pages: PageServer) -> None:
    """A reader who fixes a typo in a comment that has replies edited that comment alone: the
    diff lists it removed and added, and its replies, which still answer it, not at all."""
    def thread(bob_says: str) -> str:
        replies = '<ul class="children">' + "".join(
            NESTED.format(n, *READERS[n], "") for n in (2, 3)) + "</ul>"
        return THREAD.format(middle="Members agreed that the light should stay on through the winter months.",
                             pager="", comments=NESTED.format(1, *READERS[1][:2], bob_says, replies))

    url = pages.set("/harbour", thread("Keep the light on, the fishing boats still ned it at night."))
    capture(workers, url)
    assert [c["parent"] for c in views.get_record(workers.runtime, url)["comments"]] == [None, 0, 0]
    pages.set("/harbour", thread("Keep the light on, the fishing boats still need it at night."))
    capture(workers, url)
    diff = views.record_diff(workers.runtime, url)
    assert (diff["from"], diff["to"], diff["body"], diff["metadata"]) == (1, 2, "", {})
    assert diff["comments"] == {
        "removed": [{"author": "Bob", "published": "2026-11-20",
                     "text": "Keep the light on, the fishing boats still ned it at night."}],
        "added": [{"author": "Bob", "published": "2026-11-20",
                   "text": "Keep the light on, the fishing boats still need it at night."}]}


def test_cli_diff_says_which_comment_a_moved_reply_answered(workers, pages: PageServer) -> None:
    """A reply moved under another comment is removed and added with the same words: the human
    diff names the comment it answered before and after, as the JSON and the web page do, or the
    two lines read as nothing changed."""
    def thread(under: int) -> str:
        reply = '<ul class="children">' + NESTED.format(3, *READERS[3], "") + "</ul>"
        return THREAD.format(middle="Members agreed that the light should stay on through the winter months.",
                             pager="", comments="".join(NESTED.format(n, *READERS[n], reply if n == under else "")
                                                        for n in (1, 2)))

    url = pages.set("/harbour", thread(1))
    capture(workers, url)
    pages.set("/harbour", thread(2))
    capture(workers, url)
    human = run_cli("diff", url, env={"ARCHIVIST_HOME": str(workers.runtime.settings.home)})
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    assert f"comment added (Ann, 2026-11-22, in reply to Eve): {READERS[3][2]}" in lines
    assert f"comment removed (Ann, 2026-11-22, in reply to Bob): {READERS[3][2]}" in lines
