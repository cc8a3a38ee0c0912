"""The extract step, and re-extraction of stored snapshots into record versions."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archivist.adapters.catalog import (
    NewSnapshot,
    NewVersion,
    RecordHead,
    RecordVersionRow,
    SnapshotRow,
)
from archivist.core.captures import CaptureStatus
from archivist.core.diffs import content_changed
from archivist.core.errors import (
    ExtractionFailed,
    InvalidInput,
    NothingExtracted,
    PermanentFailure,
)
from archivist.core.records import content_fingerprint, has_content
from archivist.core.urls import canonicalize, host_prefixes, urlkey
from archivist.extraction import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    ParsedPage,
    SourcePage,
    extract,
)
from archivist.pipeline.common import aware, end_failed, utcnow
from archivist.pipeline.outcomes import ExtractOutcome, ReextractOutcome
from archivist.runtime import Runtime
from archivist.snapshots import read_snapshot

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["extract_capture", "extract_fetched", "load_pages", "reextract_capture", "reextract_targets"]

log = logging.getLogger(__name__)


def load_pages(runtime: Runtime, snapshots: Sequence[SnapshotRow]) -> list[SourcePage]:
    """Read each snapshot's archived response from storage (following revisits), in page order."""
    pages = []
    for snapshot in snapshots:
        source = snapshot
        if snapshot.kind == "revisit" and snapshot.refers_to_id:
            with runtime.database.session() as session:
                source = runtime.catalog.get_snapshot(session, snapshot.refers_to_id) or snapshot
        response = read_snapshot(runtime.store, source)
        pages.append(SourcePage(url=response.url, body=response.body, content_type=response.content_type,
                                captured=aware(source.captured_at), content_language=response.content_language))
    return pages


def extract_capture(runtime: Runtime, capture_id: str) -> ExtractOutcome:
    """Extract the capture's stored pages into a record version (a new one only on change).

    This is the extract message's step: the way in when the fetch delivery could not extract
    (see :func:`extract_fetched`), so it reads the pages back from storage.
    """
    outcome = ExtractOutcome(capture_id)
    with runtime.database.session() as session:
        capture = runtime.catalog.get_capture(session, capture_id)
        if capture is None or capture.status != CaptureStatus.EXTRACTING.value:
            outcome.skipped = True
            return outcome
        snapshots = list(runtime.catalog.snapshots_for_capture(session, capture_id))
        submitted_at = aware(capture.submitted_at)
        fallback_url, note = capture.url, capture.message  # the fetch's note: pages that failed
    captured_at = _taken(snapshot.captured_at for snapshot in snapshots) or submitted_at
    try:
        content, outcome.seconds = _run_extractor(runtime, load_pages(runtime, snapshots))
    except PermanentFailure as exc:
        end_failed(runtime, capture_id, exc)
        outcome.failed_reason = exc.reason
        return outcome
    try:
        with runtime.database.session() as session:
            _record(runtime, session, capture_id, content, fallback_url, captured_at, outcome, message=note)
    except NothingExtracted as exc:
        end_failed(runtime, capture_id, exc)
        outcome.failed_reason = exc.reason
        return outcome
    if not outcome.skipped:
        outcome.latency_seconds = (utcnow() - submitted_at).total_seconds()
    return outcome


