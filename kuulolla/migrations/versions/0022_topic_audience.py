"""queue: whom a chat topic is for (everyone, young people, adults)

Revision ID: 0022_topic_audience
Revises: 0021_notify_events
Create Date: 2026-12-07 07:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_topic_audience"
down_revision: str | None = "0021_notify_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("queue_topics") as batch:
        batch.add_column(
            sa.Column("audience", sa.String(length=8), server_default="all", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("queue_topics") as batch:
        batch.drop_column("audience")
