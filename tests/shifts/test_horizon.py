"""Rolling horizon: generation is idempotent and template changes spare claimed shifts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, time, timedelta

from kuulolla.shifts.horizon import HorizonPlan, StoredShift, plan_horizon
from kuulolla.shifts.recurrence import Occurrence, ShiftKey, ShiftTemplate
from kuulolla.shifts.values import local
from tests.shifts.make import hki, template

NOW = hki(2026, 5, 4, 12)  # Monday noon
DAILY = template(rule="FREQ=DAILY")


def _stored(o: Occurrence, assigned: Mapping[str, int] | None = None) -> StoredShift:
    return StoredShift(
        key=o.key,
        start=o.start,
        end=o.end,
        needs=dict(o.needs),
        qualification=o.qualification,
        assigned=dict(assigned or {}),
    )


def apply(stored: Sequence[StoredShift], plan: HorizonPlan) -> list[StoredShift]:
    """What a service would store after carrying out ``plan``."""
    rows = {s.key: s for s in stored}
    for o in plan.create:
        rows[o.key] = _stored(o)
    for o in (*plan.update, *plan.reopen):
        old = rows[o.key]
        rows[o.key] = replace(
            old,
            start=o.start,
            end=o.end,
            needs=dict(o.needs),
            qualification=o.qualification,
            cancelled=False,
        )
    for key in plan.cancel:
        rows[key] = replace(rows[key], cancelled=True)
    return sorted(rows.values(), key=lambda s: s.key)


def run(templates: Sequence[ShiftTemplate], stored: Sequence[StoredShift], days: int = 14, now=NOW):
    plan = plan_horizon(templates, stored, now=now, days=days)
    return plan, apply(stored, plan)


def claim(stored: list[StoredShift], day: date, **assigned: int) -> list[StoredShift]:
    return [replace(s, assigned=assigned) if s.key.day == day else s for s in stored]


# ------------------------------------------------------------------ idempotence


def test_first_run_creates_the_horizon() -> None:
    """An empty store gets one shift per day that starts after now and within the horizon."""
    plan, stored = run([DAILY], [])
    assert [o.key.day for o in plan.create] == [
        date(2026, 5, 4) + timedelta(days=i) for i in range(14)
    ]
    assert (plan.update, plan.reopen, plan.cancel, plan.conflicts) == ((), (), (), ())
    assert len(stored) == 14


def test_running_twice_changes_nothing() -> None:
    """After applying a plan, the same run plans nothing."""
    _, stored = run([DAILY, template(2, rule="FREQ=WEEKLY;BYDAY=SA")], [])
    plan, again = run([DAILY, template(2, rule="FREQ=WEEKLY;BYDAY=SA")], stored)
    assert plan.empty and plan.conflicts == ()
    assert again == stored


def test_later_run_adds_only_the_new_days() -> None:
    """A day later the horizon has moved on by one day: one new shift, nothing else."""
    _, stored = run([DAILY], [])
    plan, _ = run([DAILY], stored, now=NOW + timedelta(days=1))
    assert [o.key.day for o in plan.create] == [date(2026, 5, 18)]
    assert (plan.update, plan.reopen, plan.cancel) == ((), (), ())


def test_horizon_across_both_dst_changes_is_idempotent_and_local() -> None:
    """A year of generation keeps 18:00 local on every date and plans nothing the second time."""
    sunday = template()
    plan, stored = run([sunday], [], days=366, now=hki(2026, 1, 1))
    assert {local(o.start).time() for o in plan.create} == {time(18)}
    assert {o.key.day for o in plan.create} >= {date(2026, 3, 29), date(2026, 10, 25)}
    again, _ = run([sunday], stored, days=366, now=hki(2026, 1, 1))
    assert again.empty


def test_shifts_that_started_are_never_touched() -> None:
    """A shift that has started is left alone even when its template changes."""
    _, stored = run([DAILY], [], now=NOW - timedelta(days=1))
    moved = replace(DAILY, start_time=time(17))
    plan, _ = run([moved], stored, now=hki(2026, 5, 4, 18, 30))  # today's 18–21 has started
    changed = {o.key.day for o in plan.update}
    assert date(2026, 5, 4) not in changed
    assert date(2026, 5, 5) in changed


# ------------------------------------------------------------------ template changes


def test_time_change_rewrites_unclaimed_and_reports_claimed() -> None:
    """Moving the time updates unclaimed shifts and reports the signed-up one as changed."""
    _, stored = run([DAILY], [])
    stored = claim(stored, date(2026, 5, 6), volunteer=1)
    plan, _ = run([replace(DAILY, start_time=time(17))], stored)
    assert len(plan.update) == 13
    assert date(2026, 5, 6) not in {o.key.day for o in plan.update}
    [conflict] = plan.conflicts
    assert (conflict.key.day, conflict.reason, dict(conflict.assigned)) == (
        date(2026, 5, 6),
        "changed",
        {"volunteer": 1},
    )
    assert conflict.occurrence is not None and local(conflict.occurrence.start).time() == time(17)


def test_exception_cancels_only_unclaimed() -> None:
    """A cancelled date cancels the unclaimed shift; a claimed one is reported, not cancelled."""
    _, stored = run([DAILY], [])
    stored = claim(stored, date(2026, 5, 7), professional=1)
    changed = replace(DAILY, exceptions=frozenset({date(2026, 5, 6), date(2026, 5, 7)}))
    plan, after = run([changed], stored)
    assert plan.cancel == (ShiftKey(1, date(2026, 5, 6)),)
    assert [(c.key.day, c.reason) for c in plan.conflicts] == [(date(2026, 5, 7), "removed")]
    assert (plan.create, plan.update, plan.reopen) == ((), (), ())
    assert [s.key.day for s in after if s.cancelled] == [date(2026, 5, 6)]


def test_removing_the_exception_reopens() -> None:
    """A shift cancelled by an exception is reopened when the exception goes away."""
    _, stored = run([DAILY], [])
    _, stored = run([replace(DAILY, exceptions=frozenset({date(2026, 5, 6)}))], stored)
    plan, after = run([DAILY], stored)
    assert [o.key.day for o in plan.reopen] == [date(2026, 5, 6)]
    assert not any(s.cancelled for s in after)
    assert run([DAILY], after)[0].empty


def test_ending_a_template_cancels_its_later_shifts() -> None:
    """Setting valid_until cancels the unclaimed shifts after it."""
    _, stored = run([DAILY], [])
    plan, _ = run([replace(DAILY, valid_until=date(2026, 5, 10))], stored)
    assert [k.day for k in plan.cancel] == [date(2026, 5, 11) + timedelta(days=i) for i in range(7)]


def test_needs_change_updates_when_everyone_still_fits() -> None:
    """More places, or fewer that still hold everyone signed up, update even a claimed shift."""
    _, stored = run([DAILY], [])
    stored = claim(stored, date(2026, 5, 6), volunteer=1)
    plan, _ = run([replace(DAILY, needs={"volunteer": 1, "professional": 1})], stored)
    assert len(plan.update) == 14 and plan.conflicts == ()


def test_needs_change_that_drops_a_signed_up_person_is_a_conflict() -> None:
    """Fewer places than people signed up in a role is reported, not applied."""
    _, stored = run([DAILY], [])
    stored = claim(stored, date(2026, 5, 6), volunteer=2)
    plan, _ = run([replace(DAILY, needs={"volunteer": 1})], stored)
    assert len(plan.update) == 13
    assert [(c.key.day, c.reason) for c in plan.conflicts] == [(date(2026, 5, 6), "changed")]


def test_qualification_change_on_claimed_shift_is_a_conflict() -> None:
    """A new qualification requirement is not imposed on people already signed up."""
    _, stored = run([DAILY], [])
    stored = claim(stored, date(2026, 5, 6), volunteer=1)
    plan, _ = run([replace(DAILY, qualification="crisis")], stored)
    assert [c.key.day for c in plan.conflicts] == [date(2026, 5, 6)]


def test_stored_shift_beyond_a_shortened_horizon_is_kept_while_generated() -> None:
    """Shrinking the horizon neither cancels nor recreates shifts already stored beyond it."""
    _, stored = run([DAILY], [], days=28)
    plan, _ = run([DAILY], stored, days=7)
    assert plan.empty and plan.conflicts == ()


def test_stored_shift_beyond_the_horizon_is_cancelled_when_no_longer_generated() -> None:
    """A stored shift past the horizon that its template no longer makes is cancelled."""
    _, stored = run([DAILY], [], days=28)
    changed = replace(DAILY, exceptions=frozenset({date(2026, 5, 25)}))
    plan, _ = run([changed], stored, days=7)
    assert plan.cancel == (ShiftKey(1, date(2026, 5, 25)),)
    assert plan.create == ()


def test_shifts_of_other_templates_are_left_alone() -> None:
    """Stored shifts whose template is not passed in are not cancelled."""
    _, stored = run([DAILY, template(2, rule="FREQ=DAILY")], [])
    plan, _ = run([DAILY], stored)
    assert plan.empty and plan.conflicts == ()
