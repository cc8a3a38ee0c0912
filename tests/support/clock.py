"""Waiting for the clock, for tests that need two captures with different timestamps."""

from __future__ import annotations

import time


def next_second() -> None:
    """Return once the wall clock's second has changed.

    Capture timestamps (WARC-Date, CDX, Memento) have one-second resolution: a capture made after
    this returns is stamped a later second than any made before it. That is all a fixed
    ``sleep(1.1)`` gave, at twice the wait on average.
    """
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)
