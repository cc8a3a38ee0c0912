"""Where the shared fixtures live (``../shared`` beside the repository)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = (REPO / ".." / "shared").resolve()
SEED = SHARED / "fixtures" / "seed-article"


def require_seed() -> Path:
    if not (SEED / "expected.json").is_file():
        pytest.skip(f"the shared seed fixture is not at {SEED}")
    return SEED


@cache
def seed_expected() -> dict:
    return json.loads((require_seed() / "expected.json").read_text(encoding="utf-8"))
