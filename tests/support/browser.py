"""A real browser for the interface tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``).

Playwright's own browser downloads are not used. Without Chromium a test is skipped on a
developer machine and fails in CI (``CI`` set), where ``.ci/run`` installs it. Screenshots go
to the test's folder, or to ``ARCHIVIST_TEST_SCREENSHOTS`` when set (how docs/screenshots/ is
refreshed: ``ARCHIVIST_TEST_SCREENSHOTS=docs/screenshots pytest tests/ui``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ARCHIVIST_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1100, "height": 760}


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One Chromium for the session (each test opens its own context: cookies do not leak)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"Chromium is missing at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, tmp_path: Path) -> Iterator[object]:  # noqa: ANN001 - a Playwright Browser
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where a test saves its screenshots."""
    folder = Path(os.environ.get("ARCHIVIST_TEST_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
