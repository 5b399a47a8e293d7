"""session slides: an uploaded PDF or a link, public or for registered delegates only

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 17:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions') as batch_op:
        batch_op.add_column(sa.Column('slides_file', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('slides_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('slides_size', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('slides_url', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('slides_public', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('sessions') as batch_op:
        for column in ('slides_public', 'slides_url', 'slides_size', 'slides_name', 'slides_file'):
            batch_op.drop_column(column)
