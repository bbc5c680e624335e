"""events: territory as a key to the directory's table, organisation kept on registrations,
"already registered" mail cap, personal data purge mark

Revision ID: c3e5a7b9d1f4
Revises: 6fd250846a7f
Create Date: 2026-11-26 16:30:00

The data step maps each event's old territory code to the id of the directory territory with
that code, creating the territory (named as the code was shown) when the directory lacks it.
Frozen history: this file imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

import network.core.time

revision = 'c3e5a7b9d1f4'
down_revision = '6fd250846a7f'
branch_labels = None
depends_on = None

# The names the five historical codes were shown with (used only if the directory lacks them).
KNOWN_NAMES = {
    "metz": "Metz",
    "thionville": "Thionville",
    "forbach-boulay": "Forbach – Boulay-Moselle",
    "sarreguemines-bitche": "Sarreguemines – Bitche",
    "sarrebourg-chateau-salins": "Sarrebourg – Château-Salins",
}


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory_id', sa.Integer(), nullable=True))

    bind = op.get_bind()
    codes = [row[0] for row in bind.execute(sa.text("SELECT DISTINCT territory FROM events"))]
    for code in codes:
        found = bind.execute(sa.text("SELECT id FROM directory_territories WHERE code = :c"),
                             {"c": code}).scalar()
        if found is None:
            bind.execute(sa.text(
                "INSERT INTO directory_territories (code, name, position, is_active) "
                "VALUES (:c, :n, 100, :a)"), {"c": code, "n": KNOWN_NAMES.get(code, code),
                                              "a": True})
            found = bind.execute(sa.text(
                "SELECT id FROM directory_territories WHERE code = :c"), {"c": code}).scalar()
        bind.execute(sa.text("UPDATE events SET territory_id = :i WHERE territory = :c"),
                     {"i": found, "c": code})

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('territory_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_events_territory_id'), ['territory_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_events_territory_id_directory_territories'),
                                    'directory_territories', ['territory_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_index(batch_op.f('ix_events_territory'))
        batch_op.drop_column('territory')

    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resent_count', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('resent_window_at', network.core.time.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('purged_at', network.core.time.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_event_registrations_organisation_id'),
                              ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_registrations_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_registrations_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_registrations_organisation_id'))
        batch_op.drop_column('purged_at')
        batch_op.drop_column('resent_window_at')
        batch_op.drop_column('resent_count')
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory', sa.String(length=40), nullable=True))
    op.get_bind().execute(sa.text(
        "UPDATE events SET territory = (SELECT code FROM directory_territories "
        "WHERE directory_territories.id = events.territory_id)"))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('territory', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_index(batch_op.f('ix_events_territory'), ['territory'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_events_territory_id_directory_territories'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_events_territory_id'))
        batch_op.drop_column('territory_id')
