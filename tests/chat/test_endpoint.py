"""The /ws endpoint through Starlette's TestClient on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.web.app import create_app
from tests.conftest import make_settings
from tests.helpers import make_room, run_async


def prepare(db_url: str, *rooms: tuple[str, int]) -> None:
    async def work() -> None:
        db = Database.from_url(db_url)
        for slug, history in rooms:
            await make_room(db, slug, history_limit=history)
        await db.dispose()

    run_async(work)


METRICS_TOKEN = "metrics-" + "t" * 24
METRICS = {"authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    prepare(db_url, ("huone", 30), ("hiljainen", 0))
    settings = make_settings(db_url, hello_timeout=1.0, metrics_token=METRICS_TOKEN)
    with TestClient(create_app(settings)) as c:
        yield c


def hello(ws: Any, token: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "hello", "v": 1}
    if token:
        frame["token"] = token
    ws.send_text(json.dumps(frame))
    return ws.receive_json()


def join(
    ws: Any, room: str = "huone", nick: str = "Aino", since: int | None = None
) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "join", "room": room, "nick": nick}
    if since is not None:
        frame["since"] = since
    ws.send_text(json.dumps(frame))
    for _ in range(100):
        reply = ws.receive_json()
        if reply["type"] in ("joined", "error"):
            return reply
    raise AssertionError("no reply to join")


def send(ws: Any, text: str, ref: str, room: str = "huone") -> None:
    ws.send_text(json.dumps({"type": "send", "room": room, "text": text, "ref": ref}))


def receive_until(ws: Any, kind: str, **match: Any) -> dict[str, Any]:
    """Frames until one of type `kind` (with the given fields) arrives."""
    for _ in range(50):
        frame = ws.receive_json()
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


def test_hello_gives_a_token(client: TestClient) -> None:
    """Hello without a token is answered with a new random token; with one, the same token."""
    with client.websocket_connect("/ws") as ws:
        welcome = hello(ws)
    assert welcome["type"] == "welcome" and welcome["v"] == 1 and len(welcome["token"]) >= 43
    assert welcome["me"] == {"kind": "visitor"}
    with client.websocket_connect("/ws") as ws:
        again = hello(ws, welcome["token"])
    assert again["token"] == welcome["token"]


def test_join_send_ack_and_message(client: TestClient) -> None:
    """A sent message is acknowledged with its sequence and delivered to everyone in the room."""
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        hello(a)
        hello(b)
        joined = join(a)
        join(b, nick="Bertta")
        assert joined["type"] == "joined" and joined["seq"] == 0 and joined["history"] == []
        send(a, "Hei kaikki", "r1")
        ack = receive_until(a, "ack")
        message = receive_until(b, "message")
    assert ack == {"type": "ack", "ref": "r1", "seq": 1}
    assert message["seq"] == 1 and message["text"] == "Hei kaikki" and message["room"] == "huone"
    assert message["from"]["nick"] == "Aino" and message["from"]["role"] == "visitor"


def test_resent_ref_is_not_duplicated(client: TestClient) -> None:
    """Sending the same ref again, even on a new connection, is acknowledged once with the same sequence."""
    with client.websocket_connect("/ws") as a:
        token = hello(a)["token"]
        join(a)
        send(a, "kerran", "same")
        first = receive_until(a, "ack")
    with client.websocket_connect("/ws") as a2:
        hello(a2, token)
        join(a2, since=1)
        send(a2, "kerran", "same")
        second = receive_until(a2, "ack")
        send(a2, "toinen", "other")
        third = receive_until(a2, "ack")
    assert first["seq"] == second["seq"] == 1
    assert third["seq"] == 2


def test_resume_returns_exactly_what_was_missed(client: TestClient) -> None:
    """Joining with since gives exactly the messages after it."""
    with client.websocket_connect("/ws") as a:
        token = hello(a)["token"]
        join(a)
        for i in range(5):
            send(a, f"viesti {i}", f"r{i}")
            receive_until(a, "ack", ref=f"r{i}")
    with client.websocket_connect("/ws") as again:
        hello(again, token)
        joined = join(again, since=2)
    assert [m["seq"] for m in joined["history"]] == [3, 4, 5]
    assert [m["text"] for m in joined["history"]] == ["viesti 2", "viesti 3", "viesti 4"]
    assert joined["seq"] == 5


def test_newcomer_sees_history_limit(client: TestClient) -> None:
    """A newcomer sees the room's recent messages; in a room with history 0 none."""
    with client.websocket_connect("/ws") as a:
        hello(a)
        join(a)
        join(a, room="hiljainen")
        for i in range(3):
            send(a, f"m{i}", f"a{i}")
            receive_until(a, "ack", ref=f"a{i}")
            send(a, f"q{i}", f"b{i}", room="hiljainen")
            receive_until(a, "ack", ref=f"b{i}")
    with client.websocket_connect("/ws") as b:
        hello(b)
        # Another person: a nickname is free again only once its holder's close is handled.
        assert [m["text"] for m in join(b, nick="Bertta")["history"]] == ["m0", "m1", "m2"]
        assert join(b, room="hiljainen", nick="Bertta")["history"] == []


