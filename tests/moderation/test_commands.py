"""Moderator actions over the socket: redaction, restrictions, settings, approvals,
private messages and reports."""

from __future__ import annotations

import json
from typing import Any

from kuulolla.core.db import Database
from kuulolla.moderation import service
from tests.accounts.conftest import Env
from tests.helpers import NOW
from tests.moderation.test_live import _room_id, connect, enter, frames_until, send


def act(ws: Any, **frame: Any) -> None:
    ws.send_text(json.dumps(frame))


def test_redaction_reaches_others_and_resuming_clients(env: Env) -> None:
    """A removal reaches a client in the room and one that resumes later from before it."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        send(visitor, room, "poistettava viesti", "r1")
        seq = frames_until(visitor, "ack", ref="r1")["seq"]
        author = frames_until(mod, "message", seq=seq)["from"]["id"]
        act(mod, type="redact", room=room, seq=seq, reason="loukkaava", preset="abuse")
        redact = frames_until(visitor, "redact")
        assert redact["seq"] == seq and redact["at"] == seq + 1
        assert frames_until(mod, "done", action="redact")["seq"] == seq
    with connect(env) as late:
        late.send_text(json.dumps({"type": "hello", "v": 1}))
        frames_until(late, "welcome")
        late.send_text(json.dumps({"type": "join", "room": room, "nick": "Myöhässä"}))
        fresh = frames_until(late, "joined")
        assert all(m.get("text") != "poistettava viesti" for m in fresh["history"])
    with connect(env) as resumed:
        resumed.send_text(json.dumps({"type": "hello", "v": 1}))
        frames_until(resumed, "welcome")
        resumed.send_text(
            json.dumps({"type": "join", "room": room, "nick": "Palaaja", "since": seq})
        )
        history = frames_until(resumed, "joined")["history"]
        assert {"type": "redact", "room": room, "seq": seq, "at": seq + 1} in history

    async def audit(db: Database) -> list[str]:
        rows = await service.list_audit(db, organisation_id=env.world.orgs["alfa"])
        return [f"{r.action}:{r.target}:{r.preset}:{r.reason}" for r in rows]

    # The writer by their room pseudonym (as restrictions name them), not "message 1".
    assert env.db(audit) == [f"redact:{author}:abuse:loukkaava"]


def test_visitor_cannot_moderate(env: Env) -> None:
    """A visitor's moderator frame is refused with not_moderator and changes nothing."""
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        enter(visitor, room)
        send(visitor, room, "oma viesti", "v1")
        seq = frames_until(visitor, "ack", ref="v1")["seq"]
        act(visitor, type="redact", room=room, seq=seq)
        assert frames_until(visitor, "error")["code"] == "not_moderator"
        act(visitor, type="room_settings", room=room, locked=True)
        assert frames_until(visitor, "error")["code"] == "not_moderator"

    async def locked(db: Database) -> bool:
        return (await service.get_room_settings(db, room_id=await _room_id(db, room))).locked

    assert env.db(locked) is False


def test_moderator_sees_who_is_here_and_visitors_may_not_ask(env: Env) -> None:
    """A moderator's ``members`` lists the room's people (the visitor by nickname and
    room pseudonym, the moderator with their role); a visitor's is refused."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room, nick="Aino")
        send(visitor, room, "hei", "m1")
        author = frames_until(mod, "message", text="hei")["from"]["id"]
        act(visitor, type="members", room=room)
        assert frames_until(visitor, "error")["code"] == "not_moderator"
        act(mod, type="members", room=room)
        items = frames_until(mod, "members")["items"]
    assert [(m["nick"], m["role"], m.get("id")) for m in items][1:] == [("Aino", "visitor", author)]
    assert items[0]["role"] == "coordinator"


def test_mute_then_lift(env: Env) -> None:
    """A mute reaches the visitor at once and refuses their messages; lifting lets them write."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        send(visitor, room, "hölmöjä kaikki", "u1")
        seq = frames_until(visitor, "ack", ref="u1")["seq"]
        act(mod, type="restrict", room=room, seq=seq, kind="mute", seconds=600)
        told = frames_until(visitor, "restricted")
        assert told["kind"] == "mute" and told["message"]
        send(visitor, room, "miksi", "u2")
        assert frames_until(visitor, "error", ref="u2")["code"] == "restricted_mute"
        act(mod, type="lift", room=room, seq=seq)
        assert frames_until(visitor, "restricted")["kind"] == "lift"
        send(visitor, room, "kiitos", "u3")
        frames_until(visitor, "ack", ref="u3")


