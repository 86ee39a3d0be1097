"""Shift templates, the rolling horizon and the organisation's shift rules.

Each ``do_…`` runs in one write transaction. Sign-up, swaps and duty are in
``roster.py``; calls, debriefs and feeds in ``notices.py``; calendars and reports in
``views.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation, Qualification
from kuulolla.core import times
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue.models import QueueTopic
from kuulolla.rooms.models import Room
from kuulolla.shifts import store
from kuulolla.shifts.forms import TemplateFields
from kuulolla.shifts.horizon import Conflict, HorizonPlan, StoredShift, plan_horizon
from kuulolla.shifts.model import ShiftSettings, Target, local_date
from kuulolla.shifts.models import (
    ShiftPlace,
    ShiftRow,
    ShiftSettingsRow,
    ShiftTemplateException,
    ShiftTemplateNeed,
    ShiftTemplateRow,
)
from kuulolla.shifts.recurrence import Occurrence, ShiftKey, ShiftTemplate, check_template

log = logging.getLogger(__name__)

_shifts = cast(Table, ShiftRow.__table__)


class ShiftNotFound(NotFound):
    code = "shift_not_found"
    default_message = N_("There is no such shift.")


class TemplateNotFound(NotFound):
    code = "template_not_found"
    default_message = N_("There is no such shift template.")


# ------------------------------------------------------------------ settings


async def get_settings(db: Database, *, organisation_id: int) -> ShiftSettings:
    async with db.read_session() as session:
        return await store.load_settings(session, organisation_id)


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """The organisation's rules as a coordinator edits them: hours, days and minutes."""

    max_week_hours: float | None
    min_rest_hours: float
    signup_days: int
    cancel_before_hours: float
    swap_approval: bool
    parallel_chats: int


LIMITS = {
    "max_week_hours": (1, 80),
    "min_rest_hours": (0, 48),
    "signup_days": (1, 365),
    "cancel_before_hours": (0, 720),
    "parallel_chats": (1, 10),
}


def check_settings(form: SettingsForm) -> SettingsForm:
    for name, (low, high) in LIMITS.items():
        value = getattr(form, name)
        if value is None and name == "max_week_hours":
            continue
        if value is None or not low <= value <= high:
            raise BadRequest(
                N_("Give a number from {low} to {high}."),
                code=f"invalid_{name}",
                low=low,
                high=high,
            )
    return form


async def do_update_settings(
    db: Database, *, organisation_id: int, form: SettingsForm
) -> ShiftSettings:
    form = check_settings(form)
    async with db.session() as session:
        row = await session.get(ShiftSettingsRow, organisation_id)
        if row is None:
            row = new_settings_row(organisation_id)
            session.add(row)
        row.max_week_minutes = (
            round(form.max_week_hours * 60) if form.max_week_hours is not None else None
        )
        row.min_rest_minutes = round(form.min_rest_hours * 60)
        row.signup_days = form.signup_days
        row.cancel_before_minutes = round(form.cancel_before_hours * 60)
        row.swap_approval = form.swap_approval
        row.parallel_chats = form.parallel_chats
        await session.flush()
        return store.settings_from_row(row)


