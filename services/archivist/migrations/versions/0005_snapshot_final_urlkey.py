"""snapshot final urlkey

``snapshots.final_urlkey``: the SURT key of the URL a capture's redirects ended on, when it is
not the snapshot's own ``urlkey`` (a capture of ``/?p=7`` that landed on ``/2024/05/story/``).
Replay, the TimeGate, TimeMaps and CDX find a snapshot under either key. A partial index on
(final_urlkey, captured_at) holds only the redirected snapshots, so lookups stay index seeks;
on PostgreSQL the column has the "C" collation, as ``urlkey`` (bytewise ranges, migration 0002).

Existing snapshots are backfilled from ``redirects["final_url"]``, in batches.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import surt
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_BATCH = 1000
_REDIRECTED = sa.text('final_urlkey IS NOT NULL')


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    urlkey_type = sa.Text(collation='C') if dialect == 'postgresql' else sa.Text()
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_urlkey', urlkey_type, nullable=True))
    _backfill()
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_snapshots_final_urlkey_captured', ['final_urlkey', 'captured_at'], unique=False,
                              postgresql_where=_REDIRECTED, sqlite_where=_REDIRECTED)


def _backfill() -> None:
    """Each snapshot whose ``redirects`` name a final URL of another key gets that key.

    The key is ``surt.surt`` of the URL, as ``archivist.core.urls.urlkey`` computes it
    (migrations do not import the application). A final URL surt cannot read is left alone:
    the snapshot is found under its own URL, as before.
    """
    snapshots = sa.table('snapshots', sa.column('id'), sa.column('urlkey'), sa.column('redirects', sa.JSON()),
                         sa.column('final_urlkey'))
    bind = op.get_bind()
    last = ''
    while True:
        rows = bind.execute(
            sa.select(snapshots.c.id, snapshots.c.urlkey, snapshots.c.redirects)
            .where(snapshots.c.id > last, snapshots.c.redirects.is_not(None))
            .order_by(snapshots.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row in rows:
            final_url = (row.redirects or {}).get('final_url') if isinstance(row.redirects, dict) else None
            if not final_url:
                continue
            try:
                key = surt.surt(final_url)
            except (ValueError, OSError):
                continue
            if key != row.urlkey:
                updates.append({'p_id': row.id, 'p_key': key})
        if updates:
            bind.execute(
                snapshots.update().where(snapshots.c.id == sa.bindparam('p_id'))
                .values(final_urlkey=sa.bindparam('p_key')),
                updates,
            )
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_snapshots_final_urlkey_captured', postgresql_where=_REDIRECTED,
                            sqlite_where=_REDIRECTED)
        batch_op.drop_column('final_urlkey')
