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
from collections.abc import Callable, Coroutine, Hashable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.held import HeldConnections
from kuulolla.core.tasks import raise_if_cancelled
from kuulolla.rooms.models import RoomNick
from kuulolla.rooms.service import Member, MemberTouches, touch_members_in

log = logging.getLogger(__name__)

_nicks = cast(Table, RoomNick.__table__)

Claim = tuple[int, bytes, bytes]  # room id, nick key, author key


def nick_key(room_key: str) -> bytes:
    """What the table stores of a nickname's look-alike key."""
    return hashlib.sha256(room_key.encode()).digest()[:16]


def _upsert(db: Database, now: datetime) -> Any:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_nicks)
    return stmt.on_conflict_do_update(
        index_elements=["room_id", "nick_key"],
        set_={"author_key": stmt.excluded.author_key, "expires_at": stmt.excluded.expires_at},
        where=(_nicks.c.author_key == stmt.excluded.author_key) | (_nicks.c.expires_at < now),
    )


def _rows(claims: Iterable[Claim], until: datetime) -> list[dict[str, Any]]:
    return [
        {"room_id": room_id, "nick_key": key, "author_key": author, "expires_at": until}
        for room_id, key, author in claims
    ]


async def do_claim(
    db: Database,
    claims: Sequence[Claim],
    *,
    now: datetime,
    ttl: float,
    touch: Callable[[Claim], bool] | None = None,
    touched: dict[tuple[int, bytes], Member] | None = None,
    connections: HeldConnections | None = None,
) -> list[bool]:
    """Claim nicknames until ``now + ttl``, in one transaction and in order; for each,
    whether its author holds it now. A claim fails only when another visitor holds
    the key and their claim has not lapsed (an earlier claim in the same call
    included). The first claim of each key goes in one statement with the others;
    later claims of a key already claimed in the call follow one by one.

    The member rows of the held claims that ``touch`` picks are written in the same
    transaction (rooms.service.touch_members_in) and put in ``touched``: a join claims
    its nickname and records its membership in one commit, not two. On PostgreSQL the
    statement goes on ``connections`` when given (core/held.py), else on a pooled connection."""
    first: dict[tuple[int, bytes], int] = {}
    for i, (room_id, key, _author) in enumerate(claims):
        first.setdefault((room_id, key), i)
    if db.engine.dialect.name == "postgresql" and len(first) == len(claims):
        # The usual batch (no key twice): one statement on the driver, one round trip.
        return await _claim_pg(
            db, claims, now=now, ttl=ttl, touch=touch, touched=touched, connections=connections
        )
    upsert = _upsert(db, now).returning(_nicks.c.room_id, _nicks.c.nick_key)
    rows = _rows(claims, now + timedelta(seconds=ttl))
    held = [False] * len(claims)
    # A claim lost in a crash of the database server is made again by the renewal.
    async with db.transaction(durable=False) as conn:
        together = [rows[i] for i in first.values()]
        result = await conn.execute(upsert, together)
        taken = {(row.room_id, bytes(row.nick_key)) for row in result}
        for (room_id, key), i in first.items():
            held[i] = (room_id, key) in taken
        for i, row in enumerate(rows):
            if first[(row["room_id"], row["nick_key"])] != i:
                held[i] = (await conn.execute(upsert, row)).first() is not None
        if touch is not None and touched is not None:
            wanted = [
                (room_id, author)
                for (room_id, key, author), ok in zip(claims, held, strict=True)
                if ok and touch((room_id, key, author))
            ]
            touched.update(await touch_members_in(conn, list(dict.fromkeys(wanted)), now=now))
    return held


