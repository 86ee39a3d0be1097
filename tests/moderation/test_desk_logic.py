"""The duty desk's rules: whose desk shows a room's items, and when an alert escalates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kuulolla.moderation.desk_logic import Duty, escalated, shown

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
COORDINATOR = Duty(any_time=True)
HOST_OF_1 = Duty(rooms=frozenset({1}))
QUEUE = Duty(queue=True)
HELPER_OF_7 = Duty(helping=frozenset({7}))
PRO_IN_QUEUE = Duty(queue=True, professional=True)
PRO_OFF_DUTY = Duty(professional=True)
NOBODY = Duty()


@pytest.mark.parametrize(
    ("duty", "room_id", "private", "is_escalated", "expected"),
    [
        (COORDINATOR, 1, False, False, True),
        (COORDINATOR, 7, True, False, True),
        (HOST_OF_1, 1, False, False, True),
        (HOST_OF_1, 2, False, False, False),
        (HOST_OF_1, 7, True, False, False),
        (QUEUE, 7, True, False, True),
        (QUEUE, 1, False, False, False),
        (HELPER_OF_7, 7, True, False, True),
        (HELPER_OF_7, 8, True, False, False),
        (PRO_IN_QUEUE, 1, False, False, False),
        (PRO_IN_QUEUE, 1, False, True, True),
        (QUEUE, 1, False, True, False),
        (PRO_OFF_DUTY, 1, False, True, False),
        (NOBODY, 1, False, True, False),
    ],
)
def test_who_sees_an_alert(
    duty: Duty, room_id: int, private: bool, is_escalated: bool, expected: bool
) -> None:
    """Coordinators see every room; others what they serve; escalations reach
    professionals on duty anywhere in the organisation."""
    assert shown(duty, room_id=room_id, private=private, is_escalated=is_escalated) is expected


@pytest.mark.parametrize(
    ("age", "acked", "expected"),
    [(119, False, False), (120, False, True), (600, True, False), (0, False, False)],
)
def test_escalation_after_the_set_time_unless_taken(age: int, acked: bool, expected: bool) -> None:
    """An alert nobody took within the set time escalates; a taken one never does."""
    created = NOW - timedelta(seconds=age)
    assert (
        escalated(
            created_at=created,
            acked_at=NOW if acked else None,
            now=NOW,
            after=timedelta(seconds=120),
        )
        is expected
    )
