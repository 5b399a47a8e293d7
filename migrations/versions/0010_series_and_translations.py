"""meeting series, and titles and descriptions in the meeting's other languages

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings') as batch_op:
        batch_op.add_column(sa.Column('series', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))
    with op.batch_alter_table('sessions') as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))
    with op.batch_alter_table('field_visits') as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('field_visits') as batch_op:
        batch_op.drop_column('translations')
    with op.batch_alter_table('sessions') as batch_op:
        batch_op.drop_column('translations')
    with op.batch_alter_table('meetings') as batch_op:
        batch_op.drop_column('translations')
        batch_op.drop_column('series')
