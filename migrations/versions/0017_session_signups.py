"""session sign-ups: meals and social events with places, picked like field visits

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions') as batch_op:
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_sessions_capacity_not_negative'), 'capacity >= 0')
    op.create_table(
        'session_signups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('booked', 'waitlisted', 'cancelled', name='bookingstatus', native_enum=False,
                                    length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_session_signups_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'],
                                name=op.f('fk_session_signups_session_id_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_signups')),
        sa.UniqueConstraint('registration_id', 'session_id', name=op.f('uq_session_signups_registration_id')),
    )
    with op.batch_alter_table('session_signups') as batch_op:
        batch_op.create_index('ix_session_signups_session_status', ['session_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_signups_registration_id'), ['registration_id'], unique=False)


def downgrade():
    op.drop_table('session_signups')
    with op.batch_alter_table('sessions') as batch_op:
        batch_op.drop_constraint(op.f('ck_sessions_capacity_not_negative'), type_='check')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('capacity')
