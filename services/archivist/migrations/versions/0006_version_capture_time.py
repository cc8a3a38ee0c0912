"""version capture time

``record_versions.captured_at``: when the version's content was first captured, the earliest
capture time (first snapshot) of the captures it stands for. A record's history is ordered by
it, and its latest version is the one captured last, so a capture archived late (an old WARC
imported after live captures) takes its place in time instead of becoming the record's content.

Backfill: the earliest snapshot of the captures that point at the version, else of the capture
it was extracted from (``source_capture_id``), else when it was written. Each record's
``latest_version`` and search entry then follow its latest version in time, which for a record
that imported older captures after newer ones is no longer the last written.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_BATCH = 1000
_INDEXED_CHARS = 200_000

_RECORDS = sa.table('records', sa.column('id'), sa.column('latest_version'))
_VERSIONS = sa.table('record_versions', sa.column('id'), sa.column('record_id'), sa.column('version'),
                     sa.column('content', sa.JSON()), sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('captured_at', sa.DateTime(timezone=True)), sa.column('source_capture_id'))
_CAPTURES = sa.table('captures', sa.column('id'), sa.column('record_version_id'))
_SNAPSHOTS = sa.table('snapshots', sa.column('capture_id'), sa.column('captured_at', sa.DateTime(timezone=True)))
_SEARCH = sa.table('record_search', sa.column('record_id'), sa.column('title'),
                   sa.column('body'), sa.column('version'), sa.column('archived_at'))


def upgrade() -> None:
    # SQLite cannot make a column NOT NULL in place, and a batch rebuild of the table would drop
    # it, whose implicit DELETE sets every ``captures.record_version_id`` to NULL (foreign keys
    # are on): the column is added NOT NULL with a placeholder default that the backfill replaces.
    if op.get_bind().dialect.name == 'sqlite':
        op.add_column('record_versions', sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False,
                                                   server_default=sa.text("'1970-01-01 00:00:00.000000'")))
    else:
        op.add_column('record_versions', sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True))
    _backfill_capture_times()
    _follow_latest(lambda rows: max(rows, key=lambda row: (row.captured_at, row.version)))
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('record_versions', 'captured_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def _backfill_capture_times() -> None:
    pointing = (sa.select(sa.func.min(_SNAPSHOTS.c.captured_at))
                .select_from(_SNAPSHOTS.join(_CAPTURES, _CAPTURES.c.id == _SNAPSHOTS.c.capture_id))
                .where(_CAPTURES.c.record_version_id == _VERSIONS.c.id).scalar_subquery())
    source = (sa.select(sa.func.min(_SNAPSHOTS.c.captured_at))
              .where(_SNAPSHOTS.c.capture_id == _VERSIONS.c.source_capture_id).scalar_subquery())
    op.get_bind().execute(_VERSIONS.update().values(
        captured_at=sa.func.coalesce(pointing, source, _VERSIONS.c.created_at)))


def _follow_latest(choose) -> None:  # noqa: ANN001
    """Point each record (and its search entry) at the version ``choose`` picks of its versions."""
    bind = op.get_bind()
    last = ''
    while True:
        ids = bind.execute(sa.select(_RECORDS.c.id, _RECORDS.c.latest_version).where(_RECORDS.c.id > last)
                           .order_by(_RECORDS.c.id).limit(_BATCH)).all()
        if not ids:
            return
        current = dict(ids)
        rows = bind.execute(sa.select(_VERSIONS.c.id, _VERSIONS.c.record_id, _VERSIONS.c.version,
                                      _VERSIONS.c.captured_at)
                            .where(_VERSIONS.c.record_id.in_(list(current)))).all()
        by_record: dict = {}
        for row in rows:
            by_record.setdefault(row.record_id, []).append(row)
        for record_id, versions in by_record.items():
            chosen = choose(versions)
            if chosen.version != current[record_id]:
                _point(bind, record_id, chosen.id, chosen.version)
        last = ids[-1].id


def _point(bind, record_id: str, version_id: int, number: int) -> None:  # noqa: ANN001
    content, created_at = bind.execute(sa.select(_VERSIONS.c.content, _VERSIONS.c.created_at)
                                       .where(_VERSIONS.c.id == version_id)).one()
    content = content or {}
    bind.execute(_RECORDS.update().where(_RECORDS.c.id == record_id).values(latest_version=number))
    bind.execute(_SEARCH.update().where(_SEARCH.c.record_id == record_id).values(
        title=content.get('title'), body=(content.get('body') or '')[:_INDEXED_CHARS], version=number,
        archived_at=created_at))


def downgrade() -> None:
    # Before 0006 a record's next version is numbered one after ``latest_version``: point it
    # back at the highest number, or the next write would take a number already used.
    _follow_latest(lambda rows: max(rows, key=lambda row: row.version))
    if op.get_bind().dialect.name == 'sqlite':  # in place, not a rebuild (see upgrade)
        op.execute('ALTER TABLE record_versions DROP COLUMN captured_at')
    else:
        op.drop_column('record_versions', 'captured_at')
