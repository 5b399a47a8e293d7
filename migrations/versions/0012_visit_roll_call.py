"""visit roll call: when each booked delegate boarded and came back ashore

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 17:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit_bookings') as batch_op:
        batch_op.add_column(sa.Column('boarded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('visit_bookings') as batch_op:
        batch_op.drop_column('returned_at')
        batch_op.drop_column('boarded_at')