def new_settings_row(organisation_id: int) -> ShiftSettingsRow:
    d = ShiftSettings()
    minutes = lambda t: int(t.total_seconds() // 60)  # noqa: E731
    return ShiftSettingsRow(
        organisation_id=organisation_id,
        max_week_minutes=minutes(d.max_week) if d.max_week is not None else None,
        min_rest_minutes=minutes(d.min_rest),
        signup_days=d.signup_days,
        cancel_before_minutes=minutes(d.cancel_before),
        swap_approval=d.swap_approval,
        check_in_early_minutes=minutes(d.check_in_early),
        check_out_grace_minutes=minutes(d.check_out_grace),
        closing_notice_minutes=minutes(d.closing_notice),
        horizon_days=d.horizon_days,
        parallel_chats=2,
    )


# ------------------------------------------------------------------ templates


@dataclass(frozen=True, slots=True)
class TemplateInput:
    """A template as a coordinator enters it. ``room_id`` or ``topic_id``, not both."""

    start_time: time
    end_time: time
    rule: str
    valid_from: date
    needs: Mapping[str, int]
    room_id: int | None = None
    topic_id: int | None = None
    valid_until: date | None = None
    qualification_id: int | None = None
    exceptions: frozenset[date] = frozenset()
    skip_holidays: bool = False


def template_from(data: TemplateInput, *, template_id: int | None = None) -> ShiftTemplate:
    """The pure template ``data`` describes (to check, describe or preview it)."""
    return ShiftTemplate(
        id=template_id or 0,
        target=store.target_of(data.room_id, data.topic_id),
        start_time=data.start_time,
        end_time=data.end_time,
        rule=data.rule,
        valid_from=data.valid_from,
        needs=dict(data.needs),
        valid_until=data.valid_until,
        qualification=store.qualification_key(data.qualification_id),
        exceptions=data.exceptions,
        skip_holidays=data.skip_holidays,
    )


def template_input(fields: TemplateFields) -> TemplateInput:
    """The service's input from a checked template form (shifts/forms.py)."""
    kind, ident = fields.target
    return TemplateInput(
        room_id=ident if kind == "room" else None,
        topic_id=ident if kind == "topic" else None,
        start_time=times.to_time(fields.start),
        end_time=times.to_time(fields.end),
        rule=fields.rule,
        valid_from=fields.valid_from,
        valid_until=fields.valid_until,
        needs=fields.needs,
        qualification_id=fields.qualification_id,
        exceptions=fields.exceptions,
        skip_holidays=fields.skip_holidays,
    )


async def _check_targets(session: AsyncSession, organisation_id: int, data: TemplateInput) -> None:
    if (data.room_id is None) == (data.topic_id is None):
        raise BadRequest(N_("Choose a room or a queue topic."), code="invalid_target")
    if data.room_id is not None:
        room = await session.get(Room, data.room_id)
        if room is None or room.organisation_id != organisation_id or room.kind != "group":
            raise BadRequest(N_("Choose a room or a queue topic."), code="invalid_target")
    if data.topic_id is not None:
        topic = await session.get(QueueTopic, data.topic_id)
        if topic is None or topic.organisation_id != organisation_id:
            raise BadRequest(N_("Choose a room or a queue topic."), code="invalid_target")
    if data.qualification_id is not None:
        qual = await session.get(Qualification, data.qualification_id)
        if qual is None or qual.organisation_id != organisation_id:
            raise BadRequest(
                N_("Choose one of the organisation's trainings."), code="invalid_qualification"
            )


async def do_save_template(
    db: Database,
    *,
    organisation_id: int,
    data: TemplateInput,
    template_id: int | None = None,
    now: datetime,
) -> int:
    """Create a template (or replace ``template_id``'s values) and bring the horizon of
    the organisation in line with it. Returns the template's id. A template of a room
    that requires a training requires that one (none given: the room's is used)."""
    if data.room_id is not None:
        async with db.read_session() as session:
            required = await session.scalar(
                select(Room.qualification_id).where(
                    Room.id == data.room_id, Room.organisation_id == organisation_id
                )
            )
        if required is not None and data.qualification_id not in (None, required):
            raise BadRequest(
                N_("The room requires its own training of every host; choose that one."),
                code="invalid_qualification",
            )
        if required is not None:
            data = replace(data, qualification_id=required)
    checked = check_template(template_from(data, template_id=template_id))
    async with db.session() as session:
        await _check_targets(session, organisation_id, data)
        if template_id is None:
            row = ShiftTemplateRow(organisation_id=organisation_id, created_at=now)
            session.add(row)
        else:
            row = await _template_row(session, organisation_id, template_id)
            await session.execute(
                delete(ShiftTemplateNeed).where(ShiftTemplateNeed.template_id == row.id)
            )
            await session.execute(
                delete(ShiftTemplateException).where(ShiftTemplateException.template_id == row.id)
            )
        row.room_id = data.room_id
        row.topic_id = data.topic_id
        row.start_time = data.start_time
        row.end_time = data.end_time
        row.rule = checked.rule
        row.valid_from = data.valid_from
        row.valid_until = data.valid_until
        row.qualification_id = data.qualification_id
        row.skip_holidays = data.skip_holidays
        row.updated_at = now
        await session.flush()
        for role, count in checked.needs.items():
            session.add(ShiftTemplateNeed(template_id=row.id, role=role, count=count))
        for day in sorted(data.exceptions):
            session.add(ShiftTemplateException(template_id=row.id, day=day))
        await session.flush()
        saved = row.id
        await _plan(session, organisation_id=organisation_id, now=now)
    return saved


async def _template_row(
    session: AsyncSession, organisation_id: int, template_id: int
) -> ShiftTemplateRow:
    row = await session.get(ShiftTemplateRow, template_id)
    if row is None or row.organisation_id != organisation_id:
        raise TemplateNotFound()
    return row


async def do_end_template(
    db: Database, *, organisation_id: int, template_id: int, last_day: date, now: datetime
) -> None:
    """End a template after ``last_day``: its unclaimed later shifts are cancelled."""
    async with db.session() as session:
        row = await _template_row(session, organisation_id, template_id)
        row.valid_until = max(last_day, row.valid_from)
        row.updated_at = now
        await session.flush()
        await _plan(session, organisation_id=organisation_id, now=now)


async def do_cancel_date(
    db: Database, *, organisation_id: int, template_id: int, day: date, now: datetime
) -> None:
    """Cancel a template's shift on ``day`` (an exception date)."""
    async with db.session() as session:
        await _template_row(session, organisation_id, template_id)
        exists = await session.get(ShiftTemplateException, (template_id, day))
        if exists is None:
            session.add(ShiftTemplateException(template_id=template_id, day=day))
            await session.flush()
        await _plan(session, organisation_id=organisation_id, now=now)


@dataclass(frozen=True, slots=True)
class TemplateView:
    template: ShiftTemplate
    room_id: int | None
    topic_id: int | None
    qualification_id: int | None


async def list_templates(db: Database, *, organisation_id: int) -> list[ShiftTemplate]:
    async with db.read_session() as session:
        return await store.load_templates(session, organisation_id=organisation_id)


async def get_template(db: Database, *, organisation_id: int, template_id: int) -> ShiftTemplate:
    async with db.read_session() as session:
        await _template_row(session, organisation_id, template_id)
        return (await store.load_templates(session, ids=[template_id]))[0]


# ------------------------------------------------------------------ a room's roster


async def list_room_templates(
    db: Database, *, organisation_id: int, room_id: int
) -> list[ShiftTemplate]:
    """The templates that schedule the room (ended ones too), oldest first."""
    async with db.read_session() as session:
        rows = list(
            await session.scalars(
                select(ShiftTemplateRow)
                .where(
                    ShiftTemplateRow.organisation_id == organisation_id,
                    ShiftTemplateRow.room_id == room_id,
                )
                .order_by(ShiftTemplateRow.id)
            )
        )
        return await store.templates_from_rows(session, rows)


async def do_require_training(
    db: Database, *, organisation_id: int, room_id: int, qualification_id: int | None, now: datetime
) -> None:
    """The room now requires ``qualification_id`` of its hosts: its templates require
    it too, and the coming shifts follow (those people signed up for are left alone
    and reported as conflicts, as with any template change)."""
    if qualification_id is None:
        return
    async with db.session() as session:
        rows = await session.scalars(
            select(ShiftTemplateRow).where(
                ShiftTemplateRow.organisation_id == organisation_id,
                ShiftTemplateRow.room_id == room_id,
            )
        )
        changed = False
        for row in rows:
            if row.qualification_id != qualification_id:
                row.qualification_id = qualification_id
                row.updated_at = now
                changed = True
        if changed:
            await session.flush()
            await _plan(session, organisation_id=organisation_id, now=now)


async def do_close_room_roster(
    db: Database, *, organisation_id: int, room_id: int, now: datetime
) -> int:
    """The room is closed for good: its templates end today and every coming shift is
    cancelled (feeds then show them cancelled). Returns how many people had signed up
    for those shifts, for the coordinator to tell."""
    today = local_date(now)
    async with db.session() as session:
        for row in await session.scalars(
            select(ShiftTemplateRow).where(
                ShiftTemplateRow.organisation_id == organisation_id,
                ShiftTemplateRow.room_id == room_id,
            )
        ):
            if row.valid_until is None or row.valid_until > today:
                row.valid_until = max(today, row.valid_from)
                row.updated_at = now
        shifts = list(
            await session.scalars(
                select(ShiftRow).where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.room_id == room_id,
                    ShiftRow.starts_at > now,
                    ShiftRow.cancelled_at.is_(None),
                )
            )
        )
        people = 0
        for shift in shifts:
            shift.cancelled_at = now
            shift.sequence += 1
        if shifts:
            people = sum(
                p.filled
                for ps in (await store.places_of(session, [r.id for r in shifts])).values()
                for p in ps
            )
        await session.flush()
    return people


