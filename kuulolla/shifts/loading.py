"""Reading shift rows (``models.py``) into the pure value types (``values.py``), inside a
session the caller opened. Nothing here writes; the services (``service.py``,
``templates.py``, ``horizon_runs.py``, ``roster.py``, ``checkins.py`` and the others)
decide and write."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Membership, Qualification, StaffQualification
from kuulolla.queue.models import QueueHelper
from kuulolla.shifts.models import (
    ShiftAssignmentRow,
    ShiftPlace,
    ShiftRow,
    ShiftSettingsRow,
    ShiftTemplateException,
    ShiftTemplateNeed,
    ShiftTemplateRow,
)
from kuulolla.shifts.recurrence import ShiftTemplate
from kuulolla.shifts.values import (
    PROFESSIONAL,
    VOLUNTEER,
    Assignment,
    Person,
    Shift,
    ShiftSettings,
    Target,
)
from kuulolla.shifts.values import (
    Qualification as Held,
)

# Which shift roles a member of each organisation role may fill. Coordinators step in
# for either when a shift would otherwise stay empty.
SHIFT_ROLES: dict[str, frozenset[str]] = {
    "volunteer": frozenset({VOLUNTEER}),
    "professional": frozenset({PROFESSIONAL}),
    "coordinator": frozenset({VOLUNTEER, PROFESSIONAL}),
}

# How far around a shift a person's other shifts can matter to the rules: a week for
# the weekly cap plus a day for the rest between shifts.
LIMITS_REACH = timedelta(days=8)


def target_of(room_id: int | None, topic_id: int | None) -> Target:
    return Target("room", room_id) if room_id is not None else Target("topic", int(topic_id or 0))


def qualification_key(qualification_id: int | None) -> str | None:
    return str(qualification_id) if qualification_id is not None else None


# ------------------------------------------------------------------ settings


def settings_from_row(row: ShiftSettingsRow | None) -> ShiftSettings:
    if row is None:
        return ShiftSettings()
    minutes = lambda n: timedelta(minutes=n)  # noqa: E731
    return ShiftSettings(
        max_week=minutes(row.max_week_minutes) if row.max_week_minutes is not None else None,
        min_rest=minutes(row.min_rest_minutes),
        signup_days=row.signup_days,
        cancel_before=minutes(row.cancel_before_minutes),
        swap_approval=row.swap_approval,
        check_in_early=minutes(row.check_in_early_minutes),
        check_out_grace=minutes(row.check_out_grace_minutes),
        closing_notice=minutes(row.closing_notice_minutes),
        horizon_days=row.horizon_days,
    )


async def load_settings(session: AsyncSession, organisation_id: int) -> ShiftSettings:
    return settings_from_row(await session.get(ShiftSettingsRow, organisation_id))


async def parallel_chats(session: AsyncSession, organisation_id: int) -> int:
    row = await session.get(ShiftSettingsRow, organisation_id)
    return row.parallel_chats if row is not None else 2


# ------------------------------------------------------------------ templates


async def load_templates(
    session: AsyncSession, *, organisation_id: int | None = None, ids: Iterable[int] | None = None
) -> list[ShiftTemplate]:
    stmt = select(ShiftTemplateRow).order_by(ShiftTemplateRow.id)
    if organisation_id is not None:
        stmt = stmt.where(ShiftTemplateRow.organisation_id == organisation_id)
    if ids is not None:
        stmt = stmt.where(ShiftTemplateRow.id.in_(list(ids)))
    rows = list(await session.scalars(stmt))
    return await templates_from_rows(session, rows)


async def templates_from_rows(
    session: AsyncSession, rows: Sequence[ShiftTemplateRow]
) -> list[ShiftTemplate]:
    ids = [r.id for r in rows]
    needs: defaultdict[int, dict[str, int]] = defaultdict(dict)
    exceptions: defaultdict[int, set] = defaultdict(set)
    if ids:
        for need in await session.scalars(
            select(ShiftTemplateNeed).where(ShiftTemplateNeed.template_id.in_(ids))
        ):
            needs[need.template_id][need.role] = need.count
        for exc in await session.scalars(
            select(ShiftTemplateException).where(ShiftTemplateException.template_id.in_(ids))
        ):
            exceptions[exc.template_id].add(exc.day)
    return [
        ShiftTemplate(
            id=r.id,
            target=target_of(r.room_id, r.topic_id),
            start_time=r.start_time,
            end_time=r.end_time,
            rule=r.rule,
            valid_from=r.valid_from,
            needs=needs[r.id],
            valid_until=r.valid_until,
            qualification=qualification_key(r.qualification_id),
            exceptions=frozenset(exceptions[r.id]),
            skip_holidays=r.skip_holidays,
        )
        for r in rows
    ]


# ------------------------------------------------------------------ shifts


async def places_of(session: AsyncSession, shift_ids: Sequence[int]) -> dict[int, list[ShiftPlace]]:
    out: defaultdict[int, list[ShiftPlace]] = defaultdict(list)
    if shift_ids:
        for place in await session.scalars(
            select(ShiftPlace).where(ShiftPlace.shift_id.in_(list(shift_ids)))
        ):
            out[place.shift_id].append(place)
    return out


def shift_from_row(row: ShiftRow, places: Iterable[ShiftPlace]) -> Shift:
    return Shift(
        id=row.id,
        target=target_of(row.room_id, row.topic_id),
        start=row.starts_at,
        end=row.ends_at,
        needs={p.role: p.needed for p in places if p.needed > 0},
        qualification=qualification_key(row.qualification_id),
        cancelled=row.cancelled_at is not None,
    )


async def shifts_from_rows(session: AsyncSession, rows: Sequence[ShiftRow]) -> list[Shift]:
    places = await places_of(session, [r.id for r in rows])
    return [shift_from_row(r, places.get(r.id, ())) for r in rows]


def shifts_between(
    start: datetime,
    end: datetime,
    *,
    organisation_id: int | None = None,
    room_id: int | None = None,
    topic_id: int | None = None,
) -> Select[ShiftRow]:
    """Shifts that overlap ``[start, end)``, filtered by organisation, room or topic."""
    stmt = select(ShiftRow).where(ShiftRow.starts_at < end, ShiftRow.ends_at > start)
    if organisation_id is not None:
        stmt = stmt.where(ShiftRow.organisation_id == organisation_id)
    if room_id is not None:
        stmt = stmt.where(ShiftRow.room_id == room_id)
    if topic_id is not None:
        stmt = stmt.where(ShiftRow.topic_id == topic_id)
    return stmt.order_by(ShiftRow.starts_at, ShiftRow.id)


async def load_shift(session: AsyncSession, shift_id: int) -> tuple[ShiftRow, Shift] | None:
    row = await session.get(ShiftRow, shift_id)
    if row is None:
        return None
    return row, shift_from_row(row, (await places_of(session, [row.id])).get(row.id, ()))


# ------------------------------------------------------------------ assignments


async def assignments_of_shifts(session: AsyncSession, shifts: Sequence[Shift]) -> list[Assignment]:
    by_id = {s.id: s for s in shifts}
    if not by_id:
        return []
    rows = await session.scalars(
        select(ShiftAssignmentRow)
        .where(ShiftAssignmentRow.shift_id.in_(list(by_id)))
        .order_by(ShiftAssignmentRow.id)
    )
    return [assignment_from_row(r, by_id[r.shift_id]) for r in rows]


def assignment_from_row(row: ShiftAssignmentRow, shift: Shift) -> Assignment:
    return Assignment(
        id=row.id,
        shift=shift,
        person_id=row.person_id,
        role=row.role,
        checked_in=row.checked_in_at,
        checked_out=row.checked_out_at,
    )


async def assignments_of_person(
    session: AsyncSession,
    person_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Assignment]:
    """A person's assignments on shifts overlapping ``[start, end)`` (all when None)."""
    stmt = (
        select(ShiftAssignmentRow, ShiftRow)
        .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
        .where(ShiftAssignmentRow.person_id == person_id)
        .order_by(ShiftRow.starts_at, ShiftRow.id)
    )
    if start is not None:
        stmt = stmt.where(ShiftRow.ends_at > start)
    if end is not None:
        stmt = stmt.where(ShiftRow.starts_at < end)
    pairs = list(await session.execute(stmt))
    places = await places_of(session, [s.id for _, s in pairs])
    return [assignment_from_row(a, shift_from_row(s, places.get(s.id, ()))) for a, s in pairs]