def test_since_cannot_read_past_history_policy(client: TestClient) -> None:
    """A newcomer asking for old messages with since in a history-0 room gets resync, not the messages."""
    with client.websocket_connect("/ws") as a:
        hello(a)
        join(a, room="hiljainen")
        for i in range(3):
            send(a, f"salaisuus {i}", f"s{i}", room="hiljainen")
            receive_until(a, "ack", ref=f"s{i}")
    with client.websocket_connect("/ws") as b:
        hello(b)
        reply = join(b, room="hiljainen", nick="Bertta", since=0)
    assert reply["type"] == "error" and reply["code"] == "resync" and reply["room"] == "hiljainen"


def test_since_in_future_is_resync(client: TestClient) -> None:
    """A since beyond the room's last sequence is answered with resync."""
    with client.websocket_connect("/ws") as a:
        hello(a)
        join(a)
        reply = join(a, since=500)
    assert reply["code"] == "resync"


def test_frames_before_hello_are_refused(client: TestClient) -> None:
    """A join before hello gets the error hello_required and the socket is closed with 1008."""
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "join", "room": "huone", "nick": "Aino"}))
        error = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
    assert error["code"] == "hello_required"
    assert info.value.code == 1008


def test_send_without_join_is_refused(client: TestClient) -> None:
    """Writing to a room one has not joined is an error with the ref, and nothing is stored."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        send(ws, "hei", "x1")
        error = ws.receive_json()
        joined = join(ws)
    assert error["code"] == "not_joined" and error["ref"] == "x1"
    assert joined["seq"] == 0


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{garbage", "bad_json"),
        ('{"type":"send","room":"huone","text":7,"ref":"r"}', "bad_frame"),
        ('{"type":"hello","v":1,"admin":true}', "bad_frame"),
        ('{"type":"explode"}', "bad_frame"),
        ("null", "bad_frame"),
    ],
)
def test_garbage_gets_error_frame_and_socket_survives(
    client: TestClient, raw: str, code: str
) -> None:
    """Malformed frames are answered with an error frame; the connection keeps working."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        ws.send_text(raw)
        error = ws.receive_json()
        joined = join(ws)
    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert joined["type"] == "joined"


def test_repeated_garbage_closes_with_1008(client: TestClient) -> None:
    """A client that keeps sending garbage is disconnected with 1008."""
    with client.websocket_connect("/ws") as ws:
        for _ in range(30):
            ws.send_text("{")
        with pytest.raises(WebSocketDisconnect) as info:
            for _ in range(40):
                ws.receive_json()
    assert info.value.code == 1008


def test_binary_frame_closes_with_1003(client: TestClient) -> None:
    """Binary frames are not part of the protocol: close 1003."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        ws.send_bytes(b"\x00\x01")
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
    assert info.value.code == 1003


def test_oversized_frame_closes_with_1009(client: TestClient) -> None:
    """A frame over the size limit closes the socket with 1009."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        ws.send_text(
            json.dumps({"type": "send", "room": "huone", "text": "x" * 70_000, "ref": "big"})
        )
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
    assert info.value.code == 1009


def test_overlong_message_is_refused_with_reason(client: TestClient) -> None:
    """A message over the length limit is refused with too_long and a translated message."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        join(ws)
        send(ws, "x" * 2001, "long")
        error = ws.receive_json()
    assert error["code"] == "too_long" and error["ref"] == "long"
    assert "2000" in error["message"] and "liian pitkä" in error["message"]


def test_error_messages_follow_hello_language(client: TestClient) -> None:
    """Errors are translated into the language the client asked for."""
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "hello", "v": 1, "lang": "sv"}))
        ws.receive_json()
        join(ws)
        send(ws, "   ", "blank")
        error = ws.receive_json()
    assert error["code"] == "empty" and error["message"] == "Meddelandet är tomt."


def test_invalid_nick_is_refused(client: TestClient) -> None:
    """A nickname with an e-mail address is refused and the room is not joined."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        error = join(ws, nick="aino@example.fi")
        send(ws, "hei", "n1")
        after = ws.receive_json()
    assert error["code"] == "invalid_nick"
    assert after["code"] == "not_joined"


