"""updates are kept in an inbox before they are acknowledged, and claimed by workers; what the
chat front end remembers of a person is one row, read and written with each of their updates

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WAITING = sa.text("state = 'waiting'")
USER_NAMESPACE = "user"
CONVERSATION_NAMESPACE = "conversation:"
# A flow carried over is given the quiet time a flow gets from its last step.
FLOW_TIMEOUT = timedelta(minutes=30)


def upgrade() -> None:
    person_state = op.create_table(
        "person_state",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_data", sa.Text(), nullable=False),
        sa.Column("flows", sa.Text(), nullable=False),
        sa.Column("flows_expire_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_person_state")),
    )
    op.create_index(
        op.f("ix_person_state_flows_expire_at"), "person_state", ["flows_expire_at"]
    )
    op.create_table(
        "inbox_update",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sender", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("waiting", "done", "dropped", "dead", name="inbox_state",
                    native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),  # fmt: skip
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_update")),
        sa.UniqueConstraint("source", "update_id", name=op.f("uq_inbox_update_source")),
    )
    op.create_index(
        "ix_inbox_update_waiting_by_sender", "inbox_update", ["sender", "update_id"],
        postgresql_where=WAITING, sqlite_where=WAITING,
    )  # fmt: skip
    op.create_index(
        "ix_inbox_update_waiting", "inbox_update", ["id"],
        postgresql_where=WAITING, sqlite_where=WAITING,
    )  # fmt: skip
    op.create_index(op.f("ix_inbox_update_finished_at"), "inbox_update", ["finished_at"])
    _carry_kept_states_over(person_state)
    op.drop_table("kept_state")
    op.drop_index(op.f("ix_delivery_processed_at"), table_name="delivery")
    op.drop_table("delivery")


def _carry_kept_states_over(person_state: sa.Table) -> None:
    """Each person's user data and flow steps, from one row per namespace and key to one row
    per person."""
    rows = op.get_bind().execute(sa.text("SELECT namespace, key, value FROM kept_state"))
    people: dict[int, dict[str, object]] = {}
    expire_at = datetime.now(UTC) + FLOW_TIMEOUT
    for namespace, key, value in rows:
        if namespace == USER_NAMESPACE:
            people.setdefault(int(key), {"flows": {}})["user_data"] = value
        elif namespace.startswith(CONVERSATION_NAMESPACE):
            chat_id, user_id = json.loads(key)
            flows = people.setdefault(int(user_id), {"flows": {}})["flows"]
            assert isinstance(flows, dict)
            flow = flows.setdefault(namespace.removeprefix(CONVERSATION_NAMESPACE), {})
            flow[str(chat_id)] = [json.loads(value), expire_at.isoformat()]
    op.bulk_insert(person_state, [
        {
            "telegram_user_id": user_id, "user_data": kept.get("user_data", "{}"),
            "flows": json.dumps(kept["flows"]),
            "flows_expire_at": expire_at if kept["flows"] else None,
        }
        for user_id, kept in people.items()
    ])  # fmt: skip


def downgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("source", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "update_id", name=op.f("pk_delivery")),
    )
    op.create_index(op.f("ix_delivery_processed_at"), "delivery", ["processed_at"])
    op.create_table(
        "kept_state",
        sa.Column("namespace", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("namespace", "key", name=op.f("pk_kept_state")),
    )
    op.drop_index(op.f("ix_inbox_update_finished_at"), table_name="inbox_update")
    op.drop_index("ix_inbox_update_waiting", table_name="inbox_update")
    op.drop_index("ix_inbox_update_waiting_by_sender", table_name="inbox_update")
    op.drop_table("inbox_update")
    op.drop_index(op.f("ix_person_state_flows_expire_at"), table_name="person_state")
    op.drop_table("person_state")
