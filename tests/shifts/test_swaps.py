"""Swaps: offering a place, taking it over, and optional coordinator approval."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from kuulolla.shifts.swaps import (
    SwapOffer,
    check_approve,
    check_offer,
    check_take,
    check_withdraw,
    reject,
    take,
)
from kuulolla.shifts.values import Qualification
from tests.shifts.make import HOST, SETTINGS, assign, hki, person, shift

NOW = hki(2026, 5, 4, 12)
S = shift(1, hki(2026, 5, 6, 18))
OFFERER = person(10)
TAKER = person(20)
GIVEN = assign(S, OFFERER, id=1)
OFFER = SwapOffer(1, GIVEN)
# The shift is full: the offerer and another volunteer hold both volunteer places.
TAKEN = (GIVEN, assign(S, 11, id=2))


def code(refusal) -> str | None:
    return refusal.code if refusal else None


# ------------------------------------------------------------------ offering


@pytest.mark.parametrize(
    ("assignment", "offers", "now", "expected"),
    [
        pytest.param(GIVEN, (), NOW, None, id="allowed"),
        pytest.param(GIVEN, (), S.start - timedelta(hours=1), None, id="after-cancel-deadline"),
        pytest.param(GIVEN, (), S.start, "shift_started", id="started"),
        pytest.param(
            assign(replace(S, cancelled=True), OFFERER), (), NOW, "shift_cancelled", id="cancelled"
        ),
        pytest.param(GIVEN, (OFFER,), NOW, "swap_already_offered", id="open-offer"),
        pytest.param(
            GIVEN,
            (replace(OFFER, status="pending", taker_id=20),),
            NOW,
            "swap_already_offered",
            id="pending-offer",
        ),
        pytest.param(
            GIVEN, (replace(OFFER, status="withdrawn"),), NOW, None, id="after-withdrawal"
        ),
    ],
)
def test_check_offer(assignment, offers, now, expected) -> None:
    """A place can be offered until the shift starts, once at a time, even past the cancel deadline."""
    assert code(check_offer(assignment, offers=offers, now=now)) == expected


# ------------------------------------------------------------------ taking


def taking(**changes: Any) -> str | None:
    args: dict[str, Any] = {
        "person": TAKER,
        "offer": OFFER,
        "mine": (),
        "taken": TAKEN,
        "settings": SETTINGS,
        "now": NOW,
    }
    args.update(changes)
    return code(check_take(args.pop("person"), args.pop("offer"), **args))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, None, id="full-shift-is-no-obstacle"),
        pytest.param({"person": OFFERER}, "swap_own_shift", id="own"),
        pytest.param({"offer": replace(OFFER, status="done")}, "swap_not_open", id="done"),
        pytest.param(
            {"offer": replace(OFFER, status="withdrawn")}, "swap_not_open", id="withdrawn"
        ),
        pytest.param(
            {"offer": replace(OFFER, status="pending", taker_id=30)}, "swap_not_open", id="pending"
        ),
        pytest.param({"person": person(11)}, "already_signed_up", id="already-on-shift"),
        pytest.param(
            {"person": person(20, roles=("professional",))}, "wrong_role", id="other-role"
        ),
        pytest.param({"person": person(20, quals=())}, "not_qualified", id="unqualified"),
        pytest.param(
            {"person": person(20, quals=(Qualification(HOST, valid_until=NOW.date()),))},
            "qualification_not_valid",
            id="expired",
        ),
        pytest.param(
            {"mine": (assign(shift(5, hki(2026, 5, 6, 19)), TAKER),)},
            "overlapping_shift",
            id="overlap",
        ),
        pytest.param(
            {"mine": (assign(shift(5, hki(2026, 5, 6, 12)), TAKER),)},
            "rest_too_short",
            id="rest",
        ),
        pytest.param({"now": S.start}, "shift_started", id="started"),
        pytest.param(
            {"offer": SwapOffer(1, assign(shift(1, hki(2026, 6, 20, 18)), OFFERER))},
            "outside_signup_horizon",
            id="horizon",
        ),
    ],
)
def test_check_take(changes: dict[str, Any], expected: str | None) -> None:
    """The taker passes every sign-up rule for the offered role except the head count."""
    assert taking(**changes) == expected


@pytest.mark.parametrize(("approval", "status"), [(False, "done"), (True, "pending")])
def test_take_outcome_depends_on_approval(approval: bool, status: str) -> None:
    """Taking completes the swap, or waits for a coordinator where the organisation wants that."""
    after = take(OFFER, TAKER, settings=replace(SETTINGS, swap_approval=approval))
    assert (after.status, after.taker_id) == (status, TAKER.id)


# ------------------------------------------------------------------ approving

PENDING = replace(OFFER, status="pending", taker_id=TAKER.id)


@pytest.mark.parametrize(
    ("offer", "taker", "changes", "expected"),
    [
        pytest.param(PENDING, TAKER, {}, None, id="allowed"),
        pytest.param(OFFER, TAKER, {}, "swap_not_pending", id="still-open"),
        pytest.param(PENDING, person(21), {}, "swap_not_pending", id="other-taker"),
        pytest.param(
            PENDING,
            TAKER,
            {"mine": (assign(shift(5, hki(2026, 5, 6, 20)), TAKER),)},
            "overlapping_shift",
            id="taker-signed-up-elsewhere-since",
        ),
        pytest.param(
            replace(PENDING, assignment=assign(shift(1, hki(2026, 6, 20, 18)), OFFERER)),
            TAKER,
            {},
            None,
            id="coordinator-not-bound-by-horizon",
        ),
        pytest.param(PENDING, TAKER, {"now": S.start}, "shift_started", id="too-late"),
    ],
)
def test_check_approve(offer, taker, changes: dict[str, Any], expected: str | None) -> None:
    """Approval re-checks the taker as of now; only the pending taker can be approved."""
    args: dict[str, Any] = {"mine": (), "taken": TAKEN, "settings": SETTINGS, "now": NOW}
    args.update(changes)
    assert code(check_approve(offer, taker, **args)) == expected


def test_reject_opens_the_offer_again() -> None:
    """A rejected swap is open again, without a taker."""
    assert reject(PENDING) == OFFER


@pytest.mark.parametrize(
    ("offer", "now", "expected"),
    [
        (OFFER, NOW, None),
        (PENDING, NOW, None),
        (replace(OFFER, status="done"), NOW, "swap_not_open"),
        (OFFER, S.start, "shift_started"),
    ],
)
def test_check_withdraw(offer: SwapOffer, now, expected: str | None) -> None:
    """An open or pending offer can be withdrawn before the shift starts."""
    assert code(check_withdraw(offer, now=now)) == expected
