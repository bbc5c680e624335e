"""registration locale: the language a person registered in, for every later mail

Revision ID: e7c4a1f2b9d0
Revises: d00r2a1b2c3d
Create Date: 2026-11-26 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'e7c4a1f2b9d0'
down_revision = 'd00r2a1b2c3d'
branch_labels = None
depends_on = None


def upgrade():
    # Registrations made before the site spoke other languages were made in French.
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=False,
                                      server_default='fr'))


def downgrade():
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_column('locale')
