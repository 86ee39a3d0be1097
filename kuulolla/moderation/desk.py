"""The duty desk: every crisis alert, report and held message of the rooms and
one-to-one conversations a person on duty serves, in one list, newest first, with the
message's text, the messages before it and where to find it; crisis alerts are
acknowledged here ("I'm on it", seen by everyone else on duty, recorded in the
moderation log) and escalate to the professionals and coordinators on duty when
nobody acknowledges them in time (desk_logic.py).

Crisis alerts are recorded when the chat server raises them (moderation/live.py calls
:func:`do_record_alert`); reports and held messages are the moderation tables' own. No
text is copied: it is read from the room's stream or the held message when shown, so
retention and removals apply to the desk as to the room.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from kuulolla.accounts.models import Membership, Organisation, StaffUser
from kuulolla.chat.models import KIND_MESSAGE, Message
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.moderation.desk_logic import Duty, escalated, serves, shown
from kuulolla.moderation.models import AuditEntry, CrisisAlert, HeldMessage, Report
from kuulolla.moderation.service import audit
from kuulolla.queue.models import QueueEntry, QueueHelper, QueueTopic
from kuulolla.rooms.models import Room
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow, checked_in_now

# Acknowledged alerts stay on the desk this long, so the others on duty see who took
# them; unacknowledged ones stay until someone does.
ACKED_KEPT = timedelta(hours=12)
LIMIT = 100
CONTEXT = 2  # messages shown before the one an item is about


class AlertNotFound(NotFound):
    code = "alert_not_found"
    default_message = N_("There is no such alert on your desk.")


@dataclass(frozen=True, slots=True)
class DeskItem:
    kind: str  # "crisis", "report" or "held"
    id: int
    room_id: int
    room_slug: str
    room_names: dict[str, str]  # a group room's names by locale; empty: a conversation
    entry_id: int | None  # a one-to-one conversation's queue entry
    mine: bool  # the reader is the conversation's helper
    seq: int | None
    nick: str
    text: str | None  # None: removed, or no longer waiting
    context: list[tuple[str, str]]
    category: str = ""
    source: str = ""
    reason: str = ""
    created_at: datetime | None = None
    acked_by: str = ""
    acked_at: datetime | None = None
    escalated: bool = False
    helper: str = ""  # a conversation's helper, for the others on duty to reach

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def private(self) -> bool:
        return not self.room_names

    def room_name(self, locale: str) -> str:
        return self.room_names.get(locale) or self.room_names.get("fi", self.room_slug)


@dataclass(frozen=True, slots=True)
class DeskView:
    duty: Duty
    items: list[DeskItem]
    rooms: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    queue: bool = False  # the person serves the one-to-one queue

    @property
    def unacknowledged(self) -> int:
        return sum(1 for i in self.items if i.kind == "crisis" and i.acked_at is None)


def _names(row: Room) -> dict[str, str]:
    return {
        locale: value
        for locale, value in (("fi", row.name_fi), ("sv", row.name_sv), ("en", row.name_en))
        if value
    }


# ------------------------------------------------------------------ recording


async def do_record_alert(
    db: Database,
    *,
    room_id: int,
    seq: int | None,
    held_id: int | None,
    category: str,
    source: str,
    nick: str,
    now: datetime,
) -> int:
    """Record a crisis alert the chat server raised in the room (for message ``seq``
    or held message ``held_id``); returns its id."""
    async with db.session() as session:
        row = CrisisAlert(
            room_id=room_id,
            seq=seq,
            held_id=held_id,
            category=category[:32],
            source=source[:8] or "lexicon",
            nick=nick[:64],
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


# ------------------------------------------------------------------ duty


async def get_duty(
    db: Database,
    *,
    organisation_id: int,
    user_id: int | None,
    any_time: bool,
    now: datetime,
) -> Duty:
    """What the person is doing in the organisation now (desk_logic.Duty)."""
    if user_id is None:
        return Duty(any_time=any_time)
    async with db.read_session() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.user_id == user_id, Membership.organisation_id == organisation_id
            )
        )
        rooms = await session.scalars(
            select(ShiftRow.room_id)
            .join(ShiftAssignmentRow, ShiftAssignmentRow.shift_id == ShiftRow.id)
            .join(Room, Room.id == ShiftRow.room_id)
            .where(
                Room.organisation_id == organisation_id,
                ShiftAssignmentRow.person_id == user_id,
                checked_in_now(now),
            )
        )
        helper = await session.get(QueueHelper, (user_id, organisation_id))
        helping = await session.scalars(
            select(QueueEntry.room_id)
            .join(QueueTopic, QueueTopic.id == QueueEntry.topic_id)
            .where(
                QueueTopic.organisation_id == organisation_id,
                QueueEntry.helper_id == user_id,
                QueueEntry.state == "active",
                QueueEntry.room_id.is_not(None),
            )
        )
        return Duty(
            any_time=any_time,
            rooms=frozenset(r for r in rooms if r is not None),
            queue=bool(helper and helper.available),
            helping=frozenset(r for r in helping if r is not None),
            professional=role == "professional",
        )


# ------------------------------------------------------------------ the desk


async def get_desk(
    db: Database,
    *,
    organisation_id: int,
    user_id: int | None,
    duty: Duty,
    escalate_after: timedelta,
    now: datetime,
) -> DeskView:
    """The person's desk: the items of the rooms they serve, newest first, and the
    escalated crisis alerts of every room when they receive escalations (an alert
    is escalated once its time has passed, whether or not :func:`do_escalate_due` has
    marked it yet)."""
    async with db.read_session() as session:
        room_rows = list(
            await session.scalars(
                select(Room).where(
                    Room.organisation_id == organisation_id, Room.archived_at.is_(None)
                )
            )
        )
        rooms = {r.id: r for r in room_rows}
        ids = list(rooms)
        alerts = list(
            await session.scalars(
                select(CrisisAlert)
                .where(
                    CrisisAlert.room_id.in_(ids),
                    or_(CrisisAlert.acked_at.is_(None), CrisisAlert.acked_at >= now - ACKED_KEPT),
                )
                .order_by(CrisisAlert.id.desc())
                .limit(LIMIT)
            )
        )
        reports = list(
            await session.scalars(
                select(Report)
                .where(Report.room_id.in_(ids), Report.resolved_at.is_(None))
                .order_by(Report.id.desc())
                .limit(LIMIT)
            )
        )
        held = list(
            await session.scalars(
                select(HeldMessage)
                .where(HeldMessage.room_id.in_(ids))
                .order_by(HeldMessage.id.desc())
                .limit(LIMIT)
            )
        )
        private_ids = [r.id for r in room_rows if r.kind == "private"]
        entries: dict[int, tuple[int, int | None]] = {}
        if private_ids:
            for row in await session.execute(
                select(QueueEntry.id, QueueEntry.room_id, QueueEntry.helper_id)
                .where(QueueEntry.room_id.in_(private_ids))
                .order_by(QueueEntry.id)
            ):
                if row.room_id is not None:
                    entries[int(row.room_id)] = (int(row.id), row.helper_id)
        people = {a.acked_by for a in alerts if a.acked_by is not None} | {
            helper for _, helper in entries.values() if helper is not None
        }
        ackers = {
            int(uid): str(name)
            for uid, name in await session.execute(
                select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(people))
            )
        }

    def room_of(room_id: int) -> tuple[str, dict[str, str], int | None, bool]:
        room = rooms[room_id]
        if room.kind == "private":
            entry_id, helper_id = entries.get(room_id, (None, None))
            return room.slug, {}, entry_id, helper_id is not None and helper_id == user_id
        return room.slug, _names(room), None, False

    def served(room_id: int) -> bool:
        return serves(duty, room_id=room_id, private=rooms[room_id].kind == "private")

    items: list[DeskItem] = []
    texts = await _texts(
        db,
        [(a.room_id, a.seq) for a in alerts if a.seq is not None]
        + [(r.room_id, r.seq) for r in reports],
    )
    held_texts = {h.id: h.text for h in held}
    for a in alerts:
        is_escalated = escalated(
            created_at=a.created_at, acked_at=a.acked_at, now=now, after=escalate_after
        )
        private = rooms[a.room_id].kind == "private"
        if not shown(duty, room_id=a.room_id, private=private, is_escalated=is_escalated):
            continue
        slug, names, entry_id, mine = room_of(a.room_id)
        if a.seq is not None:
            text, _nick, context = texts.get((a.room_id, a.seq), (None, "", []))
        else:
            text, context = held_texts.get(a.held_id or 0), []
        items.append(
            DeskItem(
                "crisis",
                a.id,
                a.room_id,
                slug,
                names,
                entry_id,
                mine,
                a.seq,
                a.nick,
                text,
                context,
                category=a.category,
                source=a.source,
                created_at=a.created_at,
                acked_by=ackers.get(a.acked_by or 0, ""),
                acked_at=a.acked_at,
                escalated=is_escalated or a.escalated_at is not None,
            )
        )
    for r in reports:
        if not served(r.room_id):
            continue
        slug, names, entry_id, mine = room_of(r.room_id)
        text, nick, context = texts.get((r.room_id, r.seq), (None, "", []))
        items.append(
            DeskItem(
                "report",
                r.id,
                r.room_id,
                slug,
                names,
                entry_id,
                mine,
                r.seq,
                nick,
                text,
                context,
                reason=r.reason,
                created_at=r.created_at,
            )
        )
    for h in held:
        if not served(h.room_id):
            continue
        slug, names, entry_id, mine = room_of(h.room_id)
        items.append(
            DeskItem(
                "held",
                h.id,
                h.room_id,
                slug,
                names,
                entry_id,
                mine,
                None,
                h.nick,
                h.text,
                [],
                reason=h.reasons,
                category=h.crisis,
                created_at=h.created_at,
            )
        )
    items = [
        replace(i, helper=ackers.get(entries.get(i.room_id, (0, None))[1] or 0, ""))
        if i.private
        else i
        for i in items
    ]
    items.sort(key=lambda i: (i.created_at or now, i.kind, i.id), reverse=True)
    served_rooms = [
        (r.id, _names(r), r.slug)
        for r in room_rows
        if r.kind != "private" and serves(duty, room_id=r.id, private=False)
    ]
    served_rooms.sort(key=lambda r: r[1].get("fi", ""))
    queue = duty.any_time or duty.queue or bool(duty.helping)
    return DeskView(duty, items[:LIMIT], served_rooms, queue)


async def _texts(
    db: Database, wanted: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], tuple[str | None, str, list[tuple[str, str]]]]:
    """For each (room, seq): the message's text (None: removed), its writer's nickname
    and the messages just before it (nick, text), oldest first."""
    out: dict[tuple[int, int], tuple[str | None, str, list[tuple[str, str]]]] = {}
    wanted = sorted(set(wanted))
    if not wanted:
        return out
    async with db.read() as conn:
        for room_id, seq in wanted:
            rows = list(
                await conn.execute(
                    select(Message.seq, Message.nick, Message.text)
                    .where(
                        Message.room_id == room_id,
                        Message.seq >= seq - CONTEXT,
                        Message.seq <= seq,
                        Message.kind == KIND_MESSAGE,
                    )
                    .order_by(Message.seq)
                )
            )
            own = next((r for r in rows if r[0] == seq), None)
            out[(room_id, seq)] = (
                own[2] if own is not None else None,
                str(own[1]) if own is not None else "",
                [(str(r[1]), str(r[2])) for r in rows if r[0] != seq and r[2] is not None],
            )
    return out


@dataclass(frozen=True, slots=True)
class Escalation:
    """An alert that has just escalated, for the e-mail to the people it escalates to."""

    alert_id: int
    organisation_id: int
    organisation_slug: str
    room_names: dict[str, str]  # empty: a one-to-one conversation
    category: str
    created_at: datetime
    recipients: list[int]


async def do_escalate_due(db: Database, *, after: timedelta, now: datetime) -> list[Escalation]:
    """Mark the crisis alerts nobody took within ``after`` as escalated (each once, even
    with several processes: a conditional update) and return them with the people they
    escalate to: the organisation's professionals and coordinators."""
    async with db.session() as session:
        due = list(
            await session.execute(
                select(CrisisAlert, Room, Organisation.slug)
                .join(Room, Room.id == CrisisAlert.room_id)
                .join(Organisation, Organisation.id == Room.organisation_id)
                .where(
                    CrisisAlert.acked_at.is_(None),
                    CrisisAlert.escalated_at.is_(None),
                    CrisisAlert.created_at <= now - after,
                )
                .order_by(CrisisAlert.id)
                .limit(LIMIT)
            )
        )
        out: list[Escalation] = []
        for alert, room, org_slug in due:
            taken = await session.execute(
                update(CrisisAlert)
                .where(CrisisAlert.id == alert.id, CrisisAlert.escalated_at.is_(None))
                .values(escalated_at=now)
            )
            if not getattr(taken, "rowcount", 0):
                continue
            people = await session.scalars(
                select(Membership.user_id).where(
                    Membership.organisation_id == room.organisation_id,
                    Membership.role.in_(("professional", "coordinator")),
                )
            )
            out.append(
                Escalation(
                    alert.id,
                    room.organisation_id,
                    org_slug,
                    {} if room.kind == "private" else _names(room),
                    alert.category,
                    alert.created_at,
                    sorted(people),
                )
            )
    return out


