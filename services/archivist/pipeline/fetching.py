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
from typing import TYPE_CHECKING

from archivist.adapters.catalog import (
    Claim,
    LatestResponse,
    NewSnapshot,
)
from archivist.adapters.fetcher import Conditional, FetchResult
from archivist.core.captures import CaptureStatus
from archivist.core.errors import (
    CaptureTakenOver,
    CatalogUnavailable,
    FetchConnectionError,
    FetchTimeout,
    HTTPClientError,
    HTTPServerError,
    InvalidInput,
    PermanentFailure,
    RateLimited,
    SnapshotUnreadable,
    StorageMisconfigured,
    StorageUnavailable,
)
from archivist.core.http import conditional_headers, header
from archivist.core.keys import attempts_prefix, snapshot_key
from archivist.core.tempspace import spool_refused
from archivist.core.urls import canonicalize, final_urlkey, url_hash, urlkey
from archivist.extraction import (
    ParsedPage,
    SourcePage,
    article_paragraphs,
    find_pages,
    find_single_view,
    holds_pages,
    limit_pages,
    page_key,
    parse_page,
    reading_order,
    same_site,
)
from archivist.pipeline.common import aware, end_failed, fetch_lease, utcnow
from archivist.pipeline.extracting import extract_fetched
from archivist.pipeline.outcomes import FetchOutcome, PageOutcome
from archivist.runtime import Runtime
from archivist.snapshots import read_snapshot
from archivist.warc import (
    NOT_MODIFIED_PROFILE,
    FinalRecord,
    Revisit,
    StoredResponse,
    decode_content,
    payload_digest,
    warc_date,
    write_snapshot,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["fetch_capture", "store_snapshot"]

log = logging.getLogger(__name__)

#: Parsed trees are kept for extraction while their pages' bytes stay under this; an article
#: of many large pages is parsed again page by page instead of holding every tree at once.
_TREES_BUDGET_BYTES = 8 << 20

#: How a site fails transiently for one page: retried with the capture, but on its last attempt
#: a later page failing so is archived around (our own servers' outages still fail the capture).
_PAGE_DOWN = (FetchTimeout, FetchConnectionError, HTTPServerError, RateLimited)


def fetch_capture(runtime: Runtime, capture_id: str, *, delivery: str, last_attempt: bool = False) -> FetchOutcome:
    """Fetch the capture's URL and every page of its article; store each as a WARC snapshot.

    ``delivery`` identifies the message: its own redelivery may take over an interrupted fetch,
    while a duplicate message finds the capture held and does nothing. ``last_attempt`` says no
    retry follows: a later page the site fails transiently is then archived around (reported
    in the capture's message) instead of losing the pages fetched with it.
    """
    outcome = FetchOutcome(capture_id)
    # The claim is one conditional statement (which reads the revisit candidate and its
    # validators too); the rest are reads: no transaction around them.
    with runtime.database.session(atomic=False) as session:
        claim = runtime.catalog.claim_fetch(
            session, capture_id, delivery=delivery, lease_expired=utcnow() - fetch_lease(runtime)
        )
        if claim is None:
            capture = runtime.catalog.get_capture(session, capture_id)
        else:
            previous = _other_capture_response(claim.latest_response, capture_id)
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
        pages = _fetch_pages(runtime, capture_id, delivery, claim, previous, outcome, last_attempt=last_attempt)
    except CaptureTakenOver as exc:
        log.info("capture %s: %s; leaving it to that claim", capture_id, exc.message)
        outcome.skipped = True
        return outcome
    except PermanentFailure as exc:
        if end_failed(runtime, capture_id, exc, holder=delivery, attempt=claim.attempts):
            _discard_all_attempts(runtime, capture_id, delivery, claim)
        outcome.failed_reason = exc.reason
        return outcome
    except _PAGE_DOWN:
        if last_attempt:  # no retry follows: the capture ends failed
            _discard_all_attempts(runtime, capture_id, delivery, claim)
        raise
    snapshots = [snapshot for _, _, snapshot in pages]
    replace = claim.attempts > 1  # only an earlier claim can have written this capture's rows
    note = _pages_note(outcome, runtime.settings.max_pages)
    outcome.extraction = extract_fetched(runtime, capture_id, [(page_url, page) for page_url, page, _ in pages],
                                         snapshots, delivery=delivery, attempt=claim.attempts, replace=replace,
                                         submitted_at=submitted_at, fallback_url=url, message=note)
    if outcome.extraction is None:
        with runtime.database.session() as session:
            handed_over = runtime.catalog.move(session, capture_id, CaptureStatus.EXTRACTING, holder=delivery,
                                               attempt=claim.attempts, message=note)
            if handed_over:
                runtime.catalog.put_snapshots(session, capture_id, snapshots, replace=replace)
        if handed_over:
            runtime.queue.enqueue_extract(capture_id)
        kept = handed_over
    else:
        kept = not outcome.extraction.skipped
    if not kept:  # a newer claim took the capture while this one worked: its objects are no one's
        _discard(runtime, capture_id, [snapshot["storage_key"] for snapshot in snapshots])
    elif claim.attempts > 1:
        _discard_earlier_attempts(runtime, capture_id, claim, snapshots)
    return outcome


def _discard(runtime: Runtime, capture_id: str, keys: Sequence[str]) -> None:
    """Remove objects no snapshot row points at, as far as the store lets us: an object left
    behind is only space, so a failure here is logged, not raised.

    The capture's rows are read first, and the objects they point at kept: a transaction whose
    answer was lost with its connection may have committed all the same (this delivery then
    archived the capture, though it saw an error), and its rows point at these very objects.
    If the catalog cannot be read, nothing is removed.
    """
    if not keys:
        return
    try:
        with runtime.database.session(atomic=False) as session:
            pointed_at = {row.storage_key for row in runtime.catalog.snapshots_for_capture(session, capture_id)}
    except CatalogUnavailable as exc:
        log.warning("capture %s: left %d unused object(s) in place: %s", capture_id, len(keys), exc.message)
        return
    for key in keys:
        if key in pointed_at:
            continue
        try:
            runtime.store.delete(key)
        except (StorageUnavailable, StorageMisconfigured) as exc:
            log.warning("capture %s: could not remove the unused object %s: %s", capture_id, key, exc.message)


def _discard_earlier_attempts(runtime: Runtime, capture_id: str, claim: Claim, snapshots: Sequence[NewSnapshot]) -> None:
    """Remove what earlier claims of the capture stored (a delivery killed after its writes, one
    that failed on a later page, a write that reached the store though its answer never came
    back), for these pages and for those they went to fetch that this claim did not (the
    article's pagination changed between them)."""
    pages = {url_hash(claim.url), *claim.tried_pages, *(url_hash(snapshot["url"]) for snapshot in snapshots)}
    _discard_attempts(runtime, capture_id, claim, pages, keep={snapshot["storage_key"] for snapshot in snapshots})


def _discard_all_attempts(runtime: Runtime, capture_id: str, delivery: str, claim: Claim) -> None:
    """Remove what every claim of a capture that ends failed stored: no row will point at it.

    Only while the capture is failed or still held by this claim: a newer claim's objects, not
    yet pointed at by the rows it is about to write, are its own. The pages this claim tried are
    read back from the catalog (its lease renewals noted them).
    """
    try:
        with runtime.database.session(atomic=False) as session:
            capture = runtime.catalog.get_capture(session, capture_id)
    except CatalogUnavailable as exc:
        log.warning("capture %s: could not read which pages its attempts stored: %s", capture_id, exc.message)
        return
    held = capture is not None and capture.status == CaptureStatus.FETCHING.value and (
        capture.claimed_by == delivery and capture.attempts == claim.attempts)
    if capture is None or not (held or capture.status == CaptureStatus.FAILED.value):
        return
    tried = (capture.tried_pages or "").split()
    _discard_attempts(runtime, capture_id, claim, {url_hash(claim.url), *tried}, keep=set())


def _discard_attempts(runtime: Runtime, capture_id: str, claim: Claim, pages: set[str], keep: set[str]) -> None:
    """Remove the objects the capture's fetch claims stored for ``pages`` (their ``url_hash``),
    but ``keep`` and (:func:`_discard`) any a snapshot row points at; an object left behind is
    only space, so a store that does not answer is logged."""
    found = []
    for page in sorted(pages):
        try:
            prefix = attempts_prefix(page, claim.submitted_at, capture_id)
            found.extend(key for key in runtime.store.list(prefix) if key not in keep)
        except (StorageUnavailable, StorageMisconfigured) as exc:
            log.warning("capture %s: could not list earlier attempts' objects: %s", capture_id, exc.message)
    _discard(runtime, capture_id, found)


def _previous_response(runtime: Runtime, session: Session, capture_id: str, page_url: str) -> LatestResponse | None:
    """The URL's newest full response from another capture: what an identical payload revisits."""
    return _other_capture_response(runtime.catalog.latest_response(session, urlkey(page_url)), capture_id)


def _other_capture_response(latest: LatestResponse | None, capture_id: str) -> LatestResponse | None:
    """``latest``, the URL's newest full response, unless this capture stored it (an earlier claim)."""
    return latest if latest is not None and latest.capture_id != capture_id else None


def _fetch_pages(
    runtime: Runtime,
    capture_id: str,
    delivery: str,
    claim: Claim,
    previous: LatestResponse | None,
    outcome: FetchOutcome,
    *,
    last_attempt: bool,
) -> list[tuple[str, ParsedPage | SourcePage, NewSnapshot]]:
    """Fetch ``url``, then the other pages it and its siblings point to, until closure; or, when
    ``url`` is a page of an article that links its single-page view and that view holds the
    article, ``url`` and the view alone (see :func:`_fetch_single_view`).

    A later page that fails for good is skipped and named in ``outcome.missing_pages``; so is
    one the site fails transiently on the ``last_attempt`` (earlier, the capture is retried).

    ``previous`` is the first page's revisit candidate, read with the claim; each
    further page's is read with the lease renewal that precedes it. Returns the stored pages
    (URL, response parsed while their bytes fit ``_TREES_BUDGET_BYTES``, snapshot row) in
    reading order, their rows numbered so; the rows are written in the transaction that hands
    the capture over.
    """
    max_pages = runtime.settings.max_pages
    url = claim.url
    queue = [url]
    seen = {page_key(url)}  # /story and /story?page=1 are one page: it is fetched once
    stored: dict[str, tuple[ParsedPage | SourcePage, NewSnapshot]] = {}
    kept_bytes = 0
    tried = 0  # pages that failed count too: a pager of dead links must not fetch without bound
    while queue and tried < max_pages:
        page_url = queue.pop(0)
        tried += 1
        if page_url != url:
            previous = _renew(runtime, capture_id, delivery, claim, page_url,
                              [snapshot for _, snapshot in stored.values()])
        try:
            source, snapshot = _fetch_one(runtime, capture_id, page_url, claim, previous, outcome)
        except (PermanentFailure, *_PAGE_DOWN) as exc:
            if page_url == url or not (isinstance(exc, PermanentFailure) or last_attempt):
                raise
            log.info("capture %s: skipping page %s that failed (%s)", capture_id, page_url, exc.reason)
            outcome.missing_pages.append(exc.message if page_url in exc.message else f"{page_url}: {exc.message}")
            continue
        with runtime.html_work:
            parsed = parse_page(source)
            try:
                # One page more than the limit: whether the article has more pages than it allows.
                pages = find_pages(parsed.tree, parsed.structured, page_url, max_pages=max_pages + 1)
            except Exception:  # noqa: BLE001 - a page we cannot parse for links is still archived
                log.exception("capture %s: pagination discovery failed on %s", capture_id, page_url)
                pages = [page_url]
            view_url = None
            if page_url == url:
                try:
                    view_url = find_single_view(parsed.tree, parsed.structured, page_url, pages)
                except Exception:  # noqa: BLE001 - the pages are walked as without a view
                    log.exception("capture %s: single-page view discovery failed on %s", capture_id, page_url)
        if view_url is not None and same_site(view_url, url):
            view = _fetch_single_view(runtime, capture_id, delivery, claim, outcome, parsed, snapshot, view_url)
            if view is not None:  # the whole article in one page more: no walk
                view[2]["page"] = 2
                return [(url, parsed, snapshot), view]
        if len(pages) > max_pages:
            outcome.more_pages = True
            pages = limit_pages(pages, page_url, max_pages)
        kept_bytes += len(source.body)
        # A tree takes several times its page's bytes: past the budget, extraction parses again.
        stored[page_url] = (parsed if kept_bytes <= _TREES_BUDGET_BYTES else source, snapshot)
        for candidate in pages:
            try:
                candidate = canonicalize(candidate)
            except InvalidInput:
                continue
            if page_key(candidate) not in seen and same_site(candidate, url):
                seen.add(page_key(candidate))
                queue.append(candidate)
    if queue:  # pages found and left: the limit counts pages that failed too
        outcome.more_pages = True
    ordered = reading_order(list(stored))
    for number, page_url in enumerate(ordered, 1):
        stored[page_url][1]["page"] = number
    return [(page_url, *stored[page_url]) for page_url in ordered]


def _renew(runtime: Runtime, capture_id: str, delivery: str, claim: Claim, page_url: str,
           stored: Sequence[NewSnapshot]) -> LatestResponse | None:
    """Renew the capture's lease before fetching one more page (noting the page as tried, so
    that a failed capture's cleanup finds its object), and read that page's revisit candidate.

    Raises:
        CaptureTakenOver: a newer claim holds the capture; the ``stored`` objects are removed.
    """
    with runtime.database.session(atomic=False) as session:  # one conditional renewal, then a read
        if not runtime.catalog.touch(session, capture_id, delivery=delivery, attempt=claim.attempts,
                                     tried=url_hash(page_url)):
            _discard(runtime, capture_id, [snapshot["storage_key"] for snapshot in stored])
            raise CaptureTakenOver(f"capture {capture_id} was claimed again since attempt {claim.attempts}")
        return _previous_response(runtime, session, capture_id, page_url)


def _fetch_single_view(runtime: Runtime, capture_id: str, delivery: str, claim: Claim, outcome: FetchOutcome,
                       submitted: ParsedPage, submitted_snapshot: NewSnapshot,
                       view_url: str) -> tuple[str, ParsedPage, NewSnapshot] | None:
    """Fetch the article's single-page view that the submitted page links, and keep it (its URL,
    parsed response and snapshot row) if it holds the article: the submitted page's text, and
    more (see ``single_view``). Extraction then takes the view's body for the submitted page's.

    One fetch, with the same robots rules and politeness as any page. A view that fails, or
    that is not this article (another article, a page of its own), is dropped with its stored
    object, and the caller walks the pages as it would without one: ``None``.
    """
    try:
        view_url = canonicalize(view_url)
    except InvalidInput:
        return None
    previous = _renew(runtime, capture_id, delivery, claim, view_url, [submitted_snapshot])
    try:
        source, snapshot = _fetch_one(runtime, capture_id, view_url, claim, previous, outcome)
    except (PermanentFailure, *_PAGE_DOWN) as exc:
        log.info("capture %s: the single-page view %s failed (%s); walking the pages", capture_id, view_url,
                 exc.reason)
        return None
    with runtime.html_work:
        view = parse_page(source)
        whole = holds_pages(view.tree, article_paragraphs(view.tree), [article_paragraphs(submitted.tree)])
    if not whole:
        log.info("capture %s: %s does not hold the article; walking the pages", capture_id, view_url)
        _discard(runtime, capture_id, [snapshot["storage_key"]])
        return None
    return view_url, view, snapshot


def _pages_note(outcome: FetchOutcome, max_pages: int) -> str | None:
    """What an archived capture says of the article's pages it did not fetch: those that failed
    (the record holds the others) and those past ``max_pages``. Without it nothing would tell a
    reader that the record has a hole, or is a part of a longer article."""
    notes = []
    if outcome.missing_pages:
        notes.append(f"archived without {len(outcome.missing_pages)} page(s) of the article that failed: "
                     + "; ".join(outcome.missing_pages))
    if outcome.more_pages:
        notes.append(f"the article has more than {max_pages} pages (ARCHIVIST_MAX_PAGES): "
                     f"the pages past the limit were not fetched")
    return ". ".join(notes) or None


def _fetch_one(
    runtime: Runtime,
    capture_id: str,
    page_url: str,
    claim: Claim,
    previous: LatestResponse | None,
    outcome: FetchOutcome,
) -> tuple[SourcePage, NewSnapshot]:
    """Fetch one page and store its snapshot object; returns the response and the snapshot's row.

    ``previous`` is the URL's newest full response from another capture: an identical payload
    is stored as a revisit of it, without the body; and when it came with validators, the
    request asks whether it is still current: a ``304 Not Modified`` is stored as a
    server-not-modified revisit of it, its page the payload archived then.

    That payload is read from storage only once the site has answered 304 (a page that changed
    costs no read). Found gone or damaged, it can be no revisit's original, so the page is asked
    for again unconditionally and stored whole: a revisit of it would replay nothing.
    """
    page = PageOutcome(status=None)
    outcome.pages.append(page)
    conditional = _validators(previous)
    result = _request(runtime, page_url, page, conditional)
    try:
        original = _confirmed(runtime, capture_id, previous) if result.not_modified else None
        if result.not_modified and original is None:
            result.close()
            previous = None
            result = _request(runtime, page_url, page, None)
        final = result.final
        page.status = final.status
        page.received_bytes = sum(exchange.body_length for exchange in result.exchanges)
        revisit = None
        if result.not_modified:  # only ever an answer to the conditional request: previous is set
            digest = previous.payload_digest
            revisit = Revisit(target_uri=previous.url, date=warc_date(aware(previous.captured_at)),
                              record_id=previous.warc_record_id, payload_digest=digest,
                              profile=NOT_MODIFIED_PROFILE)
        else:
            digest = final.payload_digest or payload_digest(final.body)
            if previous is not None and previous.payload_digest == digest:
                revisit = Revisit(target_uri=previous.url, date=warc_date(aware(previous.captured_at)),
                                  record_id=previous.warc_record_id)
        page.revisit = revisit is not None
        # A 304 has no payload of its own: the row describes the one it confirms.
        payload_type = original.content_type if result.not_modified else final.content_type
        payload_length = len(original.raw_body) if result.not_modified else final.body_length
        captured_at = final.started_at
        storage_key = snapshot_key(page_url, claim.submitted_at, capture_id, claim.attempts)
        stored_length, final_record = store_snapshot(runtime, storage_key, result.exchanges, captured_at, revisit)
        page.stored_bytes = stored_length
        snapshot = NewSnapshot(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{capture_id} {page_url}")),
            capture_id=capture_id, page=1, url=page_url, urlkey=urlkey(page_url), captured_at=captured_at,
            kind="revisit" if revisit else "response", http_status=final.status,
            mime=(payload_type or "").split(";")[0].strip() or None,
            payload_digest=digest, payload_length=payload_length, storage_key=storage_key,
            stored_length=stored_length, refers_to_id=previous.id if revisit is not None else None,
            record_offset=final_record.offset, warc_record_id=final_record.record_id,
            redirects={"chain": [{"url": hop.url, "status": hop.status} for hop in result.redirects],
                       "final_url": final.url},
            final_urlkey=final_urlkey(page_url, final.url),
            etag=header(final.headers, "etag"), last_modified=header(final.headers, "last-modified"),
        )
        # A revisit is its original's payload, relative dates ("2 hours ago") and all: they were
        # written when the original was fetched and are read against its time, as the extract
        # step and re-extraction read a stored revisit (load_pages), so the same bytes are the
        # same content whatever day they are fetched again.
        read_at = aware(previous.captured_at) if revisit is not None else captured_at
        if result.not_modified:  # the page is the response the 304 confirms
            source = SourcePage(url=original.url, body=original.body, content_type=original.content_type,
                                captured=read_at, content_language=original.content_language)
            return source, snapshot
        body = final.decoded_body
        if body is None:
            final.body.seek(0)
            body = decode_content(final.body.read(), final.headers)
        source = SourcePage(url=final.url, body=body, content_type=final.content_type, captured=read_at,
                            content_language=final.content_language)
        return source, snapshot
    finally:
        result.close()


def _request(runtime: Runtime, page_url: str, page: PageOutcome, conditional: Conditional | None) -> FetchResult:
    """One request for the page, in its host's politeness turn, timed into ``page``.

    The thread's HTTP client is made before the turn is taken: made in it (an SSL context, tens
    of milliseconds on a busy machine), it sent the request that much after its slot, up against
    the next worker's request that went out on time.
    """
    fetcher = runtime.fetcher
    with runtime.politeness.request(page_url):
        started = time.perf_counter()
        try:
            return fetcher.fetch(page_url, may_follow=runtime.politeness.check_robots, conditional=conditional)
        except (HTTPClientError, HTTPServerError, RateLimited) as exc:
            page.status = exc.status  # the site answered: its status class, not "none"
            raise
        finally:
            page.seconds = time.perf_counter() - started


def _validators(previous: LatestResponse | None) -> Conditional | None:
    """What to ask the site with about ``previous`` (for the URL it came from): its ``ETag`` and
    ``Last-Modified``; None for a first capture, or a response stored without validators (or
    before they were kept)."""
    if previous is None:
        return None
    asks = conditional_headers(previous.etag, previous.last_modified, received_at=aware(previous.captured_at))
    return Conditional(previous.url, asks) if asks else None


def _confirmed(runtime: Runtime, capture_id: str, previous: LatestResponse) -> StoredResponse | None:
    """The archived response a ``304`` confirmed, or None if it is gone or damaged in storage."""
    try:
        return read_snapshot(runtime.store, previous)
    except SnapshotUnreadable as exc:
        log.warning("capture %s: the site answered 304 Not Modified, but the response it confirms is unreadable "
                    "(%s); asking for the page whole", capture_id, exc.message)
        return None


def store_snapshot(
    runtime: Runtime, key: str, exchanges: Sequence, captured_at: datetime, revisit: Revisit | None
) -> tuple[int, FinalRecord]:
    """Write the exchanges as a snapshot object; returns its length and where its final record is."""
    with tempfile.SpooledTemporaryFile(max_size=4 << 20) as spool:
        try:
            final = write_snapshot(spool, exchanges, filename=key.rsplit("/", 1)[-1], date=captured_at,
                                   revisit=revisit)
        except OSError as exc:
            raise spool_refused(exc, f"the snapshot {key!r}") from exc
        length = spool.tell()
        spool.seek(0)
        runtime.store.put(key, spool, length, content_type="application/warc", metadata={"capture-id": key})
    return length, final
