"""The message store on real SQLite and PostgreSQL: sequences, grouped commits, dedupe."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import NoResultFound

from kuulolla.chat import history, store
from kuulolla.chat.models import Message
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from tests.helpers import make_room


def draft(
    room_id: int, text: str, ref: bytes | None = None, author: bytes = b"a" * 16
) -> store.Draft:
    return store.Draft(
        room_id=room_id, author_key=author, nick="Aino", role="visitor", text=text, ref_key=ref
    )


async def start(
    db: Database, clock: FrozenClock, seen: list[store.Stored], batches: list[int] | None = None
) -> store.Committer:
    committer = store.Committer(
        db,
        clock=clock,
        on_committed=seen.extend,
        on_batch=(batches.append if batches is not None else None),
    )
    committer.start()
    return committer


@pytest.mark.asyncio
async def test_sequences_start_at_one_and_increase(db: Database, clock: FrozenClock) -> None:
    """Each room's messages get 1, 2, 3… in the order they were submitted."""
    room = await make_room(db)
    seen: list[store.Stored] = []
    committer = await start(db, clock, seen)
    results = [await committer.submit(draft(room, f"viesti {i}")) for i in range(3)]
    await committer.stop()
    assert [r.seq for r in results] == [1, 2, 3]
    assert [s.text for s in seen] == ["viesti 0", "viesti 1", "viesti 2"]


@pytest.mark.asyncio
async def test_rooms_have_separate_sequences(db: Database, clock: FrozenClock) -> None:
    """Sequences are per room."""
    a = await make_room(db, "a")
    b = await make_room(db, "b")
    committer = await start(db, clock, [])
    seqs = [(await committer.submit(draft(r, "x"))).seq for r in (a, b, a, b, b)]
    await committer.stop()
    assert seqs == [1, 1, 2, 2, 3]


@pytest.mark.asyncio
async def test_concurrent_submits_are_grouped(db: Database, clock: FrozenClock) -> None:
    """Messages submitted together commit in fewer transactions than messages."""
    room = await make_room(db)
    batches: list[int] = []
    committer = await start(db, clock, [], batches)
    results = await asyncio.gather(*(committer.submit(draft(room, f"m{i}")) for i in range(200)))
    await committer.stop()
    assert sorted(r.seq for r in results) == list(range(1, 201))
    assert sum(batches) == 200
    assert len(batches) < 200


@pytest.mark.asyncio
async def test_resent_ref_is_stored_once(db: Database, clock: FrozenClock) -> None:
    """A resent ref from the same author is acknowledged with the first sequence, not stored again."""
    room = await make_room(db)
    seen: list[store.Stored] = []
    committer = await start(db, clock, seen)
    first = await committer.submit(draft(room, "hei", ref=b"r" * 16))
    again = await committer.submit(draft(room, "hei", ref=b"r" * 16))
    both = await asyncio.gather(
        committer.submit(draft(room, "x", ref=b"q" * 16)),
        committer.submit(draft(room, "x", ref=b"q" * 16)),
    )
    await committer.stop()
    assert again.seq == first.seq and again.duplicate
    assert both[0].seq == both[1].seq
    assert len(seen) == 2  # only fresh messages are published
    async with db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(Message))).scalar_one()
    assert count == 2


