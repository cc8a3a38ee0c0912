"""Object-store key layout.

``snapshots/{url_hash}/{YYYYMMDDhhmmss}-{capture_id}-{attempt}.warc.gz``

All captures of one URL share a prefix, and within it keys sort by capture time, so listing a
URL's snapshots in time order is one prefix listing. ``attempt`` is the fetch claim that wrote
the object (the capture's ``attempts`` when it was claimed): two deliveries fetching one capture
at once (a message handed out twice, a lease that ran out while a write hung) never write the
same key, so the late write of the one that lost cannot change the bytes under the winner's
snapshot row. Imported snapshots are written once and have no attempt.
"""

from __future__ import annotations

from datetime import datetime

from archivist.core.urls import url_hash

__all__ = ["attempts_prefix", "snapshot_key", "warc_timestamp"]


def warc_timestamp(moment: datetime) -> str:
    """14-digit UTC timestamp, as in CDX indexes and replay URLs."""
    return moment.strftime("%Y%m%d%H%M%S")


def snapshot_key(page_url: str, submitted_at: datetime, capture_id: str, attempt: int | None = None) -> str:
    """Where the snapshot of ``page_url`` taken by capture ``capture_id`` (its fetch claim
    ``attempt``, if fetched) is stored."""
    if attempt is None:
        return f"snapshots/{url_hash(page_url)}/{warc_timestamp(submitted_at)}-{capture_id}.warc.gz"
    return f"{attempts_prefix(url_hash(page_url), submitted_at, capture_id)}{attempt}.warc.gz"


def attempts_prefix(page_hash: str, submitted_at: datetime, capture_id: str) -> str:
    """The prefix of the keys every fetch attempt of the capture wrote for the page whose
    :func:`~archivist.core.urls.url_hash` is ``page_hash``."""
    return f"snapshots/{page_hash}/{warc_timestamp(submitted_at)}-{capture_id}-"
