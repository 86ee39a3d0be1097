"""The demo roster: a realistic week of shifts, and a room (and a queue topic, where the
demo has one) open at any hour so a newcomer can always try the chat.

- "Omaishoitajat" (Arjen Tuki) has evening shifts Monday, Wednesday and Thursday
  18–21 for two volunteers and a professional with the training "Vertaisohjaaja";
  the demo people have signed up for some of them, so the calendar shows full and
  understaffed shifts. Outside them the room is closed and says when it opens next.
- "Vanhemmuus" has a round-the-clock daily shift held by the demo on-call host
  ("Päivystäjä"), checked in for every generated shift from its start, so the room is
  open at any hour. The first active queue topic of Arjen Tuki, if the demo has one,
  gets the same round-the-clock shift, so it has capacity at any hour.

Seeding writes the demo's own check-ins directly (a real check-in can happen only near
the start of a shift); everything else goes through the services. Idempotent.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta

from sqlalchemy import select

from kuulolla.accounts.models import Membership, Qualification, StaffQualification, StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError
from kuulolla.queue.models import QueueTopic
from kuulolla.rooms.models import Room
from kuulolla.shifts import horizon_runs, loading, roster, templates
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftPlace, ShiftRow, ShiftTemplateRow
from kuulolla.shifts.recurrence import occurrence_on
from kuulolla.shifts.values import local_date

ORG = "arjen-tuki"
TRAINING = "Vertaisohjaaja"
ON_CALL = "paivystaja.arki"
TRAINED = ("vapaaehtoinen.arki", "ammattilainen.arki", "koordinaattori.arki", ON_CALL)


async def seed(db: Database, *, now: datetime) -> None:
    async with db.session() as session:
        org_id = await session.scalar(
            select(Room.organisation_id).where(Room.slug == "omaishoitajat")
        )
        users = {
            u.username: u.id
            for u in await session.scalars(select(StaffUser).where(StaffUser.username.in_(TRAINED)))
        }
        if org_id is None or ON_CALL not in users:
            return
        qual_id = await session.scalar(
            select(Qualification.id).where(
                Qualification.organisation_id == org_id, Qualification.name == TRAINING
            )
        )
        if qual_id is None:
            qual = Qualification(
                organisation_id=org_id, name=TRAINING, valid_months=24, created_at=now
            )
            session.add(qual)
            await session.flush()
            qual_id = qual.id
        held = set(
            await session.scalars(
                select(StaffQualification.user_id).where(
                    StaffQualification.qualification_id == qual_id
                )
            )
        )
        for user_id in users.values():
            if user_id not in held:
                session.add(
                    StaffQualification(
                        user_id=user_id,
                        qualification_id=qual_id,
                        completed_on=local_date(now) - timedelta(days=200),
                        expires_on=local_date(now) + timedelta(days=530),
                        recorded_at=now,
                    )
                )
        rooms = {
            r.slug: r.id
            for r in await session.scalars(select(Room).where(Room.organisation_id == org_id))
        }
        have = {
            (t.room_id, t.topic_id)
            for t in await session.scalars(
                select(ShiftTemplateRow).where(ShiftTemplateRow.organisation_id == org_id)
            )
        }
    topic_id = await _demo_topic(db, org_id)
    start = local_date(now) - timedelta(days=1)
    if "omaishoitajat" in rooms and (rooms["omaishoitajat"], None) not in have:
        await templates.do_save_template(
            db,
            organisation_id=org_id,
            data=templates.TemplateInput(
                room_id=rooms["omaishoitajat"],
                start_time=time(18),
                end_time=time(21),
                rule="FREQ=WEEKLY;BYDAY=MO,WE,TH",
                valid_from=start,
                needs={"volunteer": 2, "professional": 1},
                qualification_id=qual_id,
                skip_holidays=True,
            ),
            now=now,
        )
    round_the_clock = [("room", rooms.get("vanhemmuus"))]
    if topic_id is not None:
        round_the_clock.append(("topic", topic_id))
    for kind, target in round_the_clock:
        key = (target, None) if kind == "room" else (None, target)
        if target is None or key in have:
            continue
        await templates.do_save_template(
            db,
            organisation_id=org_id,
            data=templates.TemplateInput(
                room_id=target if kind == "room" else None,
                topic_id=target if kind == "topic" else None,
                start_time=time(0),
                end_time=time(0),
                rule="FREQ=DAILY",
                valid_from=start,
                needs={"volunteer": 1},
                qualification_id=qual_id,
            ),
            now=now,
        )
    await horizon_runs.do_plan_horizon(db, now=now, organisation_id=org_id)
    await _today(db, org_id, now)
    await _sign_ups(db, org_id, users, now)
    await _on_call(db, org_id, users[ON_CALL], now)


async def _today(db: Database, org_id: int, now: datetime) -> None:
    """The round-the-clock shift that is under way now: the horizon makes only shifts
    that start later, so the demo stores today's itself."""
    async with db.session() as session:
        rows = list(
            await session.scalars(
                select(ShiftTemplateRow).where(
                    ShiftTemplateRow.organisation_id == org_id,
                    ShiftTemplateRow.start_time == time(0),
                    ShiftTemplateRow.end_time == time(0),
                )
            )
        )
        for template in await loading.templates_from_rows(session, rows):
            occurrence = occurrence_on(template, local_date(now))
            if occurrence is None or not occurrence.start <= now < occurrence.end:
                continue
            exists = await session.scalar(
                select(ShiftRow.id).where(
                    ShiftRow.template_id == template.id, ShiftRow.day == occurrence.key.day
                )
            )
            if exists is not None:
                continue
            row = ShiftRow(
                organisation_id=org_id,
                template_id=template.id,
                day=occurrence.key.day,
                room_id=template.target.id if template.target.kind == "room" else None,
                topic_id=template.target.id if template.target.kind == "topic" else None,
                starts_at=occurrence.start,
                ends_at=occurrence.end,
                qualification_id=int(template.qualification) if template.qualification else None,
                sequence=0,
            )
            session.add(row)
            await session.flush()
            for role, needed in occurrence.needs.items():
                session.add(ShiftPlace(shift_id=row.id, role=role, needed=needed, filled=0))