async def count_signed_up(
    db: Database, *, organisation_id: int, room_id: int, now: datetime
) -> int:
    """How many places of the room's coming shifts people hold (archiving cancels them)."""
    async with db.read_session() as session:
        ids = list(
            await session.scalars(
                select(ShiftRow.id).where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.room_id == room_id,
                    ShiftRow.starts_at > now,
                    ShiftRow.cancelled_at.is_(None),
                )
            )
        )
        places = await store.places_of(session, ids)
    return sum(p.filled for ps in places.values() for p in ps)


# ------------------------------------------------------------------ horizon


@dataclass(frozen=True, slots=True)
class HorizonResult:
    created: int = 0
    updated: int = 0
    reopened: int = 0
    cancelled: int = 0
    conflicts: tuple[Conflict, ...] = ()

    def __add__(self, other: HorizonResult) -> HorizonResult:
        return HorizonResult(
            self.created + other.created,
            self.updated + other.updated,
            self.reopened + other.reopened,
            self.cancelled + other.cancelled,
            self.conflicts + other.conflicts,
        )


async def do_plan_horizon(
    db: Database, *, now: datetime, organisation_id: int | None = None
) -> HorizonResult:
    """Generate and correct the concrete shifts of every template (of one organisation,
    or all) for the organisation's horizon. Idempotent: a second run changes nothing,
    and two processes running it at once store each shift once."""
    if organisation_id is None:
        async with db.read_session() as session:
            orgs = list(
                await session.scalars(
                    select(ShiftTemplateRow.organisation_id)
                    .distinct()
                    .order_by(ShiftTemplateRow.organisation_id)
                )
            )
    else:
        orgs = [organisation_id]
    total = HorizonResult()
    for org in orgs:
        async with db.session() as session:
            total = total + await _plan(session, organisation_id=org, now=now)
    return total


