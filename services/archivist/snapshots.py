"""Reading a snapshot back from the object store, for replay and for extraction from storage."""

from __future__ import annotations

from archivist.adapters.catalog import SnapshotRow
from archivist.core.errors import NotFound, PermanentFailure, SnapshotUnreadable
from archivist.core.ports import ObjectStore
from archivist.warc import StoredResponse, read_response

__all__ = ["read_snapshot"]


def read_snapshot(store: ObjectStore, snapshot: SnapshotRow) -> StoredResponse:
    """The archived response of ``snapshot`` (a revisit's own record: its payload is the
    snapshot it refers to).

    Raises:
        SnapshotUnreadable: the object is gone (reason ``snapshot_missing``) or damaged
            (``corrupt_warc``); the message names the page, its capture and the object, which
            are what an operator looks for, where the store's own error named the key alone.
        StorageUnavailable: the store could not be reached, or broke off sending the object.
    """
    which = f"the snapshot of {snapshot.url} (capture {snapshot.capture_id}, object {snapshot.storage_key!r})"
    try:
        with store.open(snapshot.storage_key) as stream:
            return read_response(stream)
    except NotFound as exc:
        raise SnapshotUnreadable(f"{which} is gone from the object store", reason="snapshot_missing") from exc
    except PermanentFailure as exc:
        if exc.reason != "corrupt_warc":
            raise
        raise SnapshotUnreadable(f"{which} is damaged: {exc.message}", reason="corrupt_warc") from exc
