"""outbox decision: a delegate's confirmation is queued with what was decided (status, queue positions, the
link's token), and the sender writes its text from that, off the registration's request

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('decision', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('decision')
