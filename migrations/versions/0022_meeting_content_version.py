"""meeting content version: bumped with every change of a meeting, its visits, sessions or questions, so that
pages kept rendered (the registration form) know when they are out of date, on every worker and server

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 05:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('content_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('content_version')
