"""The interface in a real browser (Playwright, Debian's Chromium) against ``archivist serve`` as a
subprocess, with pages served over real HTTP: submit through the page and watch the status
turn to archived, find the record by search, see two captures on the timeline after the page
changed, the changed paragraph in the diff, and the archived page replayed in its frame, where
a click on an archived link stays in the archive. Once on the embedded default (SQLite, in-process
workers), once on the production stack (PostgreSQL, Redis, S3, a worker process) with keys
required to submit and operate, and reading open (``ARCHIVIST_OPEN_READ``): a sandboxed frame's
own requests carry no SameSite cookie, so links followed inside the replay frame are anonymous
(docs/UI.md)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.clock import next_second
from tests.support.pages import PageServer, slow_route
from tests.support.processes import ApiServer, Service
from tests.support.stack import run_cli
from tests.ui import site

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is missing: pip install -e '.[test]'", allow_module_level=True)

EMBEDDED = {"ARCHIVIST_ALLOW_PRIVATE_NETWORKS": "1", "ARCHIVIST_HOST_MIN_INTERVAL": "0",
            "ARCHIVIST_RETRY_MIN_BACKOFF_MS": "50", "ARCHIVIST_RETRY_MAX_BACKOFF_MS": "200"}


@pytest.fixture
def embedded_api(tmp_path: Path) -> Iterator[ApiServer]:
    api = ApiServer({**EMBEDDED, "ARCHIVIST_HOME": str(tmp_path / "home")}, tmp_path / "api.log").start()
    yield api
    api.stop()


#: Checked on every page the walk-through visits (what an automated audit would flag first).
_AUDIT = """() => {
  const problems = [];
  if (document.querySelectorAll("main").length !== 1) problems.push("not one <main>");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not one <h1>");
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (!document.title.trim()) problems.push("no <title>");
  for (const field of document.querySelectorAll("input:not([type=hidden]), textarea, select")) {
    if (!(field.labels && field.labels.length) && !field.getAttribute("aria-label")) problems.push("unlabelled " + field.outerHTML);
  }
  for (const button of document.querySelectorAll("button")) {
    if (!(button.textContent.trim() || button.getAttribute("aria-label"))) problems.push("unnamed button");
  }
  for (const image of document.querySelectorAll("img")) if (!image.hasAttribute("alt")) problems.push("img without alt");
  for (const frame of document.querySelectorAll("iframe")) if (!frame.title) problems.push("iframe without title");
  return problems;
}"""


def audit(page: Page) -> None:
    """The page's landmarks, headings, labels and names are in place, and Tab reaches the skip link."""
    assert page.evaluate(_AUDIT) == [], page.url
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content", page.url
    page.evaluate("document.activeElement.blur()")


def submit(page: Page, base: str, *urls: str) -> None:
    """Archive through the home page's form and wait until the status page says archived."""
    page.goto(base + "/")
    page.get_by_label("URLs to archive, one a line").fill("\n".join(urls))
    page.get_by_role("button", name="Archive").click()
    page.wait_for_url(re.compile(r"/captures\?id="))
    rows = page.locator("tr[data-capture]")
    expect(rows).to_have_count(len(urls))
    for i in range(len(urls)):
        expect(rows.nth(i).locator('[data-field="status"]')).to_have_text("archived", timeout=120_000)
    expect(page.locator("#status-summary")).to_have_text("Done.")


