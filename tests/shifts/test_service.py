"""Shift services against SQLite and PostgreSQL: templates and the horizon, sign-up and
its refusals, the last place, swaps, duty, calls, debriefs and feeds."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

import pytest
import pytest_asyncio
from icalendar import Calendar
from sqlalchemy import func, select

from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.core.events import Kind
from kuulolla.core.models import ReportEvent
from kuulolla.shifts import checkins, horizon_runs, notices, roster, templates
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftPlace, ShiftRow
from kuulolla.shifts.refusals import ShiftRefused
from tests.shifts.make import hki
from tests.shifts.world import NOW, ShiftWorld, build, weekly_template

pytestmark = pytest.mark.asyncio


async def shift_rows(db: Database) -> list[ShiftRow]:
    async with db.read_session() as session:
        return list(await session.scalars(select(ShiftRow).order_by(ShiftRow.starts_at)))


async def first_shift(db: Database) -> ShiftRow:
    return (await shift_rows(db))[0]


@pytest_asyncio.fixture
async def world(db: Database) -> ShiftWorld:
    return await build(db)


async def test_saving_a_template_generates_its_horizon(db: Database, world: ShiftWorld) -> None:
    """A Monday/Wednesday template gets one shift per such date for the 56-day horizon."""
    await weekly_template(db, world)
    rows = await shift_rows(db)
    assert len(rows) == 16  # 8 weeks × 2, the first this Monday evening
    assert rows[0].day == date(2026, 5, 4)
    assert rows[0].starts_at.astimezone(HELSINKI).time() == time(18)


async def test_horizon_generation_is_idempotent(db: Database, world: ShiftWorld) -> None:
    """Running the horizon again, even twice at once, stores nothing new."""
    await weekly_template(db, world)
    before = len(await shift_rows(db))
    results = await asyncio.gather(
        horizon_runs.do_plan_horizon(db, now=NOW), horizon_runs.do_plan_horizon(db, now=NOW)
    )
    assert [r.created for r in results] == [0, 0]
    assert len(await shift_rows(db)) == before


async def test_horizon_rolls_forward_with_time(db: Database, world: ShiftWorld) -> None:
    """A week later the horizon adds the next week's shifts and nothing else."""
    await weekly_template(db, world)
    before = len(await shift_rows(db))
    result = await horizon_runs.do_plan_horizon(db, now=NOW + timedelta(days=7))
    assert result.created == 2
    assert len(await shift_rows(db)) == before + 2


async def test_horizon_keeps_wall_time_across_dst(db: Database, world: ShiftWorld) -> None:
    """Shifts before and after the October change both start 18:00 Helsinki time."""
    now = hki(2026, 10, 19, 12)
    await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO", now=now)
    rows = await shift_rows(db)
    walls = {r.starts_at.astimezone(HELSINKI).time() for r in rows}
    offsets = {r.starts_at.astimezone(HELSINKI).utcoffset() for r in rows}
    assert walls == {time(18)}
    assert offsets == {timedelta(hours=3), timedelta(hours=2)}


async def test_cancelled_date_cancels_an_unclaimed_shift(db: Database, world: ShiftWorld) -> None:
    """An exception date marks that shift cancelled."""
    template_id = await weekly_template(db, world)
    await templates.do_cancel_date(
        db, organisation_id=world.org_id, template_id=template_id, day=date(2026, 5, 4), now=NOW
    )
    row = await first_shift(db)
    assert row.cancelled_at is not None and row.sequence == 1


async def test_template_for_another_organisations_room_is_refused(db: Database) -> None:
    """A room of another organisation cannot be staffed by a template."""
    alfa = await build(db, slug="alfa-huone", org="alfa")
    beeta = await build(db, slug="beeta-huone", org="beeta")
    with pytest.raises(Exception) as info:
        await templates.do_save_template(
            db,
            organisation_id=alfa.org_id,
            data=templates.TemplateInput(
                room_id=beeta.room_id,
                start_time=time(18),
                end_time=time(21),
                rule="FREQ=DAILY",
                valid_from=date(2026, 5, 1),
                needs={"volunteer": 1},
            ),
            now=NOW,
        )
    assert getattr(info.value, "code", None) == "invalid_target"
    assert await shift_rows(db) == []


async def sign_up(
    db: Database, world: ShiftWorld, who: str, shift_id: int, role: str = "volunteer"
) -> int:
    return await roster.do_sign_up(
        db,
        organisation_id=world.org_id,
        shift_id=shift_id,
        person_id=world.people[who],
        role=role,
        now=NOW,
    )


async def refusal_code(work: object) -> str:
    with pytest.raises(ShiftRefused) as info:
        await work  # type: ignore[misc]
    return info.value.code


