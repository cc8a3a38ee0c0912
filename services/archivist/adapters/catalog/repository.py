"""Catalog queries. Every method takes the caller's session and never commits.

Bulk updates skip the ORM's in-session synchronisation: none of the callers keep loaded rows
they expect to see change, and evaluating the conditions in Python would compare SQLite's
naive datetimes with aware ones.

Status changes are conditional updates (``WHERE status IN (...)``), so two deliveries of the
same message cannot both take a step: the second finds the row already moved and gets None.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple, TypedDict

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Table,
    Text,
    Update,
    and_,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from archivist.adapters.catalog.tables import (
    ApiKeyRow,
    CaptureRow,
    RecordRow,
    RecordSearchRow,
    RecordVersionRow,
    ScheduleRow,
    SnapshotRow,
)
from archivist.core.captures import REOPEN_TARGETS, TERMINAL, CaptureStatus, can_move, sources_of
from archivist.core.search import INDEXED_CHARS, SearchQuery, host_of

LIVE = frozenset(CaptureStatus) - TERMINAL
#: The last whole second a datetime holds (9999-12-31T23:59:59Z).
_LAST_SECOND = datetime.max.replace(microsecond=0, tzinfo=UTC)
#: The largest version number ``record_versions.version`` (an SQL INTEGER) can hold.
_MAX_VERSION = 2**31 - 1

__all__ = ["Catalog", "Claim", "FoundSnapshot", "LatestResponse", "NewCapture", "NewSnapshot", "NewVersion", "RecordHead", "RecordKey", "RecordTarget"]


class LatestResponse(NamedTuple):
    """What a new capture of a URL needs of its newest full response to write a revisit of it,
    or to ask the site whether the page changed since (its validators; see SnapshotRow)."""

    id: str
    capture_id: str
    #: The URL the response came from: where its capture's redirects ended. A revisit's
    #: ``WARC-Refers-To-Target-URI`` names it (the WARC-Target-URI of the record it repeats).
    url: str
    captured_at: datetime
    payload_digest: str
    warc_record_id: str
    #: Its stored object: read back when a ``304 Not Modified`` confirms it.
    storage_key: str
    etag: str | None
    last_modified: str | None


class Claim(NamedTuple):
    """A capture whose fetch step a delivery has taken; ``attempts`` counts this claim, and
    ``tried_pages`` are the ``url_hash`` of the later pages earlier claims went to fetch.
    ``latest_response`` is the URL's :meth:`Catalog.latest_response` when it was claimed."""

    url: str
    submitted_at: datetime
    attempts: int
    tried_pages: frozenset[str] = frozenset()
    latest_response: LatestResponse | None = None


class FoundSnapshot(NamedTuple):
    """A snapshot and the key a lookup found it under: its own ``urlkey``, or its ``final_urlkey``."""

    snapshot: SnapshotRow
    key: str


class RecordKey(NamedTuple):
    """Where a record is in a walk of the records: their ``(urlkey, id)`` order."""

    urlkey: str
    id: str


class RecordTarget(NamedTuple):
    """A record of a walk and its newest archived capture (None without one)."""

    record: RecordKey
    capture_id: str | None


class RecordHead(NamedTuple):
    """A record and its latest version, as much as writing a capture's version needs of them."""

    id: str
    url: str
    urlkey: str
    #: The number of the version in force now (captured last), not necessarily the highest.
    latest_version: int
    #: The latest version's row id and fingerprint; None if the record has no version.
    latest_id: int | None
    latest_fingerprint: str | None
    #: When the latest version's content was first captured; None if the record has no version.
    latest_captured_at: datetime | None = None
    #: The highest version number the record has: the next version is numbered after it.
    last_version: int = 0


#: The full-text structures of migration 0004, which the ORM does not model.
_PG_DOCUMENT = literal_column("record_search.document")
#: ``simple`` with accents removed first (migration 0009), as the ``document`` column was made with.
_PG_SEARCH_CONFIG = literal_column("'archivist_search'::regconfig")
_FTS = table("record_search_fts", column("rowid"), column("record_search_fts"))
#: FTS5's BM25 with a title word worth ten body words (PostgreSQL weighs them 'A' against 'B').
_FTS_RANK = literal_column("bm25(record_search_fts, 10.0, 1.0)")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _values(row: object) -> dict:
    """The column values set on an ORM row, for a Core INSERT that skips the unit of work."""
    columns = [attribute.key for attribute in type(row).__mapper__.column_attrs]
    return {key: row.__dict__[key] for key in columns if key in row.__dict__}


# The pipeline's per-capture statements, built once on the tables (not the ORM classes): an
# ORM-enabled UPDATE built per call costs about 2.5 times the CPU of a prebuilt Core one, and a
# capture makes several. Bound parameters are named so as not to clash with column names.
_CAPTURES = CaptureRow.__table__
_SNAPSHOTS = SnapshotRow.__table__
_ENDS = (CaptureStatus.ARCHIVED, CaptureStatus.FAILED)


def _move_statement(target: CaptureStatus, *, with_version: bool, held: bool) -> Update:
    values: dict = {"status": target.value, "updated_at": bindparam("p_now")}
    if target in _ENDS:
        values |= {"finished_at": bindparam("p_now"), "reason": bindparam("p_reason"),
                   "message": bindparam("p_message")}
    elif target is CaptureStatus.EXTRACTING:  # the fetch's note (pages that failed), archived with it
        values["message"] = bindparam("p_message")
    if with_version:
        values["record_version_id"] = bindparam("p_version")
    if held:  # the holder's own claim: the same delivery may have claimed again since (see claim_fetch)
        source = and_(_CAPTURES.c.status == CaptureStatus.FETCHING.value,
                      _CAPTURES.c.claimed_by == bindparam("p_holder"), _CAPTURES.c.attempts == bindparam("p_attempt"))
    else:
        source = _CAPTURES.c.status.in_([status.value for status in sources_of(target)])
    return update(_CAPTURES).where(_CAPTURES.c.id == bindparam("p_id")).where(source).values(values)


_MOVES = {(target, with_version, held): _move_statement(target, with_version=with_version, held=held)
          for target in CaptureStatus if target is not CaptureStatus.FETCHING for with_version in (False, True)
          for held in (False, True) if not held or can_move(CaptureStatus.FETCHING, target, holding=True)}
_CLAIM = (
    update(_CAPTURES)
    .where(_CAPTURES.c.id == bindparam("p_id"))
    .where(or_(
        _CAPTURES.c.status == CaptureStatus.QUEUED.value,
        and_(_CAPTURES.c.status == CaptureStatus.FETCHING.value,
             or_(_CAPTURES.c.claimed_by == bindparam("p_delivery"), _CAPTURES.c.claimed_by.is_(None),
                 _CAPTURES.c.updated_at < bindparam("p_expired"))),
    ))
    .values(status=CaptureStatus.FETCHING.value, claimed_by=bindparam("p_delivery"), updated_at=bindparam("p_now"),
            attempts=_CAPTURES.c.attempts + 1)
    .returning(_CAPTURES.c.url, _CAPTURES.c.submitted_at, _CAPTURES.c.attempts, _CAPTURES.c.tried_pages,
               _CAPTURES.c.urlkey)
)
_TOUCH = (update(_CAPTURES).where(_CAPTURES.c.id == bindparam("p_id"))
          .where(_CAPTURES.c.claimed_by == bindparam("p_delivery"), _CAPTURES.c.attempts == bindparam("p_attempt"))
          .values(updated_at=bindparam("p_now"),
                  tried_pages=func.coalesce(_CAPTURES.c.tried_pages, "") + bindparam("p_tried", type_=Text)))
