"""The capture pipeline's steps: submit, fetch, extract. Actors call these; so do tests.

Each step is idempotent. It first claims its edge of the capture state machine with a
conditional update; a redelivered message that finds the step taken does nothing (or, for a
fetch that finished but whose extraction message was lost, re-sends that message). Permanent
failures end the capture with a reason here; transient ones propagate so the broker retries.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from archivist.adapters.catalog import (
    CaptureRow,
    RecordRow,
    RecordVersionRow,
    SnapshotRow,
)
from archivist.core.captures import TERMINAL, CaptureStatus
from archivist.core.errors import (
    ArchivistError,
    CaptureTakenOver,
    ExtractionFailed,
    InvalidInput,
    PermanentFailure,
    QueueUnavailable,
)
from archivist.core.keys import snapshot_key
from archivist.core.records import content_fingerprint
from archivist.core.urls import canonicalize, urlkey
from archivist.extraction import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    SourcePage,
    discover_pages,
    extract,
    page_number,
)
from archivist.runtime import Runtime
from archivist.warc import (
    FinalRecord,
    Revisit,
    decode_content,
    payload_digest,
    read_response,
    warc_date,
    write_snapshot,
)

__all__ = [
    "ExtractOutcome",
    "FetchOutcome",
    "PageOutcome",
    "ReextractOutcome",
    "Submission",
    "extract_capture",
    "fail_capture",
    "fetch_capture",
    "reextract_capture",
    "reextract_targets",
    "reopen_capture",
    "requeue_stale",
    "store_snapshot",
    "submit",
]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we write is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Outcomes: what a step did, for the metrics middleware and the caller ---------------------------


@dataclass(slots=True)
class PageOutcome:
    status: int | None
    received_bytes: int = 0
    stored_bytes: int = 0
    revisit: bool = False
    seconds: float = 0.0


@dataclass(slots=True)
class FetchOutcome:
    capture_id: str
    pages: list[PageOutcome] = field(default_factory=list)
    failed_reason: str | None = None
    skipped: bool = False


@dataclass(slots=True)
class ExtractOutcome:
    capture_id: str
    new_version: bool = False
    seconds: float = 0.0
    failed_reason: str | None = None
    latency_seconds: float | None = None
    skipped: bool = False


@dataclass(slots=True)
class ReextractOutcome:
    capture_id: str
    new_version: bool = False
    seconds: float = 0.0
    failed_reason: str | None = None
    skipped: bool = False


# Submission ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Submission:
    """One submitted URL and what became of it at submission time."""

    id: str
    url: str
    status: str
    reason: str | None = None
    message: str | None = None
    existing: bool = False


def submit(
    runtime: Runtime, urls: Iterable[str], *, if_not_archived_within: timedelta | None = None
) -> list[Submission]:
    """Validate, record and enqueue each URL. Returns one :class:`Submission` per input, in order.

    An invalid URL becomes a failed capture with reason ``invalid_url``: the caller sees why,
    and the batch goes on. With ``if_not_archived_within``, a URL captured (and not failed)
    within that window returns the existing capture instead of a new one.

    Raises:
        QueueUnavailable: the broker refused the batch; its captures are marked failed.
    """
    now = _now()
    max_length = runtime.settings.max_url_length
    rows: list[CaptureRow] = []
    results: list[Submission] = []
    to_enqueue: list[str] = []
    with runtime.database.session() as session:
        for raw in urls:
            capture_id = str(uuid.uuid4())
            try:
                url = canonicalize(raw, max_length=max_length)
            except InvalidInput as exc:
                shown = str(raw)[:max_length]
                rows.append(
                    CaptureRow(
                        id=capture_id, url=shown, urlkey="", status=CaptureStatus.FAILED.value,
                        reason=exc.reason, message=exc.message, submitted_at=now, updated_at=now,
                        finished_at=now, attempts=0,
                    )
                )
                results.append(Submission(capture_id, shown, "failed", exc.reason, exc.message))
                continue
            key = urlkey(url)
            if if_not_archived_within is not None:
                recent = runtime.catalog.latest_capture(session, key, since=now - if_not_archived_within)
                if recent is not None:
                    results.append(Submission(recent.id, recent.url, recent.status, existing=True))
                    continue
            rows.append(
                CaptureRow(
                    id=capture_id, url=url, urlkey=key, status=CaptureStatus.QUEUED.value,
                    submitted_at=now, updated_at=now, attempts=0,
                )
            )
            results.append(Submission(capture_id, url, CaptureStatus.QUEUED.value))
            to_enqueue.append(capture_id)
        runtime.catalog.add_captures(session, rows)
    if to_enqueue:
        try:
            runtime.queue.enqueue_fetch(to_enqueue)
        except QueueUnavailable as exc:
            with runtime.database.session() as session:
                for capture_id in to_enqueue:
                    runtime.catalog.move(
                        session, capture_id, CaptureStatus.FAILED, reason=exc.reason, message=exc.message
                    )
            raise
    return results


# Fetch -----------------------------------------------------------------------------------------


def fetch_lease(runtime: Runtime) -> timedelta:
    """How long a fetch holds its capture without renewing (renewed after every page)."""
    settings = runtime.settings
    return timedelta(seconds=2 * settings.total_timeout + settings.host_max_wait)


def extract_lease(runtime: Runtime) -> timedelta:
    """How long an extraction may take before its capture counts as abandoned."""
    return timedelta(seconds=runtime.settings.extract_time_limit)


def fetch_capture(runtime: Runtime, capture_id: str, *, delivery: str) -> FetchOutcome:
    """Fetch the capture's URL and every page of its article; store each as a WARC snapshot.

    ``delivery`` identifies the message: its own redelivery may take over an interrupted fetch,
    while a duplicate message finds the capture held and does nothing.
    """
    outcome = FetchOutcome(capture_id)
    with runtime.database.session() as session:
        capture = runtime.catalog.get_capture(session, capture_id)
        if capture is None:
            log.warning("fetch: no capture %s; dropping the message", capture_id)
            outcome.skipped = True
            return outcome
        status = CaptureStatus(capture.status)
        claimed = status not in TERMINAL and runtime.catalog.claim_fetch(
            session, capture_id, delivery=delivery, lease_expired=_now() - fetch_lease(runtime)
        )
        url, submitted_at = capture.url, _aware(capture.submitted_at)
    if status is CaptureStatus.EXTRACTING:
        # A previous delivery fetched everything but may have died before handing over.
        runtime.queue.enqueue_extract(capture_id)
    if not claimed:
        outcome.skipped = True
        return outcome
    try:
        order = _fetch_pages(runtime, capture_id, delivery, url, submitted_at, outcome)
    except PermanentFailure as exc:
        _fail(runtime, capture_id, exc)
        outcome.failed_reason = exc.reason
        return outcome
    with runtime.database.session() as session:
        for snapshot in runtime.catalog.snapshots_for_capture(session, capture_id):
            snapshot.page = order.index(snapshot.url) + 1 if snapshot.url in order else len(order) + 1
        runtime.catalog.move(session, capture_id, CaptureStatus.EXTRACTING)
    runtime.queue.enqueue_extract(capture_id)
    return outcome


def _fail(runtime: Runtime, capture_id: str, exc: ArchivistError) -> None:
    log.info("capture %s failed: %s (%s)", capture_id, exc.message, exc.reason)
    with runtime.database.session() as session:
        runtime.catalog.move(session, capture_id, CaptureStatus.FAILED, reason=exc.reason, message=exc.message)


def fail_capture(runtime: Runtime, capture_id: str, exc: ArchivistError) -> bool:
    """End a capture as failed (used when retries are exhausted). False if it already ended."""
    with runtime.database.session() as session:
        return runtime.catalog.move(
            session, capture_id, CaptureStatus.FAILED, reason=exc.reason, message=exc.message
        )


def reopen_capture(runtime: Runtime, capture_id: str, target: CaptureStatus) -> bool:
    """Reopen a failed capture for an operator's requeue. False if it is not failed."""
    with runtime.database.session() as session:
        return runtime.catalog.reopen(session, capture_id, target)


