"""outbox: a delegate's confirmation queued under the registration's locks, written after the commit

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 21:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('confirmation_for', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('confirmation_for')