async def do_acknowledge(
    db: Database,
    *,
    organisation_id: int,
    alert_id: int,
    user_id: int | None,
    duty: Duty,
    escalate_after: timedelta,
    now: datetime,
) -> str:
    """The person takes the crisis alert ("I'm on it"), recorded in the moderation log.
    An alert someone already took stays theirs. Returns who has it."""
    async with db.session() as session:
        found = (
            await session.execute(
                select(CrisisAlert, Room.kind)
                .join(Room, Room.id == CrisisAlert.room_id)
                .where(CrisisAlert.id == alert_id, Room.organisation_id == organisation_id)
            )
        ).first()
        if found is None:
            raise AlertNotFound()
        alert, kind = found
        is_escalated = escalated(
            created_at=alert.created_at, acked_at=alert.acked_at, now=now, after=escalate_after
        )
        if not shown(
            duty, room_id=alert.room_id, private=kind == "private", is_escalated=is_escalated
        ):
            raise AlertNotFound()
        if alert.acked_at is None:
            alert.acked_at = now
            alert.acked_by = user_id
            audit(
                session,
                organisation_id=organisation_id,
                room_id=alert.room_id,
                actor_id=user_id,
                action="alert.ack",
                target=f"message {alert.seq}" if alert.seq is not None else f"held {alert.held_id}",
                now=now,
            )
        name = await session.scalar(
            select(StaffUser.display_name).where(StaffUser.id == alert.acked_by)
        )
        return str(name or "")


