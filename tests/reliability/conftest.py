"""Fixtures shared by the fault tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.s3_proxy import S3Proxy


@pytest.fixture
def proxy(s3_endpoint: str) -> Iterator[S3Proxy]:
    """A loopback HTTP proxy in front of the test's SeaweedFS that can inject S3 faults."""
    server = S3Proxy(s3_endpoint).start()
    yield server
    server.stop()