def extract_fetched(
    runtime: Runtime,
    capture_id: str,
    pages: Sequence[tuple[str, ParsedPage | SourcePage]],
    snapshots: Sequence[NewSnapshot],
    *,
    delivery: str,
    attempt: int,
    replace: bool,
    submitted_at: datetime,
    fallback_url: str,
    message: str | None = None,
) -> ExtractOutcome | None:
    """Extract the pages the fetch delivery holds and archive the capture, in one transaction.

    ``pages`` are the stored pages (snapshot URL, response, parsed unless it was too big to
    keep the tree) in reading order, and ``snapshots`` their rows, numbered so (with
    ``replace``, in place of an earlier delivery's). The delivery that fetched them runs this
    itself: the pages are in its memory and parsed for pagination, so reading them back from
    storage, parsing them again and a message to another worker would be cost without benefit.
    The snapshot rows commit with the record version and the capture's move from ``fetching``
    (held by ``delivery`` under its claim ``attempt``) to ``archived``; if a newer claim took
    the fetch over or the capture ended meanwhile, the move fails, nothing is written, and the
    outcome says skipped. ``message`` is the archived capture's note (pages that failed).
    Returns None when it could
    not finish: the caller then hands the capture over by itself and sends the extract message,
    whose step reads the stored pages, has its own retries, and ends the capture failed if the
    extractor cannot read them.
    """
    outcome = ExtractOutcome(capture_id)
    try:
        content, outcome.seconds = _run_extractor(runtime, [parsed for _, parsed in pages])
    except PermanentFailure:
        return None
    try:
        with runtime.database.session() as session:
            runtime.catalog.put_snapshots(session, capture_id, snapshots, replace=replace)
            _record(runtime, session, capture_id, content, fallback_url,
                    _taken(snapshot["captured_at"] for snapshot in snapshots) or submitted_at, outcome,
                    holder=(delivery, attempt), message=message)
    except NothingExtracted:
        return None  # the extract step ends it failed, once the hand-over has kept its snapshots
    except Exception:  # noqa: BLE001 - handed over by message instead, see above
        log.exception("capture %s: archiving in the fetch delivery failed; sending the extract message", capture_id)
        return None
    if not outcome.skipped:
        outcome.latency_seconds = (utcnow() - submitted_at).total_seconds()
    return outcome


def _record(
    runtime: Runtime,
    session: Session,
    capture_id: str,
    content: dict,
    fallback_url: str,
    captured_at: datetime,
    outcome: ExtractOutcome,
    *,
    holder: tuple[str, int] | None = None,
    message: str | None = None,
) -> None:
    """Write ``content``, captured at ``captured_at``, as the record's version (a new one only on
    change, see :func:`_place`) and archive the capture.

    The capture must be ``extracting``, or with ``holder`` (a delivery and its claim attempt),
    ``fetching`` under that claim (whose delivery extracted the pages itself). If it no longer is (another delivery finished it or took
    the fetch over), the session is rolled back, so nothing it wrote stays, and the outcome says
    skipped.
    """
    content["url"] = _record_url(content.get("url"), content["pages"][0], fallback_url)
    fingerprint = content_fingerprint(content)
    record = runtime.catalog.record_head(session, content["url"])
    version = NewVersion(fingerprint=fingerprint, content=content, extractor_name=EXTRACTOR_NAME,
                         extractor_version=EXTRACTOR_VERSION, created_at=utcnow(), captured_at=captured_at,
                         source_capture_id=capture_id)
    if record is None or record.latest_id is None:
        if record is None:
            version_id = runtime.catalog.add_record(session, str(uuid.uuid4()), content["url"], urlkey(content["url"]),
                                                    version)
        else:
            version_id = runtime.catalog.add_version(session, record, version)
        outcome.new_version = True
    else:
        version_id, outcome.new_version = _place(runtime, session, record, version)
    delivery, attempt = holder if holder is not None else (None, None)
    if not runtime.catalog.move(session, capture_id, CaptureStatus.ARCHIVED, record_version_id=version_id,
                                message=message, holder=delivery, attempt=attempt):
        session.rollback()
        outcome.new_version = False
        outcome.skipped = True


