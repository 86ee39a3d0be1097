"""What moderation needs from the chat server, as small Protocols the chat server
implements (chat/server.py, chat/endpoint.py), the way accounts.service.SessionEvents
and shifts.checkins.DutyEvents are ports: moderation never holds the server, its
connections' raw sockets or its fan-out.

- :class:`Seat`: one person's place in a room on one socket (the room, their nickname
  and role, and the :class:`MemberState` moderation keeps for them there);
- :class:`Socket`: one person's connection (who they are, the language they read,
  their seats), which frames are pushed to;
- :class:`RoomSockets`: this process's sockets and rooms (who is where, per-room
  pseudonyms, delivering a frame or a stored redaction);
- :class:`Spawner`: background work the server keeps until it ends;
- :class:`Committer`: commit an approved held message like one just sent;
- :class:`Publisher`: a line on a broker channel to every process.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kuulolla.moderation.actions import ActiveRestriction
from kuulolla.moderation.flood import FloodState

if TYPE_CHECKING:
    from kuulolla.accounts.permissions import Principal
    from kuulolla.chat.protocol import ServerFrame
    from kuulolla.chat.store import Stored
    from kuulolla.rooms.service import RoomInfo


@dataclass(slots=True)
class MemberState:
    """What a process keeps per member of a room for moderation."""

    organisation_id: int
    moderator: bool = False
    private: bool = False  # a one-to-one conversation
    flood: FloodState = field(default_factory=FloodState)
    last_sent: float | None = None
    restriction: ActiveRestriction | None = None
    checked_at: float = 0.0


class Seat(Protocol):
    """A person's place in one room on one socket."""

    @property
    def room_id(self) -> int: ...

    @property
    def slug(self) -> str: ...

    @property
    def nick(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def moderation(self) -> MemberState: ...


class Socket(Protocol):
    """One person's connection, as moderation sees it."""

    @property
    def principal(self) -> Principal: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def locale(self) -> str: ...

    @property
    def author_key(self) -> bytes | None:
        """The person's author key (None before they said hello)."""

    @property
    def rooms(self) -> Mapping[str, Seat]:
        """The person's seats on this socket, by room slug."""

    def push(self, frame: ServerFrame) -> None:
        """Send ``frame`` to this socket; never blocks."""

    def leave(self, slug: str) -> None:
        """Take the person out of the room on this socket (a removal, a ban)."""

    async def ban_digests(self) -> list[bytes]:
        """Today's and yesterday's digests of the socket's network (core/bankey.py);
        the address itself never leaves the chat server."""

    def host_present(self, slug: str) -> bool:
        """Whether a host (a moderator, the helper) is in the room now."""

    def set_host(self, slug: str, host: bool) -> None:
        """Mark the person's seat in the room as a host's (moderator's), or no longer."""

    async def check_to_moderators(self) -> None:
        """Raise when the socket or its network sent too much to the moderators."""


class RoomSockets(Protocol):
    """This process's sockets and the rooms they are in."""

    @property
    def node(self) -> str:
        """This process's name on the broker's channels."""

    def slug_of(self, room_id: int) -> str | None:
        """The room's slug when someone joined it on this process (else None)."""

    def sockets(self) -> Iterable[Socket]:
        """Every open socket of this process."""

    def deliver(self, slug: str, match: Callable[[Socket, Seat], bool], payload: bytes) -> None:
        """Push one encoded server frame to the sockets in the room for which ``match``
        holds (encoded once for all)."""

    def author_id(self, room_id: int, author_key: bytes | None) -> str | None:
        """The author's pseudonym in the room (the ``id`` of frames)."""

    def counted_organisation(self, room_id: int) -> int | None:
        """The organisation of a group room joined here, whose messages count for
        reports (None for a one-to-one conversation, which is never counted per room)."""

    def deliver_stored(self, stored: Stored) -> None:
        """Deliver and publish a stored change of the room's stream (a redaction) like
        a committed message."""

    async def room(self, slug: str) -> RoomInfo | None:
        """The room by slug (the server's room cache)."""


class Spawner(Protocol):
    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, kept by the server until it ends."""


class Committer(Protocol):
    async def commit_approved(
        self,
        *,
        room_id: int,
        author_key: bytes,
        nick: str,
        role: str,
        text: str,
        ref_key: bytes,
    ) -> int:
        """Commit an approved held message like one just sent (in order, delivered and
        published); returns its sequence number."""


class Publisher(Protocol):
    def publish(self, channel: str, data: bytes) -> None:
        """Send ``data`` on the broker's ``channel`` to every process."""


__all__ = [
    "Committer",
    "MemberState",
    "Publisher",
    "RoomSockets",
    "Seat",
    "Socket",
    "Spawner",
]
