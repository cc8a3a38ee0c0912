"""Reading a snapshot back from the object store: for replay and extraction from storage, and
whole for export."""

from __future__ import annotations

import shutil
import tempfile
from typing import BinaryIO

from archivist.adapters.catalog import LatestResponse, SnapshotRow
from archivist.core.errors import InvalidInput, NotFound, PermanentFailure, SnapshotUnreadable
from archivist.core.ports import ObjectStore
from archivist.core.tempspace import spool_refused
from archivist.warc import StoredResponse, read_response, uncompressed_warc, verify_warc

__all__ = ["copy_snapshot", "read_snapshot"]


def _which(snapshot: SnapshotRow | LatestResponse) -> str:
    """The snapshot as its errors name it: the page, its capture and the object, which are what an
    operator looks for, where the store's own error named the key alone."""
    return f"the snapshot of {snapshot.url} (capture {snapshot.capture_id}, object {snapshot.storage_key!r})"


def read_snapshot(store: ObjectStore, snapshot: SnapshotRow | LatestResponse) -> StoredResponse:
    """The archived response of ``snapshot`` (a revisit's own record: its payload is the
    snapshot it refers to).

    Raises:
        SnapshotUnreadable: the object is gone (reason ``snapshot_missing``) or damaged
            (``corrupt_warc``).
        StorageUnavailable: the store could not be reached, or broke off sending the object.
    """
    which = _which(snapshot)
    try:
        with store.open(snapshot.storage_key) as stream:
            return read_response(stream)
    except NotFound as exc:
        raise SnapshotUnreadable(f"{which} is gone from the object store", reason="snapshot_missing") from exc
    except PermanentFailure as exc:
        if exc.reason != "corrupt_warc":
            raise
        raise SnapshotUnreadable(f"{which} is damaged: {exc.message}", reason="corrupt_warc") from exc


def copy_snapshot(store: ObjectStore, snapshot: SnapshotRow, out: BinaryIO) -> None:
    """Write the stored object of ``snapshot`` to ``out`` byte for byte, once it is checked whole:
    as long as its row says, every record as long as it says and matching its digests.

    Copied unchecked, a damaged object went into an export as it was (warcio, and the tools that
    read the file, take a gzip member cut short or with changed bytes for a record that merely
    ends early). The object is spooled (in memory up to 4 MiB, beyond in a temporary file) so
    that nothing of it reaches ``out`` unless all of it is sound.

    Raises:
        SnapshotUnreadable: the object is gone (``snapshot_missing``) or damaged (``corrupt_warc``);
            nothing was written.
        StorageUnavailable: the store could not be reached, or broke off sending the object.
        TempSpaceUnavailable: the temporary file was refused (a full disk, a quota).
    """
    which = _which(snapshot)
    with tempfile.SpooledTemporaryFile(max_size=4 << 20) as spool:
        try:
            with store.open(snapshot.storage_key) as stream:
                shutil.copyfileobj(stream, spool, 1 << 20)
        except NotFound as exc:
            raise SnapshotUnreadable(f"{which} is gone from the object store", reason="snapshot_missing") from exc
        except OSError as exc:
            raise spool_refused(exc, which) from exc
        if spool.tell() != snapshot.stored_length:
            raise SnapshotUnreadable(f"{which} is damaged: {spool.tell()} bytes where {snapshot.stored_length} "
                                     "were stored", reason="corrupt_warc")
        spool.seek(0)
        try:
            with uncompressed_warc(spool) as warc:  # type: ignore[arg-type]
                verify_warc(warc)
        except InvalidInput as exc:
            raise SnapshotUnreadable(f"{which} is damaged: {exc.message}", reason="corrupt_warc") from exc
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)  # type: ignore[misc]