def _place(runtime: Runtime, session: Session, record: RecordHead, version: NewVersion) -> tuple[int, bool]:
    """Put a capture's content in the record's history at its capture time; the id of the version
    it stands for, and whether that version is new.

    The history is in capture time, whatever order captures are archived in (an old WARC
    imported after live captures): the content is compared with the version in force at its
    time and, if it differs, with the version after it. The same as the first, it joins it; as
    the second, it joins that one, whose content was then first captured earlier. Otherwise it
    is a new version; and if the version in force then has captures taken after it, their
    content is in force again after it: those captures move to a copy of that version, numbered
    after the new one (numbers are write-order identifiers, never reused). A live capture, taken
    after every other, finds the latest version in force and no version after it.

    Raises:
        NothingExtracted: the content is empty and the record has a version (see _refuse_emptying).
    """
    moment = version["captured_at"]
    if moment >= record.latest_captured_at:
        if _same_as_latest(runtime, session, record, version["content"], version["fingerprint"]):
            return record.latest_id, False
        before, before_id = None, record.latest_id  # read only if it has captures to move
    else:
        before, after = runtime.catalog.versions_around(session, record.id, moment)
        if before is not None and _same_as(before, version):
            return before.id, False
        if after is not None and _same_as(after, version):
            runtime.catalog.start_version_at(session, after.id, moment)
            return after.id, False
        before_id = before.id if before is not None else None
    _refuse_emptying(record, version["content"])
    version_id = runtime.catalog.add_version(session, record, version)
    later = runtime.catalog.captures_after(session, before_id, moment) if before_id is not None else []
    if later:
        before = before or runtime.catalog.get_version(session, record.id, record.latest_version)
        again = NewVersion(fingerprint=before.fingerprint, content=before.content,
                           extractor_name=before.extractor_name, extractor_version=before.extractor_version,
                           created_at=version["created_at"], captured_at=later[0][1], source_capture_id=later[0][0])
        copy_id = runtime.catalog.add_version(session, runtime.catalog.record_head(session, record.url), again)
        runtime.catalog.repoint_captures(session, [capture_id for capture_id, _ in later], copy_id)
    return version_id, True


def _same_as(row: RecordVersionRow, version: NewVersion) -> bool:
    """Whether ``version`` has the content of the stored version ``row`` (see _same_as_latest)."""
    return row.fingerprint == version["fingerprint"] or not content_changed(row.content, version["content"])


def _same_as_latest(runtime: Runtime, session: Session, record: RecordHead, content: dict,
                    fingerprint: str) -> bool:
    """Whether ``content`` is the record's latest version's content, so that it makes no version.

    The same fingerprint says so at once. A different one is checked against the latest
    content as the diff compares it (:func:`~archivist.core.diffs.content_changed`): a
    re-capture that only lists the same comments in another order made a version whose diff
    showed no change.
    """
    if record.latest_id is None:
        return False
    if record.latest_fingerprint == fingerprint:
        return True
    latest = runtime.catalog.version_content(session, record.latest_id)
    return latest is not None and not content_changed(latest, content)


def _taken(moments) -> datetime | None:  # noqa: ANN001
    """When a capture was taken: its first snapshot's time (None without a snapshot)."""
    return min((aware(moment) for moment in moments), default=None)


def _run_extractor(runtime: Runtime, pages: Sequence[SourcePage | ParsedPage]) -> tuple[dict, float]:
    """The current extractor's content dict for ``pages``, and the seconds it took.

    It runs in the process's turn for HTML work (:attr:`Runtime.html_work`); the seconds do
    not count the wait for it.

    Raises:
        ExtractionFailed: no page, or the extractor crashed on them.
    """
    if not pages:
        raise ExtractionFailed("the capture has no stored page")
    with runtime.html_work:
        started = time.perf_counter()
        try:
            return extract(pages).as_dict(), time.perf_counter() - started
        except Exception as exc:  # noqa: BLE001 - any extractor crash is this document's failure
            raise ExtractionFailed(f"extraction crashed: {type(exc).__name__}: {exc}") from exc


