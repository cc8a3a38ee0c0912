"""record search

A search entry per record (its latest version), and each database's own full-text index over
its title and body:

- PostgreSQL: ``document``, a stored generated ``tsvector`` (title weighted above body, the
  ``simple`` configuration: no stemming, the same words as SQLite sees), with a GIN index. The
  database computes it in the statement that writes the entry.
- SQLite: ``record_search_fts``, an FTS5 table whose content is ``record_search`` itself
  (``content=``, nothing stored twice), kept in step by triggers in the same transaction.
  A later batch migration that rebuilds ``record_search`` must recreate the triggers.

Existing records are backfilled from their latest version.

Revision ID: 0004
Revises: 0003
"""

from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

#: As archivist.core.search had it when this migration was written (migrations do not import it).
_INDEXED_CHARS = 200_000
_BATCH = 500

_DOCUMENT = ("setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
             "setweight(to_tsvector('simple'::regconfig, body), 'B')")

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE record_search_fts USING fts5("
    "title, body, content='record_search', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER record_search_ai AFTER INSERT ON record_search BEGIN "
    "INSERT INTO record_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER record_search_ad AFTER DELETE ON record_search BEGIN "
    "INSERT INTO record_search_fts(record_search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER record_search_au AFTER UPDATE ON record_search BEGIN "
    "INSERT INTO record_search_fts(record_search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO record_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    urlkey_type = sa.Text(collation='C') if dialect == 'postgresql' else sa.Text()
    op.create_table('record_search',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('urlkey', urlkey_type, nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id')
    )
    with op.batch_alter_table('record_search', schema=None) as batch_op:
        batch_op.create_index('ix_record_search_archived', ['archived_at'], unique=False)
        batch_op.create_index('ix_record_search_host_archived', ['host', 'archived_at'], unique=False)
        batch_op.create_index('ix_record_search_urlkey', ['urlkey'], unique=False)
    if dialect == 'postgresql':
        op.execute(f"ALTER TABLE record_search ADD COLUMN document tsvector GENERATED ALWAYS AS ({_DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_record_search_document ON record_search USING GIN (document)")
    else:
        for statement in _SQLITE_FTS:
            op.execute(statement)
    _backfill()


def _backfill() -> None:
    """One entry per record, from its latest version, in batches (the triggers index them)."""
    records = sa.table('records', sa.column('id'), sa.column('url'), sa.column('urlkey'), sa.column('latest_version'))
    versions = sa.table('record_versions', sa.column('record_id'), sa.column('version'),
                        sa.column('content', sa.JSON()), sa.column('created_at', sa.DateTime(timezone=True)))
    search = sa.table('record_search', sa.column('record_id'), sa.column('url'), sa.column('urlkey'),
                      sa.column('host'), sa.column('title'), sa.column('body'), sa.column('version'),
                      sa.column('archived_at'))
    bind = op.get_bind()
    last = ''
    while True:
        rows = bind.execute(
            sa.select(records.c.id, records.c.url, records.c.urlkey, versions.c.version, versions.c.content,
                      versions.c.created_at)
            .join(versions, sa.and_(versions.c.record_id == records.c.id,
                                    versions.c.version == records.c.latest_version))
            .where(records.c.id > last)
            .order_by(records.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(search.insert(), [
            {
                'record_id': row.id, 'url': row.url, 'urlkey': row.urlkey,
                'host': (urlsplit(row.url).hostname or '').lower().removeprefix('www.'),
                'title': (row.content or {}).get('title'),
                'body': ((row.content or {}).get('body') or '')[:_INDEXED_CHARS],
                'version': row.version, 'archived_at': row.created_at,
            }
            for row in rows
        ])
        last = rows[-1].id


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        for name in ('record_search_au', 'record_search_ad', 'record_search_ai'):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE record_search_fts")
    with op.batch_alter_table('record_search', schema=None) as batch_op:
        batch_op.drop_index('ix_record_search_urlkey')
        batch_op.drop_index('ix_record_search_host_archived')
        batch_op.drop_index('ix_record_search_archived')
    op.drop_table('record_search')
