"""Calls for volunteers (in-app notices), debriefs after a shift, and calendar feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from kuulolla.accounts.models import Membership, StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.rooms.models import Room
from kuulolla.shifts import coverage, ical, loading
from kuulolla.shifts.models import (
    CalendarFeedRow,
    ShiftAssignmentRow,
    ShiftCall,
    ShiftCallRecipient,
    ShiftDebrief,
    ShiftRow,
)
from kuulolla.shifts.refusals import refuse
from kuulolla.shifts.roster import own_assignment
from kuulolla.shifts.service import access_shift

MAX_CALL_CHARS = 500
MAX_DEBRIEF_CHARS = 2000


def _text(value: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise BadRequest(
            N_("The text is too long: at most {max} characters."), code="too_long", max=limit
        )
    return text


# ------------------------------------------------------------------ calls


async def do_post_call(
    db: Database,
    *,
    organisation_id: int,
    shift_id: int,
    coordinator_id: int,
    message: str,
    now: datetime,
) -> int:
    """Post a call for volunteers for a shift's free places to everyone of the
    organisation who could sign up for one now; returns how many it reached."""
    async with db.session() as session:
        _, shift = await access_shift(session, organisation_id=organisation_id, shift_id=shift_id)
        text = _text(message, MAX_CALL_CHARS)
        settings = await loading.load_settings(session, organisation_id)
        people = await loading.load_people(session, organisation_id)
        taken = await loading.assignments_of_shifts(session, [shift])
        mine = await loading.assignments_near(session, people, shift)
        recipients = coverage.call_recipients(
            shift, people.values(), assignments=mine, taken=taken, settings=settings, now=now
        )
        call = ShiftCall(shift_id=shift.id, created_by=coordinator_id, created_at=now, message=text)
        session.add(call)
        await session.flush()
        for recipient in recipients:
            session.add(ShiftCallRecipient(call_id=call.id, person_id=recipient.person.id))
        return len(recipients)


@dataclass(frozen=True, slots=True)
class Notice:
    call_id: int
    shift_id: int
    organisation_id: int
    starts_at: datetime
    ends_at: datetime
    room_name: str | None
    message: str
    created_at: datetime


async def list_notices(db: Database, *, person_id: int, now: datetime) -> list[Notice]:
    """Unread calls for shifts that have not started, newest first."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(ShiftCall, ShiftRow, Room.name_fi)
            .join(ShiftCallRecipient, ShiftCallRecipient.call_id == ShiftCall.id)
            .join(ShiftRow, ShiftRow.id == ShiftCall.shift_id)
            .outerjoin(Room, Room.id == ShiftRow.room_id)
            .where(
                ShiftCallRecipient.person_id == person_id,
                ShiftCallRecipient.read_at.is_(None),
                ShiftRow.starts_at > now,
                ShiftRow.cancelled_at.is_(None),
            )
            .order_by(ShiftCall.created_at.desc(), ShiftCall.id.desc())
        )
        return [
            Notice(
                call.id,
                shift.id,
                shift.organisation_id,
                shift.starts_at,
                shift.ends_at,
                room_name,
                call.message,
                call.created_at,
            )
            for call, shift, room_name in rows
        ]


async def do_dismiss_notice(
    db: Database, *, organisation_id: int, person_id: int, call_id: int, now: datetime
) -> None:
    """Mark one's notice of a call of the organisation read; NotFound for anything else."""
    async with db.session() as session:
        row = await session.scalar(
            select(ShiftCallRecipient)
            .join(ShiftCall, ShiftCall.id == ShiftCallRecipient.call_id)
            .join(ShiftRow, ShiftRow.id == ShiftCall.shift_id)
            .where(
                ShiftCallRecipient.call_id == call_id,
                ShiftCallRecipient.person_id == person_id,
                ShiftRow.organisation_id == organisation_id,
            )
        )
        if row is None:
            raise NotFound(N_("There is no such notice."), code="notice_not_found")
        if row.read_at is None:
            row.read_at = now


# ------------------------------------------------------------------ debriefs


async def do_debrief(
    db: Database,
    *,
    organisation_id: int,
    assignment_id: int,
    person_id: int,
    text: str,
    wants_talk: bool,
    now: datetime,
) -> int:
    """Leave a note after one's shift has started, or ask for a debrief conversation."""
    async with db.session() as session:
        _, assignment = await own_assignment(
            session,
            organisation_id=organisation_id,
            assignment_id=assignment_id,
            person_id=person_id,
        )
        note = _text(text, MAX_DEBRIEF_CHARS)
        if not note and not wants_talk:
            raise BadRequest(
                N_("Write a note or ask for a debrief conversation."), code="empty_debrief"
            )
        if now < assignment.shift.start:
            raise refuse("debrief_too_early").error()
        row = ShiftDebrief(
            assignment_id=assignment_id, created_at=now, text=note, wants_talk=wants_talk
        )
        session.add(row)
        await session.flush()
        return row.id


