"""retention periods per organisation and data kind

Revision ID: 0005_retention
Revises: 0002_accounts
Create Date: 2026-11-23 06:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kuulolla.core.db

revision: str = "0005_retention"
down_revision: str | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_retention_periods_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_periods")),
    )
    op.create_index(
        "uq_retention_periods_org_kind",
        "retention_periods",
        ["organisation_id", "kind"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_retention_periods_org_kind", table_name="retention_periods")
    op.drop_table("retention_periods")
