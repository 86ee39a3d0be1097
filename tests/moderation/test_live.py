"""Moderation on the chat path, through the socket: screening verdicts, crisis help
and alerts, holds, the lock, slow mode and restrictions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytest import MonkeyPatch
from sqlalchemy import update

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.moderation import restrictions, service
from tests.accounts.conftest import Env, post, sign_in
from tests.accounts.helpers import make_session, session_headers
from tests.helpers import NOW, make_room

CRISIS = [
    {
        "number": "09 2525 0111",
        "name": {"fi": "Kriisipuhelin", "en": "Crisis helpline"},
        "description": {"fi": "Auki aina."},
    }
]


def frames_until(ws: Any, kind: str, **match: Any) -> dict[str, Any]:
    for _ in range(50):
        frame = ws.receive_json()
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


def connect(env: Env, who: str | None = None) -> Any:
    headers: dict[str, str] = {"origin": "https://testserver"}
    if who is not None:
        user_id = env.world.users[who]

        async def session(db: Database) -> str:
            return await make_session(db, user_id, now=NOW)

        headers.update(session_headers(env.settings, env.db(session)))
    return env.client.websocket_connect("wss://testserver/ws", headers=headers)


def enter(ws: Any, room: str, nick: str = "Vieras") -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "hello", "v": 1}))
    frames_until(ws, "welcome")
    ws.send_text(json.dumps({"type": "join", "room": room, "nick": nick}))
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] in ("joined", "error"):
            return frame  # type: ignore[no-any-return]
    raise AssertionError("no reply to join")


def send(ws: Any, room: str, text: str, ref: str) -> None:
    ws.send_text(json.dumps({"type": "send", "room": room, "text": text, "ref": ref}))


def set_crisis_numbers(env: Env) -> None:
    async def work(db: Database) -> None:
        async with db.session() as session:
            await session.execute(
                update(Organisation)
                .where(Organisation.id == env.world.orgs["alfa"])
                .values(crisis_numbers=CRISIS)
            )

    env.db(work)


def change(env: Env, *, forget: bool = True, **changes: Any) -> None:
    """Change the room's settings behind the server's back and (``forget``) drop its
    cached copy."""

    async def work(db: Database) -> int:
        room_id = await _room_id(db, env.world.rooms["alfa"])
        await service.do_change_room_settings(
            db,
            organisation_id=env.world.orgs["alfa"],
            room_id=room_id,
            actor_id=None,
            now=NOW,
            **changes,
        )
        return room_id

    room_id = env.db(work)
    if forget:
        env.client.app_state["chat"].moderation.forget(room_id)


async def _room_id(db: Database, slug: str) -> int:
    from kuulolla.rooms.service import get_room_or_raise

    return (await get_room_or_raise(db, slug=slug)).id


def test_phone_number_is_masked_and_the_sender_told(env: Env) -> None:
    """A phone number is replaced by a token before anyone sees it; the sender gets a notice."""
    room = env.world.rooms["alfa"]
    with connect(env) as ws:
        assert enter(ws, room)["type"] == "joined"
        send(ws, room, "soita mulle 040 123 4567", "p1")
        notice = frames_until(ws, "notice")
        assert notice["ref"] == "p1" and "puhelinnumeron" in notice["notes"][0]
        message = frames_until(ws, "message")
        assert "040" not in message["text"] and "⟦phone⟧" in message["text"]


@contextmanager
def watched_room(env: Env) -> Iterator[tuple[Any, Any, str]]:
    """A coordinator moderating room "alfa" (with the crisis numbers set) and a visitor
    in it: yields both sockets and the room."""
    set_crisis_numbers(env)
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        assert enter(mod, room)["type"] == "joined"
        frames_until(mod, "moderation_state", moderator=True)
        assert enter(visitor, room)["type"] == "joined"
        yield mod, visitor, room


def test_crisis_message_delivered_with_help_and_alert(env: Env) -> None:
    """A crisis message is delivered; the writer gets the crisis numbers and moderators an alert."""
    with watched_room(env) as (mod, visitor, room):
        send(visitor, room, "en jaksa enää, haluan kuolla", "c1")
        help_frame = frames_until(visitor, "crisis")
        assert help_frame["numbers"][0]["number"] == "09 2525 0111"
        assert help_frame["numbers"][0]["name"] == "Kriisipuhelin"
        ack = frames_until(visitor, "ack", ref="c1")
        alert = frames_until(mod, "alert")
        assert alert["seq"] == ack["seq"] and alert["category"] and alert["nick"] == "Vieras"
        assert "source" not in alert  # a known expression (lexicon, the default): not "possible"
        message = frames_until(mod, "message", seq=ack["seq"])
        assert message["text"] == "en jaksa enää, haluan kuolla"


def test_overdose_without_umlauts_gets_the_poison_centre_first(env: Env) -> None:
    """An overdose typed without umlauts: the writer gets the Poison Information Centre
    first, the organisation's numbers after it and what to do now; the alert names it."""
    with watched_room(env) as (mod, visitor, room):
        send(visitor, room, "kaveri veti liikaa laakkeita eika heraa", "o1")
        help_frame = frames_until(visitor, "crisis")
        assert help_frame["categories"][0] == "overdose"
        assert [n["number"] for n in help_frame["numbers"]] == ["0800 147 111", "09 2525 0111"]
        assert "112" in help_frame["note"] and "Myrkytystietokeskus" in help_frame["note"]
        assert frames_until(mod, "alert")["category"] == "overdose"


