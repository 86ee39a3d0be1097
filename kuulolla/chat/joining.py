"""Who may join a room, and as whom: :func:`decide_join`, pure.

The endpoint (chat/endpoint.py) gathers the facts a join is decided on (the room, the
roster's state, whether a one-to-one conversation was given to this person, the staff
names a visitor may not pass as), calls :func:`decide_join`, and carries out the
:class:`JoinPlan` it returns (moderation's checks, the nickname claim, the history,
the ``joined`` frame). A refusal is raised here as the translated error the client
gets, and nothing has changed by then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kuulolla.accounts.permissions import Principal, chat_role
from kuulolla.chat import logic
from kuulolla.core.errors import AppError, Forbidden, NotFound
from kuulolla.core.i18n import N_
from kuulolla.moderation.nicknames import check_visitor_nick
from kuulolla.shifts.availability import RoomNotOpen
from kuulolla.shifts.duty import RoomState

ADMIN = "admin"
ROOM_KINDS = ("group", "private")


class Resync(AppError):
    code = "resync"
    default_message = N_("Reload the conversation: some messages could not be restored.")


class RoomClosed(AppError):
    code = "room_closed"
    default_message = N_("This room is closed.")


class StaffElsewhere(Forbidden):
    code = "staff_other_organisation"
    default_message = N_(
        "You are signed in as staff of another organisation, so you cannot join this room as staff. To join as a visitor, sign out or use a private window."
    )


class NoSuchRoom(NotFound):
    code = "room_not_found"
    default_message = N_("There is no such room.")


@dataclass(frozen=True, slots=True)
class RoomFacts:
    """What a join needs to know of the room (rooms.service.RoomInfo)."""

    kind: str
    organisation_id: int
    open: bool


@dataclass(frozen=True, slots=True)
class JoinPlan:
    """How a permitted join goes."""

    role: str  # "visitor", or the staff member's badge in the room
    nick: str
    private: bool  # a one-to-one conversation
    # A visitor in a group room: no two alike among those present (rooms/nicks.py).
    claim_nick: bool
    # Group rooms' visits and messages are counted per room for reports; a private
    # room's id would identify a conversation (the queue counts those, never per room).
    counted: bool
    # A visitor's newcomer wait before writing in a group room (not in a one-to-one
    # conversation: the helper is waiting for the first words).
    newcomer_wait: bool
    # The label of the visit counted for reports ("staff", "new", "return"), None when
    # none is counted (a resume, a private room).
    visit: str | None


def decide_join(
    *,
    room: RoomFacts | None,
    staff: bool,
    principal: Principal,
    name: str | None,
    nick: str | None,
    since: int | None,
    new_visitor: bool,
    given_private: bool,
    roster: RoomState | None,
    staff_nicks: frozenset[str],
    max_nick_chars: int,
) -> JoinPlan:
    """Decide a join, or raise the refusal.

    ``room`` is None for a room that does not exist; ``given_private`` whether a
    one-to-one conversation was given to this person (the visitor's token, the helpers
    it was handed to; queue/service.py); ``roster`` the room's roster state (None: no
    roster, or a staff member, who may always come in to host); ``staff_nicks`` the
    shapes of staff names a visitor may not pass as (moderation/nicknames.py).
    """
    if room is None or room.kind not in ROOM_KINDS:
        raise NoSuchRoom()
    private = room.kind == "private"
    if private and not given_private:
        raise NoSuchRoom()
    if not room.open:
        # A resuming client must not be given a partial replay of a closed room.
        raise Resync() if since is not None else RoomClosed()
    if not staff and roster is not None and not roster.open:
        # A room with a roster is open to visitors only inside a scheduled window with
        # a qualified host checked in.
        raise RoomNotOpen(roster)
    if staff:
        if principal.totp_setup_required:
            raise Forbidden(
                N_("Set up the second factor on your account first."),
                code="second_factor_required",
            )
        # Staff appear under their display name with the badge of their role in the
        # room's organisation; in another organisation's room they are nobody.
        role = chat_role(principal, room.organisation_id)
        if role is None and private:  # a professional asked in from elsewhere
            role = str(principal.highest_role or ADMIN)
        if role is None:
            raise StaffElsewhere()
        chosen = name or ""
    else:
        role = "visitor"
        chosen = logic.clean_nick(nick, max_chars=max_nick_chars)
        check_visitor_nick(chosen, staff=staff_nicks)
    visitor = role == "visitor"
    counted = not private
    visit = None
    if since is None and counted:
        visit = "staff" if not visitor else "new" if new_visitor else "return"
    return JoinPlan(
        role=role,
        nick=chosen,
        private=private,
        claim_nick=visitor and not private,
        counted=counted,
        newcomer_wait=not staff and not private,
        visit=visit,
    )


def fit_history(sizes: Sequence[int], *, over: int) -> int:
    """How many of the oldest messages to leave out of a newcomer's history (encoded
    ``sizes``, oldest first, each with its separator) so a ``joined`` frame ``over``
    bytes too large fits: the fewest that free ``over`` bytes (all, if none do)."""
    freed = 0
    for count, size in enumerate(sizes, start=1):
        freed += size
        if freed >= over:
            return count
    return len(sizes)
