"""messages: hosts write to a group of delegates; each message and its recipients are kept

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 18:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('versions', sa.JSON(), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('send_key', sa.String(length=64), nullable=False),
        sa.Column('sent_by_user_id', sa.Integer(), nullable=True),
        sa.Column('sent_by', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_messages_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sent_by_user_id'], ['users.id'], name=op.f('fk_messages_sent_by_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
        sa.UniqueConstraint('meeting_id', 'send_key', name=op.f('uq_messages_meeting_id')),
    )
    with op.batch_alter_table('messages') as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_meeting_id'), ['meeting_id'], unique=False)
    op.create_table(
        'message_recipients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=201), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_message_recipients_message_id_messages'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_message_recipients_registration_id_registrations'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_recipients')),
    )
    with op.batch_alter_table('message_recipients') as batch_op:
        batch_op.create_index(batch_op.f('ix_message_recipients_message_id'), ['message_id'], unique=False)


def downgrade():
    op.drop_table('message_recipients')
    op.drop_table('messages')
