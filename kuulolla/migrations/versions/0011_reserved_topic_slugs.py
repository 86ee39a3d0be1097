"""queue topics: rename any topic whose slug is a reserved path name

A topic called "new" could not be edited: the coordinator's
/orgs/<org>/queue/topics/new (the form for a new topic) comes first. The fixed
/chat/<name> paths answer only POST, so a topic page of such a name was still
reachable, but no topic may take those names either (queue/logic.py,
RESERVED_SLUGS), and checking that a topic's slug is not reserved came after topics
could be created. Such a topic gets the first free "<slug>-topic", "<slug>-topic-2", …;
its id, conversations and shifts are unchanged.

Revision ID: 0011_reserved_topic_slugs
Revises: 0010_question_crisis
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_reserved_topic_slugs"
down_revision: str | None = "0010_question_crisis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The list as it stood when this migration was written (a migration does not follow
# later changes of the application's code).
RESERVED = ("status", "leave", "feedback", "return-code", "delete", "enter", "new")

topics = sa.table("queue_topics", sa.column("id", sa.Integer), sa.column("slug", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    clashing = bind.execute(
        sa.select(topics.c.id, topics.c.slug).where(topics.c.slug.in_(RESERVED))
    ).all()
    if not clashing:
        return
    taken = set(bind.execute(sa.select(topics.c.slug)).scalars())
    for topic_id, slug in sorted(clashing):
        candidate = f"{slug}-topic"
        n = 2
        while candidate in taken:
            candidate = f"{slug}-topic-{n}"
            n += 1
        taken.add(candidate)
        bind.execute(sa.update(topics).where(topics.c.id == topic_id).values(slug=candidate))


def downgrade() -> None:
    # The old names cannot be told apart from topics made since under the new ones,
    # and they were the problem: nothing to undo.
    pass
