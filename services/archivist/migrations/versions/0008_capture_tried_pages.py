"""capture tried pages

``captures.tried_pages``: the object-key hash (``url_hash``) of each later page of the article
that a fetch attempt of the capture went to fetch, space-separated, appended by the lease
renewal that precedes the page. A later attempt reads it with its claim and removes the objects
earlier attempts stored for pages it no longer fetches (the article's pagination changed
between them). Existing captures get NULL: nothing recorded, as before.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place on both dialects (a nullable column): never a batch rebuild of the table, whose
    # implicit DELETE on SQLite would cascade to the rows that point at it.
    op.add_column('captures', sa.Column('tried_pages', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('captures', 'tried_pages')
