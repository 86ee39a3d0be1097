"""Shift templates in the database: a coordinator's template checked and saved (with
its needs and exception dates), ended, a date cancelled, and read back as the pure
:class:`~kuulolla.shifts.recurrence.ShiftTemplate`. Each change brings the
organisation's horizon in line in the same transaction (shifts/horizon_runs.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Qualification
from kuulolla.core import times
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue.models import QueueTopic
from kuulolla.rooms.models import Room
from kuulolla.shifts import horizon_runs, loading
from kuulolla.shifts.forms import TemplateFields
from kuulolla.shifts.models import ShiftTemplateException, ShiftTemplateNeed, ShiftTemplateRow
from kuulolla.shifts.recurrence import ShiftTemplate, check_template


class TemplateNotFound(NotFound):
    code = "template_not_found"
    default_message = N_("There is no such shift template.")


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
        target=loading.target_of(data.room_id, data.topic_id),
        start_time=data.start_time,
        end_time=data.end_time,
        rule=data.rule,
        valid_from=data.valid_from,
        needs=dict(data.needs),
        valid_until=data.valid_until,
        qualification=loading.qualification_key(data.qualification_id),
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
        await horizon_runs.plan(session, organisation_id=organisation_id, now=now)
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
        await horizon_runs.plan(session, organisation_id=organisation_id, now=now)


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
        await horizon_runs.plan(session, organisation_id=organisation_id, now=now)


@dataclass(frozen=True, slots=True)
class TemplateView:
    template: ShiftTemplate
    room_id: int | None
    topic_id: int | None
    qualification_id: int | None


async def list_templates(db: Database, *, organisation_id: int) -> list[ShiftTemplate]:
    async with db.read_session() as session:
        return await loading.load_templates(session, organisation_id=organisation_id)


async def get_template(db: Database, *, organisation_id: int, template_id: int) -> ShiftTemplate:
    async with db.read_session() as session:
        await _template_row(session, organisation_id, template_id)
        return (await loading.load_templates(session, ids=[template_id]))[0]
