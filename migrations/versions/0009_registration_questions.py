"""registration questions: a meeting's own questions on the registration form, and the answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('text', 'long_text', 'yes_no', 'choice', 'multiple_choice', 'date', 'number',
                                  name='questionkind', native_enum=False, length=20), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('help_text', sa.String(length=500), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('translations', sa.JSON(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('min_value', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('max_value', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('dates_in_meeting_month', sa.Boolean(), nullable=False),
        sa.Column('on_manifest', sa.Boolean(), nullable=False),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('preset', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('min_value IS NULL OR max_value IS NULL OR min_value <= max_value', name=op.f('ck_registration_questions_range_ordered')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_registration_questions_meeting_id_meetings'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['visit_id'], ['field_visits.id'], name=op.f('fk_registration_questions_visit_id_field_visits'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_questions')),
    )
    with op.batch_alter_table('registration_questions') as batch_op:
        batch_op.create_index('ix_registration_questions_meeting_id', ['meeting_id'], unique=False)
    op.create_table(
        'question_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['registration_questions.id'], name=op.f('fk_question_answers_question_id_registration_questions'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_question_answers_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_answers')),
    )
    with op.batch_alter_table('question_answers') as batch_op:
        batch_op.create_index('ix_question_answers_question_id', ['question_id'], unique=False)
        batch_op.create_index('ix_question_answers_registration_id', ['registration_id'], unique=False)


def downgrade():
    op.drop_table('question_answers')
    op.drop_table('registration_questions')
