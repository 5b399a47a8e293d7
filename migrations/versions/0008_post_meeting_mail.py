"""when the post-meeting e-mail (certificate, presentations) went to each delegate

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 18:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.add_column(sa.Column('post_meeting_mail_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.drop_column('post_meeting_mail_at')