def walk_through(page: Page, base: str, pages: PageServer, shots: Path) -> None:
    """Every page of the interface on real captures, as a reader would use them; none of them
    writes an error to the console (a failed request for a favicon included)."""
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(f"{page.url}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"{page.url}: {error}"))
    url, tides = site.serve(pages)
    submit(page, base, url, tides)
    audit(page)
    page.screenshot(path=shots / "status.png")

    # Search finds the record by words of its body; the result leads to the record.
    page.goto(base + "/search")
    page.get_by_label("Words in the title or text").fill("ferry timetable lighthouse")
    page.get_by_label("URL starts with").fill(url)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name="1 record")).to_be_visible()
    audit(page)
    page.screenshot(path=shots / "search.png")

    # The page changes; a second capture through the form makes a second version.
    next_second()
    pages.set("/lighthouse", site.article(news="The light goes dark in March.", late_comment=True))
    submit(page, base, url)
    page.goto(base + "/")
    audit(page)
    page.screenshot(path=shots / "home.png")

    page.goto(f"{base}/timeline?url={url}")
    marks = page.locator("a.mark")
    expect(marks).to_have_count(2)
    expect(page.locator("a.mark.new")).to_have_count(2)
    audit(page)
    page.screenshot(path=shots / "timeline.png")

    # Record: the thread indents Bob's reply under Alice; compare the two versions.
    page.get_by_role("link", name=re.compile(r"^record")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Light to Stay On")
    expect(page.locator("ol.thread > li").first.locator("ol.replies")).to_contain_text("Bob Stone")
    audit(page)
    page.screenshot(path=shots / "record.png", full_page=True)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("table.diff.side del")).to_have_text("The light stays on through the winter.")
    expect(page.locator("table.diff.side ins")).to_have_text("The light goes dark in March.")
    expect(page.locator("ul.comment-changes.added")).to_contain_text("It goes dark in March, then.")
    audit(page)
    page.screenshot(path=shots / "diff.png", full_page=True)

    # Replay the first capture from the timeline; an archived link in it stays in the archive.
    page.goto(f"{base}/timeline?url={url}")
    page.locator("a.mark").first.click()
    page.wait_for_url(re.compile(r"/replay/\d{14}/"))
    frame = page.frame_locator("iframe.replay")
    expect(frame.locator("body")).to_contain_text("The light stays on through the winter.")
    expect(page.get_by_role("link", name="Next capture →")).to_be_visible()
    audit(page)
    page.screenshot(path=shots / "replay.png")
    inner = page.frame(url=re.compile(r"/web/\d{14}if_/"))
    frame.locator("#next-story").click()
    inner.wait_for_url(re.compile(r"/tides$"))
    assert re.match(re.escape(base) + r"/web/\d{14}/http://127\.0\.0\.1:\d+/tides$", inner.url), inner.url
    expect(inner.locator("h1")).to_have_text("Tide Tables for March")
    assert console_errors == []


def test_the_interface_on_the_embedded_default(browser_page: Page, embedded_api: ApiServer, pages: PageServer,
                                                screenshots: Path) -> None:
    walk_through(browser_page, embedded_api.base_url, pages, screenshots)
    browser_page.goto(embedded_api.base_url + "/operations")
    expect(browser_page.get_by_role("heading", name="Queues")).to_be_visible()
    audit(browser_page)

    # A page without a title under a long URL, with a word longer than a line: the record, the
    # search results and the diff wrap them; no page scrolls sideways.
    long_word = "Supercalifragilistic" * 30
    untitled = pages.set("/" + "segment-" * 60 + "end", f"<html><body><p>{'Words of text here. ' * 20}</p>"
                                                       f"<p>{long_word}</p></body></html>")
    submit(browser_page, embedded_api.base_url, untitled)
    browser_page.get_by_role("link", name="record").click()
    record = browser_page.url
    for address in (record, f"{embedded_api.base_url}/search?q={long_word}", f"{record}/diff"):
        browser_page.goto(address)
        assert browser_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), address


def test_submitting_and_reading_without_javascript(chromium, embedded_api: ApiServer, pages: PageServer) -> None:  # noqa: ANN001
    """With scripting off, the form posts, and the status page refreshes itself until archived."""
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        url, _ = site.serve(pages)
        page.goto(embedded_api.base_url + "/")
        page.get_by_label("URLs to archive, one a line").fill(url)
        page.get_by_role("button", name="Archive").click()
        page.wait_for_url(re.compile(r"/captures\?id="))
        expect(page.locator('[data-field="status"]')).to_have_text("archived", timeout=60_000)
        expect(page.locator("#status-summary")).to_have_text("Done.")
        page.get_by_role("link", name="record").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Light to Stay On")
        page.goto(f"{embedded_api.base_url}/search?q=lighthouse")
        expect(page.get_by_role("heading", level=2, name="1 record")).to_be_visible()
    finally:
        context.close()


