"""The web pages over plain HTTP (no browser): what each renders from real captures on the
embedded stack, the no-JavaScript submission flow, errors as pages, and sign-in with auth on."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from archivist.access import create_key
from archivist.adapters.catalog import CaptureRow
from archivist.api import create_app
from archivist.api.schemas import MAX_BATCH
from archivist.settings import get_settings
from archivist.web.routes import MAX_STATUS_IDS
from archivist_workers.embedded import EmbeddedWorkers
from tests.support.clock import next_second
from tests.support.pages import PageServer
from tests.support.stack import capture
from tests.ui import site


def test_pages_render_real_captures(client: TestClient, workers: EmbeddedWorkers, pages: PageServer) -> None:
    url, tides = site.serve(pages)
    capture(workers, url, tides)
    next_second()
    pages.set("/lighthouse", site.article(news="The light goes dark in March.", late_comment=True))
    capture(workers, url)
    next_second()
    capture(workers, url)  # unchanged: a revisit

    home = client.get("/")
    assert home.status_code == 200 and "Harbour Light to Stay On" in home.text
    assert '<label for="urls">' in home.text and "default-src 'self'" in home.headers["content-security-policy"]

    found = client.get("/search", params={"q": "lighthouse dark"})
    assert found.status_code == 200 and "1 record<" in found.text and "<mark>dark</mark>" in found.text
    record_id = re.search(r'href="/records/([0-9a-f-]{36})"', found.text).group(1)
    assert "0 records" in client.get("/search", params={"q": "lighthouse", "host": "elsewhere.example"}).text
    api = client.get("/v1/search", params={"q": "dark", "host": "127.0.0.1"}).json()
    assert (api["total"], api["results"][0]["url"], api["results"][0]["version"]) == (1, url, 2)
    bad = client.get("/search", params={"from": "soon"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text

    record = client.get(f"/records/{record_id}")
    assert record.status_code == 200
    assert "The light goes dark in March." in record.text and "version 2" in record.text
    # The thread: Bob's reply sits in the list of replies under Alice's comment.
    thread = record.text[record.text.index('class="thread"'):]
    assert thread.index("Alice Martin") < thread.index('class="replies"') < thread.index("Bob Stone") < thread.index("Carol")

    diff = client.get(f"/records/{record_id}/diff", params={"from": 1, "to": 2})
    assert "<del>The light stays on through the winter.</del>" in diff.text
    assert "<ins>The light goes dark in March.</ins>" in diff.text
    assert "<ins>It goes dark in March, then.</ins>" in diff.text
    inline = client.get(f"/records/{record_id}/diff", params={"from": 1, "to": 2, "view": "inline"})
    assert 'class="diff inline"' in inline.text and "<ins>The light goes dark in March.</ins>" in inline.text

    timeline = client.get("/timeline", params={"url": url})
    marks = re.findall(r'class="mark (new|unchanged|failed)" href="/replay/(\d{14})/', timeline.text)
    assert [state for state, _ in marks] == ["new", "new", "unchanged"]

    first = marks[0][1]
    replay = client.get(f"/replay/{first}/{url}")
    assert replay.status_code == 200
    assert f'src="/web/{first}if_/{url}"' in replay.text and 'sandbox="allow-scripts' in replay.text
    assert f'href="/replay/{marks[1][1]}/{url}"' in replay.text and 'rel="prev"' not in replay.text
    assert f"/records/{record_id}" in replay.text
    near = client.get(f"/replay/{first[:8]}/{url}", follow_redirects=False)
    assert near.status_code == 302 and near.headers["location"] == f"/replay/{first}/{url}"
    framed = client.get(f"/web/{first}if_/{url}")
    assert "allow-same-origin" not in framed.headers["content-security-policy"]
    assert f'href="/web/{first}/{tides}"' in framed.text

    assert client.get("/records/nope").status_code == 404
    assert "Not in the archive" in client.get("/timeline", params={"url": pages.url("/never")}).text
    assert client.get("/static/archivist.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/..%2Froutes.py").status_code == 404


def test_submission_without_javascript(client: TestClient, workers: EmbeddedWorkers, pages: PageServer) -> None:
    _, url = site.serve(pages)
    posted = client.post("/captures", data={"urls": f"{url}\ngopher://example.org/"}, follow_redirects=False)
    assert posted.status_code == 303
    status_url = posted.headers["location"]
    assert status_url.startswith("/captures?id=")
    workers.drain()
    page = client.get(status_url)
    assert page.text.count('data-status="archived"') == 1 and page.text.count('data-status="failed"') == 1
    assert "invalid_url" in page.text and "http-equiv" not in page.text
    assert client.get(f"/record?url={url}", follow_redirects=True).url.path.startswith("/records/")

    operations = client.get("/operations")
    assert operations.status_code == 200 and "invalid_url" in operations.text and "Embedded mode" in operations.text


def test_sign_in_with_auth_required(workers: EmbeddedWorkers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVIST_AUTH_REQUIRED", "1")
    get_settings.cache_clear()
    settings = get_settings()
    runtime = workers.runtime
    runtime.settings = settings
    _, reader = create_key(runtime, "reader", ["read"])
    _, admin = create_key(runtime, "admin", ["admin"])
    with TestClient(create_app(settings, runtime=runtime)) as client:
        away = client.get("/search?q=x", follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == "/sign-in?next=%2Fsearch%3Fq%3Dx"
        assert client.get("/v1/search").status_code == 401
        wrong = client.post("/sign-in", data={"key": "ak_wrong", "next": "/search"}, follow_redirects=False)
        assert wrong.status_code == 401 and 'aria-invalid="true"' in wrong.text

        signed = client.post("/sign-in", data={"key": reader, "next": "//evil.example/"}, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert client.get("/search").status_code == 200
        assert client.get("/v1/search").status_code == 200
        assert client.get("/operations").status_code == 403
        assert "Archiving needs a key" in client.get("/").text
        assert client.post("/captures", data={"urls": "https://example.org/"}).status_code == 403

        client.post("/sign-out")
        assert client.get("/", follow_redirects=False).status_code == 303
        client.post("/sign-in", data={"key": admin, "next": "/operations"})
        assert client.get("/operations").status_code == 200


def test_replay_page_keeps_escaped_delimiters_of_the_archived_url(
    client: TestClient, workers: EmbeddedWorkers, pages: PageServer
) -> None:
    # %23 and %2F are part of the archived path: decoded, they would be a fragment and a slash.
    url = pages.set("/tags/c%23/a%2Fb", "<html><head><title>Tag c#</title></head><body><p>Tagged.</p></body></html>")
    capture(workers, url)
    timeline = client.get("/timeline", params={"url": url})
    (stamp,) = re.findall(r'href="/replay/(\d{14})/', timeline.text)

    replay = client.get(f"/replay/{stamp}/{url}")
    assert replay.status_code == 200, replay.text
    assert f'src="/web/{stamp}if_/{url}"' in replay.text
    near = client.get(f"/replay/{stamp[:8]}/{url}", follow_redirects=False)
    assert near.status_code == 302 and near.headers["location"] == f"/replay/{stamp}/{url}"


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\n/evil.example/", "/\r\n\\evil.example/"])
def test_sign_in_never_links_off_site(client: TestClient, target: str) -> None:
    # Browsers drop tabs and newlines from a URL: "/<TAB>/evil.example/" is "//evil.example/".
    page = client.get("/sign-in", params={"next": target})
    assert page.status_code == 200
    continue_to = re.search(r'<a href="([^"]*)">Continue</a>', page.text).group(1)
    assert continue_to == "/"


@pytest.mark.parametrize("path", ["/search?page=abc", "/search?page=0", "/records/any?version=0",
                                  "/records/any/diff?from=two", "/timeline"])
def test_a_refused_query_parameter_is_an_error_page(client: TestClient, path: str) -> None:
    # A browser following a hand-edited or stale link is shown a page, not the API's JSON.
    page = client.get(path)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    alert = re.search(r'role="alert">([^<]*)<', page.text).group(1)
    assert alert.split(":")[0] in {"page", "version", "from", "url"}
    assert client.get("/v1/search?page=0").json()["detail"] == "page: Input should be greater than or equal to 1"


def test_right_to_left_text_takes_its_own_direction(client: TestClient, workers: EmbeddedWorkers,
                                                    pages: PageServer) -> None:
    # Hebrew ending in Latin punctuation: laid out left to right, "(2026)." would sit at the wrong end.
    title = "המגדלור יישאר דולק (2026)."
    html = (site.article(title=title, news="האור יישאר דולק כל החורף, אמרה המועצה.")
            .replace('lang="en"', 'lang="he"')  # and Hebrew throughout, or the body's language would be English
            .replace(site.FILLER, "מועצת הנמל התכנסה ביום שלישי בערב כדי לדון במגדלור, בלוח הזמנים של המעבורת "
                                  "ובמצב חומת הים הישנה, והחברים דיברו ארוכות על כל אחד מהם. "))
    url = pages.set("/he/lighthouse", html)
    capture(workers, url)
    record_id = re.search(r'href="/records/([0-9a-f-]{36})"', client.get("/search", params={"q": "המגדלור"}).text)
    page = client.get(f"/records/{record_id.group(1)}").text
    assert f'<h1 dir="auto">{title}</h1>' in page
    assert '<p dir="auto">האור יישאר דולק כל החורף, אמרה המועצה.</p>' in page
    assert '<div class="body" lang="he">' in page
    assert re.search(r'<h3 dir="auto"><a href="/records/[^"]+">המגדלור', client.get("/search", params={"q": "המגדלור"}).text)


def test_a_page_past_the_last_links_back_to_the_last(client: TestClient, workers: EmbeddedWorkers,
                                                     pages: PageServer) -> None:
    capture(workers, *(pages.set(f"/story/{i}", site.article(title=f"Story {i}")) for i in range(21)))
    past = client.get("/search", params={"q": "story", "host": "127.0.0.1", "page": 7})
    assert past.status_code == 200 and "Page 7 is past the last page" in past.text
    previous = html.unescape(re.search(r'<a rel="prev" href="([^"]+)"', past.text).group(1))
    assert previous == "/search?q=story&host=127.0.0.1&page=2"
    last = client.get(previous)
    assert last.text.count('<li>\n    <h3 dir="auto">') == 1 and 'rel="next"' not in last.text


def test_the_timeline_says_which_captures_came_by_a_redirect(client: TestClient, workers: EmbeddedWorkers,
                                                              pages: PageServer) -> None:
    target = pages.set("/new-place", site.article(title="Moved Here"))
    old = pages.set("/old-place", "", status=301, headers={"Location": target, "Content-Length": "0"})
    capture(workers, old, target)
    timeline = client.get("/timeline", params={"url": target}).text
    labels = re.findall(r'<span class="label">([^<]*)</span>', timeline)
    assert sorted(labels) == ["new content", f"new content, redirected from {old}"]
    assert "submitted as another URL, redirected here" in timeline
    assert "redirected" not in client.get("/timeline", params={"url": old}).text


def test_a_submission_over_the_quota_says_when_to_try_again(workers: EmbeddedWorkers,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVIST_AUTH_REQUIRED", "1")
    get_settings.cache_clear()
    workers.runtime.settings = get_settings()
    _, key = create_key(workers.runtime, "slow", ["submit", "read"], submissions_per_minute=1)
    with TestClient(create_app(workers.runtime.settings, runtime=workers.runtime)) as client:
        client.post("/sign-in", data={"key": key})
        over = client.post("/captures", data={"urls": "https://example.org/a https://example.org/b"})
        assert over.status_code == 429 and over.headers["content-type"].startswith("text/html")
        assert "Too many submissions" in over.text and 1 <= int(over.headers["retry-after"]) <= 60


def test_search_shows_and_marks_the_words_it_matched_not_parts_of_longer_ones(
    client: TestClient, workers: EmbeddedWorkers, pages: PageServer
) -> None:
    # The index matches whole words: "sea" found this by "sea wall", not by "season" or "seaside".
    early = "The season at the seaside town opened with a seasonal market and a seaside parade. " * 6
    url = pages.set("/sea", f"<html><head><title>Town notes</title></head><body><article><p>{early}</p>"
                            f"<p>{site.FILLER}</p></article></body></html>")
    capture(workers, url)
    found = client.get("/search", params={"q": "sea"}).text
    snippet = re.search(r'<p class="snippet"[^>]*>(.*?)</p>', found, re.S).group(1)
    assert "<mark>sea</mark> wall" in snippet
    assert re.findall(r"<mark>(.*?)</mark>\w*", snippet) == ["sea"] and "<mark>sea</mark>son" not in snippet


def test_the_form_keeps_to_the_apis_batch_limit(client: TestClient, workers: EmbeddedWorkers) -> None:
    too_many = "\n".join(f"https://example.org/{i}" for i in range(MAX_BATCH + 1))
    refused = client.post("/captures", data={"urls": too_many})
    assert refused.status_code == 422 and f"at most {MAX_BATCH:,} can be submitted at once" in refused.text
    with workers.runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(CaptureRow)) == 0  # none of them queued


def test_the_status_page_says_when_it_lists_only_part_of_a_batch(client: TestClient, workers: EmbeddedWorkers) -> None:
    batch = "\n".join(f"gopher://example.org/{i}" for i in range(MAX_STATUS_IDS + 1))  # refused at once
    status = client.post("/captures", data={"urls": batch})
    assert status.status_code == 200 and status.text.count("<tr data-capture=") == MAX_STATUS_IDS
    assert f"The first {MAX_STATUS_IDS} of {MAX_STATUS_IDS + 1} submitted URLs are listed here" in status.text


def test_the_status_page_says_which_pages_an_archived_capture_is_missing(
    client: TestClient, workers: EmbeddedWorkers, pages: PageServer
) -> None:
    """An article archived without one of its pages says so where the submitter looks."""
    pager = '<nav class="pagination"><a href="/saga">1</a> <a href="/saga?page=2">2</a> <a href="/saga?page=3">3</a></nav>'
    url = pages.set("/saga", site.article().replace('<div id="footer">', pager + '<div id="footer">'))
    pages.set("/saga?page=2", "gone", status=404, headers={"Content-Type": "text/plain"})
    pages.set("/saga?page=3", site.tides().replace('<div id="footer">', pager + '<div id="footer">'))
    posted = client.post("/captures", data={"urls": url}, follow_redirects=False)
    workers.drain()

    page = client.get(posted.headers["location"])

    assert 'data-status="archived"' in page.text, pages.page_hits
    reason = html.unescape(re.search(r'data-field="reason">([^<]*)<', page.text).group(1))
    assert pages.url("/saga?page=2") in reason and "404" in reason, (pages.page_hits, reason)


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_a_browser_at_no_such_page_gets_the_interfaces_404_page(client: TestClient) -> None:
    page = client.get("/no-such-page", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not in the archive" in page.text and "/no-such-page" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(("path", "accept"), [("/no-such-page", "*/*"), ("/no-such-page", "application/json"),
                                              ("/no-such-page", "application/json, text/html;q=0.5"),
                                              ("/v1/no-such-thing", BROWSER_ACCEPT), ("/cdx/more", BROWSER_ACCEPT)])
def test_api_clients_and_api_paths_keep_the_json_404(client: TestClient, path: str, accept: str) -> None:
    answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found", answer.text


def test_a_form_over_its_size_limit_is_an_error_page(client: TestClient, workers: EmbeddedWorkers) -> None:
    """Starlette refuses a form field over 1 MB (and over 1,000 fields) with a 400 that reached
    the browser as the API's JSON, where every other refusal of the form is a page."""
    big = "\n".join(f"https://example.org/{i}" for i in range(60_000))  # over 1 MB
    for fields in ({"urls": (None, big)}, {f"field{i}": (None, "x") for i in range(1001)}):
        refused = client.post("/captures", files=fields, headers={"Accept": BROWSER_ACCEPT})
        assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/html"), refused.text
        alert = re.search(r'role="alert">([^<]*)<', refused.text).group(1)
        assert "maximum" in alert.lower(), alert
    with workers.runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(CaptureRow)) == 0
