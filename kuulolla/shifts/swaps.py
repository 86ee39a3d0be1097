"""Swaps: a person offers their place on a shift; another qualified person takes it.

Life of an offer::

    open ──take──▶ done                  (organisation without approval)
    open ──take──▶ pending ──approve──▶ done
                           ──reject───▶ open    (offered again)
    open / pending ──withdraw──▶ withdrawn

The offerer keeps the place, and the responsibility, until the swap is done; so an
offer is possible after the cancellation deadline, until the shift starts. The taker
must pass every sign-up rule for the offered role except the head count (the place
is handed over, not added). Approval re-checks the taker as of the moment of approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from kuulolla.shifts.refusals import Refusal, refuse
from kuulolla.shifts.rules import check_limits, check_role_and_qualification, check_shift_open
from kuulolla.shifts.values import Assignment, Person, ShiftSettings

SwapStatus = Literal["open", "pending", "done", "withdrawn"]


@dataclass(frozen=True, slots=True)
class SwapOffer:
    """An offered place (``assignment``) and, once taken, who took it."""

    id: int
    assignment: Assignment
    status: SwapStatus = "open"
    taker_id: int | None = None


def check_offer(
    assignment: Assignment, *, offers: Sequence[SwapOffer], now: datetime
) -> Refusal | None:
    """May the holder of ``assignment`` offer it? ``offers``: earlier offers of it."""
    shift = assignment.shift
    if shift.cancelled:
        return refuse("shift_cancelled")
    if now >= shift.start:
        return refuse("shift_started")
    if any(o.status in ("open", "pending") for o in offers):
        return refuse("swap_already_offered")
    return None


def check_take(
    person: Person,
    offer: SwapOffer,
    *,
    mine: Sequence[Assignment],
    taken: Sequence[Assignment],
    settings: ShiftSettings,
    now: datetime,
) -> Refusal | None:
    """May ``person`` take over ``offer``? ``mine``: their assignments; ``taken``: the
    shift's assignments."""
    if offer.status != "open":
        return refuse("swap_not_open")
    return _check_taker(person, offer, mine=mine, taken=taken, settings=settings, now=now)


def take(offer: SwapOffer, person: Person, *, settings: ShiftSettings) -> SwapOffer:
    """The offer after ``person`` takes it (call :func:`check_take` first): ``done``, or
    ``pending`` where the organisation wants a coordinator to approve swaps."""
    return replace(
        offer, status="pending" if settings.swap_approval else "done", taker_id=person.id
    )


def reject(offer: SwapOffer) -> SwapOffer:
    """The offer after a coordinator rejects the taker: open again for others."""
    return replace(offer, status="open", taker_id=None)


def check_approve(
    offer: SwapOffer,
    taker: Person,
    *,
    mine: Sequence[Assignment],
    taken: Sequence[Assignment],
    settings: ShiftSettings,
    now: datetime,
) -> Refusal | None:
    """May a coordinator approve ``offer`` for ``taker`` now? (Rules as of now; the
    sign-up horizon does not bind a coordinator.)"""
    if offer.status != "pending" or offer.taker_id != taker.id:
        return refuse("swap_not_pending")
    return _check_taker(
        taker, offer, mine=mine, taken=taken, settings=settings, now=now, horizon=False
    )


def check_withdraw(offer: SwapOffer, *, now: datetime) -> Refusal | None:
    """May the offerer take back ``offer``? Only while it is open or pending."""
    if offer.status not in ("open", "pending"):
        return refuse("swap_not_open")
    if now >= offer.assignment.shift.start:
        return refuse("shift_started")
    return None


def _check_taker(
    person: Person,
    offer: SwapOffer,
    *,
    mine: Sequence[Assignment],
    taken: Sequence[Assignment],
    settings: ShiftSettings,
    now: datetime,
    horizon: bool = True,
) -> Refusal | None:
    given = offer.assignment
    if person.id == given.person_id:
        return refuse("swap_own_shift")
    shift = given.shift
    refusal = check_shift_open(shift, settings=settings, now=now, horizon=horizon)
    if refusal is None and any(a.person_id == person.id for a in taken):
        refusal = refuse("already_signed_up")
    if refusal is None:
        refusal = check_role_and_qualification(person, shift, given.role)
    if refusal is None:
        refusal = check_limits(shift, mine=mine, settings=settings)
    return refusal