async def _plan(session: AsyncSession, *, organisation_id: int, now: datetime) -> HorizonResult:
    settings = await store.load_settings(session, organisation_id)
    # A room closed for good gets no more shifts (its last ones were cancelled with it).
    archived = set(
        await session.scalars(
            select(Room.id).where(
                Room.organisation_id == organisation_id, Room.archived_at.is_not(None)
            )
        )
    )
    templates = [
        t
        for t in await store.load_templates(session, organisation_id=organisation_id)
        if not (t.target.kind == "room" and t.target.id in archived)
    ]
    if not templates:
        return HorizonResult()
    rows = list(
        await session.scalars(
            select(ShiftRow).where(
                ShiftRow.organisation_id == organisation_id,
                ShiftRow.template_id.is_not(None),
                ShiftRow.starts_at > now,
            )
        )
    )
    places = await store.places_of(session, [r.id for r in rows])
    stored = [
        StoredShift(
            key=ShiftKey(int(r.template_id or 0), r.day),
            start=r.starts_at,
            end=r.ends_at,
            needs={p.role: p.needed for p in places.get(r.id, ()) if p.needed > 0},
            qualification=store.qualification_key(r.qualification_id),
            cancelled=r.cancelled_at is not None,
            assigned={p.role: p.filled for p in places.get(r.id, ()) if p.filled > 0},
        )
        for r in rows
    ]
    plan = plan_horizon(templates, stored, now=now, days=settings.horizon_days)
    by_key = {ShiftKey(int(r.template_id or 0), r.day): r for r in rows}
    await _apply(session, plan, organisation_id=organisation_id, by_key=by_key, now=now)
    if plan.conflicts:
        log.info(
            "shifts.horizon_conflicts",
            extra={"event": "shifts.horizon_conflicts", "count": len(plan.conflicts)},
        )
    return HorizonResult(
        len(plan.create), len(plan.update), len(plan.reopen), len(plan.cancel), plan.conflicts
    )