def test_removal_takes_the_visitor_out(env: Env) -> None:
    """A removed visitor leaves the room and cannot join it again with the same token."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        visitor.send_text(json.dumps({"type": "hello", "v": 1}))
        token = frames_until(visitor, "welcome")["token"]
        visitor.send_text(json.dumps({"type": "join", "room": room, "nick": "Häiritsijä"}))
        frames_until(visitor, "joined")
        send(visitor, room, "spämmiä", "x1")
        seq = frames_until(visitor, "ack", ref="x1")["seq"]
        act(mod, type="restrict", room=room, seq=seq, kind="remove", seconds=3600)
        assert frames_until(visitor, "restricted")["kind"] == "remove"
        send(visitor, room, "vielä", "x2")
        assert frames_until(visitor, "error", ref="x2")["code"] == "not_joined"
    with connect(env) as again:
        again.send_text(json.dumps({"type": "hello", "v": 1, "token": token}))
        frames_until(again, "welcome")
        again.send_text(json.dumps({"type": "join", "room": room, "nick": "Häiritsijä"}))
        assert frames_until(again, "error")["code"] == "restricted_remove"


def test_settings_reach_everyone(env: Env) -> None:
    """Slow mode, the lock and the pinned message reach everyone in the room at once."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        act(mod, type="room_settings", room=room, pinned="Ole ystävällinen.", slow_mode=30)
        state = frames_until(visitor, "moderation_state")
        assert state["pinned"] == "Ole ystävällinen." and state["slow_mode"] == 30
        act(mod, type="room_settings", room=room, slow_mode=99999)
        assert frames_until(mod, "error")["code"] == "bad_slow_mode"