# ------------------------------------------------------------------ handled

HANDLED_ACTIONS = ("approve", "reject", "report.action", "report.dismissed")


@dataclass(frozen=True, slots=True)
class Handled:
    """A report or held message someone decided, as the moderation log has it."""

    id: int
    action: str  # one of HANDLED_ACTIONS
    actor: str
    room_names: dict[str, str]  # empty: a one-to-one conversation
    reason: str
    preset: str
    created_at: datetime

    def room_name(self, locale: str) -> str:
        return self.room_names.get(locale) or self.room_names.get("fi", "")


async def get_handled(
    db: Database, *, organisation_id: int, duty: Duty, now: datetime, limit: int = 20
) -> list[Handled]:
    """The reports and held messages decided in the rooms the person serves within
    :data:`ACKED_KEPT`, newest first: who decided what, and why."""
    async with db.read_session() as session:
        rows = list(
            await session.execute(
                select(AuditEntry, StaffUser.display_name, Room)
                .join(Room, Room.id == AuditEntry.room_id)
                .outerjoin(StaffUser, StaffUser.id == AuditEntry.actor_id)
                .where(
                    AuditEntry.organisation_id == organisation_id,
                    AuditEntry.action.in_(HANDLED_ACTIONS),
                    AuditEntry.created_at >= now - ACKED_KEPT,
                )
                .order_by(AuditEntry.id.desc())
                .limit(LIMIT)
            )
        )
    out = [
        Handled(
            entry.id,
            entry.action,
            str(name or ""),
            {} if room.kind == "private" else _names(room),
            entry.reason,
            entry.preset,
            entry.created_at,
        )
        for entry, name, room in rows
        if serves(duty, room_id=room.id, private=room.kind == "private")
    ]
    return out[:limit]
