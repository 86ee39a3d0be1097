"""messages: the retention purge's index is (room_id, created_at)

The purge deletes an organisation's rooms' messages older than its period. With an
index on created_at alone each of its batches walked past every other organisation's
old rows (kept longer, or not yet purged); (room_id, created_at) gives each room's
expired rows as one range. On PostgreSQL the new index is built CONCURRENTLY, so the
chat keeps writing while it is built.

Revision ID: 0023_messages_room_created
Revises: 0022_topic_audience
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023_messages_room_created"
down_revision: str | None = "0022_topic_audience"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _swap(create: tuple[str, list[str]], drop: str) -> None:
    name, columns = create
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")  # a failed earlier try
            op.create_index(name, "messages", columns, unique=False, postgresql_concurrently=True)
            op.drop_index(drop, table_name="messages", postgresql_concurrently=True)
        return
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(name, columns, unique=False)
        batch_op.drop_index(drop)


def upgrade() -> None:
    _swap(("ix_messages_room_created", ["room_id", "created_at"]), "ix_messages_created_at")


def downgrade() -> None:
    _swap(("ix_messages_created_at", ["created_at"]), "ix_messages_room_created")