def requeue_stale(runtime: Runtime, *, queued_older_than: timedelta, limit: int = 10_000) -> int:
    """Send again the message of every live capture that looks abandoned.

    The catalog, not the broker, is the source of truth: if the broker lost a message (Redis
    restarted without persistence, a worker died while the broker was down), this finds the
    capture it was about. A step in progress is abandoned once its lease has run out (nothing
    renews it); a queued capture once it has waited ``queued_older_than``, which should exceed
    the time the backlog takes to drain. Actors are idempotent, so a message that was only slow
    is harmless to send twice.
    """
    now = _now()
    with runtime.database.session() as session:
        stale = runtime.catalog.stale_captures(
            session,
            older_than={
                CaptureStatus.QUEUED: now - queued_older_than,
                CaptureStatus.FETCHING: now - fetch_lease(runtime),
                CaptureStatus.EXTRACTING: now - extract_lease(runtime),
            },
            limit=limit,
        )
        fetches = [c.id for c in stale if c.status != CaptureStatus.EXTRACTING.value]
        extracts = [c.id for c in stale if c.status == CaptureStatus.EXTRACTING.value]
    if fetches:
        runtime.queue.enqueue_fetch(fetches)
    for capture_id in extracts:
        runtime.queue.enqueue_extract(capture_id)
    if stale:
        log.warning("reconcile: re-sent %d fetch and %d extract messages", len(fetches), len(extracts))
    return len(fetches) + len(extracts)


