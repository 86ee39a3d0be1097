"""The duty desk's service against real SQLite and PostgreSQL: alerts with their text
and the messages before it, reports and held messages of the rooms a person serves,
taking an alert (once, recorded), escalation recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.moderation import desk, holds, message_reports
from kuulolla.moderation.desk_logic import Duty
from kuulolla.moderation.models import AuditEntry, CrisisAlert
from tests.helpers import NOW, make_room
from tests.moderation.test_service import org_of, write

pytestmark = pytest.mark.asyncio

AFTER = timedelta(minutes=2)


async def view(db: Database, room_id: int, duty: Duty, *, minutes: float = 0) -> desk.DeskView:
    return await desk.get_desk(
        db,
        organisation_id=await org_of(db, room_id),
        user_id=None,
        duty=duty,
        escalate_after=AFTER,
        now=NOW + timedelta(minutes=minutes),
    )


async def test_alert_shows_its_text_and_the_messages_before_it(db: Database) -> None:
    """A recorded alert is on a coordinator's desk with the message and two before it,
    not on the desk of someone on duty elsewhere."""
    room = await make_room(db)
    seqs = await write(db, room, ["eka", "toka", "kolmas", "en jaksa enää"])
    await desk.do_record_alert(
        db,
        room_id=room,
        seq=seqs[-1],
        held_id=None,
        category="suicide",
        source="lexicon",
        nick="Liisa",
        now=NOW,
    )
    shown = await view(db, room, Duty(any_time=True))
    assert [(i.kind, i.text, i.context) for i in shown.items] == [
        ("crisis", "en jaksa enää", [("Liisa", "toka"), ("Liisa", "kolmas")])
    ]
    assert shown.unacknowledged == 1
    assert (await view(db, room, Duty(rooms=frozenset({room + 1})))).items == []


async def test_reports_and_held_messages_of_served_rooms(db: Database) -> None:
    """Open reports (with the reported message's writer and text) and held messages of
    a room the person is checked in on are on their desk, newest first."""
    room = await make_room(db)
    seqs = await write(db, room, ["ilkeä viesti"])
    await message_reports.do_report(
        db, room_id=room, seq=seqs[0], reason="abuse", reporter_key=b"r" * 16, now=NOW
    )
    await holds.do_hold(
        db,
        room_id=room,
        author_key=b"a" * 16,
        nick="Aino",
        role="visitor",
        text="katso ⟦phone⟧",
        ref_key=b"k" * 16,
        reasons=("link",),
        crisis="",
        now=NOW + timedelta(seconds=1),
    )
    shown = await view(db, room, Duty(rooms=frozenset({room})))
    assert [(i.kind, i.nick, i.text) for i in shown.items] == [
        ("held", "Aino", "katso ⟦phone⟧"),
        ("report", "Liisa", "ilkeä viesti"),
    ]


async def test_taking_an_alert_once_is_recorded_and_escalation_stops(db: Database) -> None:
    """An alert nobody took escalates (marked and returned once); taken, it shows who has it, a
    second person cannot take it from them, and the moderation log has one entry."""
    room = await make_room(db)
    seqs = await write(db, room, ["haluan kuolla"])
    alert_id = await desk.do_record_alert(
        db,
        room_id=room,
        seq=seqs[0],
        held_id=None,
        category="suicide",
        source="lexicon",
        nick="Liisa",
        now=NOW,
    )
    late = await view(db, room, Duty(any_time=True), minutes=3)
    assert [i.escalated for i in late.items] == [True]
    assert await desk.do_escalate_due(db, after=AFTER, now=NOW + timedelta(minutes=1)) == []
    escalated = await desk.do_escalate_due(db, after=AFTER, now=NOW + timedelta(minutes=3))
    assert [e.alert_id for e in escalated] == [alert_id]
    assert await desk.do_escalate_due(db, after=AFTER, now=NOW + timedelta(minutes=4)) == []
    async with db.read_session() as session:
        assert await session.scalar(select(CrisisAlert.escalated_at)) is not None
    org = await org_of(db, room)
    who = await desk.do_acknowledge(
        db,
        organisation_id=org,
        alert_id=alert_id,
        user_id=None,
        duty=Duty(any_time=True),
        escalate_after=AFTER,
        now=NOW + timedelta(minutes=4),
    )
    again = await desk.do_acknowledge(
        db,
        organisation_id=org,
        alert_id=alert_id,
        user_id=None,
        duty=Duty(any_time=True),
        escalate_after=AFTER,
        now=NOW + timedelta(minutes=5),
    )
    assert who == again == ""
    taken = await view(db, room, Duty(any_time=True), minutes=6)
    assert taken.items[0].acked_at is not None and taken.unacknowledged == 0
    async with db.read_session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions == ["alert.ack"]


async def test_alert_of_another_organisation_cannot_be_taken(db: Database) -> None:
    """Taking an alert through another organisation's desk changes nothing."""
    room = await make_room(db)
    other = await make_room(db, "toinen", org="toinen")
    seqs = await write(db, room, ["haluan kuolla"])
    alert_id = await desk.do_record_alert(
        db,
        room_id=room,
        seq=seqs[0],
        held_id=None,
        category="suicide",
        source="lexicon",
        nick="Liisa",
        now=NOW,
    )
    with pytest.raises(desk.AlertNotFound):
        await desk.do_acknowledge(
            db,
            organisation_id=await org_of(db, other),
            alert_id=alert_id,
            user_id=None,
            duty=Duty(any_time=True),
            escalate_after=AFTER,
            now=NOW,
        )
    assert (await view(db, room, Duty(any_time=True))).unacknowledged == 1