# A batch of claims, each key once, and the member rows of the held claims marked
# ``touch``, in one statement (its own transaction): the claims as _upsert writes
# them, then the members as rooms.service.touch_members_in writes them (a newcomer's
# first position is the room's last sequence in the statement's snapshot). Rows are
# locked in key order, so two processes' batches do not deadlock. A claim is lost in
# a crash of the database server at worst (the renewal makes it again), so the commit
# does not wait for its flush to disk (``set_config(..., true)``: this transaction
# only).
PG_CLAIM = """
WITH input AS (
    SELECT u.* FROM unnest($1::integer[], $2::bytea[], $3::bytea[], $4::boolean[])
        AS u(room_id, nick_key, author_key, touch),
        (SELECT set_config('synchronous_commit', 'off', true)) AS cfg(v)
), claimed AS (
    INSERT INTO room_nicks AS n (room_id, nick_key, author_key, expires_at)
    SELECT room_id, nick_key, author_key, $5::timestamptz FROM input
    ORDER BY room_id, nick_key
    ON CONFLICT (room_id, nick_key) DO UPDATE
        SET author_key = excluded.author_key, expires_at = excluded.expires_at
        WHERE n.author_key = excluded.author_key OR n.expires_at < $6::timestamptz
    RETURNING n.room_id, n.nick_key
), touched AS (
    INSERT INTO room_members AS m (room_id, author_key, first_seq, last_seen_at, joined_at)
    SELECT DISTINCT ON (i.room_id, i.author_key)
        i.room_id, i.author_key, coalesce(s.last_seq, 0), $6::timestamptz, $6::timestamptz
    FROM input i
    JOIN claimed c ON c.room_id = i.room_id AND c.nick_key = i.nick_key
    LEFT JOIN room_streams s ON s.room_id = i.room_id
    WHERE i.touch
    ORDER BY i.room_id, i.author_key
    ON CONFLICT (room_id, author_key) DO UPDATE SET last_seen_at = excluded.last_seen_at
    RETURNING m.room_id, m.author_key, m.first_seq, m.joined_at
)
SELECT false AS member, room_id, nick_key AS key, NULL::bigint AS first_seq,
    NULL::timestamptz AS joined_at FROM claimed
UNION ALL
SELECT true, room_id, author_key, first_seq, joined_at FROM touched
"""


async def _claim_pg(
    db: Database,
    claims: Sequence[Claim],
    *,
    now: datetime,
    ttl: float,
    touch: Callable[[Claim], bool] | None,
    touched: dict[tuple[int, bytes], Member] | None,
    connections: HeldConnections | None = None,
) -> list[bool]:
    """:func:`do_claim` of claims with distinct keys on PostgreSQL, through asyncpg
    (chat/writers.py writes messages the same way): no statement compilation, no
    ``BEGIN``/``COMMIT`` round trips (and on ``connections``, no checkout and ping either)."""
    marks = [touch is not None and touched is not None and touch(c) for c in claims]
    args = (
        [c[0] for c in claims],
        [c[1] for c in claims],
        [c[2] for c in claims],
        marks,
        now + timedelta(seconds=ttl),
        now,
    )
    if connections is not None:
        result = await connections.fetch(PG_CLAIM, *args)
    else:
        async with db.engine.connect() as sa:
            raw = await sa.get_raw_connection()
            result = await raw.driver_connection.fetch(PG_CLAIM, *args)  # type: ignore[union-attr]
    taken = set()
    for row in result:
        if row["member"]:
            if touched is not None:
                touched[(row["room_id"], bytes(row["key"]))] = Member(
                    int(row["first_seq"]), row["joined_at"]
                )
        else:
            taken.add((row["room_id"], bytes(row["key"])))
    return [(room_id, key) in taken for room_id, key, _author in claims]


async def do_renew(db: Database, claims: Sequence[Claim], *, now: datetime, ttl: float) -> None:
    """Renew claims until ``now + ttl`` (taking back any that lapsed and are free)."""
    rows = _rows(claims, now + timedelta(seconds=ttl))
    if rows:
        async with db.transaction() as conn:
            await conn.execute(_upsert(db, now), rows)


async def do_release(db: Database, claims: Iterable[tuple[Claim, datetime]]) -> None:
    """Let go of claims, each given with the expiry its process last wrote: a claim
    the same visitor has since made through another process (a reconnect that came in
    before this socket's close was noticed) expires later and is left alone."""
    rows = [
        {"r": room_id, "k": key, "a": author, "w": written}
        for (room_id, key, author), written in claims
    ]
    if not rows:
        return
    stmt = delete(_nicks).where(
        and_(
            _nicks.c.room_id == bindparam("r"),
            _nicks.c.nick_key == bindparam("k"),
            _nicks.c.author_key == bindparam("a"),
            _nicks.c.expires_at <= bindparam("w"),
        )
    )
    # A release lost in a crash of the database server lapses by itself.
    async with db.transaction(durable=False) as conn:
        await conn.execute(stmt, rows)


async def do_forget_lapsed(db: Database, *, now: datetime) -> None:
    """Delete claims that lapsed (their processes are gone)."""
    async with db.transaction() as conn:
        await conn.execute(delete(_nicks).where(_nicks.c.expires_at < now))