def _fetch_pages(
    runtime: Runtime, capture_id: str, delivery: str, url: str, submitted_at: datetime, outcome: FetchOutcome
) -> list[str]:
    """Fetch ``url``, then the other pages it and its siblings point to, until closure.

    Returns the stored pages in reading order; the caller numbers the snapshots in the same
    transaction that hands the capture to extraction.
    """
    max_pages = runtime.settings.max_pages
    host = urlsplit(url).hostname
    queue = [url]
    seen = {url}
    stored: list[str] = []
    while queue and len(stored) < max_pages:
        page_url = queue.pop(0)
        if stored:
            with runtime.database.session() as session:
                if not runtime.catalog.touch(session, capture_id, delivery=delivery):
                    raise CaptureTakenOver(f"capture {capture_id} was taken over by another delivery")
        try:
            body, content_type = _fetch_one(runtime, capture_id, page_url, submitted_at, outcome)
        except PermanentFailure:
            if page_url == url:
                raise
            log.info("capture %s: skipping page %s that failed permanently", capture_id, page_url)
            continue
        stored.append(page_url)
        try:
            pages = discover_pages(body, page_url, max_pages=max_pages)
        except Exception:  # noqa: BLE001 - a page we cannot parse for links is still archived
            log.exception("capture %s: pagination discovery failed on %s", capture_id, page_url)
            pages = [page_url]
        for candidate in pages:
            try:
                candidate = canonicalize(candidate)
            except InvalidInput:
                continue
            if candidate not in seen and urlsplit(candidate).hostname == host:
                seen.add(candidate)
                queue.append(candidate)
    return _reading_order(stored)


def _reading_order(stored: list[str]) -> list[str]:
    """The stored pages ordered by the page number in their URL (none means page 1)."""
    return sorted(stored, key=lambda url: (page_number(url) or 1, stored.index(url)))


def _fetch_one(
    runtime: Runtime, capture_id: str, page_url: str, submitted_at: datetime, outcome: FetchOutcome
) -> tuple[bytes, str | None]:
    """Fetch one page and store it; returns its decoded body for pagination discovery."""
    page = PageOutcome(status=None)
    outcome.pages.append(page)
    with runtime.politeness.request(page_url):
        started = time.perf_counter()
        try:
            result = runtime.fetcher.fetch(page_url)
        finally:
            page.seconds = time.perf_counter() - started
    try:
        final = result.final
        page.status = final.status
        page.received_bytes = sum(exchange.body_length for exchange in result.exchanges)
        digest = payload_digest(final.body)
        key = urlkey(page_url)
        # One transaction from the revisit lookup to the snapshot row, around the object PUT:
        # the lookup only reads, so holding it costs a pooled connection for the PUT's duration
        # and saves a transaction per page.
        with runtime.database.session() as session:
            previous = runtime.catalog.latest_response(session, key)
            if previous is not None and previous.capture_id == capture_id:
                previous = None  # our own earlier delivery: never revisit ourselves
            revisit = None
            if previous is not None and previous.payload_digest == digest:
                revisit = Revisit(target_uri=previous.url, date=warc_date(_aware(previous.captured_at)),
                                  record_id=previous.warc_record_id)
            refers_to = previous.id if revisit is not None else None
            page.revisit = revisit is not None
            captured_at = final.started_at
            storage_key = snapshot_key(page_url, submitted_at, capture_id)
            stored_length, final_record = store_snapshot(runtime, storage_key, result.exchanges, captured_at,
                                                         revisit)
            page.stored_bytes = stored_length
            runtime.catalog.put_snapshot(
                session,
                SnapshotRow(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{capture_id} {page_url}")),
                    capture_id=capture_id, page=0, url=page_url, urlkey=key, captured_at=captured_at,
                    kind="revisit" if revisit else "response", http_status=final.status,
                    mime=(final.content_type or "").split(";")[0].strip() or None,
                    payload_digest=digest, payload_length=final.body_length, storage_key=storage_key,
                    stored_length=stored_length, refers_to_id=refers_to, record_offset=final_record.offset,
                    warc_record_id=final_record.record_id,
                    redirects={"chain": [{"url": hop.url, "status": hop.status} for hop in result.redirects],
                               "final_url": final.url},
                ),
            )
        final.body.seek(0)
        return decode_content(final.body.read(), final.headers), final.content_type
    finally:
        result.close()


