"""registration language: e-mails to a delegate in the language they registered in

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))


def downgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.drop_column('language')
