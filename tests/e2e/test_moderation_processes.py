"""Moderator actions across two real server processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets

from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess
from tests.e2e.test_accounts_processes import staff_session

pytestmark = pytest.mark.e2e


async def moderator(server: ServerProcess, database_url: str, username: str) -> Client:
    # A coordinator moderates without a shift (volunteers need to be checked in).
    token = await asyncio.to_thread(staff_session, database_url, username, "coordinator")
    headers = {"Cookie": f"__Host-kuulolla_session={token}"}
    ws: Any = await websockets.connect(server.ws, compression=None, additional_headers=headers)
    client = Client(ws)
    await client.send({"type": "hello", "v": 1})
    await client.expect("welcome")
    joined = await client.join("huone")
    assert joined["type"] == "joined", joined
    await client.expect("moderation_state", moderator=True)
    return client


async def until_recorded(database_url: str) -> None:
    """Wait until the restriction's network digest is stored (by the target's process)."""
    from sqlalchemy import func, select

    from kuulolla.core.db import Database
    from kuulolla.moderation.models import Restriction

    db = Database.from_url(database_url)
    try:
        for _ in range(100):
            async with db.read() as conn:
                count = (
                    await conn.execute(select(func.count()).where(Restriction.ban_key.is_not(None)))
                ).scalar_one()
            if count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the network digest was never recorded")
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_removal_reaches_other_process_and_resuming_client(
    cluster: list[ServerProcess], postgres_url: str
) -> None:
    """A removal on process A reaches a client on process B at once and a client that
    was offline and resumes on B later."""
    mod = await moderator(cluster[0], postgres_url, "moderaattori")
    live = await Client.connect(cluster[1].ws)
    await live.join("huone", "Paikalla")
    offline = await Client.connect(cluster[1].ws)
    await offline.join("huone", "Poissa")
    writer = await Client.connect(cluster[1].ws)
    await writer.join("huone", "Kirjoittaja")
    ack = await writer.say("huone", "tämä poistetaan", "x1")
    seen = await offline.messages("huone", 1)
    assert seen[0]["seq"] == ack["seq"]
    token = offline.token
    await offline.close()

    await mod.send({"type": "redact", "room": "huone", "seq": ack["seq"]})
    redact = await live.expect("redact", timeout=10)
    assert redact["seq"] == ack["seq"]
    await mod.expect("done", action="redact")

    back = await Client.connect(cluster[1].ws, token=token)
    joined = await back.join("huone", "Poissa", since=ack["seq"])
    assert {"type": "redact", "room": "huone", "seq": ack["seq"], "at": redact["at"]} in (
        joined["history"]
    )
    fresh = await Client.connect(cluster[0].ws)
    newcomer = await fresh.join("huone", "Uusi")
    assert all(m.get("text") != "tämä poistetaan" for m in newcomer["history"])
    for client in (mod, live, writer, back, fresh):
        await client.close()


@pytest.mark.asyncio
async def test_banned_visitor_cannot_return_with_a_new_token(
    cluster: list[ServerProcess], postgres_url: str
) -> None:
    """A ban made on process A takes the visitor on process B out, and a new token from
    the same network is refused on either process while the ban lasts."""
    mod = await moderator(cluster[0], postgres_url, "kieltaja")
    troll = await Client.connect(cluster[1].ws)
    await troll.join("huone", "Peikko")
    ack = await troll.say("huone", "häiriköin", "t1")
    await mod.send(
        {"type": "restrict", "room": "huone", "seq": ack["seq"], "kind": "ban", "seconds": 3600}
    )
    told = await troll.expect("restricted", timeout=10)
    assert told["kind"] == "ban"
    await troll.send({"type": "send", "room": "huone", "text": "vielä", "ref": "t2"})
    assert (await troll.expect("error"))["code"] == "not_joined"
    await troll.close()
    # The ban's network digest is written by process B, which held the socket.
    await until_recorded(postgres_url)
    for server in cluster:
        again = await Client.connect(server.ws)  # a new token
        refused = await again.join("huone", "Uusi nimi")
        assert refused["type"] == "error" and refused["code"] == "restricted_ban", refused
        await again.close()
    await mod.close()


@pytest.mark.asyncio
async def test_muted_visitor_cannot_post_after_reconnecting_with_a_new_token(
    cluster: list[ServerProcess], postgres_url: str
) -> None:
    """A mute made on process A holds on process B for the same token and for a new one."""
    mod = await moderator(cluster[0], postgres_url, "hiljentaja")
    visitor = await Client.connect(cluster[1].ws)
    await visitor.join("huone", "Äänekäs")
    ack = await visitor.say("huone", "HUUDAN", "u1")
    await mod.send(
        {"type": "restrict", "room": "huone", "seq": ack["seq"], "kind": "mute", "seconds": 600}
    )
    assert (await visitor.expect("restricted", timeout=10))["kind"] == "mute"
    token = visitor.token
    await visitor.close()
    await until_recorded(postgres_url)  # the network digest is written by process B
    for server, same_token in ((cluster[0], token), (cluster[1], None)):
        back = await Client.connect(server.ws, token=same_token)
        assert (await back.join("huone", "Äänekäs"))["type"] == "joined"
        await back.send({"type": "send", "room": "huone", "text": "taas", "ref": "u2"})
        assert (await back.expect("error"))["code"] == "restricted_mute"
        await back.close()
    await mod.close()
