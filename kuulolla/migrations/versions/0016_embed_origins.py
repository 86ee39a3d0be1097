"""embed_origins: the sites each organisation allows to embed its chat

Revision ID: 0016_embed_origins
Revises: 0015_directory
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kuulolla.core.db

revision: str = "0016_embed_origins"
down_revision: str | None = "0015_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "embed_origins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("created_at", kuulolla.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_embed_origins_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embed_origins")),
        sa.UniqueConstraint(
            "organisation_id", "origin", name=op.f("uq_embed_origins_organisation_id_origin")
        ),
    )
    with op.batch_alter_table("embed_origins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_embed_origins_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("embed_origins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_embed_origins_organisation_id"))
    op.drop_table("embed_origins")
