"""rooms: the training a room requires of its hosts

Revision ID: 0017_room_qualification
Revises: 0016_embed_origins
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_room_qualification"
down_revision: str | None = "0016_embed_origins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(sa.Column("qualification_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_rooms_qualification_id_qualifications"),
            "qualifications",
            ["qualification_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("rooms") as batch:
        batch.drop_constraint(op.f("fk_rooms_qualification_id_qualifications"), type_="foreignkey")
        batch.drop_column("qualification_id")
