"""dietary choices: a delegate's dietary needs as countable choices beside the free text

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# Texts that name one choice exactly become that choice (the app does the same for new text).
KNOWN = {
    'vegetarian': 'vegetarian', 'végétarien': 'vegetarian', 'vegetariano': 'vegetarian',
    'vegan': 'vegan', 'végétalien': 'vegan', 'vegano': 'vegan',
    'halal': 'halal', 'kosher': 'kosher', 'casher': 'kosher',
    'gluten-free': 'gluten_free', 'gluten free': 'gluten_free', 'sans gluten': 'gluten_free', 'sin gluten': 'gluten_free',
    'lactose-free': 'lactose_free', 'lactose free': 'lactose_free', 'sans lactose': 'lactose_free',
    'sin lactosa': 'lactose_free', 'nut allergy': 'nut_allergy',
}


def upgrade():
    with op.batch_alter_table('registrations') as batch:
        batch.add_column(sa.Column('diets', sa.String(length=200), nullable=False, server_default=''))
    registrations = sa.table('registrations', sa.column('id', sa.Integer), sa.column('dietary', sa.String),
                             sa.column('diets', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(registrations.c.id, registrations.c.dietary)
                              .where(registrations.c.dietary != '')).all()
    for registration_id, text in rows:
        code = KNOWN.get(' '.join(text.casefold().split()).rstrip('.'))
        if code:
            connection.execute(registrations.update().where(registrations.c.id == registration_id)
                               .values(diets=code, dietary=''))


def downgrade():
    registrations = sa.table('registrations', sa.column('dietary', sa.String), sa.column('diets', sa.String))
    op.execute(registrations.update().where(registrations.c.dietary == '').where(registrations.c.diets != '')
               .values(dietary=registrations.c.diets))
    with op.batch_alter_table('registrations') as batch:
        batch.drop_column('diets')
