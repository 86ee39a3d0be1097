"""Referral cards over the socket: staff send a service of the directory into a room,
everyone in it gets the card, it comes back in history, it is counted by kind and topic,
and nobody else may send one."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from kuulolla.core.models import ReportEvent
from kuulolla.directory import service
from tests.accounts.conftest import Env
from tests.accounts.helpers import make_session, session_headers
from tests.directory.samples import fields
from tests.helpers import NOW


def add_service(env: Env, **changes: Any) -> None:
    async def work(db: Any) -> None:
        async with db.session() as session:
            await service.do_save_service(
                session,
                organisation_id=env.world.orgs["alfa"],
                fields=fields(**changes),
                actor_id=None,
                now=NOW,
            )

    env.db(work)


def staff_headers(env: Env, user: str) -> dict[str, str]:
    token = env.db(lambda db: make_session(db, env.world.users[user], now=NOW))
    return session_headers(env.settings, token)


def until(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(30):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame  # type: ignore[no-any-return]
    raise AssertionError(f"no {kind} frame")


def enter(ws: Any, room: str, nick: str = "Vieras") -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "hello", "v": 1}))
    until(ws, "welcome")
    ws.send_text(json.dumps({"type": "join", "room": room, "nick": nick}))
    return until(ws, "joined")


def test_staff_refer_and_the_visitor_gets_the_card(env: Env) -> None:
    """A coordinator's referral reaches the visitor as a card; a resend is not doubled;
    it is in the history of a later joiner; it is counted by kind and topic."""
    add_service(env, hours_text="24/7", holidays_closed=False)
    room = env.world.rooms["alfa"]
    with (
        env.client.websocket_connect(
            "wss://testserver/ws", headers=staff_headers(env, "coordinator-alfa")
        ) as staff,
        env.client.websocket_connect("wss://testserver/ws") as visitor,
    ):
        enter(staff, room)
        enter(visitor, room, "Aino")
        frame = {
            "type": "refer",
            "room": room,
            "service": "alfa/vertaisryhma-tampere",
            "ref": "viite-1",
        }
        staff.send_text(json.dumps(frame))
        ack = until(staff, "ack")
        card = until(visitor, "referral")
        assert card["seq"] == ack["seq"] and card["from"]["role"] == "coordinator"
        assert card["card"]["names"]["fi"] == "Omaishoitajien vertaisryhmä, Tampere"
        assert card["card"]["service"] == "alfa/vertaisryhma-tampere" and card["card"]["always"]
        assert card["card"]["when"]["sv"] == ["Dygnet runt"]
        assert card["card"]["phone"] == "09 0000 113"
        staff.send_text(json.dumps(frame))  # the same ref again
        assert until(staff, "ack")["seq"] == ack["seq"]
        visitor.send_text(json.dumps({"type": "ping"}))
        assert visitor.receive_json()["type"] == "pong"  # no second card came first
    with env.client.websocket_connect("wss://testserver/ws") as later:
        joined = enter(later, room, "Toinen")
        assert [m["type"] for m in joined["history"]] == ["referral"]
        assert joined["history"][0]["card"]["kind"] == "peer_group"

    async def counted(db: Any) -> list[tuple[str, str, int]]:
        async with db.read_session() as session:
            rows = await session.execute(
                select(ReportEvent.kind, ReportEvent.label, ReportEvent.count).where(
                    ReportEvent.kind.like("referral.%")
                )
            )
            return sorted(tuple(r) for r in rows)  # type: ignore[misc]

    assert env.db(counted) == [("referral.sent", "peer_group", 1), ("referral.topic", "carers", 1)]


def test_visitors_cannot_refer_and_unknown_services_are_refused(env: Env) -> None:
    """A visitor's refer frame is refused; so is a service that is not published."""
    add_service(env, published=False)
    room = env.world.rooms["alfa"]
    with env.client.websocket_connect("wss://testserver/ws") as visitor:
        enter(visitor, room)
        visitor.send_text(
            json.dumps(
                {"type": "refer", "room": room, "service": "alfa/vertaisryhma-tampere", "ref": "x1"}
            )
        )
        assert until(visitor, "error")["code"] == "refer_not_staff"
    with env.client.websocket_connect(
        "wss://testserver/ws", headers=staff_headers(env, "volunteer-alfa")
    ) as staff:
        enter(staff, room)
        for path, code in (
            ("alfa/vertaisryhma-tampere", "service_not_found"),
            ("alfa/ei-ole", "service_not_found"),
        ):
            staff.send_text(
                json.dumps({"type": "refer", "room": room, "service": path, "ref": path})
            )
            error = until(staff, "error")
            assert (error["code"], error["ref"]) == (code, path)
        staff.send_text(json.dumps({"type": "refer", "room": room, "service": "<b>", "ref": "r"}))
        assert until(staff, "error")["code"] == "bad_frame"
        staff.send_text(
            json.dumps({"type": "refer", "room": "muu", "service": "alfa/x", "ref": "r"})
        )
        assert until(staff, "error")["code"] == "not_joined"


def test_a_moderator_removes_a_referral_like_a_message(env: Env) -> None:
    """A referral card can be removed: everyone gets the removal."""
    add_service(env)
    room = env.world.rooms["alfa"]
    with env.client.websocket_connect(
        "wss://testserver/ws", headers=staff_headers(env, "coordinator-alfa")
    ) as staff:
        enter(staff, room)
        staff.send_text(
            json.dumps(
                {
                    "type": "refer",
                    "room": room,
                    "service": "alfa/vertaisryhma-tampere",
                    "ref": "poistettava",
                }
            )
        )
        seq = until(staff, "ack")["seq"]
        staff.send_text(json.dumps({"type": "redact", "room": room, "seq": seq}))
        assert until(staff, "redact")["seq"] == seq
