"""Object-store key layout.

``snapshots/{url_hash}/{YYYYMMDDhhmmss}-{capture_id}.warc.gz``

All captures of one URL share a prefix, and within it keys sort by capture time, so listing a
URL's snapshots in time order is one prefix listing. Keys are deterministic for a capture and
page URL, so a redelivered fetch overwrites its own object instead of leaving an orphan.
"""

from __future__ import annotations

from datetime import datetime

from archivist.core.urls import url_hash

__all__ = ["snapshot_key", "warc_timestamp"]


def warc_timestamp(moment: datetime) -> str:
    """14-digit UTC timestamp, as in CDX indexes and replay URLs."""
    return moment.strftime("%Y%m%d%H%M%S")


def snapshot_key(page_url: str, submitted_at: datetime, capture_id: str) -> str:
    """Where the snapshot of ``page_url`` taken by capture ``capture_id`` is stored."""
    return f"snapshots/{url_hash(page_url)}/{warc_timestamp(submitted_at)}-{capture_id}.warc.gz"