async def test_sign_up_takes_a_place(db: Database, world: ShiftWorld) -> None:
    """Signing up stores the assignment and counts the place as filled."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    await sign_up(db, world, "host1", shift.id)
    async with db.read_session() as session:
        place = await session.get(ShiftPlace, (shift.id, "volunteer"))
    assert place is not None and place.filled == 1


@pytest.mark.parametrize(
    ("who", "role", "code"),
    [
        ("novice", "volunteer", "not_qualified"),
        ("host1", "professional", "wrong_role"),
    ],
)
async def test_sign_up_refusals(
    db: Database, world: ShiftWorld, who: str, role: str, code: str
) -> None:
    """Qualification and role refusals carry their codes and store nothing."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    assert await refusal_code(sign_up(db, world, who, shift.id, role)) == code
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(ShiftAssignmentRow)) == 0


async def test_sign_up_twice_is_refused(db: Database, world: ShiftWorld) -> None:
    """The same person cannot take two places on one shift."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    await sign_up(db, world, "host1", shift.id)
    assert await refusal_code(sign_up(db, world, "host1", shift.id)) == "already_signed_up"


async def test_rest_between_shifts_is_enforced(db: Database, world: ShiftWorld) -> None:
    """Two shifts of the same evening with a short gap: the second is refused for rest."""
    await weekly_template(db, world)
    await weekly_template(db, world, start=time(22), end=time(23))
    rows = await shift_rows(db)
    evening, late = rows[0], rows[1]
    assert late.starts_at - evening.ends_at == timedelta(hours=1)
    await sign_up(db, world, "host1", evening.id)
    assert await refusal_code(sign_up(db, world, "host1", late.id)) == "rest_too_short"


async def test_full_shift_is_refused(db: Database, world: ShiftWorld) -> None:
    """A third volunteer on a shift for two is told it is full."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    await sign_up(db, world, "host1", shift.id)
    await sign_up(db, world, "host2", shift.id)
    assert await refusal_code(sign_up(db, world, "host3", shift.id)) == "shift_full"


async def test_last_place_race_has_exactly_one_winner(db: Database, world: ShiftWorld) -> None:
    """Two volunteers taking the last place at the same moment: exactly one gets it."""
    await weekly_template(db, world, needs={"volunteer": 1})
    for _ in range(3):  # three different shifts, three races
        rows = [r for r in await shift_rows(db)]
        async with db.read_session() as session:
            taken = set(await session.scalars(select(ShiftAssignmentRow.shift_id)))
        shift = next(r for r in rows if r.id not in taken)
        results = await asyncio.gather(
            sign_up(db, world, "host1", shift.id),
            sign_up(db, world, "host2", shift.id),
            return_exceptions=True,
        )
        winners = [r for r in results if isinstance(r, int)]
        losers = [r for r in results if isinstance(r, ShiftRefused)]
        assert len(winners) == 1 and [e.code for e in losers] == ["shift_full"]
        async with db.read_session() as session:
            count = await session.scalar(
                select(func.count()).where(ShiftAssignmentRow.shift_id == shift.id)
            )
            place = await session.get(ShiftPlace, (shift.id, "volunteer"))
        assert count == 1 and place is not None and place.filled == 1


async def test_cancel_frees_the_place_until_the_deadline(db: Database, world: ShiftWorld) -> None:
    """Cancelling before the deadline frees the place; after it, it is refused."""
    await weekly_template(db, world)
    shift = (await shift_rows(db))[4]  # two weeks ahead
    assignment = await sign_up(db, world, "host1", shift.id)
    late = shift.starts_at - timedelta(hours=1)
    code = await refusal_code(
        roster.do_cancel(
            db,
            organisation_id=world.org_id,
            assignment_id=assignment,
            person_id=world.people["host1"],
            now=late,
        )
    )
    assert code == "cancel_deadline_passed"
    await roster.do_cancel(
        db,
        organisation_id=world.org_id,
        assignment_id=assignment,
        person_id=world.people["host1"],
        now=NOW,
    )
    async with db.read_session() as session:
        place = await session.get(ShiftPlace, (shift.id, "volunteer"))
    assert place is not None and place.filled == 0


