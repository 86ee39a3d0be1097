"""questions: the crisis category the screening found in a question

Revision ID: 0010_question_crisis
Revises: 0009_queue
Create Date: 2026-11-23 07:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_question_crisis"
down_revision: str | None = "0009_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("crisis", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("crisis")
