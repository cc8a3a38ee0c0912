"""The exception tree, grouped by what the caller should do about an error.

::

    ArchivistError
    ├── InvalidInput            refuse the input; nothing was stored
    │   └── InvalidURL, InvalidDuration, InvalidSettings
    ├── AccessDenied            refuse the caller (Unauthenticated: no valid key)
    ├── QuotaExceeded           refuse for now; ``retry_after`` says when
    ├── NotFound
    ├── CatalogTooNew           the catalog was migrated by a newer release than this one
    ├── PermanentFailure        the capture fails now, with a reason; retrying cannot help
    │   ├── BlockedAddress, RobotsDisallowed, HTTPClientError, NotHTML, BodyTooLarge,
    │   │   TooManyRedirects, ExtractionFailed, StorageMisconfigured, StepTimedOut, Interrupted,
    │   │   SnapshotUnreadable
    └── TransientFailure        retry later with backoff
        ├── FetchTimeout, FetchConnectionError, HTTPServerError, RateLimited, HostBusy
        ├── CatalogConflict, TempSpaceUnavailable, CaptureTakenOver
        └── ServerUnavailable   one of our own servers is down: wait for it, longer
            └── StorageUnavailable, CatalogUnavailable, QueueUnavailable

Every error carries a short machine-readable ``reason`` (a bounded set: it becomes a metric
label and the capture's ``reason``) and a human message.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "ArchivistError",
    "BlockedAddress",
    "BodyTooLarge",
    "CaptureTakenOver",
    "CatalogConflict",
    "CatalogNotMigrated",
    "CatalogTooNew",
    "CatalogUnavailable",
    "ExtractionFailed",
    "FetchConnectionError",
    "FetchTimeout",
    "HTTPClientError",
    "HTTPServerError",
    "HostBusy",
    "InvalidDuration",
    "Interrupted",
    "InvalidInput",
    "InvalidSettings",
    "InvalidURL",
    "MalformedResponse",
    "NotFound",
    "NotHTML",
    "OutputUnwritable",
    "PermanentFailure",
    "QuotaExceeded",
    "QueueUnavailable",
    "RateLimited",
    "RobotsDisallowed",
    "ServerUnavailable",
    "SnapshotUnreadable",
    "StepTimedOut",
    "StorageMisconfigured",
    "StorageUnavailable",
    "TempSpaceUnavailable",
    "TooManyRedirects",
    "TransientFailure",
    "Unauthenticated",
    "UnknownHost",
    "UnsupportedHost",
]


class ArchivistError(Exception):
    """Root of every error this service raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason


class InvalidInput(ArchivistError):
    reason = "invalid_input"


class InvalidURL(InvalidInput):
    reason = "invalid_url"


class InvalidDuration(InvalidInput, ValueError):
    """Not a duration like ``1d``, or too long a one. A ValueError too: a request model's
    validator that meets it refuses the request (422) instead of failing (500)."""

    reason = "invalid_duration"


class InvalidSettings(InvalidInput):
    """An ``ARCHIVIST_*`` environment variable holds what its setting cannot take."""

    reason = "invalid_settings"


class NotFound(ArchivistError):
    reason = "not_found"


class OutputUnwritable(ArchivistError):
    """A command could not write the file it was asked to (``export --warc``, ``replay
    --output``): the disk is full, over a quota or a file size limit, or refuses the folder."""

    reason = "output_unwritable"


class CatalogTooNew(ArchivistError):
    """The catalog's schema is at a migration this release does not have: a newer release
    migrated it (and this one was rolled back, or runs beside it). Not retried: only an operator
    can run the newer release again, or downgrade the catalog with it."""

    reason = "catalog_too_new"


class AccessDenied(ArchivistError):
    """The caller may not do this: no valid key (401) or a key without the scope (403)."""

    reason = "forbidden"


class Unauthenticated(AccessDenied):
    reason = "unauthenticated"


class QuotaExceeded(ArchivistError):
    """The caller's key submitted more than its quota allows; try again after ``retry_after``."""

    reason = "quota_exceeded"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(ArchivistError):
    reason = "failed"


class BlockedAddress(PermanentFailure):
    reason = "blocked_address"


class UnknownHost(PermanentFailure):
    """The host name does not resolve at all (NXDOMAIN), as opposed to a DNS server failure."""

    reason = "unknown_host"


class UnsupportedHost(PermanentFailure):
    """A host name valid in IDNA 2003 only (``☃.net``): a URL browsers follow and the archive
    keeps, but the HTTP client encodes hosts in IDNA 2008 only and cannot request it."""

    reason = "unsupported_host"


class RobotsDisallowed(PermanentFailure):
    reason = "robots_disallowed"


class HTTPClientError(PermanentFailure):
    """The site answered 4xx (or a 3xx without a Location); ``status`` is the code it sent."""

    reason = "http_4xx"

    def __init__(self, message: str, *, status: int, reason: str | None = None) -> None:
        super().__init__(message, reason=reason)
        self.status = status


