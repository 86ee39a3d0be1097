"""room members: when each participant first joined

A newcomer waits a few seconds before writing in a group room (moderation/flood.py).
The wait ran from every join, so a reconnect or a reload started it again and a
message written meanwhile was refused; it now runs once from the participant's first
join, recorded here. Rows from before have none (no wait).

Revision ID: 0012_member_joined_at
Revises: 0011_reserved_topic_slugs
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kuulolla.core.db

revision: str = "0012_member_joined_at"
down_revision: str | None = "0011_reserved_topic_slugs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("joined_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("room_members", schema=None) as batch_op:
        batch_op.drop_column("joined_at")
