"""coordinates of the venue and of each visit's meeting point, for a map link and a QR code

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings') as batch_op:
        batch_op.add_column(sa.Column('venue_latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('venue_longitude', sa.Float(), nullable=True))
    with op.batch_alter_table('field_visits') as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('field_visits') as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
    with op.batch_alter_table('meetings') as batch_op:
        batch_op.drop_column('venue_longitude')
        batch_op.drop_column('venue_latitude')
