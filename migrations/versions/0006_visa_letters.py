"""visa invitation letters: the rest of the document data, the request and its decision, the letterhead

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 17:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations') as batch_op:
        batch_op.add_column(sa.Column('id_type', sa.Enum('passport', 'id_card', name='idtype', native_enum=False,
                                                         length=20), nullable=True))
        batch_op.add_column(sa.Column('id_expiry', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('id_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('needs_visa_letter', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('visa_letter', sa.Enum('requested', 'approved', 'declined',
                                                             name='visaletterstatus', native_enum=False, length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column('visa_letter_decided_at', sa.DateTime(), nullable=True))
    op.create_table(
        'letterheads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('signatory_name', sa.String(length=120), nullable=False),
        sa.Column('signatory_title', sa.String(length=200), nullable=False),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('logo_file', sa.String(length=80), nullable=True),
        sa.Column('signature_file', sa.String(length=80), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_letterheads_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letterheads')),
        sa.UniqueConstraint('meeting_id', name=op.f('uq_letterheads_meeting_id')),
    )


def downgrade():
    op.drop_table('letterheads')
    with op.batch_alter_table('registrations') as batch_op:
        for column in ('visa_letter_decided_at', 'visa_letter', 'needs_visa_letter', 'id_name', 'id_expiry', 'id_type'):
            batch_op.drop_column(column)
