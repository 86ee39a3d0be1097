"""Who is on a socket and where: the :class:`Identity` a connection said hello as, and
a :class:`Membership` per room it joined (the ``Seat`` moderation sees through its
ports, moderation/ports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kuulolla.chat.fanout import Hub, RoomRef
from kuulolla.moderation.ports import MemberState


@dataclass(slots=True)
class Identity:
    """Who is on the other end: an anonymous visitor (by token hash) or staff (by a
    keyed hash of their user id; never their session token)."""

    author_key: bytes
    kind: str = "visitor"
    role: str = "visitor"
    name: str | None = None
    # The visitor's token was minted on this connection (a first visit, for reports).
    new: bool = False


@dataclass(slots=True)
class Membership:
    room: RoomRef
    hub: Hub
    nick: str
    role: str = "visitor"
    moderation: MemberState = field(default_factory=lambda: MemberState(0))

    # moderation/ports.py: Seat
    @property
    def room_id(self) -> int:
        return self.room.id

    @property
    def slug(self) -> str:
        return self.room.slug
