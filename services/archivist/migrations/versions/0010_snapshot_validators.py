"""snapshot validators

``snapshots.etag`` and ``snapshots.last_modified``: the final response's ``ETag`` and
``Last-Modified`` as the site sent them. A re-capture of the URL reads them with its newest full
response (the read it makes for revisits already) and asks the site whether the page changed
since (``If-None-Match`` / ``If-Modified-Since``); a ``304 Not Modified`` is archived as a
server-not-modified revisit. Existing snapshots get NULL: their URL's next capture asks
unconditionally, as before, and stores the validators it gets.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place on both dialects (nullable columns): never a batch rebuild of the table, whose
    # implicit DELETE on SQLite would cascade to the rows that point at it.
    op.add_column("snapshots", sa.Column("etag", sa.Text(), nullable=True))
    op.add_column("snapshots", sa.Column("last_modified", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("snapshots", "last_modified")
    op.drop_column("snapshots", "etag")