@dataclass(frozen=True, slots=True)
class DebriefView:
    id: int
    person_name: str
    starts_at: datetime
    room_name: str | None
    text: str
    wants_talk: bool
    created_at: datetime
    handled_at: datetime | None


async def list_debriefs(
    db: Database, *, organisation_id: int, include_handled: bool = False
) -> list[DebriefView]:
    async with db.read_session() as session:
        stmt = (
            select(ShiftDebrief, ShiftRow, StaffUser.display_name, Room.name_fi)
            .join(ShiftAssignmentRow, ShiftAssignmentRow.id == ShiftDebrief.assignment_id)
            .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
            .join(StaffUser, StaffUser.id == ShiftAssignmentRow.person_id)
            .outerjoin(Room, Room.id == ShiftRow.room_id)
            .where(ShiftRow.organisation_id == organisation_id)
            .order_by(ShiftDebrief.created_at.desc(), ShiftDebrief.id.desc())
        )
        if not include_handled:
            stmt = stmt.where(ShiftDebrief.handled_at.is_(None))
        return [
            DebriefView(
                d.id, name, s.starts_at, room, d.text, d.wants_talk, d.created_at, d.handled_at
            )
            for d, s, name, room in await session.execute(stmt)
        ]


async def do_handle_debrief(
    db: Database, *, organisation_id: int, debrief_id: int, now: datetime
) -> None:
    async with db.session() as session:
        found = (
            await session.execute(
                select(ShiftDebrief, ShiftRow.organisation_id)
                .join(ShiftAssignmentRow, ShiftAssignmentRow.id == ShiftDebrief.assignment_id)
                .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
                .where(ShiftDebrief.id == debrief_id)
            )
        ).first()
        if found is None or found[1] != organisation_id:
            raise NotFound(N_("There is no such debrief."), code="debrief_not_found")
        found[0].handled_at = now


# ------------------------------------------------------------------ calendar feeds


async def do_new_feed_token(db: Database, *, person_id: int, now: datetime) -> str:
    """A new secret feed token for the person (shown once); an earlier one stops working."""
    token, token_hash = ical.new_feed_token()
    async with db.session() as session:
        await session.execute(delete(CalendarFeedRow).where(CalendarFeedRow.person_id == person_id))
        session.add(CalendarFeedRow(person_id=person_id, token_hash=token_hash, created_at=now))
    return token


async def do_revoke_feed(db: Database, *, person_id: int) -> None:
    async with db.session() as session:
        await session.execute(delete(CalendarFeedRow).where(CalendarFeedRow.person_id == person_id))


async def has_feed(db: Database, *, person_id: int) -> bool:
    async with db.read_session() as session:
        return (
            await session.scalar(
                select(CalendarFeedRow.id).where(CalendarFeedRow.person_id == person_id)
            )
        ) is not None


FEED_PAST = timedelta(days=30)


async def get_feed(db: Database, *, token: str, domain: str, now: datetime) -> bytes | None:
    """The iCalendar text of the feed whose token is ``token``, or None (unknown or
    revoked). Shifts from 30 days back on, cancelled ones included."""
    lookup = ical.lookup_hash(token)
    if lookup is None:
        return None
    async with db.session() as session:
        row = await session.scalar(
            select(CalendarFeedRow).where(CalendarFeedRow.token_hash == lookup)
        )
        if row is None:
            return None
        row.last_used_at = now
        person_id = row.person_id
        name = await session.scalar(select(StaffUser.display_name).where(StaffUser.id == person_id))
        assignments = await loading.assignments_of_person(session, person_id, start=now - FEED_PAST)
        shift_ids = [a.shift.id for a in assignments]
        seqs: dict[int, int] = {}
        rooms: dict[int, str] = {}
        if shift_ids:
            for sid, seq, room in await session.execute(
                select(ShiftRow.id, ShiftRow.sequence, Room.name_fi)
                .outerjoin(Room, Room.id == ShiftRow.room_id)
                .where(ShiftRow.id.in_(shift_ids))
            ):
                seqs[sid] = seq
                if room:
                    rooms[sid] = room
    events = [
        ical.FeedEvent(
            uid=ical.event_uid(a.id, domain),
            start=a.shift.start,
            end=a.shift.end,
            summary=rooms.get(a.shift.id, "Kuulolla"),
            cancelled=a.shift.cancelled,
            sequence=seqs.get(a.shift.id, 0),
        )
        for a in assignments
    ]
    return ical.feed(events, name=f"Kuulolla: {name or ''}".strip(), now=now)


async def member_organisations(db: Database, *, person_id: int) -> list[int]:
    async with db.read_session() as session:
        return list(
            await session.scalars(
                select(Membership.organisation_id).where(Membership.user_id == person_id)
            )
        )
