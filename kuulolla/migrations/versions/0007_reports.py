"""reports: minimal statistical event records

Revision ID: 0007_reports
Revises: 0006_moderation
Create Date: 2026-11-23 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kuulolla.core.db

revision: str = "0007_reports"
down_revision: str | None = "0006_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("hour", kuulolla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_report_events_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_report_events_room_id_rooms"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_report_events_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
    )
    op.create_index(
        "ix_report_events_org_kind_hour",
        "report_events",
        ["organisation_id", "kind", "hour"],
        unique=False,
    )
    op.create_index(op.f("ix_report_events_hour"), "report_events", ["hour"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_events_hour"), table_name="report_events")
    op.drop_index("ix_report_events_org_kind_hour", table_name="report_events")
    op.drop_table("report_events")