def store_snapshot(
    runtime: Runtime, key: str, exchanges: Sequence, captured_at: datetime, revisit: Revisit | None
) -> tuple[int, FinalRecord]:
    """Write the exchanges as a snapshot object; returns its length and where its final record is."""
    with tempfile.SpooledTemporaryFile(max_size=4 << 20) as spool:
        final = write_snapshot(spool, exchanges, date=captured_at, revisit=revisit)
        length = spool.tell()
        spool.seek(0)
        runtime.store.put(key, spool, length, content_type="application/warc", metadata={"capture-id": key})
    return length, final


# Extract ---------------------------------------------------------------------------------------


def load_pages(runtime: Runtime, snapshots: Sequence[SnapshotRow]) -> list[SourcePage]:
    """Read each snapshot's archived response from storage (following revisits), in page order."""
    pages = []
    for snapshot in snapshots:
        source = snapshot
        if snapshot.kind == "revisit" and snapshot.refers_to_id:
            with runtime.database.session() as session:
                source = runtime.catalog.get_snapshot(session, snapshot.refers_to_id) or snapshot
        with runtime.store.open(source.storage_key) as stream:
            response = read_response(stream)
        pages.append(SourcePage(url=response.url, body=response.body, content_type=response.content_type))
    return pages


def extract_capture(runtime: Runtime, capture_id: str) -> ExtractOutcome:
    """Extract the capture's stored pages into a record version (a new one only on change)."""
    outcome = ExtractOutcome(capture_id)
    with runtime.database.session() as session:
        capture = runtime.catalog.get_capture(session, capture_id)
        if capture is None or capture.status != CaptureStatus.EXTRACTING.value:
            outcome.skipped = True
            return outcome
        snapshots = list(runtime.catalog.snapshots_for_capture(session, capture_id))
        submitted_at = _aware(capture.submitted_at)
        fallback_url = capture.url
    started = time.perf_counter()
    try:
        pages, content = _extract_stored(runtime, snapshots)
    except PermanentFailure as exc:
        _fail(runtime, capture_id, exc)
        outcome.failed_reason = exc.reason
        return outcome
    outcome.seconds = time.perf_counter() - started
    content["url"] = _record_url(content.get("url"), pages[0].url, fallback_url)
    fingerprint = content_fingerprint(content)
    now = _now()
    with runtime.database.session() as session:
        record = runtime.catalog.get_record_by_url(session, content["url"])
        if record is None:
            record = runtime.catalog.add_record(
                session,
                RecordRow(id=str(uuid.uuid4()), url=content["url"], urlkey=urlkey(content["url"]),
                          created_at=now, updated_at=now, latest_version=0),
            )
        latest = runtime.catalog.get_version(session, record.id, record.latest_version) if record.latest_version else None
        if latest is not None and latest.fingerprint == fingerprint:
            version = latest
        else:
            version = runtime.catalog.add_version(
                session,
                record,
                RecordVersionRow(fingerprint=fingerprint, content=content, extractor_name=EXTRACTOR_NAME,
                                 extractor_version=EXTRACTOR_VERSION, created_at=now, source_capture_id=capture_id),
            )
            outcome.new_version = True
        if not runtime.catalog.move(session, capture_id, CaptureStatus.ARCHIVED, record_version_id=version.id):
            session.rollback()
            outcome.new_version = False
            outcome.skipped = True
            return outcome
    outcome.latency_seconds = (now - submitted_at).total_seconds()
    return outcome


