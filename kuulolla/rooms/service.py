"""Reading and changing organisations, rooms and room membership."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kuulolla.accounts.models import Organisation
from kuulolla.core.cache import SharedCache
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.rooms import logic
from kuulolla.rooms.models import Room, RoomMember, RoomStream

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RoomInfo:
    id: int
    slug: str
    kind: str
    organisation_id: int
    organisation_name: str
    history_limit: int
    names: dict[str, str]
    descriptions: dict[str, str]
    open: bool = True

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names["fi"]

    def description(self, locale: str) -> str:
        return self.descriptions.get(locale) or self.descriptions.get("fi", "")

    def lang_attr(self, field: str, locale: str) -> str:
        """` lang="fi"` when ``field`` ("name" or "description") falls back to Finnish on
        a page in another language, so screen readers read it as Finnish (WCAG 3.1.2)."""
        texts = self.names if field == "name" else self.descriptions
        return "" if locale == "fi" or texts.get(locale) else ' lang="fi"'


def _info(room: Room, org: Organisation) -> RoomInfo:
    names = {"fi": room.name_fi}
    descriptions = {"fi": room.description_fi}
    for loc in ("sv", "en"):
        if name := getattr(room, f"name_{loc}"):
            names[loc] = name
        if description := getattr(room, f"description_{loc}"):
            descriptions[loc] = description
    return RoomInfo(
        id=room.id,
        slug=room.slug,
        kind=room.kind,
        organisation_id=org.id,
        organisation_name=org.name,
        history_limit=room.history_limit,
        names=names,
        descriptions=descriptions,
        open=room.archived_at is None,
    )


async def get_room(db: Database, *, slug: str) -> RoomInfo | None:
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(Room, Organisation)
                .join(Organisation, Organisation.id == Room.organisation_id)
                .where(Room.slug == slug)
            )
        ).first()
        return _info(*row) if row else None


async def get_room_or_raise(db: Database, *, slug: str) -> RoomInfo:
    room = await get_room(db, slug=slug)
    if room is None:
        raise NotFound(N_("There is no such room."), code="room_not_found")
    return room


async def list_rooms(db: Database, *, kind: str = "group") -> list[RoomInfo]:
    async with db.read_session() as session:
        rows = await session.execute(
            select(Room, Organisation)
            .join(Organisation, Organisation.id == Room.organisation_id)
            .where(Room.kind == kind)
            .order_by(Organisation.name, Room.name_fi)
        )
        return [_info(room, org) for room, org in rows]


async def do_create_room(
    db: Database,
    *,
    organisation: str,
    slug: str,
    names: dict[str, str],
    descriptions: dict[str, str] | None = None,
    history_limit: int = 30,
    kind: str = "group",
    qualification_id: int | None = None,
    now: datetime,
) -> int:
    """Create a room of the organisation with slug ``organisation``. ``names`` needs
    at least "fi"; "sv" and "en" fall back to Finnish when missing."""
    slug = logic.check_room_slug(slug)
    history_limit = logic.check_history_limit(history_limit)
    descriptions = descriptions or {}
    if "fi" not in names:
        raise BadRequest(N_("A room needs a Finnish name."), code="invalid_name")
    clean_names = {loc: check_name(n) for loc, n in names.items() if n}
    async with db.session() as session:
        org_id = await session.scalar(
            select(Organisation.id).where(Organisation.slug == organisation)
        )
        if org_id is None:
            raise NotFound(N_("There is no such organisation."), code="organisation_not_found")
        if await session.scalar(select(Room.id).where(Room.slug == slug)):
            raise Conflict(N_("A room with that slug exists already."), code="slug_taken")
        room = Room(
            organisation_id=org_id,
            slug=slug,
            kind=kind,
            name_fi=clean_names["fi"],
            name_sv=clean_names.get("sv"),
            name_en=clean_names.get("en"),
            description_fi=descriptions.get("fi", ""),
            description_sv=descriptions.get("sv"),
            description_en=descriptions.get("en"),
            history_limit=history_limit,
            qualification_id=qualification_id,
            created_at=now,
        )
        session.add(room)
        await session.flush()
        session.add(RoomStream(room_id=room.id, last_seq=0, purged_seq=0))
        return room.id


async def add_private_room(
    session: AsyncSession, *, organisation_id: int, names: dict[str, str | None], now: datetime
) -> Room:
    """A one-to-one conversation's room (kind "private", an unguessable slug) and its
    message stream, added in the caller's transaction (queue/accepting.py). ``names`` are
    the conversation's names by locale, "fi" required."""
    room = Room(
        organisation_id=organisation_id,
        slug="c-" + secrets.token_hex(12),
        kind="private",
        name_fi=names["fi"],
        name_sv=names.get("sv"),
        name_en=names.get("en"),
        description_fi="",
        history_limit=logic.MAX_HISTORY_LIMIT,
        created_at=now,
    )
    session.add(room)
    await session.flush()
    session.add(RoomStream(room_id=room.id, last_seq=0, purged_seq=0))
    return room


