"""The WebSocket protocol's moderation and safety frames (docs/protocol.md).

What moderators ask of a room (moderation/commands.py handles these requests) and what
moderation on the chat path sends (moderation/live.py and the modules it is built of):
notices, holds, crisis help and alerts, the room's moderation state, private messages,
restrictions, reports and who is in a room. The chat's own frames, their base classes
and field types are in chat/protocol.py; chat/decoding.py decodes both.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct, field

from kuulolla.chat.protocol import (
    MAX_INT,
    Author,
    ClientFrame,
    Id,
    Seconds,
    Seq,
    ServerFrame,
    Slug,
)

# ------------------------------------------------------------ client

Reason = Annotated[str, Meta(max_length=2000)]
Private = Annotated[str, Meta(max_length=65536)]


Preset = Annotated[str, Meta(max_length=24)]


class RedactRequest(ClientFrame, tag="redact"):
    room: Slug
    seq: Seq
    reason: Reason | None = None
    preset: Preset | None = None


class RestrictRequest(ClientFrame, tag="restrict"):
    room: Slug
    seq: Seq
    kind: Annotated[str, Meta(max_length=16)]
    seconds: Annotated[int, Meta(ge=0, le=MAX_INT)]
    reason: Reason | None = None
    preset: Preset | None = None


class LiftRequest(ClientFrame, tag="lift"):
    room: Slug
    seq: Seq


class SettingsRequest(ClientFrame, tag="room_settings"):
    room: Slug
    locked: bool | None = None
    slow_mode: Seconds | None = None
    premoderated: bool | None = None
    pinned: Reason | None = None
    link_mode: Annotated[str, Meta(max_length=16)] | None = None
    allowed_links: Reason | None = None


class DecideRequest(ClientFrame, tag="decide"):
    room: Slug
    id: Id
    approve: bool


class WhisperRequest(ClientFrame, tag="whisper"):
    room: Slug
    to: Annotated[str, Meta(min_length=1, max_length=64)]
    text: Private


class ToModeratorsRequest(ClientFrame, tag="to_moderators"):
    room: Slug
    text: Private


class ReportRequest(ClientFrame, tag="report"):
    room: Slug
    seq: Seq
    reason: Annotated[str, Meta(max_length=32)]
    note: Reason | None = None


class ReportsRequest(ClientFrame, tag="reports"):
    room: Slug


class MembersRequest(ClientFrame, tag="members"):
    """A moderator asks who is in the room."""

    room: Slug


class ResolveRequest(ClientFrame, tag="resolve"):
    room: Slug
    id: Id
    resolution: Annotated[str, Meta(max_length=16)]
    reason: Reason | None = None


ModerationFrame = (
    RedactRequest
    | RestrictRequest
    | LiftRequest
    | SettingsRequest
    | DecideRequest
    | WhisperRequest
    | ToModeratorsRequest
    | ReportRequest
    | ReportsRequest
    | ResolveRequest
    | MembersRequest
)
MODERATION_FRAMES = ModerationFrame.__args__


# ------------------------------------------------------------ server


class Notice(ServerFrame, tag="notice"):
    """To the sender: their message was delivered with something hidden (``notes``),
    or their held message ``held`` was not approved."""

    room: str
    notes: list[str]
    ref: str | None = None
    held: int | None = None


class HeldFrame(ServerFrame, tag="held"):
    """To the sender: their message waits for a moderator (``notes`` say why) as held
    message ``id``."""

    room: str
    ref: str
    notes: list[str]
    id: int | None = None


class Approved(ServerFrame, tag="approved"):
    """To the sender: a moderator approved their held message ``id``; it is message
    ``seq`` now."""

    room: str
    id: int
    seq: int


class CrisisNumber(Struct, omit_defaults=True):
    number: str
    name: str = ""
    description: str = ""


class CrisisHelp(ServerFrame, tag="crisis"):
    """To the writer of a message with a crisis signal: where to get help now, the
    numbers for the signal's ``categories`` first (moderation/crisis_help.py), and a
    ``note`` on what to do now where the category needs one (an overdose: call 112).
    ``told``: a host is present and was alerted (the page says so only then)."""

    room: str
    numbers: list[CrisisNumber]
    told: bool = False
    categories: list[str] = field(default_factory=list)
    note: str = ""


class Alert(ServerFrame, tag="alert"):
    """To the room's moderators: a crisis signal in a message (``seq``) or a held one
    (``held``)."""

    room: str
    category: str
    nick: str
    author: str | None = None
    seq: int | None = None
    held: int | None = None
    # "lexicon": a known crisis expression; "model": only the statistical model found
    # it (shown to moderators as a possible crisis).
    source: str = "lexicon"


class Pending(ServerFrame, tag="pending"):
    """To the room's moderators: a message waiting for approval."""

    room: str
    id: int
    nick: str
    text: str
    reasons: list[str]
    author: str | None = None
    crisis: str | None = None


class ModerationState(ServerFrame, tag="moderation_state"):
    """The room's moderation state, after joining and whenever it changes.

    ``moderator`` is sent to one connection only: True after joining as a moderator or
    on becoming one (a check-in), False on ceasing to be one (a check-out, the shift's
    end); absent in the copy everyone gets when the settings change."""

    room: str
    locked: bool = False
    slow_mode: int = 0
    premoderated: bool = False
    pinned: str = ""
    moderator: bool | None = None


class PrivateFrame(ServerFrame, tag="private"):
    """A private message: a moderator to one visitor, or a visitor to the room's
    moderators (``to_moderators``); the room's moderators also get a copy of a
    moderator's message with ``to``, the visitor's ``from.id``, for the thread."""

    room: str
    from_: Author = field(name="from")
    text: str
    to_moderators: bool = False
    to: str | None = None


class RestrictedFrame(ServerFrame, tag="restricted"):
    """To a visitor: a moderator muted, removed or banned them (``kind``) until
    ``until``, or lifted it (``kind`` "lift")."""

    room: str
    kind: str
    message: str
    until: str | None = None
    id: int | None = None


class ReportFrame(ServerFrame, tag="report"):
    """To the room's moderators: a new report."""

    room: str
    id: int
    seq: int
    reason: str
    note: str = ""


class ContextLine(Struct):
    seq: int
    nick: str
    text: str


class ReportItem(Struct, omit_defaults=True):
    id: int
    seq: int
    reason: str
    context: list[ContextLine]
    note: str = ""


class ReportsFrame(ServerFrame, tag="reports"):
    """To a moderator who asked: the room's open reports with the messages around them."""

    room: str
    items: list[ReportItem]


class Member(Struct, omit_defaults=True):
    """Someone in the room as its moderators see them: ``id`` their room pseudonym (the
    ``from.id`` of their messages), ``restriction`` ``mute`` while they are muted, until
    ``until``."""

    nick: str
    role: str
    id: str | None = None
    restriction: str | None = None
    until: str | None = None


class MembersFrame(ServerFrame, tag="members"):
    """To a moderator who asked: the people in the room on one server process
    (``part``); a room spread over several processes answers with one frame each."""

    room: str
    part: str
    items: list[Member]


class Done(ServerFrame, tag="done"):
    """A moderation action succeeded (to its moderator, and to the other moderators
    for shared queues: ``approve``/``reject``/``resolve`` with the item's ``id``)."""

    room: str
    action: str
    id: int | None = None
    seq: int | None = None
