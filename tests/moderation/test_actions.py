"""Pure rules of moderator actions: tables of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kuulolla.core.errors import BadRequest
from kuulolla.moderation import actions
from kuulolla.moderation.actions import ActiveRestriction, RoomSettings

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "last_sent", "now", "wait"),
    [
        (0, 10.0, 10.0, 0),
        (30, None, 10.0, 0),
        (30, 10.0, 10.0, 30),
        (30, 10.0, 25.5, 15),
        (30, 10.0, 39.9, 1),
        (30, 10.0, 40.0, 0),
        (30, 10.0, 100.0, 0),
    ],
)
def test_slow_mode_wait(seconds: int, last_sent: float | None, now: float, wait: int) -> None:
    """Slow mode waits whole seconds, rounded up, from the person's last message."""
    assert actions.slow_mode_wait(seconds=seconds, last_sent=last_sent, now=now) == wait


@pytest.mark.parametrize(
    ("kinds", "winner"),
    [
        ([], None),
        (["mute"], "mute"),
        (["mute", "remove"], "remove"),
        (["ban", "mute", "remove"], "ban"),
    ],
)
def test_worst_restriction(kinds: list[str], winner: str | None) -> None:
    """The most severe restriction decides."""
    found = [ActiveRestriction(k, T0, None) for k in kinds]  # type: ignore[arg-type]
    result = actions.worst(found)
    assert (result.kind if result else None) == winner


def test_worst_prefers_the_longer_of_one_kind() -> None:
    """Of two mutes the longer one decides."""
    short = ActiveRestriction("mute", T0, 1)
    long = ActiveRestriction("mute", T0 + timedelta(hours=1), 1)
    assert actions.worst([short, long]) is long


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (actions.check_duration, 59),
        (actions.check_duration, 367 * 24 * 3600),
        (actions.check_slow_mode, -1),
        (actions.check_slow_mode, 3601),
        (actions.check_kind, "shadowban"),
        (actions.check_link_mode, "maybe"),
        (actions.check_report_reason, "boring"),
        (actions.check_resolution, "later"),
        (actions.check_pinned, "x" * 1001),
        (actions.check_reason, "x" * 501),
        (actions.check_private, "   "),
        (actions.check_private, "x" * 2001),
        (actions.check_allowed_links, "not-a-domain"),
    ],
)
def test_bad_input_is_refused(check: object, value: object) -> None:
    """Out-of-range or unknown values raise a translated BadRequest."""
    with pytest.raises(BadRequest):
        check(value)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("lines", "domains"),
    [
        ("mieli.fi", ("mieli.fi",)),
        ("https://www.mieli.fi/apua\nnuortenlinkki.fi", ("mieli.fi", "nuortenlinkki.fi")),
        ("MIELI.fi, mieli.fi", ("mieli.fi",)),
        ("", ()),
    ],
)
def test_allowed_links(lines: str, domains: tuple[str, ...]) -> None:
    """Allowed domains are lowercased, stripped of scheme, www and path, and deduplicated."""
    assert actions.check_allowed_links(lines) == domains


def test_policy_for_settings() -> None:
    """Room settings become the screening policy: pre-moderation and the link rules."""
    policy = actions.policy_for(
        RoomSettings(premoderated=True, link_mode="block", allowed_links=("mieli.fi",))
    )
    assert policy.premoderate
    assert policy.links.mode == "block" and policy.links.allowed == frozenset({"mieli.fi"})


def test_restricted_error_names_the_kind() -> None:
    """A restricted visitor's error has a stable code per kind and the end time."""
    error = actions.restricted(ActiveRestriction("ban", T0, None), until="12.00")
    assert error.code == "restricted_ban"
    assert "12.00" in error.translated("en")