async def move_private_room(
    session: AsyncSession, *, room_id: int, organisation_id: int
) -> Room | None:
    """A one-to-one conversation's room taken again, now of ``organisation_id`` (the
    conversation may have been transferred to another organisation's topic), in the
    caller's transaction (queue/accepting.py); None when the room is gone."""
    room = await session.get(Room, room_id)
    if room is not None:
        room.organisation_id = organisation_id
    return room


async def archive_private_room(session: AsyncSession, *, room_id: int, now: datetime) -> None:
    """Close a one-to-one conversation's room when the conversation ends, in the
    caller's transaction (queue/waiting.py); a room closed already keeps its time."""
    room = await session.get(Room, room_id)
    if room is not None and room.archived_at is None:
        room.archived_at = now


async def erase_room(session: AsyncSession, *, room_id: int) -> None:
    """Delete a room for real with its stream and members, in the caller's transaction.
    The caller first deletes what of its own refers to the room (messages, the queue's
    participants)."""
    await session.execute(delete(RoomMember).where(RoomMember.room_id == room_id))
    await session.execute(delete(RoomStream).where(RoomStream.room_id == room_id))
    await session.execute(delete(Room).where(Room.id == room_id))


_members = cast(Table, RoomMember.__table__)
_streams = cast(Table, RoomStream.__table__)


async def do_archive_room(db: Database, *, slug: str, now: datetime) -> None:
    """Close a room for good; its history stays until retention removes it."""
    async with db.session() as session:
        room = await session.scalar(select(Room).where(Room.slug == slug))
        if room is None:
            raise NotFound(N_("There is no such room."), code="room_not_found")
        room.archived_at = now


@dataclass(frozen=True, slots=True)
class Member:
    """A participant's place in a room: the room's last sequence when they first
    joined, and when that was (None on rows made before it was recorded)."""

    first_seq: int
    joined_at: datetime | None


async def touch_member(db: Database, *, room_id: int, author_key: bytes, now: datetime) -> Member:
    """Record that ``author_key`` is in the room; returns where and when this
    participant first joined it."""
    return (await touch_members(db, [(room_id, author_key)], now=now))[0]


async def touch_members(
    db: Database, members: Sequence[tuple[int, bytes]], *, now: datetime
) -> list[Member]:
    """:func:`touch_member` for several distinct (room id, author key) pairs, in one
    transaction and one statement: a newcomer's first position is the room's last
    sequence as the transaction reads it."""
    # A row lost in a crash of the database server is written again at the next join
    # (its newcomer's wait would start again: nothing is lost that matters more).
    async with db.transaction(durable=False) as conn:
        found = await touch_members_in(conn, members, now=now)
    return [found[key] for key in members]


async def touch_members_in(
    conn: AsyncConnection, members: Sequence[tuple[int, bytes]], *, now: datetime
) -> dict[tuple[int, bytes], Member]:
    """:func:`touch_members` in the caller's transaction (rooms/nicks.py writes the
    member rows of the nicknames it claims with them): the members by (room id,
    author key)."""
    if not members:
        return {}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(_members)
    upsert = stmt.on_conflict_do_update(
        index_elements=["room_id", "author_key"],
        set_={"last_seen_at": stmt.excluded.last_seen_at},
    ).returning(
        _members.c.room_id, _members.c.author_key, _members.c.first_seq, _members.c.joined_at
    )
    rooms = sorted({room_id for room_id, _ in members})
    found_last = await conn.execute(
        select(_streams.c.room_id, _streams.c.last_seq).where(_streams.c.room_id.in_(rooms))
    )
    last: dict[int, int] = {row.room_id: row.last_seq for row in found_last}
    rows = [
        {
            "room_id": room_id,
            "author_key": key,
            "first_seq": last.get(room_id, 0),
            "last_seen_at": now,
            "joined_at": now,
        }
        for room_id, key in members
    ]
    result = await conn.execute(upsert, rows)
    return {
        (row.room_id, bytes(row.author_key)): Member(int(row.first_seq), row.joined_at)
        for row in result
    }


