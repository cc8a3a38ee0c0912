"""schedule key

``schedules.key_id``: the API key that set the schedule (last set its interval), whose
submission quota each of the schedule's captures is charged to; NULL for a schedule set without
a key (the CLI, or an API that requires none), whose captures are not charged. Existing
schedules get NULL: which key made them was never recorded.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.drop_column('key_id')
