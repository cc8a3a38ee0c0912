"""The fetch step: every page of the article, stored as WARC snapshots, then extracted.

The delivery that fetched the pages extracts them too, from memory and on the trees parsed
for pagination discovery (:func:`~archivist.pipeline.extracting.extract_fetched`); the extract
message is the way back in when it could not.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from archivist.adapters.catalog import (
    Claim,
    NewSnapshot,
)
from archivist.core.captures import CaptureStatus
from archivist.core.errors import (
    CaptureTakenOver,
    InvalidInput,
    PermanentFailure,
)
from archivist.core.keys import snapshot_key
from archivist.core.urls import canonicalize, urlkey
from archivist.extraction import (
    ParsedPage,
    SourcePage,
    find_pages,
    page_number,
    parse_page,
)
from archivist.pipeline.common import aware, end_failed, fetch_lease, utcnow
from archivist.pipeline.extracting import extract_fetched
from archivist.pipeline.outcomes import FetchOutcome, PageOutcome
from archivist.runtime import Runtime
from archivist.warc import (
    FinalRecord,
    Revisit,
    decode_content,
    payload_digest,
    warc_date,
    write_snapshot,
)

__all__ = ["fetch_capture", "store_snapshot"]

log = logging.getLogger(__name__)

#: Parsed trees are kept for extraction while their pages' bytes stay under this; an article
#: of many large pages is parsed again page by page instead of holding every tree at once.
_TREES_BUDGET_BYTES = 8 << 20


def fetch_capture(runtime: Runtime, capture_id: str, *, delivery: str) -> FetchOutcome:
    """Fetch the capture's URL and every page of its article; store each as a WARC snapshot.

    ``delivery`` identifies the message: its own redelivery may take over an interrupted fetch,
    while a duplicate message finds the capture held and does nothing.
    """
    outcome = FetchOutcome(capture_id)
    with runtime.database.session() as session:
        claim = runtime.catalog.claim_fetch(
            session, capture_id, delivery=delivery, lease_expired=utcnow() - fetch_lease(runtime)
        )
        capture = runtime.catalog.get_capture(session, capture_id) if claim is None else None
    if claim is None:
        if capture is None:
            log.warning("fetch: no capture %s; dropping the message", capture_id)
        elif capture.status == CaptureStatus.EXTRACTING.value:
            # A previous delivery fetched everything but may have died before extracting.
            runtime.queue.enqueue_extract(capture_id)
        outcome.skipped = True
        return outcome
    url, submitted_at = claim.url, claim.submitted_at
    try:
        pages = _fetch_pages(runtime, capture_id, delivery, claim, outcome)
    except PermanentFailure as exc:
        end_failed(runtime, capture_id, exc)
        outcome.failed_reason = exc.reason
        return outcome
    # Every snapshot is written as page 1; a capture's first claim that stored one page has
    # nothing to renumber (no other page, no earlier delivery's), which saves a statement.
    renumber = len(pages) > 1 or claim.attempts > 1
    outcome.extraction = extract_fetched(runtime, capture_id, pages, submitted_at=submitted_at, fallback_url=url,
                                         renumber=renumber)
    if outcome.extraction is None:
        with runtime.database.session() as session:
            if renumber:
                runtime.catalog.number_pages(session, capture_id, [page_url for page_url, _ in pages])
            runtime.catalog.move(session, capture_id, CaptureStatus.EXTRACTING)
        runtime.queue.enqueue_extract(capture_id)
    return outcome


def _fetch_pages(
    runtime: Runtime, capture_id: str, delivery: str, claim: Claim, outcome: FetchOutcome
) -> list[tuple[str, ParsedPage | SourcePage]]:
    """Fetch ``url``, then the other pages it and its siblings point to, until closure.

    Returns the stored pages (URL and response, parsed while their bytes fit
    ``_TREES_BUDGET_BYTES``) in reading order; the snapshots are numbered in the transaction
    that hands the capture over.
    """
    max_pages = runtime.settings.max_pages
    url = claim.url
    host = urlsplit(url).hostname
    queue = [url]
    seen = {url}
    stored: dict[str, ParsedPage | SourcePage] = {}
    kept_bytes = 0
    while queue and len(stored) < max_pages:
        page_url = queue.pop(0)
        if stored:
            with runtime.database.session() as session:
                if not runtime.catalog.touch(session, capture_id, delivery=delivery):
                    raise CaptureTakenOver(f"capture {capture_id} was taken over by another delivery")
        try:
            parsed = parse_page(_fetch_one(runtime, capture_id, page_url, claim, outcome))
        except PermanentFailure:
            if page_url == url:
                raise
            log.info("capture %s: skipping page %s that failed permanently", capture_id, page_url)
            continue
        try:
            pages = find_pages(parsed.tree, page_url, max_pages=max_pages)
        except Exception:  # noqa: BLE001 - a page we cannot parse for links is still archived
            log.exception("capture %s: pagination discovery failed on %s", capture_id, page_url)
            pages = [page_url]
        kept_bytes += len(parsed.source.body)
        # A tree takes several times its page's bytes: past the budget, extraction parses again.
        stored[page_url] = parsed if kept_bytes <= _TREES_BUDGET_BYTES else parsed.source
        for candidate in pages:
            try:
                candidate = canonicalize(candidate)
            except InvalidInput:
                continue
            if candidate not in seen and urlsplit(candidate).hostname == host:
                seen.add(candidate)
                queue.append(candidate)
    return _reading_order(stored)


def _reading_order(stored: dict[str, ParsedPage | SourcePage]) -> list[tuple[str, ParsedPage | SourcePage]]:
    """The stored pages ordered by the page number in their URL (none means page 1), then as fetched."""
    fetched = list(stored)
    return sorted(stored.items(), key=lambda item: (page_number(item[0]) or 1, fetched.index(item[0])))


def _fetch_one(runtime: Runtime, capture_id: str, page_url: str, claim: Claim, outcome: FetchOutcome) -> SourcePage:
    """Fetch one page and store it; returns the response as extraction reads it back from storage."""
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
                revisit = Revisit(target_uri=previous.url, date=warc_date(aware(previous.captured_at)),
                                  record_id=previous.warc_record_id)
            refers_to = previous.id if revisit is not None else None
            page.revisit = revisit is not None
            captured_at = final.started_at
            storage_key = snapshot_key(page_url, claim.submitted_at, capture_id)
            stored_length, final_record = store_snapshot(runtime, storage_key, result.exchanges, captured_at,
                                                         revisit)
            page.stored_bytes = stored_length
            runtime.catalog.put_snapshot(
                session,
                NewSnapshot(
                    id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{capture_id} {page_url}")),
                    capture_id=capture_id, page=1, url=page_url, urlkey=key, captured_at=captured_at,
                    kind="revisit" if revisit else "response", http_status=final.status,
                    mime=(final.content_type or "").split(";")[0].strip() or None,
                    payload_digest=digest, payload_length=final.body_length, storage_key=storage_key,
                    stored_length=stored_length, refers_to_id=refers_to, record_offset=final_record.offset,
                    warc_record_id=final_record.record_id,
                    redirects={"chain": [{"url": hop.url, "status": hop.status} for hop in result.redirects],
                               "final_url": final.url},
                ),
                replace=claim.attempts > 1,  # only an earlier claim can have written this page
            )
        final.body.seek(0)
        return SourcePage(url=final.url, body=decode_content(final.body.read(), final.headers),
                          content_type=final.content_type)
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
