"""A referral card across two real server processes sharing PostgreSQL and Redis: a
volunteer on one process sends a service of the directory, the visitor on the other
gets the card, and a visitor who comes later through either gets it in history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.directory import service
from tests.directory.samples import fields
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess
from tests.e2e.test_accounts_processes import staff_session
from tests.helpers import run_async

pytestmark = pytest.mark.e2e


def publish(database_url: str) -> None:
    """A published service of the room's organisation, open round the clock."""

    async def work() -> None:
        db = Database.from_url(database_url)
        try:
            async with db.read_session() as session:
                org_id = await session.scalar(
                    select(Organisation.id).where(Organisation.slug == "jarjesto")
                )
            async with db.session() as session:
                await service.do_save_service(
                    session,
                    organisation_id=int(org_id or 0),
                    fields=fields(hours_text="24/7", holidays_closed=False),
                    actor_id=None,
                    now=utcnow(),
                )
        finally:
            await db.dispose()

    run_async(work)


@pytest.mark.asyncio
async def test_a_referral_reaches_a_visitor_on_another_process(
    cluster: list[ServerProcess], postgres_url: str
) -> None:
    """Volunteer on process A refers; the visitor on process B gets the card, once; a
    later visitor on A gets it in history; the card says the service is open."""
    await asyncio.to_thread(publish, postgres_url)
    token = await asyncio.to_thread(staff_session, postgres_url, "viivi")
    staff = await Client.connect(
        cluster[0].ws, additional_headers={"Cookie": f"__Host-kuulolla_session={token}"}
    )
    visitor = await Client.connect(cluster[1].ws)
    try:
        assert (await staff.join("huone"))["type"] == "joined"
        assert (await visitor.join("huone", "Aino"))["type"] == "joined"
        refer: dict[str, Any] = {
            "type": "refer",
            "room": "huone",
            "service": "jarjesto/vertaisryhma-tampere",
            "ref": "kortti-1",
        }
        await staff.send(refer)
        ack = await staff.expect("ack", ref="kortti-1")
        card = await visitor.expect("referral", timeout=10)
        assert card["seq"] == ack["seq"] and card["from"]["role"] == "volunteer"
        assert card["card"]["names"]["fi"] == "Omaishoitajien vertaisryhmä, Tampere"
        assert card["card"]["always"] is True and card["card"]["phone"] == "09 0000 113"
        # Resent (a reconnect): acknowledged again, never a second card.
        await staff.send(refer)
        assert (await staff.expect("ack", ref="kortti-1"))["seq"] == ack["seq"]
        await visitor.send({"type": "ping"})
        assert (await visitor.expect("pong"))["type"] == "pong"
        assert [f["type"] for f in visitor.inbox].count("referral") == 1
    finally:
        await staff.ws.close()
        await visitor.ws.close()
    later = await Client.connect(cluster[0].ws)
    try:
        joined = await later.join("huone", "Toinen")
        assert [m["type"] for m in joined["history"]] == ["referral"]
    finally:
        await later.ws.close()
