"""search without accents

On PostgreSQL the search index compares words without their accents, as SQLite's FTS5 index
has from the start (``remove_diacritics 2``): ``cafe`` finds "Café" and ``Zurich`` finds
"Zürich" on both. A text search configuration of our own, ``archivist_search``, copies
``simple`` (no stemming) and passes each word through the ``unaccent`` dictionary first; the
``document`` column and its GIN index are rebuilt with it (one rewrite of ``record_search``).
``unaccent`` is a trusted extension from PostgreSQL's contrib modules, which every packaging of
the server ships: the database's owner may create it.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: The token types the ``simple`` parser makes words of (``simple``'s own mappings).
_WORD_TOKENS = "asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart"


def _document(config: str) -> str:
    return (f"setweight(to_tsvector('{config}'::regconfig, coalesce(title, '')), 'A') || "
            f"setweight(to_tsvector('{config}'::regconfig, body), 'B')")


def _rebuild_document(config: str) -> None:
    op.execute("DROP INDEX ix_record_search_document")
    op.execute("ALTER TABLE record_search DROP COLUMN document")
    op.execute(f"ALTER TABLE record_search ADD COLUMN document tsvector GENERATED ALWAYS AS ({_document(config)}) STORED")
    op.execute("CREATE INDEX ix_record_search_document ON record_search USING GIN (document)")


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH CONFIGURATION archivist_search (COPY = pg_catalog.simple)")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION archivist_search ALTER MAPPING FOR {_WORD_TOKENS} WITH unaccent, simple")
    _rebuild_document('archivist_search')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rebuild_document('simple')
    op.execute("DROP TEXT SEARCH CONFIGURATION archivist_search")
