"""The tests here drive the pipeline in this process, on the real servers."""

from __future__ import annotations

import pytest

from archivist.runtime import Runtime


@pytest.fixture
def runtime(production_runtime: Runtime) -> Runtime:
    return production_runtime
