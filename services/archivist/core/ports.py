"""The ports the application needs from the outside world, as Protocols.

Each has a production adapter and an embedded one, both real (``archivist.adapters``):
object storage (S3/MinIO, local folder) and the task queue (Redis, in-process Dramatiq).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import BinaryIO, Protocol

__all__ = ["ObjectStore", "TaskQueue"]


class ObjectStore(Protocol):
    """Immutable-blob storage. Writes are whole objects; a key written twice keeps the last."""

    def put(
        self,
        key: str,
        stream: BinaryIO,
        length: int,
        *,
        content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Store ``length`` bytes read from ``stream`` under ``key``.

        Raises:
            StorageUnavailable: the store could not be reached or refused the write.
        """

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """The stored bytes, exactly as written (no content decoding), as a stream.

        Raises:
            NotFound: no object under ``key``.
            StorageUnavailable: the store could not be reached.
        """

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]:
        """Keys under ``prefix``, in lexical (for snapshot keys: time) order."""


class TaskQueue(Protocol):
    """Where the application hands work to the actors."""

    def enqueue_fetch(self, capture_ids: Sequence[str]) -> None:
        """Queue the fetch of each capture, in one round trip where the broker allows.

        Raises:
            QueueUnavailable: the broker could not be reached.
        """

    def enqueue_extract(self, capture_id: str) -> None: ...

    def enqueue_reextract(self, capture_ids: Sequence[str]) -> None:
        """Queue re-extraction of archived captures (nothing is fetched), batched like fetches.

        Raises:
            QueueUnavailable: the broker could not be reached.
        """