async def assignments_near(
    session: AsyncSession, person_ids: Iterable[int], shift: Shift
) -> dict[int, list[Assignment]]:
    """Each person's assignments near ``shift`` (what the sign-up rules look at)."""
    return {
        pid: await assignments_of_person(
            session, pid, start=shift.start - LIMITS_REACH, end=shift.end + LIMITS_REACH
        )
        for pid in person_ids
    }


async def limits_context(
    session: AsyncSession, person_id: int, shift: Shift
) -> tuple[list[Assignment], list[Assignment]]:
    """What the sign-up rules need: the person's assignments near ``shift`` and the
    shift's own assignments."""
    mine = await assignments_of_person(
        session, person_id, start=shift.start - LIMITS_REACH, end=shift.end + LIMITS_REACH
    )
    taken = await assignments_of_shifts(session, [shift])
    return mine, taken


# ------------------------------------------------------------------ people


async def load_people(
    session: AsyncSession, organisation_id: int, *, ids: Iterable[int] | None = None
) -> dict[int, Person]:
    """Members of the organisation as the shift rules see them: shift roles from their
    role, the organisation's trainings they completed, their parallel-chat limit."""
    stmt = select(Membership.user_id, Membership.role).where(
        Membership.organisation_id == organisation_id
    )
    if ids is not None:
        stmt = stmt.where(Membership.user_id.in_(list(ids)))
    roles = {uid: role for uid, role in await session.execute(stmt)}
    if not roles:
        return {}
    quals: defaultdict[int, list] = defaultdict(list)
    rows = await session.execute(
        select(StaffQualification)
        .join(Qualification, Qualification.id == StaffQualification.qualification_id)
        .where(
            StaffQualification.user_id.in_(list(roles)),
            Qualification.organisation_id == organisation_id,
        )
    )
    for (record,) in rows:
        quals[record.user_id].append(
            Held(
                key=str(record.qualification_id),
                valid_from=record.completed_on,
                valid_until=record.expires_on,
            )
        )
    chats = await parallel_chats(session, organisation_id)
    # A helper's own parallel-chat limit in the queue overrides the organisation's.
    own = {
        uid: n
        for uid, n in await session.execute(
            select(QueueHelper.user_id, QueueHelper.max_chats).where(
                QueueHelper.organisation_id == organisation_id,
                QueueHelper.user_id.in_(list(roles)),
            )
        )
    }
    return {
        uid: Person(
            id=uid,
            roles=SHIFT_ROLES.get(role, frozenset()),
            qualifications=tuple(quals[uid]),
            max_chats=own.get(uid, chats),
        )
        for uid, role in roles.items()
    }
