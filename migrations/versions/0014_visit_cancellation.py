"""visit cancellation: a deleted visit with bookings is kept as cancelled for its delegates' pages

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 17:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('field_visits') as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('field_visits') as batch_op:
        batch_op.drop_column('cancelled_at')
