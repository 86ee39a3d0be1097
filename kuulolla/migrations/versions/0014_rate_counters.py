"""core: counters of the shared limiter (core/limits.py) for deployments without Redis

Revision ID: 0014_rate_counters
Revises: 0013_room_nicks
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_rate_counters"
down_revision: str | None = "0013_room_nicks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("ends_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    op.create_index(op.f("ix_rate_counters_ends_ms"), "rate_counters", ["ends_ms"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_counters_ends_ms"), table_name="rate_counters")
    op.drop_table("rate_counters")
