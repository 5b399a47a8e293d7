"""accompanying persons: companions of a registration, and their field-visit picks and sign-ups

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-27 20:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'companions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('first_name', sa.String(length=100), nullable=False),
        sa.Column('last_name', sa.String(length=100), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('diets', sa.String(length=200), server_default='', nullable=False),
        sa.Column('dietary', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_companions_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_companions')),
    )
    with op.batch_alter_table('companions') as batch:
        batch.create_index(batch.f('ix_companions_registration_id'), ['registration_id'], unique=False)
    with op.batch_alter_table('visit_bookings') as batch:
        batch.add_column(sa.Column('companion_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_visit_bookings_companion_id_companions'), 'companions',
                                 ['companion_id'], ['id'], ondelete='CASCADE')
        batch.create_index(batch.f('ix_visit_bookings_companion_id'), ['companion_id'], unique=False)
        batch.drop_constraint('uq_visit_bookings_registration_id', type_='unique')
    with op.batch_alter_table('session_signups') as batch:
        batch.add_column(sa.Column('companion_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_session_signups_companion_id_companions'), 'companions',
                                 ['companion_id'], ['id'], ondelete='CASCADE')
        batch.create_index(batch.f('ix_session_signups_companion_id'), ['companion_id'], unique=False)
        batch.drop_constraint('uq_session_signups_registration_id', type_='unique')
    # One pick of a visit, one sign-up for a session, per person (NULLs are distinct in a unique index, hence
    # the COALESCE).
    op.create_index('uq_visit_bookings_person_visit', 'visit_bookings',
                    ['registration_id', sa.text('coalesce(companion_id, 0)'), 'visit_id'], unique=True)
    op.create_index('uq_session_signups_person_session', 'session_signups',
                    ['registration_id', sa.text('coalesce(companion_id, 0)'), 'session_id'], unique=True)


def downgrade():
    op.drop_index('uq_session_signups_person_session', table_name='session_signups')
    op.execute('DELETE FROM session_signups WHERE companion_id IS NOT NULL')
    with op.batch_alter_table('session_signups') as batch:
        batch.create_unique_constraint('uq_session_signups_registration_id', ['registration_id', 'session_id'])
        batch.drop_index(batch.f('ix_session_signups_companion_id'))
        batch.drop_constraint(batch.f('fk_session_signups_companion_id_companions'), type_='foreignkey')
        batch.drop_column('companion_id')
    op.drop_index('uq_visit_bookings_person_visit', table_name='visit_bookings')
    op.execute('DELETE FROM visit_bookings WHERE companion_id IS NOT NULL')
    with op.batch_alter_table('visit_bookings') as batch:
        batch.create_unique_constraint('uq_visit_bookings_registration_id', ['registration_id', 'visit_id'])
        batch.drop_index(batch.f('ix_visit_bookings_companion_id'))
        batch.drop_constraint(batch.f('fk_visit_bookings_companion_id_companions'), type_='foreignkey')
        batch.drop_column('companion_id')
    with op.batch_alter_table('companions') as batch:
        batch.drop_index(batch.f('ix_companions_registration_id'))
    op.drop_table('companions')