def test_unknown_room_is_refused(client: TestClient) -> None:
    """Joining a room that does not exist gives room_not_found."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        error = join(ws, room="ei-ole")
    assert error["code"] == "room_not_found"


def test_rate_limit_refuses_with_error_frame(db_url: str) -> None:
    """Past the burst, sends are refused with rate_limited instead of dropped silently."""
    prepare(db_url, ("huone", 30))
    with (
        TestClient(create_app(make_settings(db_url, send_burst=3, send_rate=0.01))) as client,
        client.websocket_connect("/ws") as ws,
    ):
        hello(ws)
        join(ws)
        for i in range(5):
            send(ws, f"m{i}", f"r{i}")
        replies = []
        while len([r for r in replies if r["type"] in ("ack", "error")]) < 5:
            replies.append(ws.receive_json())
    outcomes = {
        r["ref"]: r["type"] if r["type"] == "ack" else r["code"]
        for r in replies
        if r["type"] in ("ack", "error")
    }
    assert outcomes == {
        "r0": "ack",
        "r1": "ack",
        "r2": "ack",
        "r3": "rate_limited",
        "r4": "rate_limited",
    }


def test_no_hello_closes_after_timeout(client: TestClient) -> None:
    """A socket that says nothing is closed with 1008 after the hello timeout."""
    with client.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect) as info:
        ws.receive_json()
    assert info.value.code == 1008


def test_foreign_origin_is_refused(client: TestClient) -> None:
    """A handshake from another site's page is refused."""
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws", headers={"origin": "https://evil.example"}),
    ):
        pass
    assert info.value.code == 1008


def test_same_origin_is_accepted(client: TestClient) -> None:
    """A handshake from the service's own pages is accepted."""
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        assert hello(ws)["type"] == "welcome"


def test_settings_fixture_is_test_mode(settings: Settings) -> None:
    """Tests run outside development mode, with a test secret."""
    assert not settings.development


def test_archived_room_is_closed_and_resume_is_resync(db_url: str) -> None:
    """Joining an archived room gives room_closed; resuming in it gives resync, never a replay."""
    from kuulolla.rooms.service import do_archive_room
    from tests.helpers import NOW

    prepare(db_url, ("huone", 30))
    with TestClient(create_app(make_settings(db_url))) as client:
        with client.websocket_connect("/ws") as ws:
            token = hello(ws)["token"]
            join(ws)
            send(ws, "viimeinen", "last")
            receive_until(ws, "ack")

        async def archive() -> None:
            db = Database.from_url(db_url)
            await do_archive_room(db, slug="huone", now=NOW)
            await db.dispose()

        run_async(archive)
    # A fresh app: each process caches rooms for a few seconds.
    with (
        TestClient(create_app(make_settings(db_url))) as client,
        client.websocket_connect("/ws") as ws,
    ):
        hello(ws, token)
        resumed = join(ws, since=0)
        fresh = join(ws)
        page = client.get("/rooms/huone")
    assert resumed["code"] == "resync"
    assert fresh["code"] == "room_closed"
    assert "Tämä huone on suljettu." in page.text and "room.js" not in page.text


def test_metrics_count_joins_and_messages(client: TestClient) -> None:
    """/metrics exposes connection, join, history, message and commit figures without addresses."""

    def value(text: str, name: str) -> float:
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = client.get("/metrics", headers=METRICS).text
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        join(ws)
        send(ws, "mittari", "m1")
        receive_until(ws, "ack")
        during = client.get("/metrics", headers=METRICS).text
    after = client.get("/metrics", headers=METRICS).text
    assert value(during, "kuulolla_connections") == value(before, "kuulolla_connections") + 1
    assert (
        value(after, "kuulolla_messages_accepted_total")
        == value(before, "kuulolla_messages_accepted_total") + 1
    )
    assert (
        value(after, "kuulolla_history_queries_total")
        == value(before, "kuulolla_history_queries_total") + 1
    )
    assert (
        value(after, "kuulolla_commit_seconds_count")
        == value(before, "kuulolla_commit_seconds_count") + 1
    )
    assert 'kuulolla_joins_total{outcome="joined"}' in after
    assert "testclient" not in after and "127.0.0.1" not in after


def test_replay_larger_than_byte_limit_is_resync(db_url: str) -> None:
    """A resume whose replay would exceed the byte limit gets resync; a fresh join gets a shortened tail."""
    prepare(db_url, ("huone", 30))
    settings = make_settings(db_url, resume_limit_bytes=4000, send_burst=100)
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws") as ws:
        hello(ws)
        join(ws)
        for i in range(20):
            send(ws, f"{i:02d} " + "x" * 400, f"r{i}")
            receive_until(ws, "ack", ref=f"r{i}")
        resumed = join(ws, since=0)
        fresh = join(ws)
    assert resumed["code"] == "resync"
    assert fresh["type"] == "joined" and 0 < len(fresh["history"]) < 20
    assert fresh["history"][-1]["text"].startswith("19 ")
