"""answers follow their meeting: an answered question is still refused deletion on its own, but deleting the
whole meeting (its registrations and answers with it) no longer trips on the order of the cascades

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 21:05:00

"""
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

NAME = 'fk_question_answers_question_id_registration_questions'


def _point_answers_at_questions(ondelete):
    # NO ACTION is checked at the end of the statement (after the meeting's cascades have removed the
    # answers); RESTRICT at once, before them. Both refuse to delete a question that still has answers.
    with op.batch_alter_table('question_answers') as batch:
        batch.drop_constraint(NAME, type_='foreignkey')
        batch.create_foreign_key(NAME, 'registration_questions', ['question_id'], ['id'], ondelete=ondelete)


def upgrade():
    _point_answers_at_questions(None)


def downgrade():
    _point_answers_at_questions('RESTRICT')
