"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kept_state',
    sa.Column('namespace', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('namespace', 'key', name=op.f('pk_kept_state'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('first_name', sa.String(length=64), nullable=False),
    sa.Column('roles', sa.Integer(), nullable=False),
    sa.Column('credit_score', sa.Integer(), nullable=False),
    sa.Column('banned', sa.Boolean(), nullable=False),
    sa.Column('ban_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('telegram_id', name=op.f('uq_person_telegram_id'))
    )
    op.create_table('spot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('cell', sa.BigInteger(), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('hourly_price_minor', sa.Integer(), nullable=False),
    sa.Column('daily_price_minor', sa.Integer(), nullable=True),
    sa.Column('covered', sa.Boolean(), nullable=False),
    sa.Column('ev_charger', sa.Boolean(), nullable=False),
    sa.Column('max_vehicle_size', sa.Enum('motorbike', 'small', 'medium', 'large', 'van', name='vehicle_size', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('access_instructions', sa.Text(), nullable=False),
    sa.Column('instant_booking', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'pending', 'approved', 'paused', 'rejected', 'deleted', name='spot_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('daily_price_minor IS NULL OR daily_price_minor >= 0', name=op.f('ck_spot_daily_price_not_negative')),
    sa.CheckConstraint('hourly_price_minor >= 0', name=op.f('ck_spot_hourly_price_not_negative')),
    sa.CheckConstraint('lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180', name=op.f('ck_spot_on_earth')),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_spot_owner_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot'))
    )
    with op.batch_alter_table('spot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_spot_status_cell', ['status', 'cell'], unique=False)

    op.create_table('availability_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('start_minute', sa.SmallInteger(), nullable=False),
    sa.Column('end_minute', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name=op.f('ck_availability_rule_minutes')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_availability_rule_weekday')),
    sa.ForeignKeyConstraint(['spot_id'], ['spot.id'], name=op.f('fk_availability_rule_spot_id_spot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_rule'))
    )
    with op.batch_alter_table('availability_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_rule_spot_id'), ['spot_id'], unique=False)

    op.create_table('availability_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_availability_window_ordered')),
    sa.ForeignKeyConstraint(['spot_id'], ['spot.id'], name=op.f('fk_availability_window_spot_id_spot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_window'))
    )
    with op.batch_alter_table('availability_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_window_spot_id'), ['spot_id'], unique=False)

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('driver_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('commission_minor', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'awaiting_payment', 'confirmed', 'active', 'completed', 'cancelled', 'expired', 'disputed', name='booking_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('commission_minor <= price_minor', name=op.f('ck_booking_commission_within_price')),
    sa.CheckConstraint('price_minor >= 0 AND commission_minor >= 0', name=op.f('ck_booking_amounts')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_booking_ordered')),
    sa.ForeignKeyConstraint(['driver_id'], ['person.id'], name=op.f('fk_booking_driver_id_person')),
    sa.ForeignKeyConstraint(['spot_id'], ['spot.id'], name=op.f('fk_booking_spot_id_spot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_driver_id'), ['driver_id'], unique=False)
        batch_op.create_index('ix_booking_spot_window', ['spot_id', 'start_at', 'end_at'], unique=False)
        batch_op.create_index('ix_booking_status_updated', ['status', 'updated_at'], unique=False)

    op.create_table('spot_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('telegram_file_id', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['spot_id'], ['spot.id'], name=op.f('fk_spot_photo_spot_id_spot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_photo')),
    sa.UniqueConstraint('spot_id', 'position', name=op.f('uq_spot_photo_spot_id'))
    )
    op.create_table('credit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_credit_event_booking_id_booking')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_credit_event_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_event'))
    )
    with op.batch_alter_table('credit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_event_person_id'), ['person_id'], unique=False)

    op.create_table('dispute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'claimed', 'resolved', name='dispute_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_dispute_booking_id_booking')),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], name=op.f('fk_dispute_manager_id_person')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['person.id'], name=op.f('fk_dispute_opened_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute'))
    )
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_booking_id'), ['booking_id'], unique=False)

    op.create_table('ledger_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_ledger_transaction_booking_id_booking')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transaction')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_transaction_idempotency_key'))
    )
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transaction_booking_id'), ['booking_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('gateway', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('succeeded', 'refund_due', 'refunded', name='payment_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('provider_charge_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_payment_booking_id_booking')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('external_id', name=op.f('uq_payment_external_id'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_booking_id'), ['booking_id'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('ratee_id', sa.Integer(), nullable=False),
    sa.Column('spot_id', sa.Integer(), nullable=True),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_rating_stars')),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_rating_booking_id_booking')),
    sa.ForeignKeyConstraint(['ratee_id'], ['person.id'], name=op.f('fk_rating_ratee_id_person')),
    sa.ForeignKeyConstraint(['rater_id'], ['person.id'], name=op.f('fk_rating_rater_id_person')),
    sa.ForeignKeyConstraint(['spot_id'], ['spot.id'], name=op.f('fk_rating_spot_id_spot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('booking_id', 'rater_id', name=op.f('uq_rating_booking_id'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_ratee_id'), ['ratee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_spot_id'), ['spot_id'], unique=False)

    op.create_table('relay_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('telegram_file_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_relay_message_booking_id_booking')),
    sa.ForeignKeyConstraint(['recipient_id'], ['person.id'], name=op.f('fk_relay_message_recipient_id_person')),
    sa.ForeignKeyConstraint(['sender_id'], ['person.id'], name=op.f('fk_relay_message_sender_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relay_message'))
    )
    with op.batch_alter_table('relay_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relay_message_booking_id'), ['booking_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transaction.id'], name=op.f('fk_ledger_entry_transaction_id_ledger_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_transaction_id'), ['transaction_id'], unique=False)


    if op.get_bind().dialect.name == "postgresql":
        # No double booking, enforced by the database: live bookings of one spot never overlap.
        # SQLite has no such constraint; there the booking service serialises writes instead.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE booking ADD CONSTRAINT ex_booking_no_overlap EXCLUDE USING gist "
            "(spot_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
            "WHERE (status IN ('requested', 'awaiting_payment', 'confirmed', 'active', 'disputed'))"
        )


def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_account'))

    op.drop_table('ledger_entry')
    with op.batch_alter_table('relay_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relay_message_booking_id'))

    op.drop_table('relay_message')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_spot_id'))
        batch_op.drop_index(batch_op.f('ix_rating_ratee_id'))

    op.drop_table('rating')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_booking_id'))

    op.drop_table('payment')
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_booking_id'))

    op.drop_table('ledger_transaction')
    with op.batch_alter_table('dispute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_booking_id'))

    op.drop_table('dispute')
    with op.batch_alter_table('credit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_event_person_id'))

    op.drop_table('credit_event')
    op.drop_table('spot_photo')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_status_updated')
        batch_op.drop_index('ix_booking_spot_window')
        batch_op.drop_index(batch_op.f('ix_booking_driver_id'))

    op.drop_table('booking')
    with op.batch_alter_table('availability_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_window_spot_id'))

    op.drop_table('availability_window')
    with op.batch_alter_table('availability_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_rule_spot_id'))

    op.drop_table('availability_rule')
    with op.batch_alter_table('spot', schema=None) as batch_op:
        batch_op.drop_index('ix_spot_status_cell')
        batch_op.drop_index(batch_op.f('ix_spot_owner_id'))

    op.drop_table('spot')
    op.drop_table('person')
    op.drop_table('kept_state')