def test_idiom_gives_no_alert(env: Env) -> None:
    """ "Kuolen nauruun" is delivered without crisis help."""
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        enter(visitor, room)
        send(visitor, room, "kuolen nauruun tän jutun kanssa", "i1")
        frame = visitor.receive_json()
        while frame["type"] == "presence":
            frame = visitor.receive_json()
        assert frame["type"] == "ack"


def test_link_is_held_and_shown_to_moderators(env: Env) -> None:
    """A link is held by default: the sender is told and moderators get it to approve."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        send(visitor, room, "katso www.esimerkki.com", "l1")
        held = frames_until(visitor, "held")
        assert held["ref"] == "l1" and held["notes"]
        pending = frames_until(mod, "pending")
        assert pending["text"] == "katso www.esimerkki.com" and "link.held" in pending["reasons"]


def test_refused_word_and_nick(env: Env) -> None:
    """A refused word refuses the message with the reason; a nick with a link is refused at join."""
    room = env.world.rooms["alfa"]

    async def words(db: Database) -> None:
        await service.do_set_word(
            db,
            organisation_id=env.world.orgs["alfa"],
            phrase="kirosana",
            action="refuse",
            actor_id=None,
            now=NOW,
        )

    env.db(words)
    with connect(env) as visitor:
        refused = enter(visitor, room, nick="www.spam.com")
        assert refused["type"] == "error" and refused["code"] == "invalid_nick"
        visitor.send_text(json.dumps({"type": "join", "room": room, "nick": "Kiltti"}))
        frames_until(visitor, "joined")
        send(visitor, room, "sinä kirosanoja", "w1")
        error = frames_until(visitor, "error")
        assert error["code"] == "refused" and error["ref"] == "w1"


def test_locked_room_and_slow_mode(env: Env) -> None:
    """In a locked room visitors cannot write but staff can; slow mode spaces a visitor's messages."""
    room = env.world.rooms["alfa"]
    change(env, locked=True)
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        state = enter(visitor, room)
        assert state["type"] == "joined"
        assert frames_until(visitor, "moderation_state")["locked"] is True
        send(visitor, room, "hei", "k1")
        locked = frames_until(visitor, "error")
        assert locked["code"] == "room_locked" and "wait" not in locked
        send(mod, room, "huone on lukittu hetkeksi", "k2")
        frames_until(mod, "ack", ref="k2")
    change(env, locked=False, slow_mode=60)
    with connect(env) as visitor:
        enter(visitor, room, nick="Hidas")
        send(visitor, room, "eka", "s1")
        frames_until(visitor, "ack", ref="s1")
        send(visitor, room, "toka", "s2")
        error = frames_until(visitor, "error")
        assert error["code"] == "slow_mode" and error["ref"] == "s2" and error["wait"] == 60


def test_muted_visitor_cannot_write(env: Env) -> None:
    """A muted visitor's messages are refused with the end of the mute, also after reconnecting."""
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        visitor.send_text(json.dumps({"type": "hello", "v": 1}))
        token = frames_until(visitor, "welcome")["token"]
        visitor.send_text(json.dumps({"type": "join", "room": room, "nick": "Vieras"}))
        frames_until(visitor, "joined")
        send(visitor, room, "hei", "m1")
        ack = frames_until(visitor, "ack", ref="m1")

    async def mute(db: Database) -> None:
        room_id = await _room_id(db, room)
        author = await restrictions.author_of(db, room_id=room_id, seq=ack["seq"])
        await restrictions.do_restrict(
            db,
            organisation_id=env.world.orgs["alfa"],
            room_id=room_id,
            kind="mute",
            author_key=author,
            seconds=600,
            actor_id=None,
            now=NOW,
        )

    env.db(mute)
    # Made behind the server's back: announced as a moderator's command announces it.
    env.client.app_state["chat"].moderation.restrictions_changed(env.world.orgs["alfa"])
    with connect(env) as visitor:
        visitor.send_text(json.dumps({"type": "hello", "v": 1, "token": token}))
        frames_until(visitor, "welcome")
        visitor.send_text(json.dumps({"type": "join", "room": room, "nick": "Vieras"}))
        frames_until(visitor, "joined")
        send(visitor, room, "yritän uudestaan", "m2")
        error = frames_until(visitor, "error")
        assert error["code"] == "restricted_mute" and error["ref"] == "m2"