_UNTOUCH = (update(_CAPTURES).where(_CAPTURES.c.id == bindparam("p_id"), _CAPTURES.c.updated_at == bindparam("p_now"))
            .values(updated_at=bindparam("p_before")))
_DROP_SNAPSHOTS = delete(_SNAPSHOTS).where(_SNAPSHOTS.c.capture_id == bindparam("p_capture"))
_INSERT_SNAPSHOT = insert(_SNAPSHOTS)


def _latest_response_under(key: ColumnElement[str]) -> Select:
    """The newest full response's :class:`LatestResponse` fields and ``redirects`` under ``key``."""
    return (
        select(*(_SNAPSHOTS.c[name] for name in LatestResponse._fields), _SNAPSHOTS.c.redirects)
        .where(_SNAPSHOTS.c.urlkey == key, _SNAPSHOTS.c.kind == "response")
        .order_by(_SNAPSHOTS.c.captured_at.desc())
        .limit(1)
    )


_LATEST_RESPONSE = _latest_response_under(bindparam("p_urlkey"))
#: PostgreSQL: the claim and its URL's latest response (the lookup above, on the claimed row's
#: key) in one statement, one round trip fewer per capture. The key is compared in the "C"
#: collation of the snapshots' index, which the captures' column does not have.
_CLAIMED = _CLAIM.cte("claimed")
_CLAIMED_LATEST = _latest_response_under(_CLAIMED.c.urlkey.collate("C")).lateral("latest")
_CLAIM_WITH_LATEST = (
    select(_CLAIMED.c.url, _CLAIMED.c.submitted_at, _CLAIMED.c.attempts, _CLAIMED.c.tried_pages,
           *_CLAIMED_LATEST.c)
    .select_from(_CLAIMED.outerjoin(_CLAIMED_LATEST, true()))
)


# The record path: a capture reads its record and latest version in one statement, and writes
# a new version with its record and search entry as plain INSERTs and UPDATEs. The ORM's
# reads and unit-of-work flush cost about twice the CPU of these statements (bench/steps).
_RECORDS = RecordRow.__table__
_VERSIONS = RecordVersionRow.__table__
_ENTRIES = RecordSearchRow.__table__
_NUMBERED = _VERSIONS.alias("numbered")
_LAST_NUMBER = (select(func.coalesce(func.max(_NUMBERED.c.version), 0))
                .where(_NUMBERED.c.record_id == _RECORDS.c.id).correlate(_RECORDS).scalar_subquery())
_RECORD_HEAD = (
    select(_RECORDS.c.id, _RECORDS.c.url, _RECORDS.c.urlkey, _RECORDS.c.latest_version, _VERSIONS.c.id,
           _VERSIONS.c.fingerprint, _VERSIONS.c.captured_at, _LAST_NUMBER)
    .outerjoin(_VERSIONS, and_(_VERSIONS.c.record_id == _RECORDS.c.id,
                               _VERSIONS.c.version == _RECORDS.c.latest_version))
    .where(_RECORDS.c.url == bindparam("p_url"))
)
#: Writers of one record URL take turns (PostgreSQL; see Catalog.record_head).
_LOCK_URL = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("p_url"), 0)))
_INSERT_RECORD = insert(_RECORDS)
_ADVANCE_RECORD = (update(_RECORDS).where(_RECORDS.c.id == bindparam("p_id"))
                   .values(latest_version=bindparam("p_version"), updated_at=bindparam("p_now")))
_INSERT_VERSION = insert(_VERSIONS).returning(_VERSIONS.c.id)
_INSERT_ENTRY = insert(_ENTRIES)
#: Sets the columns given with the statement's parameters (the entry's values, see _entry).
_UPDATE_ENTRY = update(_ENTRIES).where(_ENTRIES.c.record_id == bindparam("p_record"))


#: A capture's time taken: its first snapshot's.
_TAKEN = (select(func.min(SnapshotRow.captured_at)).where(SnapshotRow.capture_id == CaptureRow.id)
          .correlate(CaptureRow).scalar_subquery())


def _newest_capture_of(record_id: ColumnElement[str] | str) -> Select[tuple[str]]:
    """The id of :meth:`Catalog.newest_capture_of_record`, for a record id or a column of them.

    Found from the record's versions to their captures, each by its index. The status is
    compared as an expression (``status || ''``) so that no index serves it: SQLite, which
    has no statistics, otherwise starts from ``ix_captures_status``, every archived capture of
    the archive, for each record.
    """
    return (
        select(CaptureRow.id)
        .join(RecordVersionRow, CaptureRow.record_version_id == RecordVersionRow.id)
        .where(RecordVersionRow.record_id == record_id)
        .where(CaptureRow.status.concat("") == CaptureStatus.ARCHIVED.value)
        .order_by(_TAKEN.desc().nulls_last(), CaptureRow.finished_at.desc(), CaptureRow.submitted_at.desc())
        .limit(1)
    )


def _latest_response(row: Sequence) -> LatestResponse:
    """The :class:`LatestResponse` of a row of its fields and the snapshot's ``redirects``."""
    *fields, redirects = row
    response = LatestResponse(*fields)
    final_url = redirects.get("final_url") if isinstance(redirects, dict) else None
    return response._replace(url=final_url) if final_url else response


def _can_name_a_row(key: str) -> bool:
    """Whether ``key`` can be a stored row's id: PostgreSQL text holds no NUL character, and a
    lookup by one fails with a DataError (a 500 for ``/v1/records/%00``) instead of finding
    nothing."""
    return "\x00" not in key


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


#: The two keys a snapshot is found under: the URL it was requested as, and the URL its
#: redirects ended on when that has another key. Each leads an index with ``captured_at``.
_KEY_COLUMNS = (SnapshotRow.urlkey, SnapshotRow.final_urlkey)


def _found_under(column: str, rows: Iterable[SnapshotRow]) -> Iterator[FoundSnapshot]:
    """``rows`` found under their key column ``column`` (``urlkey`` or ``final_urlkey``)."""
    return (FoundSnapshot(row, getattr(row, column)) for row in rows)


def _first_found(key: str, *conditions: ColumnElement[bool], newest: bool = False) -> Select[tuple[SnapshotRow]]:
    """The earliest (with ``newest``, the latest) snapshot found under ``key`` that meets ``conditions``.

    One ordered, limited index seek per key column, joined by UNION ALL, and the better of their
    two rows: an OR of the two keys would read every snapshot of the URL to sort them.
    """
    order = SnapshotRow.captured_at.desc() if newest else SnapshotRow.captured_at.asc()
    arms = [select(SnapshotRow).where(column == key, *conditions).order_by(order).limit(1).subquery().select()
            for column in _KEY_COLUMNS]
    both = union_all(*arms).subquery()
    outer = both.c.captured_at.desc() if newest else both.c.captured_at.asc()
    return select(aliased(SnapshotRow, both)).order_by(outer).limit(1)


