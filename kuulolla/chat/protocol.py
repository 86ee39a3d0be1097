"""The WebSocket protocol: typed frames, decoded once at the edge.

Client frames are msgspec Structs tagged by ``type`` with unknown fields refused
("an undeclared field is a schema bug"); the rest of the code never touches untyped
dicts. Server frames are Structs too, encoded once: a ``message`` frame is encoded a
single time per process however many sockets receive it. docs/protocol.md is the
reference for clients; keep it in step with this module.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta, Struct, field

PROTOCOL_VERSION = 1

Slug = Annotated[str, Meta(min_length=1, max_length=64)]
Ref = Annotated[str, Meta(min_length=1, max_length=64)]
Token = Annotated[str, Meta(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")]
# Numbers are bounded here, so none reaches the database or the clock out of range: a
# sequence fits JavaScript's exact integers (no room comes near), ids and seconds a
# 32-bit integer. A value outside is a bad_frame error, never a server error.
MAX_SEQ = 2**53 - 1
MAX_INT = 2**31 - 1
Seq = Annotated[int, Meta(ge=0, le=MAX_SEQ)]
Id = Annotated[int, Meta(ge=1, le=MAX_INT)]
Seconds = Annotated[int, Meta(ge=-1, le=MAX_INT)]
Lang = Annotated[str, Meta(max_length=16)]
# Upper bounds here only stop absurd input before the real checks (which give
# translated, setting-dependent errors) run.
Text = Annotated[str, Meta(max_length=65536)]
Nick = Annotated[str, Meta(max_length=200)]


class ClientFrame(Struct, tag_field="type", forbid_unknown_fields=True):
    pass


class Hello(ClientFrame, tag="hello"):
    v: int
    token: Token | None = None
    lang: Lang | None = None


class Join(ClientFrame, tag="join"):
    room: Slug
    nick: Nick | None = None
    since: Seq | None = None


class Send(ClientFrame, tag="send"):
    room: Slug
    text: Text
    ref: Ref


class Leave(ClientFrame, tag="leave"):
    room: Slug


class Ping(ClientFrame, tag="ping"):
    """Application-level keepalive for clients that cannot see WebSocket pings."""


# -- moderation (kuulolla/moderation/live.py handles these; docs/protocol.md)

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


# -- referrals (kuulolla/directory/referrals.py handles these; docs/protocol.md)

ServicePath = Annotated[str, Meta(min_length=3, max_length=130, pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]


class Refer(ClientFrame, tag="refer"):
    """Staff send a service of the directory ("<organisation>/<key>") as a referral card."""

    room: Slug
    service: ServicePath
    ref: Ref


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

AnyClientFrame = Hello | Join | Send | Leave | Ping | Refer | ModerationFrame

_decoder = msgspec.json.Decoder(AnyClientFrame)


class FrameError(ValueError):
    """A frame that is not valid JSON or not a valid client frame."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def decode_client_frame(data: str | bytes) -> AnyClientFrame:
    """Decode one client frame or raise :class:`FrameError` (code ``bad_json`` or ``bad_frame``)."""
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise FrameError("bad_frame", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise FrameError("bad_json", str(exc)) from None
    except UnicodeError:  # a lone surrogate (the WebSocket layer refuses invalid UTF-8)
        raise FrameError("bad_json", "not UTF-8") from None


# ----------------------------------------------------------------------- server


class ServerFrame(Struct, tag_field="type", omit_defaults=True):
    pass


class Author(Struct, omit_defaults=True):
    nick: str
    role: str
    id: str | None = None  # a per-room pseudonym, so people with the same nick differ


class Me(Struct, omit_defaults=True):
    kind: str
    name: str | None = None
    role: str | None = None


class Welcome(ServerFrame, tag="welcome"):
    v: int
    token: str
    me: Me


class MessageFrame(ServerFrame, tag="message"):
    room: str
    seq: int
    ts: str
    from_: Author = field(name="from")
    text: str


class Redact(ServerFrame, tag="redact"):
    """A moderator removed message ``seq``; ``at`` is the removal's own place in the
    stream (a client that has seen it resumes after it)."""

    room: str
    seq: int
    at: int


class ReferralCard(Struct, omit_defaults=True):
    """A service as a referral shows it: texts by language, the hours in words by
    language, the next week's opening windows (ISO UTC pairs), how to reach it."""

    service: str  # "<organisation>/<key>": the page /directory/<service>
    kind: str
    names: dict[str, str]
    organisation: str
    topics: list[str] = []
    summaries: dict[str, str] = {}
    when: dict[str, list[str]] = {}
    windows: list[list[str]] = []
    always: bool = False
    phone: str = ""
    web: str = ""
    email: str = ""
    chat: str = ""
    address: str = ""
    place: dict[str, str] = {}


class ReferralFrame(ServerFrame, tag="referral"):
    """A referral card in the room's stream (a message of its own kind)."""

    room: str
    seq: int
    ts: str
    from_: Author = field(name="from")
    card: ReferralCard


class Joined(ServerFrame, tag="joined"):
    """``author`` is the joiner's own ``from.id`` in the room (their messages in the
    history are theirs); ``wait`` the seconds a newcomer waits before writing (group
    rooms, once per token and room); ``host`` whether a host is present."""

    room: str
    seq: int
    history: list[MessageFrame | Redact | ReferralFrame]
    present: int = 0
    author: str | None = None
    wait: int = 0
    host: bool = False


class Left(ServerFrame, tag="left"):
    room: str


class Ack(ServerFrame, tag="ack"):
    ref: str
    seq: int


class Presence(ServerFrame, tag="presence"):
    """How many are in the room, and whether a host (a moderator of the room, the
    helper of a one-to-one conversation) is among them; never who."""

    room: str
    count: int
    host: bool = False


class Pong(ServerFrame, tag="pong"):
    pass


class RoomStateFrame(ServerFrame, tag="room_state"):
    """The roster closes the room soon ("closing", with ``closes_at``) or has closed
    it ("closed", with ``next_opening`` when one is scheduled). shifts/rooms.py."""

    room: str
    state: str
    closes_at: str | None = None
    next_opening: str | None = None


# -- moderation and safety (kuulolla/moderation/live.py sends these)


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


class ErrorFrame(ServerFrame, tag="error"):
    """``wait``: the message was refused for now only (slow mode, a burst, the newcomer
    wait, too many frames); sent again with the same ``ref`` after this many seconds it
    may pass."""

    code: str
    message: str
    ref: str | None = None
    room: str | None = None
    wait: int | None = None


_encoder = msgspec.json.Encoder()


def encode(frame: ServerFrame) -> bytes:
    return _encoder.encode(frame)


# WebSocket close codes used by the server (RFC 6455 section 7.4.1).
CLOSE_NORMAL = 1000
CLOSE_UNSUPPORTED = 1003  # a binary frame
CLOSE_POLICY = 1008  # no hello in time, foreign origin, too many bad frames
CLOSE_TOO_BIG = 1009  # frame over the size limit
CLOSE_SERVER_ERROR = 1011
CLOSE_RESTART = 1012  # the server is restarting: reconnect and resume
CLOSE_TRY_AGAIN = 1013  # the client could not keep up: reconnect and resume
# Private-use codes (4000–4999).
CLOSE_SESSION_ENDED = 4001  # the staff session ended (sign-out, deactivation, …): sign in again
CLOSE_ACCOUNT_CHANGED = 4002  # the staff member's roles changed: reconnect and resume
