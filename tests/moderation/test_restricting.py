"""Applying a restriction to the target's sockets (moderation/restricting.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from kuulolla.core.clock import Clock
from kuulolla.moderation import restrictions
from kuulolla.moderation.actions import ActiveRestriction
from kuulolla.moderation.restricting import Restricting


class FakeSocket:
    """A visitor's socket in one room, writing down what happens to it."""

    def __init__(self, order: list[str]) -> None:
        self.order = order
        self.author_key = b"k"
        self.locale = "fi"
        state = SimpleNamespace(
            organisation_id=1, moderator=False, restriction=None, checked_at=0.0
        )
        self.rooms = {"huone": SimpleNamespace(room_id=3, moderation=state)}

    def push(self, frame: Any) -> None:
        self.order.append(f"told {type(frame).__name__}")

    def leave(self, slug: str) -> None:
        self.order.append(f"left {slug}")

    async def ban_digests(self) -> list[bytes]:
        return [b"digest"]


@pytest.mark.asyncio
async def test_a_banned_person_is_told_only_after_their_networks_digest_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ban refuses the socket's messages at once, and the person is told and taken out
    of the room only once their network's digest is stored (else a new token could join
    before it is)."""
    order: list[str] = []

    async def set_ban_key(db: object, *, restriction_id: int, ban_key: bytes) -> int | None:
        order.append(f"recorded {restriction_id}")
        return None

    monkeypatch.setattr(restrictions, "do_set_ban_key", set_ban_key)
    spawned: list[asyncio.Future[None]] = []

    def spawn(work: Coroutine[Any, Any, None]) -> None:
        spawned.append(asyncio.ensure_future(work))

    restricting = Restricting(
        db=None,  # type: ignore[arg-type]
        clock=Clock(),
        sockets=None,  # type: ignore[arg-type]
        policies=None,  # type: ignore[arg-type]
        spawner=SimpleNamespace(spawn=spawn),  # type: ignore[arg-type]
        send=lambda header, payload: None,
    )
    socket = FakeSocket(order)
    ban = ActiveRestriction("ban", datetime.now(UTC) + timedelta(hours=1), None, 7)
    restricting.apply(socket, ban, organisation_id=1, room_id=3)  # type: ignore[arg-type]
    assert socket.rooms["huone"].moderation.restriction == ban and order == []
    await asyncio.gather(*spawned)
    assert order == ["recorded 7", "told RestrictedFrame", "left huone"]
