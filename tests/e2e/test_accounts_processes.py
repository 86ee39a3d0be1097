"""Staff sessions across real server processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request
from typing import Any

import pytest
import websockets

from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from tests.accounts.helpers import add_person, make_session, session_csrf
from tests.conftest import make_settings
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess
from tests.helpers import run_async

pytestmark = pytest.mark.e2e


def staff_session(database_url: str, username: str, role: str = "volunteer") -> str:
    async def work() -> str:
        from sqlalchemy import select

        from kuulolla.accounts.models import Organisation

        db = Database.from_url(database_url)
        try:
            async with db.read_session() as session:
                org_id = await session.scalar(
                    select(Organisation.id).where(Organisation.slug == "jarjesto")
                )
            user_id = await add_person(db, username, display_name="Vilma", org_id=org_id, role=role)
            if role == "coordinator":
                # Coordinators work with a second factor (the organisations' default rule).
                from sqlalchemy import update

                from kuulolla.accounts.models import StaffUser

                async with db.session() as session:
                    await session.execute(
                        update(StaffUser)
                        .where(StaffUser.id == user_id)
                        .values(totp_enabled_at=utcnow())
                    )
            return await make_session(db, user_id, now=utcnow())  # the servers' clocks are real
        finally:
            await db.dispose()

    return run_async(work)


def sign_out(server: ServerProcess, token: str, database_url: str) -> int:
    settings = make_settings(database_url)
    body = urllib.parse.urlencode({"csrf_token": session_csrf(settings, token)}).encode()
    request = urllib.request.Request(
        f"{server.http}/sign-out",
        data=body,
        headers={"Cookie": f"__Host-kuulolla_session={token}", "Origin": server.http},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # follows the 303
        return int(response.status)


@pytest.mark.asyncio
async def test_sign_out_on_one_process_closes_the_socket_on_another(
    cluster: list[ServerProcess], postgres_url: str
) -> None:
    """A volunteer chatting through process B signs out through process A: B closes the
    socket at once with 4001, and the room carried her badge until then."""
    token = await asyncio.to_thread(staff_session, postgres_url, "vilma")
    headers = {"Cookie": f"__Host-kuulolla_session={token}"}
    ws: Any = await websockets.connect(cluster[1].ws, compression=None, additional_headers=headers)
    staff = Client(ws)
    await staff.send({"type": "hello", "v": 1})
    welcome = await staff.expect("welcome")
    assert welcome["me"] == {"kind": "staff", "name": "Vilma", "role": "volunteer"}
    assert (await staff.join("huone"))["type"] == "joined"
    visitor = await Client.connect(cluster[0].ws)
    await visitor.join("huone", "Aino")
    await staff.say("huone", "Hei kaikki", "s1")
    seen = await visitor.messages("huone", 1)
    assert seen[0]["from"] == {"nick": "Vilma", "role": "volunteer", "id": seen[0]["from"]["id"]}

    assert await asyncio.to_thread(sign_out, cluster[0], token, postgres_url) == 200
    with pytest.raises(websockets.ConnectionClosed) as info:
        while True:
            await staff.recv(timeout=5)
    assert info.value.rcvd is not None and info.value.rcvd.code == 4001
    await visitor.close()

    # The cookie opens nothing any more, on either process.
    again: Any = await websockets.connect(
        cluster[1].ws, compression=None, additional_headers=headers
    )
    stranger = Client(again)
    await stranger.send({"type": "hello", "v": 1})
    assert (await stranger.expect("welcome"))["me"] == {"kind": "visitor"}
    await stranger.close()
