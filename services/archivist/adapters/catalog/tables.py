"""Table definitions. Alembic migrations in ``archivist/migrations`` create them; keep in step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiKeyRow", "Base", "CaptureRow", "RecordRow", "RecordSearchRow", "RecordVersionRow", "ScheduleRow", "SnapshotRow",
    "is_modelled",
]

#: SURT keys compare bytewise, as CDX indexes sort them: prefix queries are then index range
#: scans. PostgreSQL needs the "C" collation for that; SQLite's default (BINARY) already is.
_URLKEY = Text().with_variant(Text(collation="C"), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class CaptureRow(Base):
    """One submission of one URL, and where it is in the capture state machine."""

    __tablename__ = "captures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    urlkey: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The message (delivery) that holds the current step; its redelivery may take it back.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    #: The ``url_hash`` of each later page a fetch attempt went to fetch, space-separated: where
    #: a later attempt finds the objects earlier ones stored for pages it does not fetch (0008).
    tried_pages: Mapped[str | None] = mapped_column(Text)
    record_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_versions.id", ondelete="SET NULL")
    )

    __table_args__ = (
        Index("ix_captures_urlkey_submitted", "urlkey", "submitted_at"),
        Index("ix_captures_status", "status"),
        Index("ix_captures_record_version", "record_version_id"),
    )


class SnapshotRow(Base):
    """One archived HTTP response (or revisit) of one page, stored as a WARC object."""

    __tablename__ = "snapshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    capture_id: Mapped[str] = mapped_column(ForeignKey("captures.id", ondelete="CASCADE"))
    page: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    urlkey: Mapped[str] = mapped_column(_URLKEY)
    captured_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # response | revisit
    http_status: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str | None] = mapped_column(String(255))
    payload_digest: Mapped[str] = mapped_column(String(64))
    payload_length: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(Text)
    stored_length: Mapped[int] = mapped_column(BigInteger)
    refers_to_id: Mapped[str | None] = mapped_column(ForeignKey("snapshots.id"))
    redirects: Mapped[dict[str, Any] | None]
    #: Where the final response (or revisit) record starts in the stored object, for CDX
    #: ``offset``; None for snapshots written before it was recorded.
    record_offset: Mapped[int | None] = mapped_column(BigInteger)
    #: That record's WARC-Record-ID, for the ``WARC-Refers-To`` of later revisits.
    warc_record_id: Mapped[str | None] = mapped_column(String(64))
    #: The SURT key of the URL the fetch's redirects ended on (``redirects["final_url"]``, the
    #: final response's WARC-Target-URI) when it is not ``urlkey``; else None. Lookups by URL
    #: match either key: the page is found under the URL it was requested as and under the one
    #: browsers (and links on other pages) end up on. Migration 0005.
    final_urlkey: Mapped[str | None] = mapped_column(_URLKEY)
    #: The final response's ``ETag`` and ``Last-Modified`` as the site sent them (None where it
    #: sent none): a later capture of the URL asks with them whether the page changed since
    #: (``If-None-Match``, ``If-Modified-Since``). Migration 0010.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("capture_id", "url", name="uq_snapshots_capture_url"),
        Index("ix_snapshots_urlkey_captured", "urlkey", "captured_at"),
        # Only redirected snapshots have a final key: the index holds them alone.
        Index("ix_snapshots_final_urlkey_captured", "final_urlkey", "captured_at",
              postgresql_where=text("final_urlkey IS NOT NULL"), sqlite_where=text("final_urlkey IS NOT NULL")),
    )

    @property
    def final_url(self) -> str:
        """The URL the snapshot's final response came from: where its redirects ended, or its own."""
        return (self.redirects or {}).get("final_url") or self.url


class RecordRow(Base):
    """A document, identified by its canonical URL."""

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    urlkey: Mapped[str] = mapped_column(Text, index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: The number of the version in force now: the one captured last (see
    #: RecordVersionRow.captured_at), not necessarily the highest number.
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class RecordVersionRow(Base):
    """One version of a record's extracted content, written only when the content changed."""

    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]]
    extractor_name: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    #: When this content was first captured: the earliest capture time (first snapshot) of the
    #: captures it stands for. A record's history is in this order and its latest version is
    #: the one captured last (then the highest number), whatever order they were written in
    #: (an old WARC imported after live captures). Migration 0006.
    captured_at: Mapped[datetime]
    #: The capture whose snapshots this version was extracted from. Captures point at the
    #: version they last produced (``captures.record_version_id``), which re-extraction moves;
    #: this keeps where each version came from. No foreign key: captures already reference
    #: versions, and the cycle is not worth it for a provenance note. None before migration 0002.
    source_capture_id: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_record_versions_version"),)


class RecordSearchRow(Base):
    """A record's search entry: its latest version's title and body, and what search filters on.

    The repository writes it with every new version, in the same transaction. The full-text
    index over ``title`` and ``body`` belongs to the database and is not modelled here
    (migration 0004): on PostgreSQL the generated ``tsvector`` column ``document`` with a GIN
    index; on SQLite the FTS5 table ``record_search_fts``, which reads this table
    (``content=``) and is kept in step by triggers. ``id`` is the FTS5 rowid.
    """

    __tablename__ = "record_search"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), unique=True)
    url: Mapped[str] = mapped_column(Text)
    urlkey: Mapped[str] = mapped_column(_URLKEY)
    host: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    #: When the latest version was written: what the date filters of a search compare.
    archived_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_record_search_urlkey", "urlkey"),
        Index("ix_record_search_host_archived", "host", "archived_at"),
        Index("ix_record_search_archived", "archived_at"),
    )


def is_modelled(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name``: False for the full-text structures each database keeps for
    ``record_search`` (migration 0004), which these models leave out on purpose."""
    if type_ == "table":
        return not (name or "").startswith("record_search_fts")
    if type_ == "column":
        return not (parent_names.get("table_name") == "record_search" and name == "document")
    if type_ == "index":
        return name != "ix_record_search_document"
    return True


class ScheduleRow(Base):
    """A URL to re-capture every ``interval_seconds``; due when ``next_due_at`` has passed.

    ``next_due_at`` is also the claim: a scheduler takes a due slot by moving it forward with a
    conditional update, so the same slot is never submitted twice. ``key_id`` is the API key
    that set it, whose quota its captures are charged to (migration 0007); None: no key's.
    """

    __tablename__ = "schedules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    urlkey: Mapped[str] = mapped_column(Text)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    next_due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    last_submitted_at: Mapped[datetime | None]
    last_capture_id: Mapped[str | None] = mapped_column(String(36))
    key_id: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (Index("ix_schedules_next_due", "next_due_at"),)


class ApiKeyRow(Base):
    """An API key, stored as a SHA-256 of the secret: the secret itself is shown once, at creation."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))  # space-separated
    submissions_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
