"""Who is on which shift: sign-up, cancelling, a coordinator's assignments and swaps
(check-in and check-out are shifts/checkins.py). Every ``do_…`` is one write transaction that reads, asks the
pure rules (``rules.py``, ``swaps.py``, ``duty.py``) and writes, or raises the rule's
refusal (``ShiftRefused``, 409) having changed nothing.

The last place: see ``kuulolla/shifts/__init__.py``. The counter update
``filled = filled + 1 WHERE filled < needed`` decides between two people taking it
at once; the person lock (PostgreSQL ``SELECT … FOR UPDATE`` on the staff row;
SQLite serialises writers with ``BEGIN IMMEDIATE``) keeps one person's two
simultaneous sign-ups from both passing the overlap and hour rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.shifts import loading, rules, swaps
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftPlace, ShiftSwapRow
from kuulolla.shifts.refusals import refuse
from kuulolla.shifts.service import access_shift
from kuulolla.shifts.values import Assignment, Person


class AssignmentNotFound(NotFound):
    code = "assignment_not_found"
    default_message = N_("There is no such shift of yours.")


class SwapNotFound(NotFound):
    code = "swap_not_found"
    default_message = N_("There is no such swap offer.")


class NotAMember(NotFound):
    code = "not_member"
    default_message = N_("That person is not a member of the organisation.")


async def _lock_person(session: AsyncSession, person_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(StaffUser.id).where(StaffUser.id == person_id).with_for_update()
        )


async def _person(session: AsyncSession, organisation_id: int, person_id: int) -> Person:
    people = await loading.load_people(session, organisation_id, ids=[person_id])
    if person_id not in people:
        raise NotAMember()
    return people[person_id]


async def _take_place(session: AsyncSession, shift_id: int, role: str) -> None:
    result = await session.execute(
        update(ShiftPlace)
        .where(
            ShiftPlace.shift_id == shift_id,
            ShiftPlace.role == role,
            ShiftPlace.filled < ShiftPlace.needed,
        )
        .values(filled=ShiftPlace.filled + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise refuse("shift_full").error()


async def _free_place(session: AsyncSession, shift_id: int, role: str) -> None:
    await session.execute(
        update(ShiftPlace)
        .where(ShiftPlace.shift_id == shift_id, ShiftPlace.role == role, ShiftPlace.filled > 0)
        .values(filled=ShiftPlace.filled - 1)
    )


# ------------------------------------------------------------------ sign-up


async def do_sign_up(
    db: Database,
    *,
    organisation_id: int,
    shift_id: int,
    person_id: int,
    role: str,
    now: datetime,
    by_coordinator: bool = False,
) -> int:
    """Give ``person_id`` a place of ``role`` on the shift; returns the assignment id.
    ``by_coordinator``: a coordinator assigns them (no sign-up horizon)."""
    async with db.session() as session:
        await _lock_person(session, person_id)
        _, shift = await access_shift(session, organisation_id=organisation_id, shift_id=shift_id)
        person = await _person(session, organisation_id, person_id)
        settings = await loading.load_settings(session, organisation_id)
        mine, taken = await loading.limits_context(session, person_id, shift)
        refusal = rules.check_signup(
            person,
            shift,
            role=role,
            mine=mine,
            taken=taken,
            settings=settings,
            now=now,
            by_coordinator=by_coordinator,
        )
        if refusal is not None:
            raise refusal.error()
        await _take_place(session, shift.id, role)
        row = ShiftAssignmentRow(shift_id=shift.id, person_id=person_id, role=role, created_at=now)
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:
            raise refuse("already_signed_up").error() from None
        return row.id


async def _assignment(
    session: AsyncSession, *, organisation_id: int, assignment_id: int
) -> tuple[ShiftAssignmentRow, Assignment]:
    row = await session.get(ShiftAssignmentRow, assignment_id)
    if row is None:
        raise AssignmentNotFound()
    try:
        _, shift = await access_shift(
            session, organisation_id=organisation_id, shift_id=row.shift_id
        )
    except NotFound:
        raise AssignmentNotFound() from None
    return row, loading.assignment_from_row(row, shift)


async def own_assignment(
    session: AsyncSession, *, organisation_id: int, assignment_id: int, person_id: int
) -> tuple[ShiftAssignmentRow, Assignment]:
    row, assignment = await _assignment(
        session, organisation_id=organisation_id, assignment_id=assignment_id
    )
    if row.person_id != person_id:
        raise AssignmentNotFound()
    return row, assignment


async def _remove(session: AsyncSession, row: ShiftAssignmentRow) -> None:
    await _free_place(session, row.shift_id, row.role)
    await session.execute(delete(ShiftAssignmentRow).where(ShiftAssignmentRow.id == row.id))


async def do_cancel(
    db: Database, *, organisation_id: int, assignment_id: int, person_id: int, now: datetime
) -> None:
    """Give up one's own place, until the organisation's cancellation deadline."""
    async with db.session() as session:
        row, assignment = await own_assignment(
            session,
            organisation_id=organisation_id,
            assignment_id=assignment_id,
            person_id=person_id,
        )
        settings = await loading.load_settings(session, organisation_id)
        refusal = rules.check_cancel(assignment, settings=settings, now=now)
        if refusal is not None:
            raise refusal.error()
        await _remove(session, row)


async def do_unassign(
    db: Database, *, organisation_id: int, assignment_id: int, now: datetime
) -> None:
    """A coordinator takes someone off a shift (until it ends)."""
    async with db.session() as session:
        row, assignment = await _assignment(
            session, organisation_id=organisation_id, assignment_id=assignment_id
        )
        refusal = rules.check_unassign(assignment, now=now)
        if refusal is not None:
            raise refusal.error()
        await _remove(session, row)


# ------------------------------------------------------------------ swaps


def _offer(row: ShiftSwapRow, assignment: Assignment) -> swaps.SwapOffer:
    return swaps.SwapOffer(
        id=row.id,
        assignment=assignment,
        status=row.status,  # type: ignore[arg-type]
        taker_id=row.taker_id,
    )


async def do_offer_swap(
    db: Database, *, organisation_id: int, assignment_id: int, person_id: int, now: datetime
) -> int:
    async with db.session() as session:
        _, assignment = await own_assignment(
            session,
            organisation_id=organisation_id,
            assignment_id=assignment_id,
            person_id=person_id,
        )
        earlier = [
            _offer(r, assignment)
            for r in await session.scalars(
                select(ShiftSwapRow).where(ShiftSwapRow.assignment_id == assignment_id)
            )
        ]
        refusal = swaps.check_offer(assignment, offers=earlier, now=now)
        if refusal is not None:
            raise refusal.error()
        row = ShiftSwapRow(assignment_id=assignment_id, status="open", offered_at=now)
        session.add(row)
        await session.flush()
        return row.id


async def _swap(
    session: AsyncSession, *, organisation_id: int, swap_id: int
) -> tuple[ShiftSwapRow, ShiftAssignmentRow, swaps.SwapOffer]:
    row = await session.get(ShiftSwapRow, swap_id)
    if row is None:
        raise SwapNotFound()
    arow, assignment = await _assignment(
        session, organisation_id=organisation_id, assignment_id=row.assignment_id
    )
    return row, arow, _offer(row, assignment)


async def _hand_over(
    session: AsyncSession, row: ShiftSwapRow, arow: ShiftAssignmentRow, taker_id: int, now: datetime
) -> None:
    arow.person_id = taker_id
    arow.checked_in_at = None
    arow.checked_out_at = None
    arow.created_at = now
    await session.flush()


async def do_take_swap(
    db: Database, *, organisation_id: int, swap_id: int, person_id: int, now: datetime
) -> str:
    """Take over an offered place; returns the offer's new status ("done", or
    "pending" where a coordinator approves swaps). One offer has one taker."""
    async with db.session() as session:
        await _lock_person(session, person_id)
        row, arow, offer = await _swap(session, organisation_id=organisation_id, swap_id=swap_id)
        person = await _person(session, organisation_id, person_id)
        settings = await loading.load_settings(session, organisation_id)
        mine, taken = await loading.limits_context(session, person_id, offer.assignment.shift)
        refusal = swaps.check_take(
            person, offer, mine=mine, taken=taken, settings=settings, now=now
        )
        if refusal is not None:
            raise refusal.error()
        after = swaps.take(offer, person, settings=settings)
        result = await session.execute(
            update(ShiftSwapRow)
            .where(ShiftSwapRow.id == row.id, ShiftSwapRow.status == "open")
            .values(
                status=after.status,
                taker_id=person_id,
                decided_at=now if after.status == "done" else None,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise refuse("swap_not_open").error()
        if after.status == "done":
            await _hand_over(session, row, arow, person_id, now)
        return after.status


async def do_decide_swap(
    db: Database,
    *,
    organisation_id: int,
    swap_id: int,
    approve: bool,
    coordinator_id: int,
    now: datetime,
) -> None:
    """A coordinator approves (re-checking the taker's rules now) or rejects a taken swap."""
    async with db.session() as session:
        row, arow, offer = await _swap(session, organisation_id=organisation_id, swap_id=swap_id)
        if not approve:
            if offer.status != "pending":
                raise refuse("swap_not_pending").error()
            row.status, row.taker_id = "open", None
            row.decided_by, row.decided_at = coordinator_id, now
            return
        taker_id = offer.taker_id or 0
        await _lock_person(session, taker_id)
        taker = await _person(session, organisation_id, taker_id)
        settings = await loading.load_settings(session, organisation_id)
        mine, taken = await loading.limits_context(session, taker_id, offer.assignment.shift)
        refusal = swaps.check_approve(
            offer, taker, mine=mine, taken=taken, settings=settings, now=now
        )
        if refusal is not None:
            raise refusal.error()
        result = await session.execute(
            update(ShiftSwapRow)
            .where(ShiftSwapRow.id == row.id, ShiftSwapRow.status == "pending")
            .values(status="done", decided_by=coordinator_id, decided_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise refuse("swap_not_pending").error()
        await _hand_over(session, row, arow, taker_id, now)


async def do_withdraw_swap(
    db: Database, *, organisation_id: int, swap_id: int, person_id: int, now: datetime
) -> None:
    async with db.session() as session:
        row, arow, offer = await _swap(session, organisation_id=organisation_id, swap_id=swap_id)
        if arow.person_id != person_id:
            raise AssignmentNotFound()
        refusal = swaps.check_withdraw(offer, now=now)
        if refusal is not None:
            raise refusal.error()
        row.status, row.taker_id, row.decided_at = "withdrawn", None, now


@dataclass(frozen=True, slots=True)
class OpenSwap:
    id: int
    status: str
    assignment: Assignment
    offerer_id: int
    taker_id: int | None


async def list_swaps(
    db: Database, *, organisation_id: int, now: datetime, statuses: tuple[str, ...] = ("open",)
) -> list[OpenSwap]:
    """Offers of the organisation's future shifts with the given statuses."""
    from kuulolla.shifts.models import ShiftRow

    async with db.read_session() as session:
        pairs = list(
            await session.execute(
                select(ShiftSwapRow, ShiftAssignmentRow)
                .join(ShiftAssignmentRow, ShiftAssignmentRow.id == ShiftSwapRow.assignment_id)
                .join(ShiftRow, ShiftRow.id == ShiftAssignmentRow.shift_id)
                .where(
                    ShiftRow.organisation_id == organisation_id,
                    ShiftRow.starts_at > now,
                    ShiftSwapRow.status.in_(statuses),
                )
                .order_by(ShiftRow.starts_at, ShiftSwapRow.id)
            )
        )
        rows = [await loading.load_shift(session, a.shift_id) for _, a in pairs]
        out = []
        for (swap, arow), found in zip(pairs, rows, strict=True):
            if found is None:
                continue
            out.append(
                OpenSwap(
                    swap.id,
                    swap.status,
                    loading.assignment_from_row(arow, found[1]),
                    arow.person_id,
                    swap.taker_id,
                )
            )
        return out
