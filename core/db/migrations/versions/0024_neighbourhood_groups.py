"""neighbourhood groups: group chats the bot was added to, and spots offered to them first or
only

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_community_chat_id")),
    )
    op.create_table(
        "spot_community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("only", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["spot_id"], ["spot.id"], name=op.f("fk_spot_community_spot_id_spot")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"],
            name=op.f("fk_spot_community_community_id_community"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_community")),
        sa.UniqueConstraint(
            "spot_id", "community_id", name=op.f("uq_spot_community_spot_id")
        ),
    )
    op.create_index(op.f("ix_spot_community_spot_id"), "spot_community", ["spot_id"])
    op.create_index(op.f("ix_spot_community_community_id"), "spot_community", ["community_id"])


def downgrade() -> None:
    op.drop_table("spot_community")
    op.drop_table("community")
