"""The moderation channel's frames: to a room's moderators (``mods``), everyone in it
(``all``), one author's sockets (``author``) or whoever appears as one pseudonym
(``pseudonym``). Each is delivered to this process's sockets at once and published
on ``<prefix>:moderation`` so every other process delivers it to its own
(moderation/live.py reads the lines that come in and lists their kinds)."""

from __future__ import annotations

from collections.abc import Callable

from kuulolla.chat.protocol import ServerFrame, encode
from kuulolla.moderation.ports import Publisher, RoomSockets, Seat, Socket


class ModerationChannel:
    def __init__(self, *, name: str, sockets: RoomSockets, publisher: Publisher) -> None:
        self.name = name
        self.sockets = sockets
        self.publisher = publisher
        # A ``restrict`` line goes to its target's sockets (moderation/restricting.py).
        self.on_restrict: Callable[[int, str, bytes], None] = lambda *_: None

    def send(self, header: str, payload: bytes = b"") -> None:
        """A line on the channel: this node, ``header``, then ``payload``."""
        self.publisher.publish(
            self.name, f"{self.sockets.node} {header}".encode() + b"\n" + payload
        )

    def publish(self, room_id: int, kind: str, arg: str, frame: ServerFrame) -> None:
        """Deliver ``frame`` here and publish it to every other process."""
        payload = encode(frame)
        self.deliver(room_id, kind, arg, payload)
        self.send(f"{room_id} {kind} {arg}", payload)

    def deliver(self, room_id: int, kind: str, arg: str, payload: bytes) -> None:
        """Push an encoded frame to this process's sockets in the room it is for."""
        if kind == "restrict":
            self.on_restrict(room_id, arg, payload)
            return
        sockets = self.sockets
        slug = sockets.slug_of(room_id)
        if slug is None:
            return
        match: Callable[[Socket, Seat], bool]
        if kind == "pseudonym":
            author_id = sockets.author_id

            def match(s: Socket, _seat: Seat) -> bool:
                key = s.author_key
                return key is not None and author_id(room_id, key) == arg

        elif kind == "mods":
            match = lambda s, seat: seat.moderation.moderator  # noqa: E731
        elif kind == "author":
            key = bytes.fromhex(arg)
            match = lambda s, seat: s.author_key == key  # noqa: E731
        else:
            match = lambda s, seat: True  # noqa: E731
        sockets.deliver(slug, match, payload)
