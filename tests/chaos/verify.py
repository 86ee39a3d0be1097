"""The verifier: compares what every client saw with what the database holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from kuulolla.chat.models import Message
from kuulolla.core.db import Database
from kuulolla.rooms.models import Room
from tests.chaos.fleet import ClientLog


@dataclass
class Verdict:
    clients: int = 0
    messages: int = 0  # in the database, in the rooms of the run
    acked: int = 0
    missing: int = 0  # messages committed after a client joined that it never received
    duplicates: int = 0
    inversions: int = 0
    acked_absent: int = 0  # acknowledged to the sender but not in the database
    resyncs: int = 0
    worst: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.missing == self.duplicates == self.inversions == self.acked_absent == 0

    def summary(self) -> str:
        return (
            f"clients={self.clients} messages={self.messages} acked={self.acked} "
            f"missing={self.missing} duplicates={self.duplicates} inversions={self.inversions} "
            f"acked_absent={self.acked_absent} resyncs={self.resyncs}"
        )


async def read_rooms(db: Database, slugs: set[str]) -> dict[str, dict[int, str]]:
    """Every message of the rooms: slug -> seq -> text."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(Room.slug, Message.seq, Message.text)
            .join(Room, Room.id == Message.room_id)
            .where(Room.slug.in_(slugs))
        )
        out: dict[str, dict[int, str]] = defaultdict(dict)
        for slug, seq, text in rows:
            out[slug][seq] = text or ""
        return out


def verify(logs: list[ClientLog], stored: dict[str, dict[int, str]]) -> Verdict:
    v = Verdict(clients=len(logs), messages=sum(len(r) for r in stored.values()))
    for log in logs:
        room = stored.get(log.room, {})
        v.acked += len(log.acked)
        v.resyncs += log.resyncs
        problems = []
        for ref, seq in log.acked.items():
            if room.get(seq) != log.texts.get(ref):
                v.acked_absent += 1
                problems.append(f"acked {ref}@{seq} absent")
        if log.join_seq is not None:
            expected = {seq for seq in room if seq > log.join_seq}
            got = set(log.received)
            missing = expected - got
            v.missing += len(missing)
            if missing:
                problems.append(f"missing {sorted(missing)[:5]}")
            dups = len(log.received) - len(got)
            v.duplicates += dups
            if dups:
                problems.append(f"{dups} duplicates")
            inv = sum(1 for a, b in zip(log.received, log.received[1:], strict=False) if b <= a)
            v.inversions += inv
            if inv:
                problems.append(f"{inv} inversions")
        if problems and len(v.worst) < 10:
            v.worst.append(f"client {log.index} ({log.room}): " + "; ".join(problems))
    return v


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]
