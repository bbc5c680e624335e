"""accounts: staff second factor (TOTP, recovery codes); outbox: a stable Message-ID

Revision ID: b7c1d2e3f4a5
Revises: c3e5a7b9d1f4
Create Date: 2026-11-26 16:20:00

"""
import uuid

from alembic import op
import sqlalchemy as sa

import network.core.time


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = 'c3e5a7b9d1f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', network.core.time.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))

    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', network.core.time.UTCDateTime(), nullable=True),
        sa.Column('created_at', network.core.time.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash')),
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
    # Mail already waiting gets its stable Message-ID now, like new mail at enqueue.
    bind = op.get_bind()
    for (row_id,) in bind.execute(sa.text("SELECT id FROM outbox_messages")).fetchall():
        bind.execute(sa.text("UPDATE outbox_messages SET message_id = :m WHERE id = :i"),
                     {"m": f"<{uuid.uuid4().hex}@outbox.invalid>", "i": row_id})
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_messages_message_id'),
                                          ['message_id'])


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_messages_message_id'), type_='unique')
        batch_op.drop_column('message_id')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
