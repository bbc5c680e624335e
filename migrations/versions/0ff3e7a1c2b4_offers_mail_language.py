"""offers: the language a guest's answer and alert mails are written in

Revision ID: 0ff3e7a1c2b4
Revises: d00r2a1b2c3d
Create Date: 2026-11-26 19:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0ff3e7a1c2b4'
down_revision = 'e7c4a1f2b9d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offer_answers') as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
    with op.batch_alter_table('offer_saved_searches') as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('offer_saved_searches') as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('offer_answers') as batch_op:
        batch_op.drop_column('locale')