class MemberTouches:
    """Joins' member rows, written in grouped commits and remembered per process.

    A participant's first position and first join never change once written, so a
    process that has written or read them answers the next join of the same person in
    the same room from memory and only renews ``last_seen_at`` (which retention
    reads, in days) at most every ``refresh`` seconds, in the background. Rows that
    must be read or written wait for the write under way and go together in the next
    transaction: a reconnect storm costs a few commits, not one per visitor.
    """

    def __init__(
        self, db: Database, clock: Clock, *, refresh: float = 600.0, limit: int = 200_000
    ) -> None:
        self._db = db
        self._clock = clock
        self.refresh = refresh
        self._limit = limit
        self._known: dict[tuple[int, bytes], tuple[Member, float]] = {}
        self._queue: list[tuple[tuple[int, bytes], asyncio.Future[Member] | None]] = []
        self._writing = False
        self._background: set[asyncio.Task[None]] = set()
        self.commits = 0  # transactions made (for tests and benchmarks)

    async def touch(self, *, room_id: int, author_key: bytes) -> Member:
        key = (room_id, author_key)
        known = self._known.get(key)
        now = self._clock.monotonic()
        if known is not None:
            member, written = known
            if now - written > self.refresh:
                self._known[key] = (member, now)
                self._enqueue(key, None)  # renew last_seen_at, nobody waits
            return member
        future: asyncio.Future[Member] = asyncio.get_running_loop().create_future()
        self._enqueue(key, future)
        return await future

    def forget(self) -> None:
        """Forget what is remembered (retention removed rows)."""
        self._known.clear()

    def known(self, room_id: int, author_key: bytes) -> bool:
        return (room_id, author_key) in self._known

    def remember(self, members: dict[tuple[int, bytes], Member]) -> None:
        """Member rows written elsewhere (with a nickname's claim, rooms/nicks.py): the
        next join of each is answered from memory."""
        if len(self._known) + len(members) > self._limit:
            self._known.clear()
        at = self._clock.monotonic()
        for key, member in members.items():
            self._known[key] = (member, at)

    def _enqueue(self, key: tuple[int, bytes], future: asyncio.Future[Member] | None) -> None:
        self._queue.append((key, future))
        if not self._writing:
            self._writing = True
            task = asyncio.get_running_loop().create_task(self._write())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _write(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                keys = list(dict.fromkeys(key for key, _ in batch))
                try:
                    members = await touch_members(self._db, keys, now=self._clock.now())
                except Exception as exc:
                    for _, future in batch:
                        if future is not None and not future.done():
                            future.set_exception(exc)
                    if not any(future is not None for _, future in batch):
                        log.warning(
                            "rooms.member_touch_failed",
                            extra={"event": "rooms.member_touch_failed"},
                        )
                    continue
                self.commits += 1
                found = dict(zip(keys, members, strict=True))
                if len(self._known) > self._limit:
                    self._known.clear()
                at = self._clock.monotonic()
                for key, member in found.items():
                    self._known[key] = (member, at)
                for key, future in batch:
                    if future is not None and not future.done():
                        future.set_result(found[key])
        finally:
            self._writing = False


class RoomCache:
    """Room lookups by slug, kept for ``ttl`` seconds per process (rooms change rarely;
    a renamed room shows its new name within the TTL). An expired copy is served while
    one background read replaces it, and callers without a copy share one read."""

    def __init__(self, db: Database, *, ttl: float = 30.0) -> None:
        self._db = db
        self._ttl = ttl
        # An expired miss is not served: the room may exist now.
        self._cache: SharedCache[str, RoomInfo | None] = SharedCache(
            serve_stale=lambda room: room is not None
        )

    async def get(self, slug: str, *, now: float) -> RoomInfo | None:
        async def load() -> tuple[RoomInfo | None, float]:
            room = await get_room(self._db, slug=slug)
            # Misses are cached briefly too, so probing random slugs costs little.
            return room, now + (self._ttl if room else 2.0)

        return await self._cache.get(slug, load, now=now)

    def forget(self, slug: str) -> None:
        self._cache.forget(slug)
