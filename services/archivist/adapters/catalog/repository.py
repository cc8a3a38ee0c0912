"""Catalog queries. Every method takes the caller's session and never commits.

Status changes are conditional updates (``WHERE status IN (...)``), so two deliveries of the
same message cannot both take a step: the second finds the row already moved and gets None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archivist.adapters.catalog.tables import (
    CaptureRow,
    RecordRow,
    RecordVersionRow,
    SnapshotRow,
)
from archivist.core.captures import CaptureStatus, sources_of

__all__ = ["Catalog"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Catalog:
    """Stateless query object; one instance can serve every session of a process."""

    # Captures -------------------------------------------------------------------------------

    def add_captures(self, session: Session, rows: Iterable[CaptureRow]) -> None:
        session.add_all(list(rows))

    def get_capture(self, session: Session, capture_id: str) -> CaptureRow | None:
        return session.get(CaptureRow, capture_id)

    def move(
        self,
        session: Session,
        capture_id: str,
        target: CaptureStatus,
        *,
        reason: str | None = None,
        message: str | None = None,
        record_version_id: int | None = None,
    ) -> bool:
        """Move the capture to ``target`` if the state machine allows it from where it is.

        Returns False (and changes nothing) when the capture is not in a source state of
        ``target``: another delivery already took this step, or the capture is finished.
        """
        now = utcnow()
        values: dict = {"status": target.value, "updated_at": now}
        if target is CaptureStatus.FETCHING:
            values["attempts"] = CaptureRow.attempts + 1
        if target in (CaptureStatus.ARCHIVED, CaptureStatus.FAILED):
            values["finished_at"] = now
            values["reason"] = reason
            values["message"] = message
        if record_version_id is not None:
            values["record_version_id"] = record_version_id
        result = session.execute(
            update(CaptureRow)
            .where(CaptureRow.id == capture_id)
            .where(CaptureRow.status.in_([s.value for s in sources_of(target)]))
            .values(**values)
        )
        return result.rowcount == 1

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

    def captures_for_url(self, session: Session, urlkey: str) -> Sequence[CaptureRow]:
        return session.scalars(
            select(CaptureRow).where(CaptureRow.urlkey == urlkey).order_by(CaptureRow.submitted_at)
        ).all()

    def captures_for_version(self, session: Session, version_id: int) -> list[str]:
        return list(
            session.scalars(
                select(CaptureRow.id)
                .where(CaptureRow.record_version_id == version_id)
                .order_by(CaptureRow.submitted_at)
            )
        )

    # Snapshots ------------------------------------------------------------------------------

    def put_snapshot(self, session: Session, row: SnapshotRow) -> SnapshotRow:
        """Insert the snapshot, or replace the one a previous delivery wrote for this page."""
        existing = session.scalars(
            select(SnapshotRow)
            .where(SnapshotRow.capture_id == row.capture_id)
            .where(SnapshotRow.url == row.url)
        ).first()
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.add(row)
        session.flush()
        return row

    def snapshots_for_capture(self, session: Session, capture_id: str) -> Sequence[SnapshotRow]:
        return session.scalars(
            select(SnapshotRow).where(SnapshotRow.capture_id == capture_id).order_by(SnapshotRow.page)
        ).all()

    def snapshots_for_url(self, session: Session, urlkey: str) -> Sequence[SnapshotRow]:
        return session.scalars(
            select(SnapshotRow).where(SnapshotRow.urlkey == urlkey).order_by(SnapshotRow.captured_at)
        ).all()

    def latest_response(self, session: Session, urlkey: str) -> SnapshotRow | None:
        """The newest snapshot of the URL that holds a full response (not a revisit)."""
        return session.scalars(
            select(SnapshotRow)
            .where(SnapshotRow.urlkey == urlkey)
            .where(SnapshotRow.kind == "response")
            .order_by(SnapshotRow.captured_at.desc())
            .limit(1)
        ).first()

    def get_snapshot(self, session: Session, snapshot_id: str) -> SnapshotRow | None:
        return session.get(SnapshotRow, snapshot_id)

    # Records --------------------------------------------------------------------------------

    def get_record_by_url(self, session: Session, url: str) -> RecordRow | None:
        return session.scalars(select(RecordRow).where(RecordRow.url == url)).first()

    def get_record(self, session: Session, record_id: str) -> RecordRow | None:
        return session.get(RecordRow, record_id)

    def add_record(self, session: Session, row: RecordRow) -> RecordRow:
        session.add(row)
        session.flush()
        return row

    def get_version(self, session: Session, record_id: str, version: int) -> RecordVersionRow | None:
        return session.scalars(
            select(RecordVersionRow)
            .where(RecordVersionRow.record_id == record_id)
            .where(RecordVersionRow.version == version)
        ).first()

    def versions(self, session: Session, record_id: str) -> Sequence[RecordVersionRow]:
        return session.scalars(
            select(RecordVersionRow)
            .where(RecordVersionRow.record_id == record_id)
            .order_by(RecordVersionRow.version)
        ).all()

    def add_version(self, session: Session, record: RecordRow, row: RecordVersionRow) -> RecordVersionRow:
        """Append ``row`` as the record's next version.

        The (record, version) unique key makes a concurrent writer of the same version number
        fail with CatalogConflict; it retries and compares against the new latest.
        """
        row.version = record.latest_version + 1
        row.record_id = record.id
        session.add(row)
        record.latest_version = row.version
        record.updated_at = row.created_at
        session.flush()
        return row

    def count_records(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(RecordRow)) or 0
