"""What a visitor is told in a group room: the newcomer wait (once per token and room),
whether a host is present, honest crisis help, and what became of a held message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from kuulolla.core.clock import FrozenClock
from kuulolla.web.app import create_app
from tests.accounts.conftest import BASE, Env, seed_world
from tests.conftest import make_settings
from tests.helpers import NOW
from tests.moderation.test_live import (
    change,
    connect,
    enter,
    frames_until,
    send,
    set_crisis_numbers,
)

TOKEN = "palaava-vieras-" + "t" * 30


@pytest.fixture
def flood_env(sqlite_url: str) -> Iterator[Env]:
    """The two-organisation world with the flood rules on and a 10 s newcomer wait."""
    world = seed_world(sqlite_url)
    clock = FrozenClock(NOW)
    settings = make_settings(
        sqlite_url, admin_require_totp=False, flood_rules=True, join_cooldown=10.0
    )
    app = create_app(settings, clock=clock)
    with TestClient(app, base_url=BASE) as client:
        yield Env(app, client, settings, world, clock, sqlite_url)


def join_as(ws: Any, room: str, token: str, nick: str = "Vieras") -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "hello", "v": 1, "token": token}))
    frames_until(ws, "welcome")
    ws.send_text(json.dumps({"type": "join", "room": room, "nick": nick}))
    return frames_until(ws, "joined")


def test_newcomer_waits_once_and_a_reconnect_does_not_restart_it(flood_env: Env) -> None:
    """A first join waits 10 s; a reconnect 4 s later waits the 6 s left; after that, none."""
    env = flood_env
    room = env.world.rooms["alfa"]
    with connect(env) as ws:
        assert join_as(ws, room, TOKEN)["wait"] == 10
        send(ws, room, "moi", "w1")
        refused = frames_until(ws, "error", ref="w1")
        assert refused["code"] == "refused" and refused["wait"] == 10
    env.clock.advance(4)
    with connect(env) as ws:
        assert join_as(ws, room, TOKEN)["wait"] == 6
    env.clock.advance(6)
    with connect(env) as ws:
        assert "wait" not in join_as(ws, room, TOKEN)
        send(ws, room, "moi taas", "w2")
        assert frames_until(ws, "ack", ref="w2")["seq"] > 0


def test_staff_do_not_wait(flood_env: Env) -> None:
    """Staff joining a room get no newcomer wait."""
    env = flood_env
    with connect(env, "coordinator-alfa") as mod:
        joined = enter(mod, env.world.rooms["alfa"])
        assert joined["type"] == "joined" and "wait" not in joined


def test_joined_names_the_readers_own_pseudonym(env: Env) -> None:
    """``joined.author`` is the ``from.id`` of the joiner's own messages."""
    room = env.world.rooms["alfa"]
    with connect(env) as ws:
        joined = enter(ws, room)
        send(ws, room, "kuka minä olen", "a1")
        assert frames_until(ws, "message")["from"]["id"] == joined["author"]


def test_presence_says_when_a_host_arrives_and_leaves(env: Env) -> None:
    """A visitor hears that a moderator came into the room and that they left, never who."""
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        joined = enter(visitor, room)
        assert joined["type"] == "joined" and "host" not in joined
        with connect(env, "coordinator-alfa") as mod:
            enter(mod, room)
            arrived = frames_until(visitor, "presence", host=True)
            assert arrived["count"] == 2 and set(arrived) == {"type", "room", "count", "host"}
        left = frames_until(visitor, "presence", count=1)
        assert "host" not in left


def test_crisis_help_says_the_hosts_were_told_only_when_one_is_here(env: Env) -> None:
    """Crisis help carries ``told`` when a moderator is in the room, and not otherwise."""
    set_crisis_numbers(env)
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        enter(visitor, room)
        send(visitor, room, "en jaksa enää, haluan kuolla", "c1")
        assert "told" not in frames_until(visitor, "crisis")
        with connect(env, "coordinator-alfa") as mod:
            enter(mod, room)
            frames_until(visitor, "presence", host=True)
            send(visitor, room, "haluan kuolla, en jaksa", "c2")
            assert frames_until(visitor, "crisis")["told"] is True
            frames_until(mod, "alert")


def test_writer_hears_their_held_message_approved_or_rejected(env: Env) -> None:
    """A held message carries its id; its writer gets ``approved`` with the new sequence,
    or a notice naming it when it is rejected."""
    room = env.world.rooms["alfa"]
    change(env, premoderated=True)
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        send(visitor, room, "odotan hyväksyntää", "h1")
        held = frames_until(visitor, "held", ref="h1")
        pending = frames_until(mod, "pending")
        assert held["id"] == pending["id"]
        mod.send_text(
            json.dumps({"type": "decide", "room": room, "id": held["id"], "approve": True})
        )
        approved = frames_until(visitor, "approved")
        assert approved["id"] == held["id"]
        assert frames_until(mod, "message", seq=approved["seq"])["text"] == "odotan hyväksyntää"
        send(visitor, room, "tämä hylätään", "h2")
        second = frames_until(visitor, "held", ref="h2")
        frames_until(mod, "pending", id=second["id"])
        mod.send_text(
            json.dumps({"type": "decide", "room": room, "id": second["id"], "approve": False})
        )
        assert frames_until(visitor, "notice", held=second["id"])["notes"]


def test_a_burst_refusal_says_when_to_send_again_and_a_repeat_does_not(flood_env: Env) -> None:
    """A message refused for a burst carries the seconds until it may pass; one refused
    as a repeat carries none (sending it again would not help)."""
    env = flood_env
    room = env.world.rooms["alfa"]
    with connect(env) as ws:
        join_as(ws, room, TOKEN)
        env.clock.advance(10)
        for i in range(5):
            send(ws, room, f"rivi {i}", f"b{i}")
            frames_until(ws, "ack", ref=f"b{i}")
        send(ws, room, "rivi 5", "b5")
        burst = frames_until(ws, "error", ref="b5")
        assert burst["code"] == "refused" and 1 <= burst["wait"] <= 5
        env.clock.advance(60)
        for i in range(2):
            send(ws, room, "sama pitkä viesti uudestaan", f"r{i}")
            frames_until(ws, "ack", ref=f"r{i}")
        send(ws, room, "sama pitkä viesti uudestaan", "r2")
        repeat = frames_until(ws, "error", ref="r2")
        assert repeat["code"] == "refused" and "wait" not in repeat
