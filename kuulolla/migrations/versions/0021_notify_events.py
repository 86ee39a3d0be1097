"""notify: the kinds of e-mail each person wants, and what each e-mail is about

Revision ID: 0021_notify_events
Revises: 0020_notify
Create Date: 2026-12-07 07:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_notify_events"
down_revision: str | None = "0020_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notify_settings") as batch:
        batch.add_column(
            sa.Column("events", sa.String(length=200), server_default="escalation", nullable=False)
        )
    with op.batch_alter_table("notify_outbox") as batch:
        batch.add_column(sa.Column("event_key", sa.String(length=64), nullable=True))
    op.create_index(
        "ux_notify_outbox_event", "notify_outbox", ["user_id", "event_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_notify_outbox_event", table_name="notify_outbox")
    with op.batch_alter_table("notify_outbox") as batch:
        batch.drop_column("event_key")
    with op.batch_alter_table("notify_settings") as batch:
        batch.drop_column("events")
