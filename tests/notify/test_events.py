"""E-mail of what waits for staff besides escalations, against real SQLite and
PostgreSQL and a local SMTP server: a call for volunteers reaches by e-mail those who
chose calls, once, without the coordinator's words; a visitor waiting while no helper
has the console open reaches those who chose it, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.notify import service, tasks
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueTopic
from kuulolla.shifts import notices
from kuulolla.shifts.models import ShiftRow
from tests.conftest import make_settings
from tests.notify.conftest import Inbox
from tests.shifts.world import NOW, build, weekly_template

pytestmark = pytest.mark.asyncio


async def choose(db: Database, user_id: int, address: str, *events: str) -> None:
    await service.do_set_choice(
        db, user_id=user_id, email=address, mode="immediate", events=events, now=NOW
    )


async def test_a_call_for_volunteers_is_e_mailed_once_to_who_chose_calls(
    db: Database, db_url: str, smtp: tuple[str, Inbox]
) -> None:
    """host2 chose calls, host3 only escalations: after the coordinator's call, one
    round e-mails host2 a link to the shifts without the call's words; host3 gets
    nothing, and the next round sends nothing again."""
    url, inbox = smtp
    world = await build(db)
    await choose(db, world.people["host2"], "host2@example.fi", "calls")
    await choose(db, world.people["host3"], "host3@example.fi", "escalation")
    await weekly_template(db, world)
    async with db.read_session() as session:
        shift = (await session.scalars(select(ShiftRow).order_by(ShiftRow.starts_at))).first()
    assert shift is not None
    await notices.do_post_call(
        db,
        organisation_id=world.org_id,
        shift_id=shift.id,
        coordinator_id=world.people["coord"],
        message="Tarvitaan yksi, soita 040 123 4567",
        now=NOW + timedelta(minutes=1),
    )
    settings = make_settings(db_url, smtp_url=url, public_url="https://kuulolla.example")
    later = NOW + timedelta(minutes=2)
    assert await tasks.do_notify_round(db, settings=settings, now=later) == 1
    assert await tasks.do_notify_round(db, settings=settings, now=later) == 0
    [mail] = inbox.kept
    assert mail["To"] == "host2@example.fi"
    assert mail["Subject"] == "Kuulolla: tekijöitä haetaan vuoroon"
    body = mail.get_content()
    assert "https://kuulolla.example/orgs/jarjesto/shifts" in body
    assert "Tarvitaan" not in body and "040" not in body


async def test_a_lone_queue_is_e_mailed_once_until_a_helper_watches(
    db: Database, db_url: str, smtp: tuple[str, Inbox]
) -> None:
    """A visitor waits and no helper's console is open: who chose it is e-mailed once,
    naming the topic; with a helper's console open, a second visitor is not e-mailed."""
    url, inbox = smtp
    world = await build(db)
    await choose(db, world.people["coord"], "coord@example.fi", "queue")
    async with db.session() as session:
        topic = QueueTopic(
            organisation_id=world.org_id, slug="nuoret", name_fi="Nuoret", created_at=NOW
        )
        session.add(topic)
        await session.flush()
        session.add(
            QueueEntry(
                topic_id=topic.id,
                visitor_key=b"1" * 16,
                state="waiting",
                queued_at=NOW,
                visitor_seen_at=NOW,
            )
        )
        topic_id = topic.id
    settings = make_settings(db_url, smtp_url=url)
    assert await tasks.do_notify_round(db, settings=settings, now=NOW) == 1
    assert await tasks.do_notify_round(db, settings=settings, now=NOW) == 0
    assert "Nuoret" in inbox.kept[0].get_content()
    async with db.session() as session:
        session.add(
            QueueHelper(
                user_id=world.people["host1"],
                organisation_id=world.org_id,
                available=True,
                seen_at=NOW,
            )
        )
        session.add(
            QueueEntry(
                topic_id=topic_id,
                visitor_key=b"2" * 16,
                state="waiting",
                queued_at=NOW,
                visitor_seen_at=NOW,
            )
        )
    assert await tasks.do_notify_round(db, settings=settings, now=NOW) == 0
    assert len(inbox.kept) == 1
