"""The catalog: captures, snapshots, records and versions in SQL (PostgreSQL or SQLite)."""

from archivist.adapters.catalog.database import Database
from archivist.adapters.catalog.repository import (
    Catalog,
    Claim,
    FoundSnapshot,
    LatestResponse,
    NewCapture,
    NewSnapshot,
    NewVersion,
    RecordHead,
    RecordKey,
    RecordTarget,
)
from archivist.adapters.catalog.tables import (
    ApiKeyRow,
    CaptureRow,
    RecordRow,
    RecordSearchRow,
    RecordVersionRow,
    ScheduleRow,
    SnapshotRow,
)

__all__ = ["ApiKeyRow", "CaptureRow", "Catalog", "Claim", "Database", "FoundSnapshot", "LatestResponse", "NewCapture", "NewSnapshot", "NewVersion", "RecordHead", "RecordKey", "RecordTarget", "RecordRow", "RecordSearchRow", "RecordVersionRow", "ScheduleRow", "SnapshotRow"]