def _refuse_emptying(record: RecordHead | None, content: dict) -> None:
    """Refuse content with nothing in it as a new version of a record that has one.

    An empty answer (a 200 or 204 without a body, a blank page) after good captures, or an
    extractor that finds nothing in pages it read before, would otherwise become the record's
    latest version, in place of the document. A first capture of such a page still makes its
    record: there is nothing to keep, and its replay is what the page is.

    Raises:
        NothingExtracted: ``content`` has no title, text or comment and ``record`` has a version.
    """
    if record is not None and record.latest_id is not None and not has_content(content):
        raise NothingExtracted("no title, text or comment found in the pages; "
                               f"the record keeps its version {record.latest_version}")


def reextract_capture(runtime: Runtime, capture_id: str) -> ReextractOutcome:
    """Run the current extractor again on an archived capture's stored snapshots (no fetch).

    This is not a step of the capture state machine: the capture stays ``archived`` whatever
    happens, and a failure is reported in the outcome, not written to the capture. The record
    gains a version only when the content differs from its latest version's, and only from
    the record's newest capture: re-extracting an older capture would otherwise append old
    content as the newest version. That is checked again when writing, in the record writers'
    turn (:meth:`Catalog.record_head`), since a newer capture may have been archived while the
    extractor ran. The record keeps its identity (its URL), even if the page's
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
        record_url = record.url
    captured_at = _taken(snapshot.captured_at for snapshot in snapshots) or aware(capture.submitted_at)
    try:
        content, outcome.seconds = _run_extractor(runtime, load_pages(runtime, snapshots))
    except PermanentFailure as exc:
        log.warning("re-extraction of capture %s failed: %s", capture_id, exc.message)
        outcome.failed_reason = exc.reason
        return outcome
    content["url"] = record_url
    fingerprint = content_fingerprint(content)
    with runtime.database.session() as session:
        record = runtime.catalog.record_head(session, record_url)
        if record is None:  # deleted meanwhile
            outcome.skipped = True
            return outcome
        if _same_as_latest(runtime, session, record, content, fingerprint):
            return outcome
        try:
            _refuse_emptying(record, content)
        except NothingExtracted as exc:
            log.warning("re-extraction of capture %s failed: %s", capture_id, exc.message)
            outcome.failed_reason = exc.reason
            return outcome
        newest = runtime.catalog.newest_capture_of_record(session, record.id)
        if newest is None or newest.id != capture_id:  # a newer capture was archived meanwhile
            outcome.skipped = True
            return outcome
        version_id = runtime.catalog.add_version(
            session,
            record,
            NewVersion(fingerprint=fingerprint, content=content, extractor_name=EXTRACTOR_NAME,
                       extractor_version=EXTRACTOR_VERSION, created_at=utcnow(),
                       captured_at=max(captured_at, record.latest_captured_at or captured_at),
                       source_capture_id=capture_id),
        )
        runtime.catalog.get_capture(session, capture_id).record_version_id = version_id
        outcome.new_version = True
    return outcome


#: Records a query of :func:`reextract_targets` reads: few enough that a Ctrl-C is seen within a
#: moment, many enough that the round trips do not count.
_TARGETS_PAGE = 1000


def reextract_targets(runtime: Runtime, *, url: str | None = None, host: str | None = None,
                      stop: threading.Event | None = None) -> list[str]:
    """The captures to re-extract: each selected record's newest archived capture.

    ``url`` selects one record, ``host`` every record on that host, neither every record.
    They are found a page of records a query (each with its newest capture), so the search
    costs the same per record in a large archive as in a small one. ``stop`` set ends it
    between two pages, with the captures found so far.

    Raises:
        InvalidURL: ``url`` or ``host`` is not valid.
    """
    canonical = canonicalize(url) if url is not None else None
    prefixes = host_prefixes(host) if host is not None else ()
    targets: list[str] = []
    after = None
    while stop is None or not stop.is_set():
        with runtime.database.session() as session:
            page = runtime.catalog.newest_captures_page(session, url=canonical, host_prefixes=prefixes, after=after,
                                                        limit=_TARGETS_PAGE)
        targets.extend(target.capture_id for target in page if target.capture_id is not None)
        if len(page) < _TARGETS_PAGE:
            break
        after = page[-1].record
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