class NickClaims:
    """The claims one process's sockets hold, counted per holder, renewed in the
    background. A holder is anything hashable that stands for a socket."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        ttl: float = 90.0,
        renew: float = 30.0,
        members: MemberTouches | None = None,
        hold_connection: bool = False,
    ) -> None:
        self._db = db
        # A server's claims go on a connection kept for them (core/held.py): a storm's
        # claim batches then cost one round trip each.
        self._kept = (
            HeldConnections(db.engine)
            if hold_connection and db.engine.dialect.name == "postgresql"
            else None
        )
        # The member rows of those who claim a nickname and whose row this process does
        # not know are written with the claim (the join's next step finds them here).
        self._members = members
        self._clock = clock
        self.ttl = ttl
        self.renew = renew
        self._held: dict[Hashable, dict[int, Claim]] = {}
        self._count: dict[Claim, int] = {}
        self._written: dict[Claim, datetime] = {}  # the expiry this process last wrote
        self._queue: list[tuple[Claim, asyncio.Future[datetime | None]]] = []
        self._writing = False
        self._releases: list[tuple[Claim, datetime]] = []
        self._releasing = False
        self._background: set[asyncio.Task[None]] = set()

    async def claim(self, holder: Hashable, claim: Claim) -> bool:
        """Claim a nickname in a room for ``holder``; ``False`` when someone else present
        holds it. The holder's earlier claim in that room, if any, is let go."""
        if claim not in self._count:
            written = await self._claim_in_db(claim)
            if written is None:
                return False
            self._written[claim] = written
        # Counted before the earlier claim is let go: a holder joining again under the
        # same nickname must not release it on the way.
        self._count[claim] = self._count.get(claim, 0) + 1
        held = self._held.setdefault(holder, {})
        earlier = held.get(claim[0])
        held[claim[0]] = claim
        if earlier is not None:
            self._unhold(earlier)
        return True

    async def _claim_in_db(self, claim: Claim) -> datetime | None:
        """Write a claim; the expiry written, or ``None`` when someone else holds it.
        Claims that arrive while a write is under way go together in the next one
        (a reconnect storm costs a few transactions, not one per visitor)."""
        future: asyncio.Future[datetime | None] = asyncio.get_running_loop().create_future()
        self._queue.append((claim, future))
        if not self._writing:
            self._writing = True
            self._spawn(self._write_claims())
        return await future

    async def _write_claims(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                now = self._clock.now()
                members = self._members
                touch = None if members is None else self._unknown_member
                touched: dict[tuple[int, bytes], Member] = {}
                try:
                    held = await do_claim(
                        self._db,
                        [c for c, _ in batch],
                        now=now,
                        ttl=self.ttl,
                        touch=touch,
                        touched=touched,
                        connections=self._kept,
                    )
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                if members is not None and touched:
                    members.remember(touched)
                until = now + timedelta(seconds=self.ttl)
                for (_, future), ok in zip(batch, held, strict=True):
                    if not future.done():
                        future.set_result(until if ok else None)
        finally:
            self._writing = False

    async def warm(self) -> None:
        """Open the claims' kept connection and prepare their statement on it (a
        process just started: the first joins of a reconnect storm would wait for
        both). The statement claims nothing (empty arrays) and so changes nothing."""
        if self._kept is not None:
            now = self._clock.now()
            await self._kept.warm(PG_CLAIM, [], [], [], [], now, now)

    def _unknown_member(self, claim: Claim) -> bool:
        return self._members is not None and not self._members.known(claim[0], claim[2])

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

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
        # Releases that come while one is being written go together in the next one
        # (every socket of a reconnect storm closes at once).
        self._releases.append((claim, self._written.pop(claim)))
        if not self._releasing:
            self._releasing = True
            self._spawn(self._release())

    async def _release(self) -> None:
        try:
            while self._releases:
                batch, self._releases = self._releases, []
                try:
                    await do_release(self._db, batch)
                except Exception:  # the claims lapse by themselves
                    log.warning(
                        "rooms.nick_release_failed", extra={"event": "rooms.nick_release_failed"}
                    )
        finally:
            self._releasing = False

    async def renew_all(self) -> None:
        """Renew every claim held here (and take back any that lapsed meanwhile)."""
        now = self._clock.now()
        claims = list(self._count)
        await do_renew(self._db, claims, now=now, ttl=self.ttl)
        until = now + timedelta(seconds=self.ttl)
        for claim in claims:
            if claim in self._written:  # not let go of meanwhile
                self._written[claim] = until
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
                raise_if_cancelled()
                log.warning("rooms.nick_renew_failed", extra={"event": "rooms.nick_renew_failed"})

    async def close(self) -> None:
        """Let go of every claim (a clean shutdown) and wait for releases under way."""
        claims = list(self._written.items())
        self._held.clear()
        self._count.clear()
        self._written.clear()
        with contextlib.suppress(Exception):
            await do_release(self._db, claims)
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._kept is not None:
            await self._kept.close()
