"""A conversation is a private room on the same socket protocol: only its
participants join, and messages flow as in group rooms."""

from __future__ import annotations

from starlette.testclient import TestClient

from kuulolla.core.db import Database
from kuulolla.queue import service
from kuulolla.web.app import create_app
from tests.chat.test_endpoint import hello, join, receive_until, send
from tests.conftest import make_settings
from tests.helpers import NOW, run_async
from tests.queue.helpers import accept, build


def test_only_participants_join_a_conversation(db_url: str) -> None:
    """The visitor's token joins its private room and writes; another token is told there is no such room."""

    async def work() -> str:
        db = Database.from_url(db_url)
        world = await build(db)
        from kuulolla.core.ids import token_key

        await service.do_enter(
            db,
            topic=world.topic,
            visitor_key=token_key("oma-tunnus-" + "x" * 40),
            answers={},
            consent=True,
            now=NOW,
        )
        taken = await accept(db, world, "vol1")
        await db.dispose()
        return taken.room_slug

    slug = run_async(work)
    with TestClient(create_app(make_settings(db_url))) as client:
        with client.websocket_connect("/ws") as ws:
            hello(ws, "vieras-tunnus-" + "y" * 40)
            assert join(ws, slug, nick="Vieras")["code"] == "room_not_found"
        with client.websocket_connect("/ws") as ws:
            hello(ws, "oma-tunnus-" + "x" * 40)
            joined = join(ws, slug, nick="Vierailija")
            assert joined["type"] == "joined"
            send(ws, "Hei, tarvitsen apua", "r1", room=slug)
            assert receive_until(ws, "ack", ref="r1")["seq"] == 1
