"""capture tried pages

``captures.tried_pages``: the object-key hash (``url_hash``) of each later page of the article
that a fetch attempt of the capture went to fetch, space-separated, appended by the lease
renewal that precedes the page. A later attempt reads it with its claim and removes the objects
earlier attempts stored for pages it no longer fetches (the article's pagination changed
between them). Existing captures get NULL: nothing recorded, as before.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tried_pages', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.drop_column('tried_pages')