def test_premoderation_approve_and_reject(env: Env) -> None:
    """In a pre-moderated room messages wait; an approved one is delivered, a rejected one is not."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        act(mod, type="room_settings", room=room, premoderated=True)
        frames_until(visitor, "moderation_state", premoderated=True)
        send(visitor, room, "odotan hyväksyntää", "h1")
        assert frames_until(visitor, "held")["ref"] == "h1"
        first = frames_until(mod, "pending")
        send(visitor, room, "tämä hylätään", "h2")
        frames_until(visitor, "held")
        second = frames_until(mod, "pending")
        act(mod, type="decide", room=room, id=first["id"], approve=True)
        assert frames_until(visitor, "message")["text"] == "odotan hyväksyntää"
        act(mod, type="decide", room=room, id=second["id"], approve=False)
        assert frames_until(visitor, "notice")["notes"]
        act(mod, type="decide", room=room, id=second["id"], approve=False)
        assert frames_until(mod, "error")["code"] == "held_not_found"


def test_private_messages_both_ways(env: Env) -> None:
    """A moderator writes privately to one visitor (the moderators get a copy naming
    them); a visitor writes privately to the moderators."""
    room = env.world.rooms["alfa"]
    with (
        connect(env, "coordinator-alfa") as mod,
        connect(env) as visitor,
        connect(env) as bystander,
    ):
        enter(mod, room)
        enter(visitor, room)
        enter(bystander, room, nick="Sivullinen")
        send(visitor, room, "tarvitsen apua", "w1")
        seq = frames_until(visitor, "ack", ref="w1")["seq"]
        author = frames_until(mod, "message", seq=seq)["from"]["id"]
        act(mod, type="whisper", room=room, to=author, text="Haluatko jutella kahden kesken?")
        private = frames_until(visitor, "private")
        assert private["text"] == "Haluatko jutella kahden kesken?"
        assert private["from"]["role"] == "coordinator"
        assert "to" not in private or private["to"] is None
        copy = frames_until(mod, "private")  # the moderators' copy, for the thread
        assert copy["to"] == author and not copy.get("to_moderators")
        act(visitor, type="to_moderators", room=room, text="Kyllä kiitos")
        to_mods = frames_until(mod, "private")
        assert to_mods["to_moderators"] is True and to_mods["from"]["id"] == author
        act(bystander, type="ping")
        frames = []
        while True:
            frame = bystander.receive_json()
            if frame["type"] == "pong":
                break
            frames.append(frame["type"])
        assert "private" not in frames


def test_report_queue_and_resolve(env: Env) -> None:
    """A report reaches the moderators, is listed with context and leaves the queue when
    resolved; the log names the reported writer by their room pseudonym."""
    room = env.world.rooms["alfa"]
    with connect(env, "coordinator-alfa") as mod, connect(env) as visitor:
        enter(mod, room)
        enter(visitor, room)
        send(visitor, room, "ikävä viesti", "q1")
        seq = frames_until(visitor, "ack", ref="q1")["seq"]
        author = frames_until(mod, "message", seq=seq)["from"]["id"]
        act(visitor, type="report", room=room, seq=seq, reason="abuse", note="kiusaa")
        done = frames_until(visitor, "done", action="report")
        report = frames_until(mod, "report")
        assert report["id"] == done["id"] and report["seq"] == seq
        act(mod, type="reports", room=room)
        items = frames_until(mod, "reports")["items"]
        assert [i["id"] for i in items] == [report["id"]]
        assert any(line["text"] == "ikävä viesti" for line in items[0]["context"])
        act(mod, type="resolve", room=room, id=report["id"], resolution="dismissed")
        frames_until(mod, "done", action="resolve")
        act(mod, type="reports", room=room)
        assert frames_until(mod, "reports")["items"] == []
        act(visitor, type="report", room=room, seq=seq, reason="nonsense")
        assert frames_until(visitor, "error")["code"] == "bad_report_reason"

    async def audit(db: Database) -> list[str]:
        rows = await service.list_audit(db, organisation_id=env.world.orgs["alfa"])
        return [f"{r.action}:{r.target}" for r in rows]

    assert env.db(audit) == [f"report.dismissed:{author}"]


def check_in(env: Env, who: str) -> None:
    """``who`` holds a place on a shift of alfa's room around NOW and has checked in."""
    from datetime import timedelta

    from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow

    async def work(db: Database) -> None:
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
                    person_id=env.world.users[who],
                    role="host",
                    created_at=NOW,
                    checked_in_at=NOW - timedelta(minutes=50),
                )
            )

    env.db(work)


def test_a_volunteer_off_duty_cannot_moderate(env: Env) -> None:
    """A volunteer of the organisation not checked in on a shift of the room gets not_moderator and changes nothing."""
    room = env.world.rooms["alfa"]
    with connect(env, "volunteer-alfa") as staff, connect(env) as visitor:
        enter(staff, room)
        enter(visitor, room)
        send(visitor, room, "jää näkyviin", "o1")
        seq = frames_until(visitor, "ack", ref="o1")["seq"]
        act(staff, type="redact", room=room, seq=seq)
        error = frames_until(staff, "error")
        assert error["code"] == "not_moderator" and error["message"]
        act(staff, type="room_settings", room=room, locked=True)
        assert frames_until(staff, "error")["code"] == "not_moderator"

    async def audit(db: Database) -> list[str]:
        return [
            r.action for r in await service.list_audit(db, organisation_id=env.world.orgs["alfa"])
        ]

    assert env.db(audit) == []


def test_a_volunteer_checked_in_on_the_rooms_shift_moderates(env: Env) -> None:
    """Checked in on a shift of the room, a volunteer may remove a message."""
    room = env.world.rooms["alfa"]
    check_in(env, "volunteer-alfa")
    with connect(env, "volunteer-alfa") as staff, connect(env) as visitor:
        enter(staff, room)
        enter(visitor, room)
        send(visitor, room, "poistuu", "d1")
        seq = frames_until(visitor, "ack", ref="d1")["seq"]
        act(staff, type="redact", room=room, seq=seq)
        assert frames_until(staff, "done", action="redact")["seq"] == seq
