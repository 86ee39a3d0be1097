"""Feedback read by the organisation's coordinators: their own organisation's only,
within the retention period, newest first, personal data masked in the reader's words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kuulolla.core.db import Database
from kuulolla.queue import feedback
from kuulolla.queue.models import QueueFeedback
from tests.helpers import NOW
from tests.queue.helpers import build

pytestmark = pytest.mark.asyncio


async def test_feedback_of_the_organisation_within_the_period_masked(db: Database) -> None:
    """Only the organisation's feedback given since the start of the period is listed,
    newest first, with a phone number and an e-mail address hidden in words."""
    world = await build(db)
    day = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    async with db.session() as session:
        for topic_id, days_ago, rating, text in (
            (world.topic.id, 1, 5, "Kiitos! Soita 040 123 4567 tai maili@example.com"),
            (world.topic.id, 0, 2, "Ei auttanut."),
            (world.topic.id, 40, 4, "Liian vanha"),
            (world.other_topic.id, 0, 3, "Toisen järjestön"),
        ):
            session.add(
                QueueFeedback(
                    topic_id=topic_id,
                    helped=rating > 3,
                    rating=rating,
                    text=text,
                    created_at=day - timedelta(days=days_ago),
                )
            )
    rows = await feedback.list_feedback(
        db, organisation_id=world.org_id, since=day - timedelta(days=30), locale="fi"
    )
    assert [(r.topic, r.helped, r.rating, r.text) for r in rows] == [
        ("Nuorten chat", False, 2, "Ei auttanut."),
        (
            "Nuorten chat",
            True,
            5,
            "Kiitos! Soita [puhelinnumero piilotettu] tai [sähköpostiosoite piilotettu]",
        ),
    ]
