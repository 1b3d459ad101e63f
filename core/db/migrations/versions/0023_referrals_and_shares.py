"""who brought whom by a shared link, and spot cards sent to chats from inline mode

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("referral_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("referred_by_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_person_referral_code"), ["referral_code"])
        batch.create_foreign_key(
            batch.f("fk_person_referred_by_id_person"), "person", ["referred_by_id"], ["id"]
        )
        batch.create_index(batch.f("ix_person_referred_by_id"), ["referred_by_id"])
    op.create_table(
        "spot_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["spot_id"], ["spot.id"], name=op.f("fk_spot_share_spot_id_spot")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_spot_share_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_share")),
    )
    op.create_index(op.f("ix_spot_share_spot_id"), "spot_share", ["spot_id"])
    op.create_index(op.f("ix_spot_share_person_id"), "spot_share", ["person_id"])
    op.create_index(op.f("ix_spot_share_created_at"), "spot_share", ["created_at"])


def downgrade() -> None:
    op.drop_table("spot_share")
    with op.batch_alter_table("person") as batch:
        batch.drop_index(batch.f("ix_person_referred_by_id"))
        batch.drop_constraint(batch.f("fk_person_referred_by_id_person"), type_="foreignkey")
        batch.drop_constraint(batch.f("uq_person_referral_code"), type_="unique")
        batch.drop_column("referred_by_id")
        batch.drop_column("referral_code")