@pytest.mark.asyncio
async def test_two_committers_never_share_a_sequence(db_url: str, clock: FrozenClock) -> None:
    """Two processes' committers writing one room give every message its own sequence."""
    db1 = Database.from_url(db_url)
    db2 = Database.from_url(db_url)
    room = await make_room(db1)
    c1 = await start(db1, clock, [])
    c2 = await start(db2, clock, [])
    results = await asyncio.gather(
        *(
            c.submit(draft(room, f"{i}", ref=bytes([i % 256, i // 256]) * 8))
            for i in range(150)
            for c in (c1, c2)
        )
    )
    await c1.stop()
    await c2.stop()
    seqs = [r.seq for r in results if not r.duplicate]
    await db1.dispose()
    await db2.dispose()
    assert len(seqs) == len(set(seqs))
    # The second of each pair is a retry of the first (same ref): 150 messages.
    assert sorted(set(seqs)) == sorted(set(r.seq for r in results))
    assert len(set(seqs)) == 150


@pytest.mark.asyncio
async def test_history_tail_and_after(db: Database, clock: FrozenClock) -> None:
    """History gives the last N messages, or exactly those after a sequence."""
    room = await make_room(db)
    committer = await start(db, clock, [])
    for i in range(10):
        await committer.submit(draft(room, f"m{i}"))
    await committer.stop()
    last, purged, tail = await store.read_history(db, room, since=None, limit=3)
    assert (last, purged) == (10, 0)
    assert [m.seq for m in tail] == [8, 9, 10]
    _, _, after = await store.read_history(db, room, since=6, limit=100)
    assert [m.seq for m in after] == [7, 8, 9, 10]
    _, _, none = await store.read_history(db, room, since=None, limit=0)
    assert none == []


@pytest.mark.asyncio
async def test_commit_failure_acknowledges_nothing(db: Database, clock: FrozenClock) -> None:
    """When the database refuses the commit, the sender gets Unavailable and nothing is stored."""
    from kuulolla.core.errors import Unavailable

    committer = await start(db, clock, [])
    with pytest.raises(Unavailable):
        await committer.submit(draft(999_999, "no such room"))
    await committer.stop()
    async with db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(Message))).scalar_one()
    assert count == 0


async def _filled(db: Database, clock: FrozenClock, count: int, slug: str = "huone") -> int:
    room = await make_room(db, slug)
    committer = await start(db, clock, [])
    for i in range(count):
        await committer.submit(draft(room, f"m{i}"))
    await committer.stop()
    return room


@pytest.mark.asyncio
async def test_joins_of_a_burst_share_one_history_read(db: Database, clock: FrozenClock) -> None:
    """Joins and resumes of one room at once get one read, each what read_history gives."""
    room = await _filled(db, clock, 12)
    reads = history.HistoryReads(db)
    wishes = [(None, 5), (None, 0), (3, 100), (10, 100), (12, 100), (1, 4)]
    got = await asyncio.gather(*(reads.read(room, since=s, limit=n) for s, n in wishes))
    expected = [await store.read_history(db, room, since=s, limit=n) for s, n in wishes]
    assert got == expected
    assert reads.queries == 1


@pytest.mark.asyncio
async def test_shared_reads_on_kept_connections_answer_as_read_history(
    db: Database, clock: FrozenClock
) -> None:
    """A server's shared reads (on connections kept for them on PostgreSQL) give what
    read_history gives."""
    room = await _filled(db, clock, 6)
    reads = history.HistoryReads(db, hold_connections=2)
    got = await asyncio.gather(
        reads.read(room, since=None, limit=3), reads.read(room, since=2, limit=100)
    )
    await reads.close()
    assert list(got) == [
        await store.read_history(db, room, since=None, limit=3),
        await store.read_history(db, room, since=2, limit=100),
    ]


@pytest.mark.asyncio
async def test_reads_of_rooms_at_once_share_a_statement(db: Database, clock: FrozenClock) -> None:
    """Shared reads of several rooms waiting for a kept connection go in one statement
    together; each room gets what read_history gives, a room without a stream an error."""
    rooms = [await _filled(db, clock, n, f"huone-{n}") for n in (3, 5, 7, 9)]
    reads = history.HistoryReads(db, hold_connections=1)
    wishes = [(room, s, n) for room in rooms for s, n in ((None, 2), (1, 100))]
    got = await asyncio.gather(
        *(reads.read(r, since=s, limit=n) for r, s, n in wishes),
        reads.read(10**9, since=None, limit=2),
        return_exceptions=True,
    )
    await reads.close()
    assert list(got[:-1]) == [
        await store.read_history(db, r, since=s, limit=n) for r, s, n in wishes
    ]
    assert isinstance(got[-1], NoResultFound)
    assert reads.queries == 5
    if not db.is_sqlite:
        assert reads.statements == 1


@pytest.mark.asyncio
async def test_a_join_the_kept_read_covers_is_answered_without_a_query(
    db: Database, clock: FrozenClock
) -> None:
    """A join whose hub had delivered no more than a recent read's position gets what
    read_history gives, from that read."""
    room = await _filled(db, clock, 6)
    reads = history.HistoryReads(db)
    await reads.read(room, since=None, limit=3, known=6)
    got = [
        await reads.read(room, since=None, limit=3, known=6),
        await reads.read(room, since=4, limit=100, known=5),
    ]
    assert got == [
        await store.read_history(db, room, since=None, limit=3),
        await store.read_history(db, room, since=4, limit=100),
    ]
    assert (reads.queries, reads.reused) == (1, 2)


@pytest.mark.asyncio
async def test_a_join_during_its_rooms_read_is_answered_by_it(
    db: Database, clock: FrozenClock
) -> None:
    """A join arriving while its room's read is under way gets what read_history gives
    from that read once it is kept, not from a read of its own a moment later."""
    room = await _filled(db, clock, 6)
    reads = history.HistoryReads(db)
    first = asyncio.ensure_future(reads.read(room, since=None, limit=3, known=6))
    for _ in range(100):  # until the room's read is under way
        if reads._under_way:
            break
        await asyncio.sleep(0)
    assert reads._under_way
    later = await reads.read(room, since=4, limit=100, known=6)
    await first
    assert later == await store.read_history(db, room, since=4, limit=100)
    assert (reads.queries, reads.reused) == (1, 1)


@pytest.mark.asyncio
async def test_a_join_after_a_newer_delivery_is_read_again(
    db: Database, clock: FrozenClock
) -> None:
    """A kept read is not used once the hub has delivered past its position (a new
    message, a removal): the join gets a read of its own."""
    room = await _filled(db, clock, 6)
    reads = history.HistoryReads(db, interval=0.0)
    await reads.read(room, since=None, limit=3, known=6)
    await reads.read(room, since=None, limit=3, known=7)
    assert (reads.queries, reads.reused) == (2, 0)


@pytest.mark.asyncio
async def test_history_reads_of_a_room_are_spaced(db: Database, clock: FrozenClock) -> None:
    """Joins arriving while a room's read is under way wait for one shared next read."""
    room = await _filled(db, clock, 3)
    reads = history.HistoryReads(db, interval=0.05)
    first = asyncio.ensure_future(reads.read(room, since=None, limit=2))
    await asyncio.sleep(0)
    later = [reads.read(room, since=1, limit=10) for _ in range(20)]
    results = await asyncio.gather(first, *later)
    assert [m.seq for m in results[0][2]] == [2, 3]
    assert all([m.seq for m in r[2]] == [2, 3] for r in results[1:])
    assert reads.queries == 2


@pytest.mark.asyncio
async def test_a_resume_from_far_back_is_read_on_its_own(db: Database, clock: FrozenClock) -> None:
    """A resume older than a shared read covers still gets exactly what it missed."""
    room = await _filled(db, clock, 12)
    reads = history.HistoryReads(db, span=4)
    near, far = await asyncio.gather(
        reads.read(room, since=10, limit=100), reads.read(room, since=2, limit=100)
    )
    assert [m.seq for m in near[2]] == [11, 12]
    assert [m.seq for m in far[2]] == list(range(3, 13))