class NewCapture(TypedDict):
    """A submitted capture's columns, for :meth:`Catalog.insert_captures`. The others start NULL."""

    id: str
    url: str
    urlkey: str
    status: str
    reason: str | None
    message: str | None
    submitted_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    attempts: int


class NewSnapshot(TypedDict):
    """A stored page's columns, for :meth:`Catalog.put_snapshots`."""

    id: str
    capture_id: str
    page: int
    url: str
    urlkey: str
    captured_at: datetime
    kind: str
    http_status: int
    mime: str | None
    payload_digest: str
    payload_length: int
    storage_key: str
    stored_length: int
    refers_to_id: str | None
    redirects: dict | None
    record_offset: int | None
    warc_record_id: str | None
    #: The key of the URL the redirects ended on, when it is not ``urlkey`` (see SnapshotRow).
    final_urlkey: str | None
    #: The final response's validators as sent (see SnapshotRow).
    etag: str | None
    last_modified: str | None


class NewVersion(TypedDict):
    """A record version's content and provenance, for :meth:`Catalog.add_record` and :meth:`Catalog.add_version`."""

    fingerprint: str
    content: dict
    extractor_name: str
    extractor_version: str
    created_at: datetime
    #: When this content was captured: the capture's first snapshot (see RecordVersionRow).
    captured_at: datetime
    source_capture_id: str | None


def _entry(url: str, urlkey: str, number: int, version: NewVersion) -> dict:
    """The search entry's columns for ``version``, numbered ``number`` of the record at ``url``."""
    content = version["content"] or {}
    return {"url": url, "urlkey": urlkey, "host": host_of(url), "title": content.get("title"),
            "body": (content.get("body") or "")[:INDEXED_CHARS], "version": number,
            "archived_at": version["created_at"]}


# The columns the record path writes, as the PostgreSQL statements below bind them.
_RECORD_COLUMNS = ("id", "url", "urlkey", "created_at", "updated_at", "latest_version")
_VERSION_COLUMNS = (*NewVersion.__annotations__, "record_id", "version")
_ENTRY_COLUMNS = ("record_id", "url", "urlkey", "host", "title", "body", "version", "archived_at")


def _insert_bound(target: Table | Insert, prefix: str, columns: Iterable[str]) -> Insert:
    """An INSERT (into ``target``, or ``target`` itself) of ``columns`` whose values are the
    parameters named ``prefix`` + column name."""
    statement = insert(target) if isinstance(target, Table) else target
    table = statement.table
    return statement.values({name: bindparam(prefix + name, type_=table.c[name].type) for name in columns})


def _prefixed(prefix: str, values: dict) -> dict:
    """``values`` as the parameters of :func:`_insert_bound`'s ``prefix``: one statement writes
    several tables whose column names overlap."""
    return {prefix + name: value for name, value in values.items()}


#: PostgreSQL: a new record, its first version and its search entry in one statement (the record
#: and the entry as data-modifying CTEs, which run whether or not they are read), two round
#: trips fewer per new record. The foreign keys are checked at the end of the statement, when
#: the record's row is there.
_NEW_RECORD = (
    _insert_bound(_VERSIONS, "v_", _VERSION_COLUMNS).returning(_VERSIONS.c.id)
    .add_cte(_insert_bound(_RECORDS, "r_", _RECORD_COLUMNS).cte("new_record"),
             _insert_bound(_ENTRIES, "e_", _ENTRY_COLUMNS).cte("new_entry"))
)
#: The entry as written by PostgreSQL's INSERT ... ON CONFLICT, whose ``excluded`` row the update reads.
_UPSERT_ENTRY = _insert_bound(postgresql_insert(_ENTRIES), "e_", _ENTRY_COLUMNS)
#: PostgreSQL: a record's next version as its latest, with the record advanced to it and its
#: search entry following it (written, or rewritten in place), in one statement: two round trips
#: fewer per changed capture.
_NEW_LATEST_VERSION = (
    _insert_bound(_VERSIONS, "v_", _VERSION_COLUMNS).returning(_VERSIONS.c.id)
    .add_cte(_ADVANCE_RECORD.cte("advanced"),
             _UPSERT_ENTRY.on_conflict_do_update(
                 index_elements=[_ENTRIES.c.record_id],
                 set_={name: _UPSERT_ENTRY.excluded[name] for name in _ENTRY_COLUMNS if name != "record_id"},
             ).cte("entry"))
)


#: The columns of :class:`NewCapture`, in the order :func:`_copy_captures` writes them.
_NEW_CAPTURE_COLUMNS = tuple(NewCapture.__annotations__)
_new_capture_values = itemgetter(*_NEW_CAPTURE_COLUMNS)
_COPY_CAPTURES = f"COPY captures ({', '.join(_NEW_CAPTURE_COLUMNS)}) FROM STDIN"


def _copy_captures(session: Session, captures: Sequence[NewCapture]) -> None:
    """COPY the rows on the session's own psycopg connection, inside its transaction.

    psycopg's errors from COPY do not pass through SQLAlchemy, so they are wrapped here as
    SQLAlchemy would wrap them from an ``execute``: a unique-key violation becomes an
    ``IntegrityError`` and a lost server an ``OperationalError`` on an invalidated connection,
    which :meth:`Database.session` turns into CatalogConflict and CatalogUnavailable.
    """
    session.flush()  # an ``execute`` would autoflush pending ORM rows first; so does this
    connection = session.connection()
    driver = connection.connection.driver_connection
    dialect = connection.dialect
    try:
        with driver.cursor() as cursor, cursor.copy(_COPY_CAPTURES) as copy:
            write_row = copy.write_row
            for capture in captures:
                write_row(_new_capture_values(capture))
    except dialect.loaded_dbapi.Error as exc:
        disconnected = dialect.is_disconnect(exc, driver, None)
        if disconnected:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            _COPY_CAPTURES, None, exc, dialect.loaded_dbapi.Error, connection_invalidated=disconnected
        ) from exc


