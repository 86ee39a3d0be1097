"""The join decision (chat/joining.py): pure, no sockets, no database."""

from __future__ import annotations

from typing import Any

import pytest

from kuulolla.accounts.permissions import ANONYMOUS, Principal, Role
from kuulolla.chat.joining import (
    NoSuchRoom,
    Resync,
    RoomClosed,
    RoomFacts,
    StaffElsewhere,
    decide_join,
    fit_history,
)
from kuulolla.core.errors import Forbidden, InvalidNick
from kuulolla.moderation.nicknames import NickTaken, NickTitle, staff_shapes
from kuulolla.shifts.availability import RoomNotOpen
from kuulolla.shifts.duty import RoomState

GROUP = RoomFacts("group", organisation_id=1, open=True)
PRIVATE = RoomFacts("private", organisation_id=1, open=True)
HOST = Principal(user_id=7, display_name="Kaisa", roles={1: Role.VOLUNTEER})


def visitor(room: RoomFacts | None = GROUP, **overrides: Any) -> Any:
    facts: dict[str, Any] = {
        "room": room,
        "staff": False,
        "principal": ANONYMOUS,
        "name": None,
        "nick": "Vieras",
        "since": None,
        "new_visitor": True,
        "given_private": False,
        "roster": None,
        "staff_nicks": frozenset(),
        "max_nick_chars": 24,
    }
    facts.update(overrides)
    return decide_join(**facts)


def staff(room: RoomFacts | None = GROUP, principal: Principal = HOST, **overrides: Any) -> Any:
    return visitor(room, staff=True, principal=principal, name=principal.display_name, **overrides)


def test_visitor_in_a_group_room_claims_a_nickname_and_waits() -> None:
    """A visitor's first join of a group room: a cleaned nickname, claimed, a newcomer wait, a new visit."""
    plan = visitor(nick="  Vieras  ")
    assert (plan.role, plan.nick, plan.private) == ("visitor", "Vieras", False)
    assert plan.claim_nick and plan.newcomer_wait and plan.counted
    assert plan.visit == "new"


def test_returning_visitor_counts_as_return_and_resume_counts_nothing() -> None:
    """A known visitor's join is a return visit; a resume (since) is no visit."""
    assert visitor(new_visitor=False).visit == "return"
    assert visitor(since=5).visit is None


def test_missing_room_or_other_kind_is_not_found() -> None:
    """No room, or a room that is not a chat room, is "no such room"."""
    with pytest.raises(NoSuchRoom):
        visitor(None)
    with pytest.raises(NoSuchRoom):
        visitor(RoomFacts("queue", organisation_id=1, open=True))


def test_private_room_not_given_to_the_person_is_not_found() -> None:
    """A one-to-one conversation is hidden from everyone it was not given to."""
    with pytest.raises(NoSuchRoom):
        visitor(PRIVATE, given_private=False)


def test_private_room_given_to_a_visitor_has_no_claim_wait_or_count() -> None:
    """In a one-to-one conversation: no nickname claim, no wait, nothing counted per room."""
    plan = visitor(PRIVATE, given_private=True)
    assert plan.private
    assert not (plan.claim_nick or plan.newcomer_wait or plan.counted)
    assert plan.visit is None


def test_closed_room_refuses_a_join_and_a_resume_resyncs() -> None:
    """A closed room says so to a fresh join and asks a resuming client to start afresh."""
    closed = RoomFacts("group", organisation_id=1, open=False)
    with pytest.raises(RoomClosed):
        visitor(closed)
    with pytest.raises(Resync):
        visitor(closed, since=3)


def test_roster_keeps_visitors_out_but_lets_staff_in() -> None:
    """A room its roster keeps closed refuses visitors; staff may come in to host."""
    waiting = RoomState("waiting_for_host")
    with pytest.raises(RoomNotOpen):
        visitor(roster=waiting)
    assert visitor(roster=RoomState("open")).role == "visitor"
    assert staff(roster=waiting).role == "volunteer"


def test_staff_join_with_their_badge_and_display_name() -> None:
    """Staff appear under their display name with their role's badge, never waiting or claiming."""
    plan = staff()
    assert (plan.role, plan.nick) == ("volunteer", "Kaisa")
    assert not plan.claim_nick and not plan.newcomer_wait
    assert plan.visit == "staff"


def test_staff_of_another_organisation_are_refused_in_a_group_room() -> None:
    """In another organisation's group room a staff member is nobody."""
    other = Principal(user_id=8, display_name="Ulla", roles={2: Role.COORDINATOR})
    with pytest.raises(StaffElsewhere):
        staff(principal=other)


def test_professional_asked_into_a_private_room_from_elsewhere_keeps_their_role() -> None:
    """A professional of another organisation given a conversation joins with their role."""
    other = Principal(user_id=8, display_name="Ulla", roles={2: Role.PROFESSIONAL})
    assert staff(PRIVATE, principal=other, given_private=True).role == "professional"


def test_staff_without_second_factor_are_refused() -> None:
    """Staff who must set up a second factor are refused before anything else."""
    pending = Principal(user_id=9, display_name="Aapo", totp_setup_required=True)
    with pytest.raises(Forbidden) as info:
        staff(principal=pending)
    assert info.value.code == "second_factor_required"


def test_visitor_nick_passing_as_staff_or_a_title_is_refused() -> None:
    """A visitor may not take a staff member's name or a helper's title."""
    with pytest.raises(NickTaken):
        visitor(nick="Kaisa", staff_nicks=staff_shapes(["Kaisa"]))
    with pytest.raises(NickTitle):
        visitor(nick="Päivystäjä")


def test_visitor_nick_with_contact_details_is_refused() -> None:
    """A nickname with an email address is refused by the chat's nickname rules."""
    with pytest.raises(InvalidNick):
        visitor(nick="aino@example.com")


def test_fit_history_leaves_out_the_fewest_oldest_messages() -> None:
    """Just enough of the oldest messages are left out to free the bytes asked for."""
    assert fit_history([10, 10, 10], over=1) == 1
    assert fit_history([10, 10, 10], over=15) == 2
    assert fit_history([10, 10, 10], over=100) == 3
