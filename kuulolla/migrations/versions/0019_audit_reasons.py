"""moderation: a moderator's reason as a preset and the length of a restriction

Revision ID: 0019_audit_reasons
Revises: 0018_crisis_alerts
Create Date: 2026-12-07 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_audit_reasons"
down_revision: str | None = "0018_crisis_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("moderation_audit") as batch:
        batch.add_column(
            sa.Column("preset", sa.String(length=24), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("moderation_audit") as batch:
        batch.drop_column("seconds")
        batch.drop_column("preset")
