"""The WebSocket protocol: typed frames, decoded once at the edge.

Client frames are msgspec Structs tagged by ``type`` with unknown fields refused
("an undeclared field is a schema bug"); the rest of the code never touches untyped
dicts. Server frames are Structs too, encoded once: a ``message`` frame is encoded a
single time per process however many sockets receive it. docs/protocol.md is the
reference for clients; keep it in step with this module. Here: the field types, the
base classes and the chat's own frames (hello, join, send, leave, ping, referrals, and
what the server answers); the moderators' requests and the moderation and safety
frames are in chat/moderation_protocol.py, decoding in chat/decoding.py.
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


# -- referrals (kuulolla/directory/referrals.py handles these; docs/protocol.md)

ServicePath = Annotated[str, Meta(min_length=3, max_length=130, pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]


class Refer(ClientFrame, tag="refer"):
    """Staff send a service of the directory ("<organisation>/<key>") as a referral card."""

    room: Slug
    service: ServicePath
    ref: Ref


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
