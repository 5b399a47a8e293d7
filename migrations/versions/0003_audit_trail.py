"""audit trail: who did what to a meeting, and when

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('actor_kind', sa.String(length=20), nullable=False),
        sa.Column('actor_user_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=254), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('subject_label', sa.String(length=200), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_audit_entries_actor_user_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_audit_entries_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
    )
    with op.batch_alter_table('audit_entries') as batch_op:
        batch_op.create_index('ix_audit_entries_meeting_created', ['meeting_id', 'created_at'], unique=False)
        batch_op.create_index('ix_audit_entries_subject', ['subject_type', 'subject_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entries') as batch_op:
        batch_op.drop_index('ix_audit_entries_subject')
        batch_op.drop_index('ix_audit_entries_meeting_created')
    op.drop_table('audit_entries')
