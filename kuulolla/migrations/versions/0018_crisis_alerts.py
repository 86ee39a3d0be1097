"""moderation: crisis alerts for the duty desk (acknowledged, escalated)

Revision ID: 0018_crisis_alerts
Revises: 0017_room_qualification
Create Date: 2026-12-07 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kuulolla.core.db

revision: str = "0018_crisis_alerts"
down_revision: str | None = "0017_room_qualification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderation_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("held_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=8), server_default="lexicon", nullable=False),
        sa.Column("nick", sa.String(length=64), nullable=False),
        sa.Column("created_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acked_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acked_by", sa.Integer(), nullable=True),
        sa.Column("escalated_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["acked_by"],
            ["staff_users.id"],
            name=op.f("fk_moderation_alerts_acked_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_moderation_alerts_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_alerts")),
    )
    op.create_index(
        "ix_moderation_alerts_room", "moderation_alerts", ["room_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_moderation_alerts_created_at"), "moderation_alerts", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_moderation_alerts_created_at"), table_name="moderation_alerts")
    op.drop_index("ix_moderation_alerts_room", table_name="moderation_alerts")
    op.drop_table("moderation_alerts")