@pytest.fixture
def production_stack(production_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[ApiServer, dict[str, str]]]:
    env = {**production_env, "ARCHIVIST_AUTH_REQUIRED": "1", "ARCHIVIST_OPEN_READ": "1",
           "ARCHIVIST_FETCH_MAX_RETRIES": "1"}
    worker = Service(["worker", "--processes", "1", "--threads", "4"], env, tmp_path / "worker.log").start()
    api = ApiServer(env, tmp_path / "api.log")
    try:
        api.start()
        yield api, env
    finally:
        api.stop()
        worker.stop()
        print("--- worker log ---\n" + worker.output()[-4000:])


def test_the_interface_on_the_production_stack_with_sign_in(
    browser_page: Page, production_stack: tuple[ApiServer, dict[str, str]], pages: PageServer, screenshots: Path,
    tmp_path: Path,
) -> None:
    api, env = production_stack
    made = run_cli("keys", "create", "operator", "--scope", "admin", env=env)
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)["key"]

    page = browser_page
    page.goto(api.base_url + "/operations")
    page.wait_for_url(re.compile(r"/sign-in\?next=%2Foperations$"))
    page.goto(api.base_url + "/")
    expect(page.get_by_label("URLs to archive, one a line")).to_have_count(0)
    page.get_by_role("link", name="sign in", exact=True).click()
    page.get_by_label("API key").fill("ak_not_a_key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("unknown or revoked")
    page.screenshot(path=screenshots / "sign-in.png")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(api.base_url + "/")
    cookie = next(c for c in page.context.cookies() if c["name"] == "archivist_key")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    walk_through(page, api.base_url, pages, tmp_path)  # the pages' screenshots are the embedded run's

    # Operations: a 404 fails at once; a server that stays down exhausts its retries into a dead
    # letter, which the operator requeues from the page once the server is back.
    down = pages.set("/flaky", "down for maintenance", status=503, headers={"Content-Type": "text/plain"})
    gone = pages.set("/gone", "gone", status=404, headers={"Content-Type": "text/plain"})
    page.goto(api.base_url + "/")
    page.get_by_label("URLs to archive, one a line").fill(f"{down}\n{gone}")
    page.get_by_role("button", name="Archive").click()
    rows = page.locator("tr[data-capture]")
    for i in range(2):
        expect(rows.nth(i).locator('[data-field="status"]')).to_have_text("failed", timeout=120_000)
    flaky_id = rows.nth(0).get_attribute("data-capture")
    requeue = page.get_by_role("button", name=f"Requeue {flaky_id}")
    for _ in range(60):
        page.goto(api.base_url + "/operations")
        if requeue.count():
            break
        page.wait_for_timeout(500)
    expect(page.locator("table.reasons")).to_contain_text("http_4xx")
    expect(page.get_by_role("row", name=re.compile(r"^fetch"))).to_contain_text("1")
    page.screenshot(path=screenshots / "operations.png", full_page=True)
    pages.set("/flaky", site.tides())
    requeue.click()
    expect(page.get_by_role("status")).to_have_text("Requeued 1 message.")
    page.goto(f"{api.base_url}/captures?id={flaky_id}")
    expect(page.locator('[data-field="status"]')).to_have_text("archived", timeout=120_000)


def test_the_status_page_script_names_the_pages_an_archived_article_lacks(
    browser_page: Page, embedded_api: ApiServer, pages: PageServer
) -> None:
    """The row is filled in by the script (the page was loaded while the capture was pending)."""
    pager = '<nav class="pagination"><a href="/saga">1</a> <a href="/saga?page=2">2</a> <a href="/saga?page=3">3</a></nav>'
    pages.routes["/saga"] = slow_route(2.0, site.article().replace('<div id="footer">', pager + '<div id="footer">'))
    pages.set("/saga?page=2", "gone", status=404, headers={"Content-Type": "text/plain"})
    pages.set("/saga?page=3", site.tides().replace('<div id="footer">', pager + '<div id="footer">'))
    browser_page.goto(embedded_api.base_url + "/")
    browser_page.get_by_label("URLs to archive, one a line").fill(pages.url("/saga"))
    browser_page.get_by_role("button", name="Archive").click()
    browser_page.wait_for_url(re.compile(r"/captures\?id="))
    row = browser_page.locator("tr[data-capture]")
    expect(row).to_have_attribute("data-status", re.compile("queued|fetching"))

    expect(row.locator('[data-field="status"]')).to_have_text("archived", timeout=60_000)
    expect(row.locator('[data-field="reason"]')).to_contain_text(pages.url("/saga?page=2"))
