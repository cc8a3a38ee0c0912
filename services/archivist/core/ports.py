"""The ports the application needs from the outside world, as Protocols.

Each has a production adapter and an embedded one, both real (``archivist.adapters``):
object storage (S3/MinIO, local folder) and the task queue (Redis, in-process Dramatiq).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import BinaryIO, Protocol

__all__ = ["HostGate", "ObjectStore", "Quota", "TaskQueue"]


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
            StorageUnavailable: the store could not be reached or failed the write.
            StorageMisconfigured: the store refused the bucket or the credentials.
        """

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """The stored bytes, exactly as written (no content decoding), as a stream.

        Raises:
            NotFound: no object under ``key``.
            StorageUnavailable: the store could not be reached.
            StorageMisconfigured: the store refused the bucket or the credentials.
        """

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object under ``key``; nothing happens if there is none.

        Raises:
            StorageUnavailable: the store could not be reached.
        """

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

    def holds_fetches(self) -> bool | None:
        """Whether the broker holds any fetch message: waiting, held by a worker, or waiting out
        a retry's backoff. None when it cannot tell another process's messages (in-process).

        Raises:
            QueueUnavailable: the broker could not be reached.
        """

    def kept_since(self) -> datetime | None:
        """When the broker's memory of messages begins: a message sent before then is gone (its
        server restarted and kept nothing on disk). None when it keeps its messages across
        restarts, or cannot tell.

        Raises:
            QueueUnavailable: the broker could not be reached.
        """

class HostGate(Protocol):
    """Per-host politeness shared by every worker: request spacing and concurrency."""

    def reserve(self, host: str, interval: float, max_wait: float) -> float:
        """Take the host's next request slot, ``interval`` seconds after the previous one.

        Returns how many seconds from now the slot starts (0 when it is free now). A slot more
        than ``max_wait`` seconds away is not taken, only reported: its caller will not wait for
        it, and a turn booked but never used would keep the host idle while it pushes every
        later caller further back.
        """

    def hold_off(self, host: str, seconds: float) -> None:
        """Let no request reach ``host`` for ``seconds`` (after a 429 or 503)."""

    def slot(self, host: str) -> AbstractContextManager[bool]:
        """One of the host's concurrent-request slots while the block runs; False if none free."""

    def turn(self, host: str, interval: float, max_wait: float) -> AbstractContextManager[tuple[float, bool]]:
        """:meth:`reserve`, and when the turn is now, :meth:`slot` in the same step (one round trip
        for a shared gate): ``(wait, holding)`` while the block runs. Holding nothing, a caller
        that waits its turn takes a slot after.
        """

    def robots(self, origin: str, ttl: float, load: Callable[[], str | None]) -> tuple[float, str | None]:
        """The robots.txt of ``origin`` shared by every worker, and when that copy expires (epoch
        seconds): ``load()``'s answer (the file's text, None when it allows everything), called
        only when no copy younger than ``ttl`` is shared, by one caller at a time across all
        processes, the others waiting for its answer. A site is asked for its robots.txt once per
        ``ttl``, however many workers and hosts fetch its pages. What ``load`` raises goes to its
        caller, and nothing is kept.
        """


class Quota(Protocol):
    """Per-caller submission counting over a time window, shared by every API server."""

    def take(self, key_id: str, amount: int, limit: int) -> float | None:
        """Count ``amount``; None when within ``limit``, else seconds until the window ends."""
