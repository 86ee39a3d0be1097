"""Visitors' nicknames held in group rooms, so two people present never share one.

A visitor who joins a group room claims the look-alike key of their nickname
(moderation.nicknames.room_key) in the database: the claim succeeds when the key is
free, when its claim has lapsed, or when it is the same visitor's (a reload, a second
tab, a reconnect). Every process holds the claims of its own sockets in
:class:`NickClaims`, renews them every ``renew`` seconds and lets go of one when the
last socket holding it leaves the room or closes; a claim not renewed lapses after
``ttl`` seconds, so a crashed process frees its visitors' nicknames by itself.

The table holds a hash of the key, the visitor's author key (itself a hash of their
token) and an expiry: no nickname text.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Hashable, Iterable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, delete
from sqlalchemy.dialects import postgresql, sqlite

from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.rooms.models import RoomNick

log = logging.getLogger(__name__)

_nicks = cast(Table, RoomNick.__table__)

Claim = tuple[int, bytes, bytes]  # room id, nick key, author key


def nick_key(room_key: str) -> bytes:
    """What the table stores of a nickname's look-alike key."""
    return hashlib.sha256(room_key.encode()).digest()[:16]


async def do_claim(db: Database, claims: Iterable[Claim], *, now: datetime, ttl: float) -> bool:
    """Claim (or renew) nicknames until ``now + ttl``. Returns whether every claim is
    held by its author now: a claim fails only when another visitor holds the key and
    their claim has not lapsed."""
    until = now + timedelta(seconds=ttl)
    rows = [
        {"room_id": room_id, "nick_key": key, "author_key": author, "expires_at": until}
        for room_id, key, author in claims
    ]
    if not rows:
        return True
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_nicks)
    upsert = stmt.on_conflict_do_update(
        index_elements=["room_id", "nick_key"],
        set_={"author_key": stmt.excluded.author_key, "expires_at": stmt.excluded.expires_at},
        where=(_nicks.c.author_key == stmt.excluded.author_key) | (_nicks.c.expires_at < now),
    )
    async with db.transaction() as conn:
        if len(rows) == 1:
            done = await conn.execute(upsert.returning(_nicks.c.room_id), rows[0])
            return done.first() is not None
        await conn.execute(upsert, rows)
        return True


async def do_release(db: Database, claims: Iterable[Claim]) -> None:
    """Let go of claims (only those still held by their author)."""
    async with db.transaction() as conn:
        for room_id, key, author in claims:
            await conn.execute(
                delete(_nicks).where(
                    and_(
                        _nicks.c.room_id == room_id,
                        _nicks.c.nick_key == key,
                        _nicks.c.author_key == author,
                    )
                )
            )


async def do_forget_lapsed(db: Database, *, now: datetime) -> None:
    """Delete claims that lapsed (their processes are gone)."""
    async with db.transaction() as conn:
        await conn.execute(delete(_nicks).where(_nicks.c.expires_at < now))


class NickClaims:
    """The claims one process's sockets hold, counted per holder, renewed in the
    background. A holder is anything hashable that stands for a socket."""

    def __init__(
        self, db: Database, clock: Clock, *, ttl: float = 90.0, renew: float = 30.0
    ) -> None:
        self._db = db
        self._clock = clock
        self.ttl = ttl
        self.renew = renew
        self._held: dict[Hashable, dict[int, Claim]] = {}
        self._count: dict[Claim, int] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def claim(self, holder: Hashable, claim: Claim) -> bool:
        """Claim a nickname in a room for ``holder``; ``False`` when someone else present
        holds it. The holder's earlier claim in that room, if any, is let go."""
        if claim not in self._count and not await do_claim(
            self._db, [claim], now=self._clock.now(), ttl=self.ttl
        ):
            return False
        # Counted before the earlier claim is let go: a holder joining again under the
        # same nickname must not release it on the way.
        self._count[claim] = self._count.get(claim, 0) + 1
        held = self._held.setdefault(holder, {})
        earlier = held.get(claim[0])
        held[claim[0]] = claim
        if earlier is not None:
            self._unhold(earlier)
        return True

    def drop(self, holder: Hashable, room_id: int) -> None:
        """The holder left the room: let go of its claim there."""
        held = self._held.get(holder)
        claim = held.pop(room_id, None) if held else None
        if held is not None and not held:
            del self._held[holder]
        if claim is not None:
            self._unhold(claim)

    def drop_all(self, holder: Hashable) -> None:
        """The holder's socket closed: let go of all its claims."""
        for claim in (self._held.pop(holder, None) or {}).values():
            self._unhold(claim)

    def _unhold(self, claim: Claim) -> None:
        left = self._count[claim] - 1
        if left:
            self._count[claim] = left
            return
        del self._count[claim]
        task = asyncio.get_running_loop().create_task(self._release(claim))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _release(self, claim: Claim) -> None:
        try:
            await do_release(self._db, [claim])
        except Exception:  # the claim lapses by itself
            log.warning("rooms.nick_release_failed", extra={"event": "rooms.nick_release_failed"})

    async def renew_all(self) -> None:
        """Renew every claim held here (and take back any that lapsed meanwhile)."""
        now = self._clock.now()
        await do_claim(self._db, list(self._count), now=now, ttl=self.ttl)
        await do_forget_lapsed(self._db, now=now)

    async def run(self) -> None:
        """Renew claims every ``renew`` seconds until cancelled."""
        while True:
            await asyncio.sleep(self.renew)
            try:
                await self.renew_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("rooms.nick_renew_failed", extra={"event": "rooms.nick_renew_failed"})

    async def close(self) -> None:
        """Let go of every claim (a clean shutdown) and wait for releases under way."""
        claims = list(self._count)
        self._held.clear()
        self._count.clear()
        with contextlib.suppress(Exception):
            await do_release(self._db, claims)
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