def _extract_stored(runtime: Runtime, snapshots: Sequence[SnapshotRow]) -> tuple[list[SourcePage], dict]:
    """Run the current extractor over stored snapshots: the pages read and the content dict.

    Raises:
        ExtractionFailed: no stored page, or the extractor crashed on them.
        PermanentFailure: a stored snapshot is unreadable.
    """
    pages = load_pages(runtime, snapshots)
    if not pages:
        raise ExtractionFailed("the capture has no stored page")
    try:
        extraction = extract(pages)
    except Exception as exc:  # noqa: BLE001 - any extractor crash is this document's failure
        raise ExtractionFailed(f"extraction crashed: {type(exc).__name__}: {exc}") from exc
    return pages, extraction.as_dict()


# Re-extract ------------------------------------------------------------------------------------


def reextract_capture(runtime: Runtime, capture_id: str) -> ReextractOutcome:
    """Run the current extractor again on an archived capture's stored snapshots (no fetch).

    This is not a step of the capture state machine: the capture stays ``archived`` whatever
    happens, and a failure is reported in the outcome, not written to the capture. The record
    gains a version only when the fingerprint differs from its latest version, and only from
    the record's newest capture: re-extracting an older capture would otherwise append old
    content as the newest version. The record keeps its identity (its URL), even if the page's
    declared canonical URL would now be read differently. The new version's capture link moves
    to it (``captures.record_version_id``): it is what that capture now produces; each version
    keeps its own ``source_capture_id``.
    """
    outcome = ReextractOutcome(capture_id)
    with runtime.database.session() as session:
        capture = runtime.catalog.get_capture(session, capture_id)
        record = runtime.catalog.record_of_capture(session, capture_id) if capture else None
        newest = runtime.catalog.newest_capture_of_record(session, record.id) if record else None
        if capture is None or record is None or newest is None or newest.id != capture_id:
            outcome.skipped = True
            return outcome
        snapshots = list(runtime.catalog.snapshots_for_capture(session, capture_id))
        record_id, record_url = record.id, record.url
    started = time.perf_counter()
    try:
        _, content = _extract_stored(runtime, snapshots)
    except PermanentFailure as exc:
        log.warning("re-extraction of capture %s failed: %s", capture_id, exc.message)
        outcome.failed_reason = exc.reason
        return outcome
    outcome.seconds = time.perf_counter() - started
    content["url"] = record_url
    fingerprint = content_fingerprint(content)
    with runtime.database.session() as session:
        record = runtime.catalog.get_record(session, record_id)
        latest = runtime.catalog.get_version(session, record_id, record.latest_version)
        if latest is not None and latest.fingerprint == fingerprint:
            return outcome
        version = runtime.catalog.add_version(
            session,
            record,
            RecordVersionRow(fingerprint=fingerprint, content=content, extractor_name=EXTRACTOR_NAME,
                             extractor_version=EXTRACTOR_VERSION, created_at=_now(), source_capture_id=capture_id),
        )
        runtime.catalog.get_capture(session, capture_id).record_version_id = version.id
        outcome.new_version = True
    return outcome


def reextract_targets(runtime: Runtime, *, url: str | None = None, host: str | None = None) -> list[str]:
    """The captures to re-extract: each selected record's newest archived capture.

    ``url`` selects one record, ``host`` every record on that host, neither every record.

    Raises:
        InvalidURL: ``url`` or ``host`` is not valid.
    """
    canonical = canonicalize(url) if url is not None else None
    prefixes = (urlkey(canonicalize(host)).split(")", 1)[0] + ")/",) if host is not None else ()
    with runtime.database.session() as session:
        targets = []
        for record in runtime.catalog.records_matching(session, url=canonical, host_prefixes=prefixes):
            newest = runtime.catalog.newest_capture_of_record(session, record.id)
            if newest is not None:
                targets.append(newest.id)
        return targets


def _record_url(canonical: str | None, page_url: str, fallback: str) -> str:
    """The record's identity: the page's declared canonical URL when it is on the same site."""
    base = page_url or fallback
    if canonical:
        try:
            candidate = canonicalize(canonical)
        except InvalidInput:
            return canonicalize(base)
        if _site(candidate) == _site(base):
            return candidate
    return canonicalize(base)


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
