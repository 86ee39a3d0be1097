"""Who is in a room, for its moderators (a ``members`` frame): every process answers
for its own sockets, each person once (by pseudonym; a visitor's pages share one), with
a restriction they have now.

A moderator's request is answered at once with this process's part; a ``who`` line on
the moderation channel asks the other processes, which answer with ``members`` lines
(moderation/live.py carries them).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import msgspec

from kuulolla.chat.moderation_protocol import Member, MembersFrame
from kuulolla.core.clock import Clock
from kuulolla.moderation.ports import RoomSockets, Seat, Socket

ASK_SECONDS = 10.0  # how long answers to a request are still passed on


class WhoIsHere:
    def __init__(
        self, *, sockets: RoomSockets, clock: Clock, send: Callable[[str, bytes], None]
    ) -> None:
        self.sockets = sockets
        self.clock = clock
        # ``send(header, payload)`` puts a line on the moderation channel.
        self._send = send
        # Moderators' open requests: token → (socket, room slug, until).
        self._asking: dict[str, tuple[Socket, str, float]] = {}

    def here(self, room_id: int) -> list[Member]:
        """The people in the room on this process."""
        sockets = self.sockets
        slug = sockets.slug_of(room_id)
        if slug is None:
            return []
        now = self.clock.now()
        found: dict[str, Member] = {}
        for socket in list(sockets.sockets()):
            seat = socket.rooms.get(slug)
            if seat is None:
                continue
            author = sockets.author_id(room_id, socket.author_key) or ""
            restriction = seat.moderation.restriction
            active = restriction is not None and restriction.expires_at > now
            found[author or f"{seat.nick}/{seat.role}"] = Member(
                nick=seat.nick,
                role=seat.role,
                id=author or None,
                restriction=restriction.kind if active and restriction else None,
                until=restriction.expires_at.isoformat() if active and restriction else None,
            )
        return sorted(found.values(), key=lambda m: (m.role == "visitor", m.nick.casefold()))

    def ask(self, socket: Socket, seat: Seat) -> None:
        """Answer a moderator's ``members``: this process's part at once, the other
        processes' parts as they answer on the moderation channel."""
        room_id = seat.room_id
        node = self.sockets.node
        token = f"{node}:{secrets.token_hex(8)}"
        now = self.clock.monotonic()
        self._asking = {t: a for t, a in self._asking.items() if a[2] > now}
        self._asking[token] = (socket, seat.slug, now + ASK_SECONDS)
        socket.push(MembersFrame(room=seat.slug, part=node, items=self.here(room_id)))
        self._send(f"{room_id} who {token}", b"")

    def answer(self, room_id: int, token: str) -> None:
        """Another process asked (``who``): answer with this process's part."""
        if self.sockets.slug_of(room_id) is None:
            return
        payload = msgspec.json.encode(self.here(room_id))
        self._send(f"{room_id} members {token}", payload)

    def got(self, node: str, token: str, payload: bytes) -> None:
        """Another process's part (``members``) for a request made here."""
        asked = self._asking.get(token)
        if asked is None:
            return
        socket, slug, _until = asked
        items = msgspec.json.decode(payload, type=list[Member])
        socket.push(MembersFrame(room=slug, part=node, items=items))
