"""Shared fixtures for these tests live in tests/support/stack.py and tests/support/browser.py."""

from tests.support.browser import browser_page, chromium, screenshots  # noqa: F401
from tests.support.stack import client, workers  # noqa: F401
