"""schedule key

``schedules.key_id``: the API key that set the schedule (last set its interval), whose
submission quota each of the schedule's captures is charged to; NULL for a schedule set without
a key (the CLI, or an API that requires none), whose captures are not charged. Existing
schedules get NULL: which key made them was never recorded.

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
    # In place on both dialects (a nullable column): never a batch rebuild of the table, whose
    # implicit DELETE on SQLite would cascade to the rows that point at it.
    op.add_column('schedules', sa.Column('key_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    op.drop_column('schedules', 'key_id')