async def _demo_topic(db: Database, org_id: int) -> int | None:
    async with db.read_session() as session:
        return await session.scalar(
            select(QueueTopic.id)
            .where(QueueTopic.organisation_id == org_id, QueueTopic.active.is_(True))
            .order_by(QueueTopic.id)
            .limit(1)
        )


async def _sign_ups(db: Database, org_id: int, users: dict[str, int], now: datetime) -> None:
    """Some evening shifts of the coming two weeks get people, some stay understaffed."""
    room_id = await _room(db, "omaishoitajat")
    async with db.read_session() as session:
        shifts = list(
            await session.scalars(
                select(ShiftRow)
                .where(
                    ShiftRow.room_id == room_id,
                    ShiftRow.starts_at > now,
                    ShiftRow.starts_at < now + timedelta(days=14),
                )
                .order_by(ShiftRow.starts_at)
            )
        )
    plan = [
        ("vapaaehtoinen.arki", "volunteer"),
        ("ammattilainen.arki", "professional"),
        ("koordinaattori.arki", "volunteer"),
    ]
    for i, shift in enumerate(shifts):
        for j, (who, role) in enumerate(plan):
            if (i + j) % 3 == 0:  # a pattern with gaps: some full, some short
                # Signed up already, or a wellbeing limit: leave it.
                with contextlib.suppress(AppError):
                    await roster.do_sign_up(
                        db,
                        organisation_id=org_id,
                        shift_id=shift.id,
                        person_id=users[who],
                        role=role,
                        now=now,
                        by_coordinator=True,
                    )


async def _room(db: Database, slug: str) -> int | None:
    async with db.read_session() as session:
        return await session.scalar(select(Room.id).where(Room.slug == slug))


async def _on_call(db: Database, org_id: int, person_id: int, now: datetime) -> None:
    """The on-call host holds every round-the-clock shift, checked in from its start."""
    async with db.session() as session:
        ids = list(
            await session.scalars(
                select(ShiftTemplateRow.id).where(
                    ShiftTemplateRow.organisation_id == org_id,
                    ShiftTemplateRow.start_time == time(0),
                    ShiftTemplateRow.end_time == time(0),
                )
            )
        )
        if not ids:
            return
        rows = list(
            await session.scalars(
                select(ShiftRow).where(
                    ShiftRow.template_id.in_(ids),
                    ShiftRow.ends_at > now,
                    ShiftRow.cancelled_at.is_(None),
                )
            )
        )
        held = set(
            await session.scalars(
                select(ShiftAssignmentRow.shift_id).where(
                    ShiftAssignmentRow.person_id == person_id,
                    ShiftAssignmentRow.shift_id.in_([r.id for r in rows]),
                )
            )
        )
        member = await session.get(Membership, (person_id, org_id))
        if member is None:
            return
        for row in rows:
            if row.id in held:
                continue
            place = await session.get(ShiftPlace, (row.id, "volunteer"))
            if place is None or place.filled >= place.needed:
                continue
            place.filled += 1
            session.add(
                ShiftAssignmentRow(
                    shift_id=row.id,
                    person_id=person_id,
                    role="volunteer",
                    created_at=now,
                    checked_in_at=max(row.starts_at, now - timedelta(minutes=1)),
                )
            )


__all__ = ["seed"]