def test_crisis_alert_is_counted_for_the_statistics(env: Env) -> None:
    """A crisis alert adds one crisis.alert count: organisation, hour and category only."""
    room = env.world.rooms["alfa"]
    tally = env.client.app_state["chat"].tally
    tally.drain()
    with connect(env) as visitor:
        assert enter(visitor, room)["type"] == "joined"
        send(visitor, room, "en jaksa enää, haluan kuolla", "c1")
        frames_until(visitor, "ack", ref="c1")
    alerts = [row for row in tally.drain() if row["kind"] == "crisis.alert"]
    assert len(alerts) == 1
    assert alerts[0]["room_id"] is None and alerts[0]["label"] == "suicide"


def test_rooms_of_one_organisation_share_one_read_of_its_word_list(
    env: Env, monkeypatch: Any
) -> None:
    """The word list and crisis numbers are read once per organisation, not once per room."""
    org_id = env.world.orgs["alfa"]
    second = "alfa-toinen"
    env.db(lambda db: make_room(db, second, org="alfa"))
    calls: list[int] = []
    original = service.get_word_list

    async def counting(db: Database, *, organisation_id: int) -> Any:
        calls.append(organisation_id)
        return await original(db, organisation_id=organisation_id)

    monkeypatch.setattr(service, "get_word_list", counting)
    env.client.app_state["chat"].moderation.forget_organisation(org_id)
    first = env.world.rooms["alfa"]
    with connect(env) as ws:
        assert enter(ws, first)["type"] == "joined"
        ws.send_text(json.dumps({"type": "join", "room": second, "nick": "Vieras"}))
        frames_until(ws, "joined", room=second)
        for i, room in enumerate((first, second)):
            send(ws, room, "hei kaikki", f"w{i}")
            frames_until(ws, "message", room=room)
    assert calls == [org_id]


def test_broker_reconnect_drops_the_kept_room_settings(env: Env) -> None:
    """After the broker link comes back, a change whose announcement was missed applies."""
    room = env.world.rooms["alfa"]
    with connect(env) as ws:
        assert enter(ws, room)["type"] == "joined"
        send(ws, room, "ensimmäinen", "r1")
        frames_until(ws, "ack", ref="r1")
        change(env, forget=False, locked=True)  # as if announced while the link was down
        env.client.app_state["chat"].fanout.on_reconnected()
        send(ws, room, "toinen", "r2")
        reply = next(f for f in iter(ws.receive_json, None) if f.get("ref") == "r2")
        assert (reply["type"], reply.get("code")) == ("error", "room_locked")


def test_saved_crisis_numbers_reach_the_next_crisis_help(env: Env) -> None:
    """Crisis numbers a coordinator saves, with the kinds of crisis they are for, are in
    the crisis help of the very next message."""
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        assert enter(visitor, room)["type"] == "joined"
        send(visitor, room, "en jaksa enää, haluan kuolla", "k1")
        assert frames_until(visitor, "crisis")["numbers"] == []
        coordinator = env.browser()
        sign_in(coordinator, "coordinator-alfa")
        saved = post(
            coordinator,
            "/orgs/alfa/settings",
            {
                "name": "Alfa ry",
                "contact": "www.alfa.example",
                "require_totp": "none",
                "crisis-0-number": "09 2525 0111",
                "crisis-0-name-fi": "Kriisipuhelin",
                "crisis-1-number": "0400 123 456",
                "crisis-1-name-fi": "Syömishäiriöiden tukipuhelin",
                "crisis-1-for-eating": "1",
            },
            page="/orgs/alfa/settings",
        )
        assert saved.status_code == 303
        send(visitor, room, "en jaksa enää, haluan kuolla", "k2")
        help_frame = frames_until(visitor, "crisis")
        assert [n["number"] for n in help_frame["numbers"]] == ["09 2525 0111"]
        # a number for one kind of crisis comes first for that kind only
        send(visitor, room, "en oo syöny neljään päivään ja pyörryin", "k3")
        help_frame = frames_until(visitor, "crisis")
        assert [n["number"] for n in help_frame["numbers"]] == ["0400 123 456", "09 2525 0111"]
        assert help_frame["note"]


def test_a_nickname_is_screened_once_per_room_policy(monkeypatch: MonkeyPatch) -> None:
    """Joins under one nickname screen it once while the room's policy stays the same."""
    from types import SimpleNamespace

    from kuulolla.moderation import admission as admission_module

    calls: list[str] = []

    def screen(text: str, **options: object) -> SimpleNamespace:
        calls.append(text)
        return SimpleNamespace()

    monkeypatch.setattr(admission_module, "screen", screen)
    holder = SimpleNamespace(_nick_verdicts={})
    first, changed = SimpleNamespace(policy=object()), SimpleNamespace(policy=object())
    verdicts = [
        admission_module.Admission.screen_nick(holder, nick, entry)  # type: ignore[arg-type]
        for nick, entry in (("Aino", first), ("Aino", first), ("Eino", first), ("Aino", changed))
    ]
    assert calls == ["Aino", "Eino", "Aino"]
    assert verdicts[0] is verdicts[1]
