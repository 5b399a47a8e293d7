"""companion ID data: an accompanying person on a visit where port security needs ID documents gives theirs

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 21:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('companions') as batch:
        batch.add_column(sa.Column('nationality', sa.String(length=2), nullable=True))
        batch.add_column(sa.Column('id_number', sa.String(length=50), nullable=True))
        batch.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('companions') as batch:
        batch.drop_column('date_of_birth')
        batch.drop_column('id_number')
        batch.drop_column('nationality')
