"""Shared fixtures for these tests live in tests/support/stack.py."""

from tests.support.stack import client, workers  # noqa: F401
