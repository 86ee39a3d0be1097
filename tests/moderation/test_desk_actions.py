"""Decisions from the duty desk, checked before anything is done: what can be decided
of which item, and that removing a reported message needs a reason."""

from __future__ import annotations

import pytest

from kuulolla.core.errors import BadRequest
from kuulolla.moderation.desk_actions import Decision, check_decision


@pytest.mark.parametrize(
    ("item", "decision", "reason", "preset", "code"),
    [
        ("alert-3", "dismiss", "", "", "bad_form"),
        ("report-x", "dismiss", "", "", "bad_form"),
        ("report-3", "approve", "", "", "bad_decision"),
        ("held-3", "remove", "syy", "", "bad_decision"),
        ("report-3", "remove", "", "", "reason_needed"),
        ("report-3", "remove", "", "made-up", "bad_reason_preset"),
    ],
)
def test_a_decision_that_cannot_be_made_is_refused(
    item: str, decision: str, reason: str, preset: str, code: str
) -> None:
    """An item that is no report or held message, a decision that does not fit it, a
    removal without a reason or an unknown reason is refused with its code."""
    with pytest.raises(BadRequest) as refused:
        check_decision(item=item, decision=decision, reason=reason, preset=preset)
    assert refused.value.code == code


def test_decisions_that_can_be_made() -> None:
    """A report dismissed without a reason, removed with a chosen one, a held message
    let through."""
    assert check_decision(item="report-3", decision="dismiss", reason="", preset="") == Decision(
        "report", 3, "dismiss", "", ""
    )
    assert check_decision(
        item="report-3", decision="remove", reason=" uhkaa ", preset="abuse"
    ) == Decision("report", 3, "remove", "uhkaa", "abuse")
    assert check_decision(item="held-9", decision="approve", reason="", preset="").kind == "held"
