"""room_nicks: visitors' nicknames held in a group room while they are there

Revision ID: 0013_room_nicks
Revises: 0012_member_joined_at
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kuulolla.core.db

revision: str = "0013_room_nicks"
down_revision: str | None = "0012_member_joined_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "room_nicks",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("nick_key", sa.LargeBinary(length=16), nullable=False),
        sa.Column("author_key", sa.LargeBinary(length=16), nullable=False),
        sa.Column("expires_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"],
            ["rooms.id"],
            name=op.f("fk_room_nicks_room_id_rooms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("room_id", "nick_key", name=op.f("pk_room_nicks")),
    )
    with op.batch_alter_table("room_nicks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_nicks_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("room_nicks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_nicks_expires_at"))
    op.drop_table("room_nicks")
