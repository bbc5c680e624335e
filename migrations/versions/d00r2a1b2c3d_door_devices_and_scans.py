"""door devices and scans

Revision ID: d00r2a1b2c3d
Revises: e5a1b2c3d4f6
Create Date: 2026-11-26 17:30:00

"""
from alembic import op
import sqlalchemy as sa

import network.core.time


revision = 'd00r2a1b2c3d'
down_revision = 'e5a1b2c3d4f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('door_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', network.core.time.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', network.core.time.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_door_devices_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_door_devices_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_door_devices_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['door_volunteers.id'], name=op.f('fk_door_devices_volunteer_id_door_volunteers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_door_devices_token_hash'))
    )
    with op.batch_alter_table('door_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_door_devices_event_id'), ['event_id'], unique=False)

    op.create_table('door_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('scanned_at', network.core.time.UTCDateTime(), nullable=False),
    sa.Column('received_at', network.core.time.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['door_devices.id'], name=op.f('fk_door_scans_device_id_door_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_door_scans_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['event_registrations.id'], name=op.f('fk_door_scans_registration_id_event_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_scans')),
    sa.UniqueConstraint('device_id', 'nonce', name=op.f('uq_door_scans_device_id_nonce'))
    )
    with op.batch_alter_table('door_scans', schema=None) as batch_op:
        batch_op.create_index('ix_door_scans_registration', ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_door_scans_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('door_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_door_scans_event_id'))
        batch_op.drop_index('ix_door_scans_registration')
    op.drop_table('door_scans')
    with op.batch_alter_table('door_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_door_devices_event_id'))
    op.drop_table('door_devices')
