"""The organisation's shift rules and the look-ups the shift pages share.

The rules (``shift_settings``, defaults when absent) as a coordinator reads and
changes them; a shift of the organisation or NotFound (:func:`access_shift`); the
organisation's ids, parallel-chat limit, queue topics and rooms. Templates are in
``templates.py``, running the horizon in ``horizon_runs.py``, a room's roster in
``room_rosters.py``; sign-up, swaps and duty in ``roster.py``; calls, debriefs and
feeds in ``notices.py``; calendars and reports in ``views.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue.models import QueueTopic
from kuulolla.rooms.models import Room
from kuulolla.shifts import loading
from kuulolla.shifts.models import ShiftRow, ShiftSettingsRow
from kuulolla.shifts.values import Shift, ShiftSettings


class ShiftNotFound(NotFound):
    code = "shift_not_found"
    default_message = N_("There is no such shift.")


async def get_settings(db: Database, *, organisation_id: int) -> ShiftSettings:
    async with db.read_session() as session:
        return await loading.load_settings(session, organisation_id)


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
        return loading.settings_from_row(row)


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


async def access_shift(
    session: AsyncSession, *, organisation_id: int, shift_id: int
) -> tuple[ShiftRow, Shift]:
    """The shift ``shift_id`` of ``organisation_id``; NotFound for another's."""
    found = await loading.load_shift(session, shift_id)
    if found is None or found[0].organisation_id != organisation_id:
        raise ShiftNotFound()
    return found


async def organisation_ids(db: Database) -> list[int]:
    async with db.read_session() as session:
        return list(await session.scalars(select(Organisation.id).order_by(Organisation.id)))


async def get_parallel_chats(db: Database, *, organisation_id: int) -> int:
    async with db.read_session() as session:
        return await loading.parallel_chats(session, organisation_id)


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
    "SettingsForm",
    "ShiftNotFound",
    "access_shift",
    "do_update_settings",
    "get_settings",
    "organisation_ids",
    "rooms_of",
]