async def test_swap_hands_the_place_to_the_taker(db: Database, world: ShiftWorld) -> None:
    """An offered place taken by another qualified volunteer becomes theirs."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    assignment = await sign_up(db, world, "host1", shift.id)
    swap = await roster.do_offer_swap(
        db,
        organisation_id=world.org_id,
        assignment_id=assignment,
        person_id=world.people["host1"],
        now=NOW,
    )
    code = await refusal_code(
        roster.do_take_swap(
            db,
            organisation_id=world.org_id,
            swap_id=swap,
            person_id=world.people["novice"],
            now=NOW,
        )
    )
    assert code == "not_qualified"
    status = await roster.do_take_swap(
        db, organisation_id=world.org_id, swap_id=swap, person_id=world.people["host2"], now=NOW
    )
    assert status == "done"
    async with db.read_session() as session:
        row = await session.get(ShiftAssignmentRow, assignment)
    assert row is not None and row.person_id == world.people["host2"]
    again = await refusal_code(
        roster.do_take_swap(
            db, organisation_id=world.org_id, swap_id=swap, person_id=world.people["host3"], now=NOW
        )
    )
    assert again == "swap_not_open"


async def test_check_in_window_and_check_out(db: Database, world: ShiftWorld) -> None:
    """Check-in opens 15 minutes before the start; check-out records the time."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    assignment = await sign_up(db, world, "host1", shift.id)
    me = world.people["host1"]
    early = shift.starts_at - timedelta(minutes=20)
    code = await refusal_code(
        checkins.do_check_in(
            db, organisation_id=world.org_id, assignment_id=assignment, person_id=me, now=early
        )
    )
    assert code == "check_in_too_early"
    at = shift.starts_at - timedelta(minutes=10)
    await checkins.do_check_in(
        db, organisation_id=world.org_id, assignment_id=assignment, person_id=me, now=at
    )
    out = shift.starts_at + timedelta(hours=1)
    await checkins.do_check_out(
        db, organisation_id=world.org_id, assignment_id=assignment, person_id=me, now=out
    )
    async with db.read_session() as session:
        row = await session.get(ShiftAssignmentRow, assignment)
        hours = list(
            await session.scalars(
                select(ReportEvent.value).where(ReportEvent.kind == Kind.SHIFT_HOURS)
            )
        )
    assert row is not None and (row.checked_in_at, row.checked_out_at) == (at, out)
    assert hours == [pytest.approx(70 / 60, abs=0.01)]


async def test_forgotten_check_out_is_closed_at_the_end(db: Database, world: ShiftWorld) -> None:
    """A check-out nobody recorded is set to the shift's end after the grace period."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    assignment = await sign_up(db, world, "host1", shift.id)
    await checkins.do_check_in(
        db,
        organisation_id=world.org_id,
        assignment_id=assignment,
        person_id=world.people["host1"],
        now=shift.starts_at,
    )
    assert await checkins.do_close_forgotten(db, now=shift.ends_at + timedelta(minutes=10)) == 0
    assert await checkins.do_close_forgotten(db, now=shift.ends_at + timedelta(hours=1)) == 1
    async with db.read_session() as session:
        row = await session.get(ShiftAssignmentRow, assignment)
    assert row is not None and row.checked_out_at == shift.ends_at


async def test_call_reaches_qualified_free_people_only(db: Database, world: ShiftWorld) -> None:
    """A call goes to trained volunteers not yet on the shift, as an unread notice."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    await sign_up(db, world, "host1", shift.id)
    reached = await notices.do_post_call(
        db,
        organisation_id=world.org_id,
        shift_id=shift.id,
        coordinator_id=world.people["coord"],
        message="Tarvitaan yksi!",
        now=NOW,
    )
    got = {
        who: len(await notices.list_notices(db, person_id=pid, now=NOW))
        for who, pid in world.people.items()
    }
    # host2, host3 and the coordinator (who may fill a volunteer place) can sign up.
    assert reached == 3
    assert got == {"host1": 0, "host2": 1, "host3": 1, "novice": 0, "pro": 0, "coord": 1}


async def test_debrief_after_start_is_listed_for_coordinators(
    db: Database, world: ShiftWorld
) -> None:
    """A debrief request after the shift shows in the organisation's list."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    assignment = await sign_up(db, world, "host1", shift.id)
    kwargs = dict(
        organisation_id=world.org_id,
        assignment_id=assignment,
        person_id=world.people["host1"],
        text="Raskas ilta.",
        wants_talk=True,
    )
    assert await refusal_code(notices.do_debrief(db, now=NOW, **kwargs)) == "debrief_too_early"  # type: ignore[arg-type]
    await notices.do_debrief(db, now=shift.ends_at, **kwargs)  # type: ignore[arg-type]
    listed = await notices.list_debriefs(db, organisation_id=world.org_id)
    assert [(d.text, d.wants_talk) for d in listed] == [("Raskas ilta.", True)]


async def test_feed_lists_shifts_and_stops_when_revoked(db: Database, world: ShiftWorld) -> None:
    """The feed parses with icalendar, has the shift at 18:00 Helsinki; revoked, it is gone."""
    await weekly_template(db, world)
    shift = await first_shift(db)
    await sign_up(db, world, "host1", shift.id)
    me = world.people["host1"]
    token = await notices.do_new_feed_token(db, person_id=me, now=NOW)
    body = await notices.get_feed(db, token=token, domain="kuulolla.test", now=NOW)
    assert body is not None
    events = [c for c in Calendar.from_ical(body).walk("VEVENT")]
    assert len(events) == 1
    start = events[0].decoded("dtstart")
    assert start == shift.starts_at and start.astimezone(HELSINKI).hour == 18
    await notices.do_revoke_feed(db, person_id=me)
    assert await notices.get_feed(db, token=token, domain="kuulolla.test", now=NOW) is None
    assert await notices.get_feed(db, token="../../etc", domain="x", now=NOW) is None
