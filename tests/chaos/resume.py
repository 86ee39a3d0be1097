"""Scenario 8, resume edge cases: a `since` that cannot be served exactly gets
`resync`, never a partial replay."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, update

from kuulolla.chat.models import Message
from kuulolla.core.db import Database
from kuulolla.rooms.models import RoomStream
from kuulolla.rooms.service import do_archive_room, get_room
from tests.chaos.scenarios import ChaosRun, Outcome
from tests.chaos.verify import Verdict
from tests.e2e.client import Client
from tests.helpers import NOW


async def resume_edges(duration: float = 0.0, *, template: str | None = None) -> Outcome:
    out = Outcome("resume-edges", Verdict())
    async with ChaosRun(clients=0, rooms=2, template=template) as run:
        room, closing = run.slugs
        writer = await Client.connect(run.servers[0].ws)
        await writer.join(room, "Kirjoittaja")
        await writer.join(closing, "Kirjoittaja")
        for i in range(30):
            await writer.say(room, f"viesti {i}", f"a{i}")
            await writer.say(closing, f"viesti {i}", f"b{i}")
        token = writer.token
        await writer.close()

        async def resume(slug: str, since: int) -> dict:
            client = await Client.connect(run.servers[1].ws, token=token)
            try:
                reply = await client.join(slug, "Kirjoittaja", since=since)
                await asyncio.sleep(0.3)  # nothing else may follow
                extra = [f for f in client.inbox if f["type"] == "message"]
                reply["_replayed"] = len(extra) + len(reply.get("history", []))
                return reply
            finally:
                await client.close()

        cases: dict[str, dict] = {}
        cases["in the future"] = await resume(room, 500)
        # Retention removed the oldest messages.
        db = Database.from_url(run.db_url)
        info = await get_room(db, slug=room)
        assert info is not None
        async with db.transaction() as conn:
            await conn.execute(delete(Message).where(Message.room_id == info.id, Message.seq <= 10))
            await conn.execute(
                update(RoomStream).where(RoomStream.room_id == info.id).values(purged_seq=10)
            )
        cases["older than kept"] = await resume(room, 5)
        cases["just after what was purged"] = await resume(room, 10)
        await do_archive_room(db, slug=closing, now=NOW)
        await db.dispose()
        await asyncio.sleep(0.7)  # the servers' room cache lasts 0.5 s in chaos runs
        cases["room that closed"] = await resume(closing, 20)
        for name, reply in cases.items():
            out.findings[name] = reply.get("code", reply["type"])
        for name in ("in the future", "older than kept", "room that closed"):
            reply = cases[name]
            if reply.get("code") != "resync" or reply["_replayed"]:
                out.failures.append(
                    f"{name}: expected resync and no replay, got {reply.get('code', reply['type'])}"
                )
        ok = cases["just after what was purged"]
        if ok["type"] != "joined" or [m["seq"] for m in ok["history"]] != list(range(11, 31)):
            out.failures.append("a since just after the purged part did not replay exactly 11..30")
    return out
