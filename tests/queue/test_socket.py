"""A conversation is a private room on the same socket protocol: only its
participants join, and messages flow as in group rooms."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import update
from starlette.testclient import TestClient

from kuulolla.accounts.models import Organisation
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.core.ids import token_key
from kuulolla.queue import waiting
from kuulolla.web.app import create_app
from tests.accounts.helpers import make_session, session_headers
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

        await waiting.do_enter(
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


VISITOR_TOKEN = "keskustelija-" + "k" * 40
CRISIS = [
    {
        "number": "09 2525 0111",
        "name": {"fi": "Kriisipuhelin", "en": "Crisis helpline"},
        "description": {"fi": "Auki aina."},
    }
]


def _conversation(db_url: str) -> tuple[str, str]:
    """A visitor in a conversation with vol1 of an organisation that lists a crisis
    number; returns the room and a session token of vol1."""

    async def work() -> tuple[str, str]:
        db = Database.from_url(db_url)
        world = await build(db)
        async with db.session() as session:
            await session.execute(
                update(Organisation)
                .where(Organisation.id == world.org_id)
                .values(crisis_numbers=CRISIS)
            )
        await waiting.do_enter(
            db,
            topic=world.topic,
            visitor_key=token_key(VISITOR_TOKEN),
            answers={},
            consent=True,
            now=NOW,
        )
        taken = await accept(db, world, "vol1")
        session_token = await make_session(db, world.helpers["vol1"], now=NOW)
        await db.dispose()
        return taken.room_slug, session_token

    return run_async(work)


@contextlib.contextmanager
def _helper_and_visitor(db_url: str) -> Iterator[tuple[Any, Any, str]]:
    """vol1 in the conversation (joined) and its visitor's socket (said hello, not
    joined); yields both and the room."""
    room, session_token = _conversation(db_url)
    settings = make_settings(db_url)
    with TestClient(create_app(settings, clock=FrozenClock(NOW))) as client:
        staff = {"origin": "https://testserver", **session_headers(settings, session_token)}
        with (
            client.websocket_connect("wss://testserver/ws", headers=staff) as helper,
            client.websocket_connect("wss://testserver/ws") as visitor,
        ):
            welcome = hello(helper)
            assert welcome["me"]["kind"] == "staff", welcome
            joined = join(helper, room, nick="Tukija")
            assert joined["type"] == "joined", joined
            hello(visitor, VISITOR_TOKEN)
            yield helper, visitor, room


def test_personal_data_is_masked_before_the_helper_sees_it(db_url: str) -> None:
    """A phone number in a one-to-one chat reaches the helper masked; the visitor is told."""
    with _helper_and_visitor(db_url) as (helper, visitor, room):
        assert join(visitor, room, nick="Vierailija")["type"] == "joined"
        send(visitor, "soita mulle 040 123 4567 illalla", "p1", room=room)
        notice = receive_until(visitor, "notice", ref="p1")
        assert "puhelinnumeron" in notice["notes"][0]
        seen = receive_until(helper, "message", room=room)
        assert "040" not in seen["text"] and "⟦phone⟧" in seen["text"]


def test_crisis_message_alerts_the_helper_and_helps_the_visitor(db_url: str) -> None:
    """A crisis message in a one-to-one chat is delivered, the helper alerted, the visitor
    shown the crisis numbers and told the helper sees it."""
    with _helper_and_visitor(db_url) as (helper, visitor, room):
        assert join(visitor, room, nick="Vierailija")["type"] == "joined"
        send(visitor, "en jaksa enää, haluan kuolla", "c1", room=room)
        help_frame = receive_until(visitor, "crisis")
        assert [n["number"] for n in help_frame["numbers"]] == ["09 2525 0111"]
        assert help_frame["told"] is True
        ack = receive_until(visitor, "ack", ref="c1")
        alert = receive_until(helper, "alert", room=room)
        assert alert["seq"] == ack["seq"] and alert["category"]
        message = receive_until(helper, "message", seq=ack["seq"])
        assert message["text"] == "en jaksa enää, haluan kuolla"


def test_no_newcomer_wait_in_a_conversation(db_url: str) -> None:
    """With the flood rules on, the visitor's first words in a one-to-one chat go at once."""
    room, _session = _conversation(db_url)
    settings = make_settings(db_url, flood_rules=True, join_cooldown=10.0)
    with (
        TestClient(create_app(settings, clock=FrozenClock(NOW))) as client,
        client.websocket_connect("wss://testserver/ws") as visitor,
    ):
        hello(visitor, VISITOR_TOKEN)
        joined = join(visitor, room, nick="Vierailija")
        assert joined["type"] == "joined" and "wait" not in joined
        send(visitor, "Hei, tarvitsen apua", "f1", room=room)
        assert receive_until(visitor, "ack", ref="f1")["seq"] > 0


def test_helper_approves_a_held_link_and_is_the_host(db_url: str) -> None:
    """A link in a one-to-one chat waits for the helper (the visitor is told so), who
    approves it; the visitor sees the helper present."""
    with _helper_and_visitor(db_url) as (helper, visitor, room):
        assert join(visitor, room, nick="Vierailija")["host"] is True
        send(visitor, "katso www.esimerkki.fi", "l1", room=room)
        held = receive_until(visitor, "held", ref="l1")
        assert held["notes"] == [
            "Viestissäsi on linkki, joten auttajasi tarkistaa sen ennen kuin se näytetään."
        ]
        pending = receive_until(helper, "pending", room=room)
        assert pending["id"] == held["id"] and pending["text"] == "katso www.esimerkki.fi"
        helper.send_text(
            json.dumps({"type": "decide", "room": room, "id": held["id"], "approve": True})
        )
        approved = receive_until(visitor, "approved", id=held["id"])
        shown = receive_until(helper, "message", seq=approved["seq"])
        assert shown["text"] == "katso www.esimerkki.fi"