class MalformedResponse(PermanentFailure):
    """The server's answer breaks HTTP itself: oversized or invalid headers, bad framing."""

    reason = "bad_response"


class NotHTML(PermanentFailure):
    reason = "not_html"


class BodyTooLarge(PermanentFailure):
    reason = "too_large"


class TooManyRedirects(PermanentFailure):
    reason = "too_many_redirects"


class ExtractionFailed(PermanentFailure):
    reason = "extraction_failed"


class NothingExtracted(ExtractionFailed):
    """The pages gave no title, no text and no comment (an empty 200, a 204, a blank page):
    an empty version would be taken for the document's latest content."""

    reason = "no_content"


class StepTimedOut(PermanentFailure):
    """A step ran past its time limit: its pages are so expensive to extract that running it
    again would take as long again, so the capture fails instead of being retried."""

    reason = "time_limit"


class Interrupted(PermanentFailure):
    """``archivist archive`` (or ``demo``) was stopped (Ctrl-C, SIGTERM) while its in-process
    workers were fetching this capture. Its holder, a thread of that process, is gone, so the
    capture ends failed, saying so, instead of staying ``fetching`` until its lease runs out;
    running the command again captures the URL anew."""

    reason = "interrupted"


class SnapshotUnreadable(PermanentFailure):
    """A snapshot's stored object is gone from the object store (``snapshot_missing``: a
    lifecycle rule, an operator) or damaged there (``corrupt_warc``: cut short, bytes changed):
    its catalog row outlived it. Nothing can be replayed or extracted from it, and retrying
    will not bring it back."""

    reason = "snapshot_unreadable"


class StorageMisconfigured(PermanentFailure):
    """The object store answered, and refused: no such bucket, credentials it does not accept.

    Configuration, not an outage: retrying cannot help until an operator fixes it, and each
    retry of a capture would fetch the site again.
    """

    reason = "storage_misconfigured"


class TransientFailure(ArchivistError):
    reason = "transient"

    def __init__(
        self, message: str, *, reason: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, reason=reason)
        #: Seconds the remote side asked us to wait (``Retry-After``), if it said.
        self.retry_after = retry_after


class FetchTimeout(TransientFailure):
    reason = "timeout"


class FetchConnectionError(TransientFailure):
    reason = "connect_error"


class HTTPServerError(TransientFailure):
    """The site answered 5xx; ``status`` is the code it sent."""

    reason = "http_5xx"

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(TransientFailure):
    """The site answered 429, or 503 with a ``Retry-After``; ``status`` is the code it sent."""

    reason = "http_429"

    def __init__(self, message: str, *, status: int, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status


class HostBusy(TransientFailure):
    """Politeness: the host's next request slot is too far away to wait for in this worker."""

    reason = "host_busy"


class ServerUnavailable(TransientFailure):
    """One of our own servers (object store, catalog database, Redis) did not answer or failed.

    Not the site's fault: a step meeting it waits for the server, with its own backoff and for
    as long as ``ARCHIVIST_OUTAGE_PATIENCE``, without spending the capture's retries, which are
    for the site. ``server`` names it in logs and in the capture's failure.
    """

    reason = "server_unavailable"
    server = "a server"

    def __init__(self, message: str, *, reason: str | None = None, local: bool = False) -> None:
        super().__init__(message, reason=reason)
        #: The "server" is this machine's own disk (the embedded object folder, a SQLite file):
        #: there is no outage to wait out (a full or read-only disk stays so), so the failure
        #: spends the capture's retries like any other transient one and then fails, clearly.
        self.local = local


class StorageUnavailable(ServerUnavailable):
    reason = "storage_unavailable"
    server = "the object store"


class CatalogUnavailable(ServerUnavailable):
    reason = "catalog_unavailable"
    server = "the catalog database"


class TempSpaceUnavailable(TransientFailure):
    """This process could not write a temporary file (a response or a snapshot too big to keep
    in memory): its disk is full, over a quota or a file size limit. Transient: the disk may be
    freed; the message names the folder (``TMPDIR``) and the cause."""

    reason = "temp_space_unavailable"


class CatalogNotMigrated(CatalogUnavailable):
    """The database answers but holds no catalog schema: ``archivist db upgrade`` never ran on it.

    Unavailable all the same until an operator migrates it (or a worker or ``archivist serve``
    does at start-up): a step meeting it is retried, the API answers 503.
    """

    reason = "catalog_not_migrated"


class QueueUnavailable(ServerUnavailable):
    reason = "queue_unavailable"
    server = "Redis"


class CaptureTakenOver(TransientFailure):
    """This delivery lost its hold on the capture (its lease expired and another took it)."""

    reason = "taken_over"


class CatalogConflict(TransientFailure):
    """Two workers raced for the same row (a unique key held); the loser retries."""

    reason = "catalog_conflict"