class Catalog:
    """Stateless query object; one instance can serve every session of a process."""

    # Captures -------------------------------------------------------------------------------

    def add_captures(self, session: Session, rows: Iterable[CaptureRow]) -> None:
        """Insert new captures as one bulk INSERT (batched multi-row statements).

        A submission of thousands of URLs would spend most of its time in the ORM's unit of
        work (identity map, per-object events); nobody reads these rows back in the same
        session, so only the values set on each row are sent.
        """
        values = [_values(row) for row in rows]
        if values:
            session.execute(insert(CaptureRow), values)

    def insert_captures(self, session: Session, captures: Sequence[NewCapture]) -> None:
        """Insert submitted captures: with COPY on PostgreSQL, a Core executemany elsewhere.

        Submission inserts thousands of rows a second. A :class:`CaptureRow` per URL, read back
        into a dict by :meth:`add_captures` for the ORM's bulk path, is per-row Python work the
        INSERT does not need; plain dicts with the same keys go to the driver as they are. On
        PostgreSQL, COPY costs the client about a third of the executemany's multi-row INSERTs
        (no statement to render and bind per batch) and streams the rows in one command.
        """
        if not captures:
            return
        if session.get_bind().dialect.name == "postgresql":
            _copy_captures(session, captures)
        else:
            session.execute(CaptureRow.__table__.insert(), captures)

    def get_capture(self, session: Session, capture_id: str) -> CaptureRow | None:
        return session.get(CaptureRow, capture_id) if _can_name_a_row(capture_id) else None

    def move(
        self,
        session: Session,
        capture_id: str,
        target: CaptureStatus,
        *,
        reason: str | None = None,
        message: str | None = None,
        record_version_id: int | None = None,
        holder: str | None = None,
        attempt: int | None = None,
    ) -> bool:
        """Move the capture to ``target`` if the state machine allows it from where it is.

        With ``holder``, the move is the fetch step's holder's own: only from ``fetching`` under
        that holder's claim ``attempt`` (:attr:`Claim.attempts`), along any edge out of it, the
        held edges included (the fetch delivery archiving what it extracted).

        ``message`` is an ended capture's note, or on the hand-over to ``extracting`` the
        fetch's note (the pages that failed), which the extract step archives the capture with.

        Returns False (and changes nothing) when the capture is not in a source state of
        ``target`` (or not held by ``holder``): another delivery already took this step, or took
        the fetch over, or the capture is finished.
        """
        if target is CaptureStatus.FETCHING:
            raise ValueError("the fetch step is taken with claim_fetch()")
        if holder is not None and not can_move(CaptureStatus.FETCHING, target, holding=True):
            raise ValueError(f"the fetch step's holder cannot move a capture to {target}")
        if (holder is None) != (attempt is None):
            raise ValueError("the fetch step's holder moves a capture with its delivery and claim attempt, both")
        parameters: dict = {"p_id": capture_id, "p_now": utcnow()}
        if target in _ENDS:
            parameters |= {"p_reason": reason, "p_message": message}
        elif target is CaptureStatus.EXTRACTING:
            parameters["p_message"] = message
        if record_version_id is not None:
            parameters["p_version"] = record_version_id
        if holder is not None:
            parameters |= {"p_holder": holder, "p_attempt": attempt}
        result = session.execute(_MOVES[target, record_version_id is not None, holder is not None], parameters)
        return result.rowcount == 1

    def claim_fetch(
        self, session: Session, capture_id: str, *, delivery: str, lease_expired: datetime
    ) -> Claim | None:
        """Take the fetch step for ``delivery``; what to fetch, or None if it is not ours to take.

        A queued capture is taken by anyone. A capture already fetching is taken back only by
        the same delivery (the broker redelivered it after its worker died) or once the holder's
        lease has expired or reconcile revoked it (:meth:`mark_resent`); a duplicate message
        meanwhile gets None and does nothing. One
        statement: the claim returns the capture's URL and submission time, and on PostgreSQL its
        URL's latest response too (SQLite reads it after, in a statement of its own; its
        statements are calls within this process, not round trips). Every claim counts
        one more attempt, and the holder's lease renewals and moves name it: a delivery still
        running when the same message was handed out again (its worker only looked dead) has
        lost the capture to the newer claim.
        """
        parameters = {"p_id": capture_id, "p_delivery": delivery, "p_expired": lease_expired, "p_now": utcnow()}
        if session.get_bind().dialect.name == "postgresql":
            row = session.execute(_CLAIM_WITH_LATEST, parameters).first()
            if row is None:
                return None
            (url, submitted_at, attempts, tried_pages), latest = row[:4], row[4:]
            response = _latest_response(latest) if latest[0] is not None else None
        else:
            row = session.execute(_CLAIM, parameters).first()
            if row is None:
                return None
            url, submitted_at, attempts, tried_pages, key = row
            response = self.latest_response(session, key)
        return Claim(url, _aware(submitted_at), attempts, frozenset((tried_pages or "").split()), response)

    def touch(self, session: Session, capture_id: str, *, delivery: str, attempt: int, tried: str = "") -> bool:
        """Renew the holder's lease (between pages), noting ``tried``, the ``url_hash`` of the
        page it is about to fetch, in the capture's ``tried_pages``; False if another claim took
        over."""
        result = session.execute(_TOUCH, {"p_id": capture_id, "p_delivery": delivery, "p_attempt": attempt,
                                          "p_now": utcnow(), "p_tried": f"{tried} " if tried else ""})
        return result.rowcount == 1

    def reopen(self, session: Session, capture_id: str, target: CaptureStatus) -> bool:
        """Put a failed capture back to ``target`` (an operator's requeue); False if not failed."""
        if target not in REOPEN_TARGETS:
            raise ValueError(f"a capture cannot be reopened to {target}")
        result = session.execute(
            update(CaptureRow).execution_options(synchronize_session=False)
            .where(CaptureRow.id == capture_id)
            .where(CaptureRow.status == CaptureStatus.FAILED.value)
            .values(status=target.value, updated_at=utcnow(), reason=None, message=None, finished_at=None)
        )
        return result.rowcount == 1

    def stale_captures(
        self, session: Session, *, older_than: dict[CaptureStatus, datetime], limit: int
    ) -> Sequence[CaptureRow]:
        """Live captures untouched since the time given for their status: their message may be lost."""
        stale = or_(*(and_(CaptureRow.status == status.value, CaptureRow.updated_at < before)
                      for status, before in older_than.items()))
        return session.scalars(select(CaptureRow).where(stale).order_by(CaptureRow.updated_at).limit(limit)).all()

    def mark_resent(
        self, session: Session, capture_ids: Sequence[str], *, older_than: dict[CaptureStatus, datetime], now: datetime
    ) -> list[tuple[str, str]]:
        """Take the re-sending of these captures: those still in a status of ``older_than`` and
        untouched since its time are touched (``updated_at = now``); their ids and statuses.

        Touched, a capture looks fresh for another full period, so reconcile sends it one message
        per period, not one per run. A concurrent reconcile's update waits on these rows' locks,
        then finds them fresh and takes none: each capture is re-sent once. A fetch's expired
        lease is revoked (``claimed_by`` emptied): touched, it would otherwise look held to the
        message re-sent for it, and its dead holder could still renew it.
        """
        if not capture_ids:
            return []
        stale = or_(*(and_(CaptureRow.status == status.value, CaptureRow.updated_at < before)
                      for status, before in older_than.items()))
        rows = session.execute(
            update(CaptureRow).execution_options(synchronize_session=False)
            .where(CaptureRow.id.in_(capture_ids)).where(stale).values(updated_at=now, claimed_by=None)
            .returning(CaptureRow.id, CaptureRow.status)
        ).all()
        return [(row.id, row.status) for row in rows]

    def unmark_resent(self, session: Session, touched: dict[str, datetime], *, now: datetime) -> None:
        """Undo :meth:`mark_resent` for messages that could not be sent (the broker was down): each
        capture gets back its previous ``updated_at``, unless something moved it since."""
        if touched:
            session.execute(_UNTOUCH, [{"p_id": capture_id, "p_before": before, "p_now": now}
                                       for capture_id, before in touched.items()])

    def latest_capture(self, session: Session, urlkey: str, *, since: datetime) -> CaptureRow | None:
        """The newest capture of the URL submitted after ``since`` that did not fail."""
        return session.scalars(
            select(CaptureRow)
            .where(CaptureRow.urlkey == urlkey)
            .where(CaptureRow.submitted_at >= since)
            .where(CaptureRow.status != CaptureStatus.FAILED.value)
            .order_by(CaptureRow.submitted_at.desc())
            .limit(1)
        ).first()

    def newest_capture(self, session: Session, urlkey: str) -> CaptureRow | None:
        """The URL's most recently submitted capture, whatever its status."""
        return session.scalars(
            select(CaptureRow).where(CaptureRow.urlkey == urlkey).order_by(CaptureRow.submitted_at.desc()).limit(1)
        ).first()

    def captures_for_url(self, session: Session, urlkey: str) -> Sequence[CaptureRow]:
        return session.scalars(
            select(CaptureRow).where(CaptureRow.urlkey == urlkey).order_by(CaptureRow.submitted_at)
        ).all()

    def captures_landed_on(self, session: Session, urlkey: str) -> Sequence[CaptureRow]:
        """The captures of other URLs whose redirects ended on this one, oldest first: one seek on
        the redirected snapshots' index, then their captures by key."""
        landed = select(SnapshotRow.capture_id).where(SnapshotRow.final_urlkey == urlkey)
        return session.scalars(
            select(CaptureRow).where(CaptureRow.id.in_(landed), CaptureRow.urlkey != urlkey)
            .order_by(CaptureRow.submitted_at)
        ).all()

    def captures_by_version(self, session: Session, record_id: str) -> dict[int, list[str]]:
        """The ids of the captures behind each version of the record, by version id, each list
        in submission order: one query for a history of any length."""
        found: dict[int, list[str]] = {}
        for version_id, capture_id in session.execute(
            select(CaptureRow.record_version_id, CaptureRow.id)
            .join(RecordVersionRow, CaptureRow.record_version_id == RecordVersionRow.id)
            .where(RecordVersionRow.record_id == record_id)
            .order_by(CaptureRow.submitted_at)
        ):
            found.setdefault(version_id, []).append(capture_id)
        return found

    def failure_counts(self, session: Session, *, since: datetime) -> list[tuple[str, int]]:
        """How many captures failed since ``since``, by reason, the commonest first."""
        rows = session.execute(
            select(CaptureRow.reason, func.count())
            .where(CaptureRow.status == CaptureStatus.FAILED.value, CaptureRow.updated_at >= since)
            .group_by(CaptureRow.reason)
            .order_by(func.count().desc(), CaptureRow.reason)
        ).all()
        return [(reason or "unknown", int(count)) for reason, count in rows]

    def recent_failures(self, session: Session, *, limit: int) -> Sequence[CaptureRow]:
        """The latest failed captures (by when they failed)."""
        return session.scalars(
            select(CaptureRow)
            .where(CaptureRow.status == CaptureStatus.FAILED.value)
            .order_by(CaptureRow.updated_at.desc())
            .limit(limit)
        ).all()

    # Snapshots ------------------------------------------------------------------------------

    def put_snapshots(
        self, session: Session, capture_id: str, snapshots: Sequence[NewSnapshot], *, replace: bool
    ) -> None:
        """Insert the capture's snapshots; with ``replace``, in place of all an earlier delivery wrote.

        The fetch step writes every page's row at once, numbered in reading order, in the
        transaction that hands the capture over: a capture's rows appear with its record, and a
        delivery that dies before that commit leaves none behind (the redelivery, whose claim
        writes keys of its own, removes its objects). Plain dicts and no unit of work: nothing
        reads the rows back in the same session. Only a later claim can find an earlier
        delivery's rows, so a first claim skips the DELETE.
        """
        if replace:
            session.execute(_DROP_SNAPSHOTS, {"p_capture": capture_id})
        if snapshots:
            session.execute(_INSERT_SNAPSHOT, list(snapshots))

    def snapshots_for_capture(self, session: Session, capture_id: str) -> Sequence[SnapshotRow]:
        return session.scalars(
            select(SnapshotRow).where(SnapshotRow.capture_id == capture_id).order_by(SnapshotRow.page)
        ).all()

    def snapshots_for_captures(self, session: Session, capture_ids: Sequence[str]) -> dict[str, list[SnapshotRow]]:
        """Each capture's snapshots in page order, by capture id: a query per 500 captures, not
        one per capture, for a history of any length."""
        found: dict[str, list[SnapshotRow]] = {}
        for start in range(0, len(capture_ids), 500):
            batch = capture_ids[start:start + 500]
            for snapshot in session.scalars(select(SnapshotRow).where(SnapshotRow.capture_id.in_(batch))
                                            .order_by(SnapshotRow.capture_id, SnapshotRow.page)):
                found.setdefault(snapshot.capture_id, []).append(snapshot)
        return found

    def latest_response(self, session: Session, urlkey: str) -> LatestResponse | None:
        """The newest snapshot of the URL that holds a full response (not a revisit)."""
        row = session.execute(_LATEST_RESPONSE, {"p_urlkey": urlkey}).first()
        return _latest_response(row) if row is not None else None

    def response_with_digest(self, session: Session, urlkey: str, digest: str) -> SnapshotRow | None:
        """The newest full response found under the URL (see :meth:`nearest_snapshot`) with this
        payload digest (what a revisit repeats)."""
        return session.scalars(_first_found(
            urlkey, SnapshotRow.kind == "response", SnapshotRow.payload_digest == digest, newest=True
        )).first()

    def response_at(self, session: Session, urlkey: str, moment: datetime) -> SnapshotRow | None:
        """The newest full response found under the URL taken within ``moment``'s second: what a
        revisit naming its original by target URI and date (``WARC-Refers-To-Date``) repeats."""
        second = _aware(moment).replace(microsecond=0)
        return session.scalars(_first_found(
            urlkey, SnapshotRow.kind == "response", SnapshotRow.captured_at >= second,
            SnapshotRow.captured_at < second + timedelta(seconds=1), newest=True,
        )).first()

    def holds_record(self, session: Session, urlkey: str, moment: datetime, record_id: str) -> bool:
        """Whether a snapshot found under the URL, taken within ``moment``'s second, has this
        final WARC-Record-ID: a record of an exported file that this archive already holds."""
        second = _aware(moment).replace(microsecond=0)
        return session.scalars(_first_found(
            urlkey, SnapshotRow.warc_record_id == record_id, SnapshotRow.captured_at >= second,
            SnapshotRow.captured_at < second + timedelta(seconds=1),
        )).first() is not None

    def get_snapshot(self, session: Session, snapshot_id: str) -> SnapshotRow | None:
        return session.get(SnapshotRow, snapshot_id) if _can_name_a_row(snapshot_id) else None

    def nearest_snapshot(self, session: Session, urlkey: str, moment: datetime) -> SnapshotRow | None:
        """The snapshot found under the URL closest in time to ``moment`` (the earlier one on a tie).

        A snapshot is found under the key of the URL it was requested as (``urlkey``) and under
        the key of the URL its redirects ended on (``final_urlkey``). Times compare at the
        one-second resolution of timestamps and HTTP dates: a snapshot taken at 12:00:41.9 *is*
        the memento of ``...120041``. Two statements, one each side of the second, each two
        index seeks (one per key). The last second of year 9999 (a timestamp of all nines) is
        taken one second earlier, which finds the same snapshot: the second after it cannot be
        represented.
        """
        second = min(_aware(moment).replace(microsecond=0), _LAST_SECOND - timedelta(seconds=1))
        ceiling = second + timedelta(seconds=1)
        before = session.scalars(_first_found(urlkey, SnapshotRow.captured_at < ceiling, newest=True)).first()
        after = session.scalars(_first_found(urlkey, SnapshotRow.captured_at >= ceiling)).first()
        if before is None or after is None:
            return before or after
        after_gap = _aware(after.captured_at).replace(microsecond=0) - second
        before_gap = second - _aware(before.captured_at).replace(microsecond=0)
        return after if after_gap < before_gap else before

    def memento_neighbours(self, session: Session, urlkey: str, moment: datetime) -> dict[str, SnapshotRow]:
        """The first and last snapshots found under the URL, and the ones just before and after
        ``moment``'s second (a memento's URI names its second): ``{"first", "prev", "next",
        "last"}``, each present only if it exists. Four statements of two index seeks each."""
        second = _aware(moment).replace(microsecond=0)
        queries = {
            "first": _first_found(urlkey),
            "prev": _first_found(urlkey, SnapshotRow.captured_at < second, newest=True),
            "next": _first_found(urlkey, SnapshotRow.captured_at >= second + timedelta(seconds=1)),
            "last": _first_found(urlkey, newest=True),
        }
        found = {rel: session.scalars(query).first() for rel, query in queries.items()}
        return {rel: row for rel, row in found.items() if row is not None}

    def find_snapshots(
        self,
        session: Session,
        *,
        exact: str | None = None,
        prefixes: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        batch: int = 500,
    ) -> Iterator[FoundSnapshot]:
        """Snapshots with the key they were found under, in (key, captured_at) order, for CDX
        queries, TimeMaps and WARC export.

        A snapshot whose redirects ended on a URL of another key is found under both keys: a
        range that holds both yields it twice, once under each. Each key column's statement
        (:meth:`snapshot_queries`) reads its index in order and the two streams are merged
        here: in one statement, a UNION ALL ordered by the key found under, PostgreSQL sorts
        every row before the first. Rows stream in batches, so an export of the whole archive
        does not load it.
        """
        queries = self.snapshot_queries(exact=exact, prefixes=prefixes, since=since, until=until, limit=limit)
        streams = [_found_under(column, session.scalars(query.execution_options(yield_per=batch)))
                   for column, query in queries.items()]
        merged = heapq.merge(*streams, key=lambda found: (found.key, found.snapshot.captured_at))
        yield from itertools.islice(merged, limit)

    @staticmethod
    def snapshot_queries(
        *,
        exact: str | None = None,
        prefixes: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> dict[str, Select[tuple[SnapshotRow]]]:
        """The statements behind :meth:`find_snapshots`, by the key column each matches.

        ``exact`` is one SURT key; each of ``prefixes`` is a key range ``[prefix, prefix+U+10FFFF)``:
        a range scan of the (urlkey, captured_at) index, and one of the (final_urlkey,
        captured_at) index, since both keys compare bytewise. Without either, every snapshot
        once, under its own key.
        """
        columns = _KEY_COLUMNS if exact is not None or prefixes else _KEY_COLUMNS[:1]
        queries = {}
        for key_column in columns:
            conditions: list[ColumnElement[bool]] = []
            if exact is not None:
                conditions.append(key_column == exact)
            elif prefixes:
                conditions.append(or_(*(and_(key_column >= p, key_column < p + "\U0010ffff") for p in prefixes)))
            if since is not None:
                conditions.append(SnapshotRow.captured_at >= since)
            if until is not None:
                conditions.append(SnapshotRow.captured_at <= until)
            query = select(SnapshotRow).where(*conditions).order_by(key_column, SnapshotRow.captured_at)
            queries[key_column.key] = query.limit(limit) if limit is not None else query
        return queries

    def revisit_savings(self, session: Session, urlkey: str) -> tuple[int, int]:
        """How many revisits the URL has and the payload bytes they did not store again."""
        count, saved = session.execute(
            select(func.count(), func.coalesce(func.sum(SnapshotRow.payload_length), 0))
            .where(SnapshotRow.urlkey == urlkey, SnapshotRow.kind == "revisit")
        ).one()
        return int(count), int(saved)

    # Records --------------------------------------------------------------------------------

    def get_record_by_url(self, session: Session, url: str) -> RecordRow | None:
        return session.scalars(select(RecordRow).where(RecordRow.url == url)).first()

    def get_record(self, session: Session, record_id: str) -> RecordRow | None:
        return session.get(RecordRow, record_id) if _can_name_a_row(record_id) else None

    def record_head(self, session: Session, url: str) -> RecordHead | None:
        """The record of canonical URL ``url`` with its latest version's id and fingerprint,
        for a writer: on PostgreSQL the URL stays locked until the transaction ends.

        What recording a capture reads: whether the record exists, and whether the new content
        is the same as its latest version's. Writers of one URL take turns from here (a
        transaction-level advisory lock on the URL's hash, which also covers a record not yet
        created), so each compares against the version the one before it wrote. Without the
        turn, concurrent writers all compared against the same latest version and all but one
        failed on the (record, version) key: a burst of captures or re-extractions of one URL
        spent the losers' retries, and ended captures ``failed`` with ``catalog_conflict``.
        The head is read after the lock, in a statement of its own, so that it sees what the
        writer before committed. SQLite has one writer at a time anyway.
        """
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_LOCK_URL, {"p_url": url})
        row = session.execute(_RECORD_HEAD, {"p_url": url}).first()
        if row is None:
            return None
        head = RecordHead(*row)
        return head._replace(latest_captured_at=_aware(head.latest_captured_at)) if head.latest_captured_at else head

    def add_record(self, session: Session, record_id: str, url: str, urlkey: str, version: NewVersion) -> int:
        """Insert a record with ``version`` as its first version and its search entry; the version's id.

        The record's unique URL makes a concurrent first writer of the same URL fail with
        CatalogConflict; it retries and finds the record. On PostgreSQL the three rows are one
        statement (``_NEW_RECORD``); SQLite, which has no INSERT in a CTE, takes three.
        """
        moment = version["created_at"]
        record = {"id": record_id, "url": url, "urlkey": urlkey, "created_at": moment, "updated_at": moment,
                  "latest_version": 1}
        first = {**version, "record_id": record_id, "version": 1}
        entry = {**_entry(url, urlkey, 1, version), "record_id": record_id}
        if session.get_bind().dialect.name == "postgresql":
            return session.execute(_NEW_RECORD, _prefixed("r_", record) | _prefixed("v_", first)
                                   | _prefixed("e_", entry)).scalar_one()
        session.execute(_INSERT_RECORD, record)
        version_id = session.execute(_INSERT_VERSION, first).scalar_one()
        session.execute(_INSERT_ENTRY, entry)
        return version_id

    def get_version(self, session: Session, record_id: str, version: int) -> RecordVersionRow | None:
        """The record's version ``version``; None if it has none (whatever number is asked for)."""
        if not 1 <= version <= _MAX_VERSION:
            return None  # beyond the column's range: no such version, and no query to fail
        return session.scalars(
            select(RecordVersionRow)
            .where(RecordVersionRow.record_id == record_id)
            .where(RecordVersionRow.version == version)
        ).first()

    def version_content(self, session: Session, version_id: int) -> dict | None:
        """The content of the version with row id ``version_id``; None if there is none."""
        return session.scalar(select(RecordVersionRow.content).where(RecordVersionRow.id == version_id))

    def versions(self, session: Session, record_id: str) -> Sequence[RecordVersionRow]:
        """The record's versions in time: by when their content was first captured, then by number
        (a re-extraction of the same capture comes after the version it re-reads)."""
        return session.scalars(
            select(RecordVersionRow)
            .where(RecordVersionRow.record_id == record_id)
            .order_by(RecordVersionRow.captured_at, RecordVersionRow.version)
        ).all()

    def versions_around(
        self, session: Session, record_id: str, moment: datetime
    ) -> tuple[RecordVersionRow | None, RecordVersionRow | None]:
        """The record's version in force at ``moment`` (the last one first captured by then) and
        the one after it in time; either None if there is none."""
        before = session.scalars(
            select(RecordVersionRow).where(RecordVersionRow.record_id == record_id,
                                           RecordVersionRow.captured_at <= moment)
            .order_by(RecordVersionRow.captured_at.desc(), RecordVersionRow.version.desc()).limit(1)
        ).first()
        after = session.scalars(
            select(RecordVersionRow).where(RecordVersionRow.record_id == record_id,
                                           RecordVersionRow.captured_at > moment)
            .order_by(RecordVersionRow.captured_at, RecordVersionRow.version).limit(1)
        ).first()
        return before, after

    def version_before(self, session: Session, version: RecordVersionRow) -> RecordVersionRow | None:
        """The version before ``version`` in its record's history (see :meth:`versions`); None for the first."""
        return session.scalars(
            select(RecordVersionRow).where(
                RecordVersionRow.record_id == version.record_id,
                or_(RecordVersionRow.captured_at < version.captured_at,
                    and_(RecordVersionRow.captured_at == version.captured_at,
                         RecordVersionRow.version < version.version)))
            .order_by(RecordVersionRow.captured_at.desc(), RecordVersionRow.version.desc()).limit(1)
        ).first()

    def captures_after(self, session: Session, version_id: int, moment: datetime) -> list[tuple[str, datetime]]:
        """The captures that produced the version taken after ``moment`` (their first snapshot),
        with that time, in time order."""
        taken = func.min(SnapshotRow.captured_at)
        rows = session.execute(
            select(CaptureRow.id, taken).join(SnapshotRow, SnapshotRow.capture_id == CaptureRow.id)
            .where(CaptureRow.record_version_id == version_id)
            .group_by(CaptureRow.id).having(taken > moment).order_by(taken)
        ).all()
        return [(capture_id, _aware(when)) for capture_id, when in rows]

    def start_version_at(self, session: Session, version_id: int, moment: datetime) -> None:
        """The version's content was captured earlier than known: it is in force from ``moment``."""
        session.execute(update(_VERSIONS).where(_VERSIONS.c.id == version_id).values(captured_at=moment))

    def repoint_captures(self, session: Session, capture_ids: Sequence[str], version_id: int) -> None:
        """The captures now stand for version ``version_id``."""
        session.execute(update(_CAPTURES).where(_CAPTURES.c.id.in_(capture_ids))
                        .values(record_version_id=version_id))

    def add_version(self, session: Session, record: RecordHead, version: NewVersion) -> int:
        """Write ``version`` as the record's next number; its id. If it was captured no earlier than
        the record's latest version, it becomes the latest, and the search entry follows it.

        The number follows the highest the caller read with the record's head, not one
        computed in SQL at write time: writers take turns from :meth:`record_head`, and one that
        compared against a stale head all the same (SQLite, a caller that skipped it) fails on
        the (record, version) unique key with CatalogConflict, retries and compares against the
        new head, instead of writing content that may repeat it. Numbers are identifiers in
        write order (URLs name them); time orders the history (``captured_at``). The search
        entry is written in the same transaction, so the index cannot fall behind the records;
        the database's full-text index follows the entry (migration 0004). On PostgreSQL a new
        latest version is one statement (``_NEW_LATEST_VERSION``); SQLite takes three or four.
        """
        number = record.last_version + 1
        row = {**version, "record_id": record.id, "version": number}
        if record.latest_captured_at is not None and version["captured_at"] < record.latest_captured_at:
            # an older capture's content: the record's latest stays
            return session.execute(_INSERT_VERSION, row).scalar_one()
        advance = {"p_id": record.id, "p_version": number, "p_now": version["created_at"]}
        entry = _entry(record.url, record.urlkey, number, version)
        if session.get_bind().dialect.name == "postgresql":
            return session.execute(_NEW_LATEST_VERSION, _prefixed("v_", row) | advance
                                   | _prefixed("e_", {**entry, "record_id": record.id})).scalar_one()
        version_id = session.execute(_INSERT_VERSION, row).scalar_one()
        session.execute(_ADVANCE_RECORD, advance)
        if session.execute(_UPDATE_ENTRY, {**entry, "p_record": record.id}).rowcount == 0:
            session.execute(_INSERT_ENTRY, {**entry, "record_id": record.id})  # a record that had no version
        return version_id

    # Search ---------------------------------------------------------------------------------

    def search(self, session: Session, query: SearchQuery) -> tuple[Sequence[RecordSearchRow], int]:
        """One page of the records matching ``query`` and how many match in all.

        With words, the best matches come first (PostgreSQL's ``ts_rank_cd``, FTS5's BM25);
        without, the most recently archived. Ties go to the newer record.
        """
        statement = select(RecordSearchRow)
        conditions: list[ColumnElement[bool]] = []
        if query.urlkey_prefix:
            prefix = query.urlkey_prefix
            conditions.append(and_(RecordSearchRow.urlkey >= prefix, RecordSearchRow.urlkey < prefix + "\U0010ffff"))
        if query.host:
            conditions.append(RecordSearchRow.host == query.host)
        if query.since is not None:
            conditions.append(RecordSearchRow.archived_at >= query.since)
        if query.until is not None:
            conditions.append(RecordSearchRow.archived_at <= query.until)
        order: list = []
        if query.words:
            if session.get_bind().dialect.name == "postgresql":
                tsquery = func.plainto_tsquery(_PG_SEARCH_CONFIG, " ".join(query.words))
                conditions.append(_PG_DOCUMENT.op("@@")(tsquery))
                order.append(func.ts_rank_cd(_PG_DOCUMENT, tsquery).desc())
            else:
                statement = statement.join(_FTS, _FTS.c.rowid == RecordSearchRow.id)
                conditions.append(_FTS.c.record_search_fts.op("MATCH")(" ".join(f'"{w}"' for w in query.words)))
                order.append(_FTS_RANK)
        statement = statement.where(*conditions)
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = session.scalars(
            statement.order_by(*order, RecordSearchRow.archived_at.desc(), RecordSearchRow.id.desc())
            .offset(query.offset).limit(query.per_page)
        ).all()
        return rows, total

    # API keys -------------------------------------------------------------------------------

    def add_key(self, session: Session, row: ApiKeyRow) -> ApiKeyRow:
        session.add(row)
        session.flush()
        return row

    def key_by_hash(self, session: Session, key_hash: str) -> ApiKeyRow | None:
        return session.scalars(
            select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash).where(ApiKeyRow.revoked_at.is_(None))
        ).first()

    def active_key(self, session: Session, key_id: str) -> ApiKeyRow | None:
        """The key ``key_id`` unless it was revoked."""
        if not _can_name_a_row(key_id):
            return None
        return session.scalars(
            select(ApiKeyRow).where(ApiKeyRow.id == key_id).where(ApiKeyRow.revoked_at.is_(None))
        ).first()

    def keys(self, session: Session) -> Sequence[ApiKeyRow]:
        return session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()

    def revoke_key(self, session: Session, key_id: str) -> bool:
        if not _can_name_a_row(key_id):
            return False
        result = session.execute(
            update(ApiKeyRow).execution_options(synchronize_session=False).where(ApiKeyRow.id == key_id).where(ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return result.rowcount == 1

    def count_records(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(RecordRow)) or 0

    def count_versions(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(RecordVersionRow)) or 0

    def record_of_capture(self, session: Session, capture_id: str) -> RecordRow | None:
        """The record the capture's extraction went into, if it was extracted."""
        return session.scalars(
            select(RecordRow)
            .join(RecordVersionRow, RecordVersionRow.record_id == RecordRow.id)
            .join(CaptureRow, CaptureRow.record_version_id == RecordVersionRow.id)
            .where(CaptureRow.id == capture_id)
        ).first()

    def extraction_of_capture(self, session: Session, capture_id: str) -> tuple[RecordRow, RecordVersionRow] | None:
        """The record and the version the capture's extraction gave (its latest, after a
        re-extraction), if it was extracted: one query."""
        row = session.execute(
            select(RecordRow, RecordVersionRow)
            .join(RecordVersionRow, RecordVersionRow.record_id == RecordRow.id)
            .join(CaptureRow, CaptureRow.record_version_id == RecordVersionRow.id)
            .where(CaptureRow.id == capture_id)
        ).first()
        return None if row is None else (row[0], row[1])

    def newest_capture_of_record(self, session: Session, record_id: str) -> CaptureRow | None:
        """The archived capture taken last (its first snapshot) whose extraction went into the record.

        Taken last, not submitted or archived last: a capture retried after a failed fetch is
        fetched after captures submitted later, and an old WARC imported today was taken years
        ago; the record's latest version is the content of the capture taken last.
        """
        return session.scalars(
            select(CaptureRow).where(CaptureRow.id == _newest_capture_of(record_id).scalar_subquery())
        ).first()

    def newest_captures_page(
        self, session: Session, *, url: str | None = None, host_prefixes: Sequence[str] = (),
        after: RecordKey | None = None, limit: int = 1000,
    ) -> list[RecordTarget]:
        """A page of records (by canonical URL, by SURT host prefix, or all of them) after
        ``after`` in ``(urlkey, id)`` order, each with its :meth:`newest_capture_of_record`
        (None when it has no archived capture), in one statement.

        Keyset pages: the next page starts after the last record of this one, so a page costs
        the same at the start of a large catalog as at its end, and no row is read twice.
        """
        page = select(RecordRow.id, RecordRow.urlkey)
        if url is not None:
            page = page.where(RecordRow.url == url)
        elif host_prefixes:
            page = page.where(
                or_(*(and_(RecordRow.urlkey >= p, RecordRow.urlkey < p + "\U0010ffff") for p in host_prefixes))
            )
        if after is not None:
            page = page.where(RecordRow.urlkey >= after.urlkey,  # the index's range; the rest, its filter
                              or_(RecordRow.urlkey > after.urlkey, RecordRow.id > after.id))
        page = page.order_by(RecordRow.urlkey, RecordRow.id).limit(limit).cte("page")
        rows = session.execute(
            select(page.c.urlkey, page.c.id, _newest_capture_of(page.c.id).scalar_subquery())
            .order_by(page.c.urlkey, page.c.id)
        )
        return [RecordTarget(RecordKey(urlkey, record_id), capture_id) for urlkey, record_id, capture_id in rows]

    # Schedules ------------------------------------------------------------------------------

    def add_schedule(self, session: Session, row: ScheduleRow) -> ScheduleRow:
        session.add(row)
        session.flush()
        return row

    def get_schedule_by_url(self, session: Session, url: str) -> ScheduleRow | None:
        return session.scalars(select(ScheduleRow).where(ScheduleRow.url == url)).first()

    def schedules(self, session: Session) -> Sequence[ScheduleRow]:
        return session.scalars(select(ScheduleRow).order_by(ScheduleRow.next_due_at, ScheduleRow.url)).all()

    def get_schedule(self, session: Session, schedule_id: str) -> ScheduleRow | None:
        return session.get(ScheduleRow, schedule_id) if _can_name_a_row(schedule_id) else None

    def delete_schedule(self, session: Session, schedule_id: str) -> bool:
        return session.execute(delete(ScheduleRow).where(ScheduleRow.id == schedule_id)).rowcount == 1

    def due_schedules(self, session: Session, now: datetime, *, limit: int) -> Sequence[ScheduleRow]:
        """Schedules due at ``now``, oldest slot first, locked for this transaction.

        On PostgreSQL the rows are taken ``FOR UPDATE SKIP LOCKED``: a second scheduler skips
        them instead of waiting. SQLite has no row locks (SQLAlchemy drops the clause); there
        :meth:`claim_slot`'s conditional update is what keeps two schedulers apart.
        """
        return session.scalars(
            select(ScheduleRow)
            .where(ScheduleRow.next_due_at <= now)
            .order_by(ScheduleRow.next_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()

    def claim_slot(self, session: Session, schedule_id: str, *, due: datetime, next_due: datetime, now: datetime) -> bool:
        """Move the schedule from slot ``due`` to ``next_due``; False if someone else already did."""
        result = session.execute(
            update(ScheduleRow).execution_options(synchronize_session=False)
            .where(ScheduleRow.id == schedule_id, ScheduleRow.next_due_at == due)
            .values(next_due_at=next_due, last_submitted_at=now)
        )
        return result.rowcount == 1

    def postpone_slot(self, session: Session, schedule_id: str, *, due: datetime, next_due: datetime) -> bool:
        """Move the schedule from slot ``due`` to ``next_due`` without submitting it; False if
        someone else already moved it."""
        result = session.execute(
            update(ScheduleRow).execution_options(synchronize_session=False)
            .where(ScheduleRow.id == schedule_id, ScheduleRow.next_due_at == due)
            .values(next_due_at=next_due)
        )
        return result.rowcount == 1

    def note_scheduled_capture(self, session: Session, schedule_id: str, capture_id: str) -> None:
        session.execute(update(ScheduleRow).execution_options(synchronize_session=False).where(ScheduleRow.id == schedule_id).values(last_capture_id=capture_id))