async def _apply(
    session: AsyncSession,
    plan: HorizonPlan,
    *,
    organisation_id: int,
    by_key: Mapping[ShiftKey, ShiftRow],
    now: datetime,
) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for occ in plan.create:
        room_id, topic_id = _target_ids(occ.target)
        stmt = (
            dialect.insert(_shifts)
            .values(
                organisation_id=organisation_id,
                template_id=occ.key.template_id,
                day=occ.key.day,
                room_id=room_id,
                topic_id=topic_id,
                starts_at=occ.start,
                ends_at=occ.end,
                qualification_id=_qual_id(occ.qualification),
                sequence=0,
            )
            .on_conflict_do_nothing(index_elements=["template_id", "day"])
            .returning(_shifts.c.id)
        )
        shift_id = (await session.execute(stmt)).scalar_one_or_none()
        if shift_id is not None:  # another process created it meanwhile otherwise
            for role, needed in occ.needs.items():
                session.add(ShiftPlace(shift_id=shift_id, role=role, needed=needed, filled=0))
    for occ in (*plan.update, *plan.reopen):
        row = by_key[occ.key]
        row.starts_at = occ.start
        row.ends_at = occ.end
        row.qualification_id = _qual_id(occ.qualification)
        row.cancelled_at = None
        row.sequence += 1
        await _set_needs(session, row.id, occ.needs)
    for key in plan.cancel:
        row = by_key[key]
        row.cancelled_at = now
        row.sequence += 1
    await session.flush()


async def _set_needs(session: AsyncSession, shift_id: int, needs: Mapping[str, int]) -> None:
    existing = {
        p.role: p
        for p in await session.scalars(select(ShiftPlace).where(ShiftPlace.shift_id == shift_id))
    }
    for role, needed in needs.items():
        if role in existing:
            existing[role].needed = needed
        else:
            session.add(ShiftPlace(shift_id=shift_id, role=role, needed=needed, filled=0))
    for role, place in existing.items():
        if role not in needs:
            if place.filled:
                place.needed = 0
            else:
                await session.delete(place)


def _target_ids(target: Target) -> tuple[int | None, int | None]:
    return (target.id, None) if target.kind == "room" else (None, target.id)


def _qual_id(key: str | None) -> int | None:
    return int(key) if key is not None else None


# ------------------------------------------------------------------ one-off shifts


async def do_create_shift(
    db: Database,
    *,
    organisation_id: int,
    occurrence: Occurrence,
) -> int:
    """A shift outside any template (a one-off evening). ``occurrence.key.template_id``
    is ignored."""
    room_id, topic_id = _target_ids(occurrence.target)
    async with db.session() as session:
        row = ShiftRow(
            organisation_id=organisation_id,
            template_id=None,
            day=occurrence.key.day,
            room_id=room_id,
            topic_id=topic_id,
            starts_at=occurrence.start,
            ends_at=occurrence.end,
            qualification_id=_qual_id(occurrence.qualification),
            sequence=0,
        )
        session.add(row)
        await session.flush()
        for role, needed in occurrence.needs.items():
            session.add(ShiftPlace(shift_id=row.id, role=role, needed=needed, filled=0))
        return row.id


async def access_shift(
    session: AsyncSession, *, organisation_id: int, shift_id: int
) -> tuple[ShiftRow, store.Shift]:
    """The shift ``shift_id`` of ``organisation_id``; NotFound for another's."""
    found = await store.load_shift(session, shift_id)
    if found is None or found[0].organisation_id != organisation_id:
        raise ShiftNotFound()
    return found


async def organisation_ids(db: Database) -> list[int]:
    async with db.read_session() as session:
        return list(await session.scalars(select(Organisation.id).order_by(Organisation.id)))


async def get_parallel_chats(db: Database, *, organisation_id: int) -> int:
    async with db.read_session() as session:
        return await store.parallel_chats(session, organisation_id)


async def topics_of(db: Database, *, organisation_id: int) -> list[Any]:
    """The organisation's active queue topics."""
    async with db.read_session() as session:
        return list(
            await session.scalars(
                select(QueueTopic)
                .where(QueueTopic.organisation_id == organisation_id, QueueTopic.active.is_(True))
                .order_by(QueueTopic.name_fi)
            )
        )


async def rooms_of(db: Database, *, organisation_id: int) -> list[Room]:
    async with db.read_session() as session:
        return list(
            await session.scalars(
                select(Room)
                .where(
                    Room.organisation_id == organisation_id,
                    Room.kind == "group",
                    Room.archived_at.is_(None),
                )
                .order_by(Room.name_fi)
            )
        )


__all__ = [
    "HorizonResult",
    "SettingsForm",
    "ShiftNotFound",
    "TemplateInput",
    "TemplateNotFound",
    "access_shift",
    "do_cancel_date",
    "do_create_shift",
    "do_end_template",
    "do_plan_horizon",
    "do_save_template",
    "do_update_settings",
    "get_settings",
    "get_template",
    "list_templates",
    "organisation_ids",
    "rooms_of",
]
