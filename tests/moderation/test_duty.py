"""Checking in and out on a room's shift settles a volunteer's moderator status on
their open socket at once: the moderators' frames reach it, or stop reaching it,
without a reconnect."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.moderation import service
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow
from kuulolla.web.app import create_app
from tests.accounts.conftest import BASE, Env, seed_world
from tests.accounts.helpers import make_session, session_csrf, session_headers
from tests.conftest import make_settings
from tests.helpers import NOW
from tests.moderation.test_live import _room_id, enter, frames_until, send

CRISIS_TEXT = "en jaksa enää, haluan kuolla"


@pytest.fixture
def env(sqlite_url: str) -> Iterator[Env]:
    """The two-organisation app, its periodic re-read of moderators far off: what a
    socket hears here comes from the check-in itself."""
    world = seed_world(sqlite_url)
    clock = FrozenClock(NOW)
    settings = make_settings(sqlite_url, admin_require_totp=False, duty_check_interval=3600.0)
    with TestClient(create_app(settings, clock=clock), base_url=BASE) as client:
        yield Env(client.app, client, settings, world, clock, sqlite_url)


@dataclass
class Volunteer:
    token: str
    assignment_id: int


def on_the_roster(env: Env) -> Volunteer:
    """A shift of alfa's room around NOW: its coordinator hosts it (checked in, so the
    room is open) and volunteer-alfa holds a place, not yet checked in."""

    async def work(db: Database) -> Volunteer:
        room_id = await _room_id(db, env.world.rooms["alfa"])
        async with db.session() as session:
            shift = ShiftRow(
                organisation_id=env.world.orgs["alfa"],
                day=NOW.date(),
                room_id=room_id,
                starts_at=NOW - timedelta(hours=1),
                ends_at=NOW + timedelta(hours=1),
            )
            session.add(shift)
            await session.flush()
            session.add(
                ShiftAssignmentRow(
                    shift_id=shift.id,
                    person_id=env.world.users["coordinator-alfa"],
                    role="host",
                    created_at=NOW,
                    checked_in_at=NOW - timedelta(minutes=50),
                )
            )
            place = ShiftAssignmentRow(
                shift_id=shift.id,
                person_id=env.world.users["volunteer-alfa"],
                role="volunteer",
                created_at=NOW,
            )
            session.add(place)
            await session.flush()
            assignment_id = place.id
        token = await make_session(db, env.world.users["volunteer-alfa"], now=NOW)
        return Volunteer(token, assignment_id)

    return env.db(work)  # type: ignore[no-any-return]


def connect(env: Env, volunteer: Volunteer | None = None) -> Any:
    headers = {"origin": "https://testserver"}
    if volunteer is not None:
        headers.update(session_headers(env.settings, volunteer.token))
    return env.client.websocket_connect("wss://testserver/ws", headers=headers)


def duty(env: Env, volunteer: Volunteer, verb: str) -> Any:
    """Check in or out through the shifts page's form, as the volunteer's browser does."""
    return env.client.post(
        f"/orgs/alfa/shifts/assignments/{volunteer.assignment_id}/{verb}",
        data={"csrf_token": session_csrf(env.settings, volunteer.token)},
        headers={**session_headers(env.settings, volunteer.token), "origin": "https://testserver"},
        follow_redirects=False,
    )


def frames_before_pong(ws: Any) -> list[dict[str, Any]]:
    """Everything the socket was sent before the answer to a ping sent now."""
    ws.send_text(json.dumps({"type": "ping"}))
    frames = []
    for _ in range(50):
        frame = ws.receive_json()
        if frame["type"] == "pong":
            return frames
        frames.append(frame)
    raise AssertionError("no pong")


def test_checking_in_brings_the_next_crisis_alert_without_reconnecting(env: Env) -> None:
    """A volunteer in the room checks in on its shift and gets the next crisis alert on the same socket."""
    volunteer = on_the_roster(env)
    room = env.world.rooms["alfa"]
    with connect(env, volunteer) as staff, connect(env) as visitor:
        assert enter(staff, room)["type"] == "joined"
        assert enter(visitor, room)["type"] == "joined"
        send(visitor, room, CRISIS_TEXT, "c1")
        frames_until(visitor, "ack", ref="c1")
        assert all(f["type"] != "alert" for f in frames_before_pong(staff))

        checked_in = duty(env, volunteer, "check-in")
        assert checked_in.status_code == 303, checked_in.text[:300]
        state = frames_until(staff, "moderation_state")
        assert state["moderator"] is True
        send(visitor, room, CRISIS_TEXT, "c2")
        ack = frames_until(visitor, "ack", ref="c2")
        alert = frames_until(staff, "alert")
        assert alert["seq"] == ack["seq"] and alert["nick"] == "Vieras"


def test_checking_out_stops_the_alerts(env: Env) -> None:
    """After checking out, the volunteer's socket is told it no longer moderates and gets no crisis alert."""
    volunteer = on_the_roster(env)
    room = env.world.rooms["alfa"]
    with connect(env, volunteer) as staff, connect(env) as visitor:
        enter(staff, room)
        enter(visitor, room)
        assert duty(env, volunteer, "check-in").status_code == 303
        frames_until(staff, "moderation_state", moderator=True)

        checked_out = duty(env, volunteer, "check-out")
        assert checked_out.status_code == 303, checked_out.text[:300]
        assert frames_until(staff, "moderation_state")["moderator"] is False
        send(visitor, room, CRISIS_TEXT, "c3")
        frames_until(visitor, "ack", ref="c3")
        assert all(f["type"] != "alert" for f in frames_before_pong(staff))


def test_checking_in_lists_the_held_messages(env: Env) -> None:
    """On checking in, the volunteer's socket gets the messages waiting for a moderator."""
    volunteer = on_the_roster(env)
    room = env.world.rooms["alfa"]

    async def premoderate(db: Database) -> None:
        await service.do_change_room_settings(
            db,
            organisation_id=env.world.orgs["alfa"],
            room_id=await _room_id(db, room),
            actor_id=None,
            now=NOW,
            premoderated=True,
        )

    env.db(premoderate)
    with connect(env, volunteer) as staff, connect(env) as visitor:
        enter(staff, room)
        enter(visitor, room)
        send(visitor, room, "odottaa hyväksyntää", "h1")
        frames_until(visitor, "held", ref="h1")
        assert all(f["type"] != "pending" for f in frames_before_pong(staff))

        assert duty(env, volunteer, "check-in").status_code == 303
        frames_until(staff, "moderation_state", moderator=True)
        pending = frames_until(staff, "pending")
        assert pending["text"] == "odottaa hyväksyntää"


def test_visitors_see_a_host_arrive_with_a_check_in_and_go_with_a_check_out(env: Env) -> None:
    """A volunteer in the room who checks in makes the room's presence say a host is here;
    checking out says no host is (the room's own host is not in the room)."""
    volunteer = on_the_roster(env)
    room = env.world.rooms["alfa"]
    with connect(env, volunteer) as staff, connect(env) as visitor:
        enter(staff, room)
        assert "host" not in enter(visitor, room)
        assert duty(env, volunteer, "check-in").status_code == 303
        assert frames_until(visitor, "presence", host=True)["count"] == 2
        assert duty(env, volunteer, "check-out").status_code == 303
        frames_until(staff, "moderation_state", moderator=False)
        assert "host" not in frames_until(visitor, "presence", count=2)
