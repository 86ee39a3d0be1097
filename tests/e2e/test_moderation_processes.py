"""Moderator actions across two real server processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request
from typing import Any

import pytest
import websockets

from tests.accounts.helpers import session_csrf
from tests.conftest import make_settings
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess
from tests.e2e.test_accounts_processes import staff_session
from tests.helpers import run_async

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
    # The new token takes a name of its own: the old one's is still held by the token
    # that was just in the room until its leaving reaches every process.
    for server, same_token, nick in (
        (cluster[0], token, "Äänekäs"),
        (cluster[1], None, "Uusi ääni"),
    ):
        back = await Client.connect(server.ws, token=same_token)
        joined = await back.join("huone", nick)
        assert joined["type"] == "joined", joined
        await back.send({"type": "send", "room": "huone", "text": "taas", "ref": "u2"})
        assert (await back.expect("error"))["code"] == "restricted_mute"
        await back.close()
    await mod.close()


def room_shift(database_url: str, volunteer: str) -> int:
    """A shift of "huone" now: a host checked in (the room is open) and ``volunteer``
    holding a place, not checked in. Returns the volunteer's assignment id."""

    async def work() -> int:
        from datetime import timedelta

        from sqlalchemy import select

        from kuulolla.accounts.models import StaffUser
        from kuulolla.core.clock import utcnow
        from kuulolla.core.db import Database
        from kuulolla.rooms.models import Room
        from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow
        from tests.accounts.helpers import add_person

        db = Database.from_url(database_url)
        try:
            now = utcnow()
            async with db.read_session() as session:
                room = (await session.scalars(select(Room).where(Room.slug == "huone"))).one()
                volunteer_id = await session.scalar(
                    select(StaffUser.id).where(StaffUser.username == volunteer)
                )
            host_id = await add_person(
                db, "isanta", display_name="Isäntä", org_id=room.organisation_id, role="volunteer"
            )
            async with db.session() as session:
                shift = ShiftRow(
                    organisation_id=room.organisation_id,
                    day=now.date(),
                    room_id=room.id,
                    starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(hours=1),
                )
                session.add(shift)
                await session.flush()
                session.add(
                    ShiftAssignmentRow(
                        shift_id=shift.id,
                        person_id=host_id,
                        role="volunteer",
                        created_at=now,
                        checked_in_at=now - timedelta(minutes=30),
                    )
                )
                place = ShiftAssignmentRow(
                    shift_id=shift.id, person_id=volunteer_id, role="volunteer", created_at=now
                )
                session.add(place)
                await session.flush()
                return int(place.id)
        finally:
            await db.dispose()

    return run_async(work)


def duty(server: ServerProcess, token: str, database_url: str, path: str) -> int:
    """POST a shift form (check-in, check-out) as the volunteer's browser would."""
    settings = make_settings(database_url)
    body = urllib.parse.urlencode({"csrf_token": session_csrf(settings, token)}).encode()
    request = urllib.request.Request(
        f"{server.http}/orgs/jarjesto/shifts/assignments/{path}",
        data=body,
        headers={"Cookie": f"__Host-kuulolla_session={token}", "Origin": server.http},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # follows the 303
        return int(response.status)


async def before_pong(client: Client) -> list[dict[str, Any]]:
    """What the client is sent before the answer to a ping sent now."""
    await client.send({"type": "ping"})
    frames = []
    while (frame := await client.recv(timeout=10))["type"] != "pong":
        frames.append(frame)
    return frames


@pytest.mark.asyncio
async def test_check_in_on_one_process_brings_alerts_to_a_socket_on_another(
    cluster: list[ServerProcess], postgres_url: str
) -> None:
    """A volunteer chatting through process B checks in through process A: B's socket gets
    the next crisis alert without reconnecting; after a check-out through A it gets none."""
    token = await asyncio.to_thread(staff_session, postgres_url, "paivystaja")
    assignment = await asyncio.to_thread(room_shift, postgres_url, "paivystaja")
    headers = {"Cookie": f"__Host-kuulolla_session={token}"}
    ws: Any = await websockets.connect(cluster[1].ws, compression=None, additional_headers=headers)
    staff = Client(ws)
    await staff.send({"type": "hello", "v": 1})
    await staff.expect("welcome")
    assert (await staff.join("huone"))["type"] == "joined"
    coordinator = await moderator(cluster[1], postgres_url, "vuorovastaava")
    visitor = await Client.connect(cluster[0].ws)
    assert (await visitor.join("huone", "Aino"))["type"] == "joined"

    checked_in = await asyncio.to_thread(
        duty, cluster[0], token, postgres_url, f"{assignment}/check-in"
    )
    assert checked_in == 200
    await staff.expect("moderation_state", moderator=True, timeout=10)
    ack = await visitor.say("huone", "en jaksa enää, haluan kuolla", "k1")
    alert = await staff.expect("alert", timeout=10)
    assert alert["seq"] == ack["seq"] and alert["nick"] == "Aino"

    checked_out = await asyncio.to_thread(
        duty, cluster[0], token, postgres_url, f"{assignment}/check-out"
    )
    assert checked_out == 200
    await staff.expect("moderation_state", moderator=False, timeout=10)
    ack = await visitor.say("huone", "haluan kuolla", "k2")
    # Process B hands an alert to all of its moderators' sockets at once: once the
    # coordinator on B has it, anything for the volunteer came before the pong.
    assert (await coordinator.expect("alert", seq=ack["seq"], timeout=10))["nick"] == "Aino"
    assert all(f["type"] != "alert" for f in await before_pong(staff))
    for client in (staff, coordinator, visitor):
        await client.close()
