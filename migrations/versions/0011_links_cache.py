"""several private links per registration (hashes, creation, last use, revocation); public document cache

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_registration_links_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_registration_links_token_hash')),
    )
    with op.batch_alter_table('registration_links') as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_links_registration_id'), ['registration_id'], unique=False)
    # Every link issued so far keeps working.
    op.execute("INSERT INTO registration_links (registration_id, token_hash, created_at) "
               "SELECT id, token_hash, created_at FROM registrations WHERE token_hash IS NOT NULL")
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=True)
    op.create_table(
        'document_cache',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('document', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_document_cache_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_document_cache')),
    )
    with op.batch_alter_table('document_cache') as batch_op:
        batch_op.create_index(batch_op.f('ix_document_cache_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_cache') as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_cache_meeting_id'))
    op.drop_table('document_cache')
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table('registration_links') as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_links_registration_id'))
    op.drop_table('registration_links')
