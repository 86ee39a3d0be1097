"""Imports every model module so the metadata is complete (Alembic, test set-up)."""

from __future__ import annotations


def load_all() -> None:
    import kuulolla.accounts.models
    import kuulolla.chat.models
    import kuulolla.core.models
    import kuulolla.directory.models
    import kuulolla.embed.models
    import kuulolla.moderation.models
    import kuulolla.notify.models
    import kuulolla.privacy.models
    import kuulolla.questions.models
    import kuulolla.queue.models
    import kuulolla.rooms.models
    import kuulolla.shifts.models  # noqa: F401
