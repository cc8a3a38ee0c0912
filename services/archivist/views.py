"""The read side: captures, records and histories as JSON-ready dicts, for the API and CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from archivist import replay
from archivist.adapters.catalog import (
    CaptureRow,
    RecordRow,
    RecordVersionRow,
    SnapshotRow,
)
from archivist.core.captures import CaptureStatus, spn_status
from archivist.core.diffs import diff_versions
from archivist.core.errors import InvalidInput, NotFound
from archivist.core.keys import warc_timestamp
from archivist.core.search import SearchQuery, snippet
from archivist.core.urls import canonicalize, urlkey
from archivist.runtime import Runtime

__all__ = [
    "capture_view",
    "failures",
    "get_capture",
    "get_record",
    "history",
    "record_diff",
    "record_view",
    "replay_context",
    "search",
]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def capture_view(capture: CaptureRow, snapshots: list[SnapshotRow] | None = None) -> dict[str, Any]:
    """A capture in our shape, with the Wayback "Save Page Now" status fields beside it."""
    status = CaptureStatus(capture.status)
    first = snapshots[0] if snapshots else None
    duration = None
    if capture.finished_at is not None:
        duration = round((capture.finished_at - capture.submitted_at).total_seconds(), 3)
    view: dict[str, Any] = {
        "id": capture.id,
        "url": capture.url,
        "status": status.value,
        "reason": capture.reason,
        "message": capture.message,
        "submitted_at": _iso(capture.submitted_at),
        "updated_at": _iso(capture.updated_at),
        "finished_at": _iso(capture.finished_at),
        "attempts": capture.attempts,
        "record_version_id": capture.record_version_id,
        # Save Page Now's names, for tools that speak it.
        "job_id": capture.id,
        "original_url": capture.url,
        "state": spn_status(status),
        "timestamp": warc_timestamp(first.captured_at) if first else None,
        "duration_sec": duration,
        "status_ext": capture.reason,
    }
    if snapshots is not None:
        view["snapshots"] = [snapshot_view(s) for s in snapshots]
    return view


def snapshot_view(snapshot: SnapshotRow) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "url": snapshot.url,
        "page": snapshot.page,
        "timestamp": warc_timestamp(snapshot.captured_at),
        "captured_at": _iso(snapshot.captured_at),
        "kind": snapshot.kind,
        "http_status": snapshot.http_status,
        "mime": snapshot.mime,
        "payload_digest": snapshot.payload_digest,
        "payload_length": snapshot.payload_length,
        "stored_length": snapshot.stored_length,
        "storage_key": snapshot.storage_key,
        "final_url": (snapshot.redirects or {}).get("final_url", snapshot.url),
    }


def record_view(record: RecordRow, version: RecordVersionRow, capture_ids: list[str]) -> dict[str, Any]:
    """One record version: the extracted content plus its provenance."""
    return {
        "id": record.id,
        **version.content,
        "version": version.version,
        "latest_version": record.latest_version,
        "capture_ids": capture_ids,
        "extractor": {"name": version.extractor_name, "version": version.extractor_version},
        "created_at": _iso(version.created_at),
        "captured_at": _iso(version.captured_at),
    }


def get_capture(runtime: Runtime, capture_id: str) -> dict[str, Any]:
    with runtime.database.session() as session:
        capture = runtime.catalog.get_capture(session, capture_id)
        if capture is None:
            raise NotFound(f"no capture {capture_id!r}")
        return capture_view(capture, list(runtime.catalog.snapshots_for_capture(session, capture_id)))


def _find_record(runtime: Runtime, session, url: str) -> RecordRow:  # noqa: ANN001
    """The record of ``url``: keyed by it; else (keyed by the page's declared canonical URL)
    the record of its latest extracted capture; else, when ``url`` is where a capture of
    another URL was redirected to, the record of the newest snapshot found under it."""
    canonical = canonicalize(url)
    key = urlkey(canonical)
    record = runtime.catalog.get_record_by_url(session, canonical)
    if record is None:
        for capture in reversed(runtime.catalog.captures_for_url(session, key)):
            if capture.record_version_id is not None:
                version = session.get(RecordVersionRow, capture.record_version_id)
                record = runtime.catalog.get_record(session, version.record_id) if version else None
                break
    if record is None:
        snapshot = runtime.catalog.nearest_snapshot(session, key, datetime.now(UTC))
        record = runtime.catalog.record_of_capture(session, snapshot.capture_id) if snapshot else None
    if record is None:
        raise NotFound(f"no record for {canonical}")
    return record


def _locate_record(runtime: Runtime, session, url: str | None, record_id: str | None) -> RecordRow:  # noqa: ANN001
    """The record named by id, or found from any captured URL of it."""
    if record_id is not None:
        record = runtime.catalog.get_record(session, record_id)
        if record is None:
            raise NotFound(f"no record {record_id!r}")
        return record
    if url is not None:
        return _find_record(runtime, session, url)
    raise InvalidInput("give a URL or a record id")


def get_record(runtime: Runtime, url: str | None = None, *, record_id: str | None = None,
               version: int | None = None) -> dict[str, Any]:
    """A record (latest version unless ``version``) with the list of its versions.

    The versions are listed in time (when their content was first captured); the latest is the
    one captured last. Their numbers are identifiers, in the order they were written.

    Raises:
        NotFound: no record for that URL or id, or no such version.
        InvalidURL: the URL is not valid.
    """
    with runtime.database.session() as session:
        record = _locate_record(runtime, session, url, record_id)
        number = version if version is not None else record.latest_version
        row = runtime.catalog.get_version(session, record.id, number)
        if row is None:
            raise NotFound(f"record {record.id} has no version {number}")
        captures = runtime.catalog.captures_by_version(session, record.id)
        view = record_view(record, row, captures.get(row.id, []))
        view["versions"] = [
            {
                "version": v.version,
                "created_at": _iso(v.created_at),
                "captured_at": _iso(v.captured_at),
                "extractor": {"name": v.extractor_name, "version": v.extractor_version},
                "capture_ids": captures.get(v.id, []),
                "source_capture_id": v.source_capture_id,
            }
            for v in runtime.catalog.versions(session, record.id)
        ]
        return view


def record_diff(runtime: Runtime, url: str | None = None, *, record_id: str | None = None,
                from_version: int | None = None, to_version: int | None = None) -> dict[str, Any]:
    """What changed between two versions of a record (default: the one before ``to`` in time, and
    the latest for ``to``).

    Raises:
        NotFound: no such record or version.
        InvalidURL: the URL is not valid.
    """
    with runtime.database.session() as session:
        record = _locate_record(runtime, session, url, record_id)
        to_number = to_version if to_version is not None else record.latest_version
        to_row = runtime.catalog.get_version(session, record.id, to_number)
        if to_row is None:  # a missing "to" is named, not the "from" it implies
            raise NotFound(f"record {record.id} has no version {to_number}")
        if from_version is None:
            from_row = runtime.catalog.version_before(session, to_row) or to_row
        else:
            from_row = runtime.catalog.get_version(session, record.id, from_version)
            if from_row is None:
                raise NotFound(f"record {record.id} has no version {from_version}")
        diff = diff_versions(from_row.content, to_row.content, from_version=from_row.version, to_version=to_number)
        return {"record_id": record.id, "url": record.url, **diff.as_dict()}


def history(runtime: Runtime, url: str) -> dict[str, Any]:
    """Every capture of the URL (time, HTTP status, digest, outcome) and its record's versions.

    The captures are those submitted for the URL and those of other URLs whose redirects ended
    on it (``redirected_from`` names the URL they were submitted as), in submission order: the
    same captures its replay and TimeMap answer with. ``revisits`` and ``bytes_saved`` count the
    re-captures whose payload was not stored again.
    """
    canonical = canonicalize(url)
    key = urlkey(canonical)
    with runtime.database.session() as session:
        revisits, bytes_saved = runtime.catalog.revisit_savings(session, key)
        direct = runtime.catalog.captures_for_url(session, key)
        landed = runtime.catalog.captures_landed_on(session, key)
        rows = sorted([*direct, *landed], key=lambda row: row.submitted_at)
        snapshots_of = runtime.catalog.snapshots_for_captures(session, [row.id for row in rows])
        captures = []
        for capture in rows:
            snapshots = snapshots_of.get(capture.id, [])
            main = next((s for s in snapshots if s.url == capture.url), snapshots[0] if snapshots else None)
            captures.append(
                {
                    "id": capture.id,
                    "redirected_from": capture.url if capture.urlkey != key else None,
                    "submitted_at": _iso(capture.submitted_at),
                    "timestamp": warc_timestamp(main.captured_at) if main else None,
                    "http_status": main.http_status if main else None,
                    "payload_digest": main.payload_digest if main else None,
                    "kind": main.kind if main else None,
                    "status": capture.status,
                    "reason": capture.reason,
                    "record_version_id": capture.record_version_id,
                }
            )
    try:
        record = get_record(runtime, canonical)
    except NotFound:
        record = None
    return {
        "url": canonical,
        "captures": captures,
        "revisits": revisits,
        "bytes_saved": bytes_saved,
        "record_id": record["id"] if record else None,
        "versions": record["versions"] if record else [],
    }


def search(runtime: Runtime, *, q: str | None = None, url_prefix: str | None = None, host: str | None = None,
           since: str | None = None, until: str | None = None, page: int = 1) -> dict[str, Any]:
    """One page of records matching every word of ``q`` in their title or body, under a URL prefix
    or host, archived (latest version) between ``since`` and ``until``; the newest first without ``q``.

    Raises:
        InvalidInput: a date or page that is not one.
        InvalidURL: ``url_prefix`` is not a URL.
    """
    prefix = urlkey(canonicalize(url_prefix)) if url_prefix and url_prefix.strip() else None
    query = SearchQuery.parse(q=q, urlkey_prefix=prefix, host=host, since=since, until=until, page=page)
    with runtime.database.session() as session:
        rows, total = runtime.catalog.search(session, query)
        results = [
            {
                "record_id": row.record_id,
                "url": row.url,
                "title": row.title,
                "host": row.host,
                "version": row.version,
                "archived_at": _iso(row.archived_at),
                "snippet": snippet(row.body, query.words),
            }
            for row in rows
        ]
    return {
        "q": " ".join(query.words),
        "results": results,
        "total": total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": max(1, -(-total // query.per_page)),
    }


def replay_context(runtime: Runtime, url: str, *, at: datetime) -> dict[str, Any]:
    """What the replay banner says about the capture of ``url`` closest to ``at``: its time and
    kind, the captures before and after it, and the record it belongs to (None if not extracted).

    Raises:
        NotFound: the URL was never archived.
        InvalidURL: the URL is not valid.
    """
    found = replay.resolve(runtime, url, at=at)
    every = replay.mementos(runtime, found.url)
    position = next(i for i, memento in enumerate(every) if memento.snapshot.id == found.snapshot.id)
    try:
        record_id = get_record(runtime, found.url)["id"]
    except NotFound:
        record_id = None
    return {
        "url": found.url,
        "timestamp": found.timestamp,
        "captured_at": _iso(found.snapshot.captured_at),
        "kind": found.snapshot.kind,
        "http_status": found.snapshot.http_status,
        "previous": every[position - 1].timestamp if position > 0 else None,
        "next": every[position + 1].timestamp if position + 1 < len(every) else None,
        "position": position + 1,
        "count": len(every),
        "record_id": record_id,
    }


def failures(runtime: Runtime, *, within: timedelta, limit: int = 20) -> dict[str, Any]:
    """Captures that failed recently: counts by reason over ``within``, and the latest few."""
    with runtime.database.session() as session:
        counts = runtime.catalog.failure_counts(session, since=datetime.now(UTC) - within)
        latest = [capture_view(row) for row in runtime.catalog.recent_failures(session, limit=limit)]
    return {"by_reason": [{"reason": r, "count": c} for r, c in counts], "latest": latest,
            "within_hours": within.total_seconds() / 3600}
