"""Temporary files, for what is too big to keep in memory, and the error when the disk refuses one."""

from __future__ import annotations

import tempfile

from archivist.core.errors import TempSpaceUnavailable

__all__ = ["spool_refused"]


def spool_refused(exc: OSError, what: str) -> TempSpaceUnavailable:
    """The failure to raise when writing ``what`` to a temporary file failed with ``exc``.

    A ``SpooledTemporaryFile`` moves to disk once past its size in memory, in the middle of a
    write: a full disk, a quota or a file size limit then surfaces there as a bare OSError,
    which would end the capture as an internal error with a traceback.
    """
    return TempSpaceUnavailable(
        f"cannot write {what} to a temporary file in {tempfile.gettempdir()!r}: {exc.strerror or exc} "
        "(free space there, or set TMPDIR to a folder with room)"
    )
