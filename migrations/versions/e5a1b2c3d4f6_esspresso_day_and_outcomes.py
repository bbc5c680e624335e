"""esspresso day and outcomes: meetings marked held or missed, their invite sequence, each
side's outcome, the one outcome reminder

Revision ID: e5a1b2c3d4f6
Revises: bcd1620dcdb3
Create Date: 2026-11-26 17:30:00

"""
import sqlalchemy as sa
from alembic import op

import network.core.time

# revision identifiers, used by Alembic.
revision = 'e5a1b2c3d4f6'
down_revision = 'bcd1620dcdb3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance', sa.Enum('held', 'missed', name='attendance', native_enum=False, length=10), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('meeting_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcomes_reminded_at', network.core.time.UTCDateTime(), nullable=True))
    op.create_table('meeting_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('was_held', sa.Boolean(), nullable=False),
    sa.Column('follow_up', sa.Enum('none', 'quote', 'partnership', 'contract', name='followup', native_enum=False, length=12), nullable=False),
    sa.Column('amount', sa.String(length=12), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', network.core.time.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting_bookings.id'], name=op.f('fk_meeting_outcomes_meeting_id_meeting_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['meeting_participants.id'], name=op.f('fk_meeting_outcomes_participant_id_meeting_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_meeting_outcomes_reported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['meeting_sessions.id'], name=op.f('fk_meeting_outcomes_session_id_meeting_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_outcomes')),
    sa.UniqueConstraint('meeting_id', 'participant_id', name=op.f('uq_meeting_outcomes_meeting_id_participant_id'))
    )
    with op.batch_alter_table('meeting_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_outcomes_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_session_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_participant_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_outcomes_meeting_id'))
    op.drop_table('meeting_outcomes')
    with op.batch_alter_table('meeting_participants', schema=None) as batch_op:
        batch_op.drop_column('outcomes_reminded_at')
    with op.batch_alter_table('meeting_bookings', schema=None) as batch_op:
        batch_op.drop_column('sequence')
        batch_op.drop_column('attendance')
