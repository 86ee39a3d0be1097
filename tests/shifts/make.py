"""Builders for shift tests: Helsinki wall times in, the value types out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from kuulolla.core.clock import HELSINKI
from kuulolla.shifts.recurrence import ShiftTemplate
from kuulolla.shifts.values import (
    Assignment,
    Person,
    Qualification,
    Shift,
    ShiftSettings,
    Target,
)

ROOM = Target("room", 1)
TOPIC = Target("topic", 7)
HOST = "group_host"


def hki(
    y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, *, fold: int = 0
) -> datetime:
    """A Helsinki wall time as an aware UTC instant."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=HELSINKI, fold=fold).astimezone(UTC)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def shift(
    id: int = 1,
    start: datetime | None = None,
    hours: float = 3,
    *,
    end: datetime | None = None,
    needs: Mapping[str, int] | None = None,
    qualification: str | None = HOST,
    target: Target = ROOM,
    cancelled: bool = False,
) -> Shift:
    start = start or hki(2026, 5, 6, 18)
    return Shift(
        id=id,
        target=target,
        start=start,
        end=end or start + timedelta(hours=hours),
        needs=dict(needs) if needs is not None else {"volunteer": 2, "professional": 1},
        qualification=qualification,
        cancelled=cancelled,
    )


def person(
    id: int = 10,
    roles: tuple[str, ...] = ("volunteer",),
    quals: tuple[Qualification, ...] = (Qualification(HOST),),
    max_chats: int = 1,
) -> Person:
    return Person(id=id, roles=frozenset(roles), qualifications=quals, max_chats=max_chats)


_next_id = iter(range(1000, 10**6))


def assign(
    on: Shift,
    who: Person | int = 10,
    role: str = "volunteer",
    *,
    id: int | None = None,
    checked_in: datetime | None = None,
    checked_out: datetime | None = None,
) -> Assignment:
    return Assignment(
        id=id if id is not None else next(_next_id),
        shift=on,
        person_id=who if isinstance(who, int) else who.id,
        role=role,
        checked_in=checked_in,
        checked_out=checked_out,
    )


def template(
    id: int = 1,
    *,
    start: time = time(18),
    end: time = time(21),
    rule: str = "FREQ=WEEKLY;BYDAY=SU",
    valid_from: date = date(2026, 1, 1),
    valid_until: date | None = None,
    needs: Mapping[str, int] | None = None,
    qualification: str | None = HOST,
    exceptions: frozenset[date] = frozenset(),
    skip_holidays: bool = False,
    target: Target = ROOM,
) -> ShiftTemplate:
    return ShiftTemplate(
        id=id,
        target=target,
        start_time=start,
        end_time=end,
        rule=rule,
        valid_from=valid_from,
        valid_until=valid_until,
        needs=dict(needs) if needs is not None else {"volunteer": 2},
        qualification=qualification,
        exceptions=exceptions,
        skip_holidays=skip_holidays,
    )


SETTINGS = ShiftSettings()
