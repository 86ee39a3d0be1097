"""Staff in the chat: recognised from the session cookie, badges, names visitors cannot
take, and sockets closed the moment a session ends."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from kuulolla.chat.server import ChatServer
from tests.accounts.conftest import Env, post, sign_in
from tests.accounts.helpers import csrf_from, make_session, session_headers


def hello_and_join(
    ws: Any, room: str, nick: str = "Vieras"
) -> tuple[dict[str, Any], dict[str, Any]]:
    ws.send_text(json.dumps({"type": "hello", "v": 1}))
    welcome = ws.receive_json()
    ws.send_text(json.dumps({"type": "join", "room": room, "nick": nick}))
    return welcome, ws.receive_json()


def next_message(ws: Any) -> dict[str, Any]:
    """The next message frame (a staff member also gets the room's moderation state)."""
    for _ in range(10):
        frame = ws.receive_json()
        if frame["type"] == "message":
            return frame  # type: ignore[no-any-return]
    raise AssertionError("no message frame")


def closed_with(ws: Any) -> int:
    """Read until the server closes the socket; return the close code."""
    with pytest.raises(WebSocketDisconnect) as info:
        for _ in range(20):
            ws.receive_json()
    return info.value.code


def test_staff_recognised_from_the_cookie_with_badge(env: Env) -> None:
    """A signed-in volunteer's socket says hello as staff and writes under their own name and role."""
    browser = env.browser()
    sign_in(browser, "volunteer-alfa")
    with browser.websocket_connect() as ws:
        welcome, joined = hello_and_join(ws, "alfa-huone", nick="Joku muu nimi")
        assert welcome["me"] == {"kind": "staff", "name": "Volunteer alfa", "role": "volunteer"}
        assert joined["type"] == "joined"
        ws.send_text(
            json.dumps(
                {"type": "send", "room": "alfa-huone", "text": "Hei, olen täällä", "ref": "a"}
            )
        )
        message = next_message(ws)
    assert message["from"]["nick"] == "Volunteer alfa" and message["from"]["role"] == "volunteer"
    visitor = env.browser()
    page = visitor.get("/rooms/alfa-huone").text
    assert "Liity työntekijänä" not in page
    assert "Liity työntekijänä" in browser.get("/rooms/alfa-huone").text


def test_staff_author_key_comes_from_the_user_not_the_session(env: Env) -> None:
    """Two sessions of one staff member write as the same author; a visitor's id differs."""
    ids = []
    for _ in range(2):
        token = env.db(lambda db: make_session(db, env.world.users["professional-beeta"]))
        with env.client.websocket_connect(
            "wss://testserver/ws", headers=session_headers(env.settings, token)
        ) as ws:
            hello_and_join(ws, "beeta-huone")
            ws.send_text(
                json.dumps(
                    {"type": "send", "room": "beeta-huone", "text": "x", "ref": f"r{len(ids)}"}
                )
            )
            ids.append(next_message(ws)["from"]["id"])
    assert ids[0] == ids[1]


@pytest.mark.parametrize(
    ("nick", "code", "message"),
    [
        ("Kohde alfa", "nick_taken", "Tämä nimimerkki tai hyvin samalta näyttävä"),
        ("kohde-ALFA", "nick_taken", "Tämä nimimerkki tai hyvin samalta näyttävä"),
        ("Vapaaehtoinen", "nick_role", "Nimimerkissä ei voi olla sanaa ”vapaaehtoinen”"),
        ("Admin Aino", "nick_role", "Nimimerkissä ei voi olla sanaa ”admin”"),
    ],
)
def test_visitors_cannot_pose_as_staff(env: Env, nick: str, code: str, message: str) -> None:
    """A visitor's nickname may not be a staff display name or a role."""
    with env.client.websocket_connect("wss://testserver/ws") as ws:
        welcome, reply = hello_and_join(ws, "alfa-huone", nick=nick)
    assert welcome["me"] == {"kind": "visitor"}
    assert reply["type"] == "error" and reply["code"] == code
    assert reply["message"].startswith(message)


def test_sign_out_closes_the_live_socket(env: Env) -> None:
    """Signing out closes that session's open socket at once, with 4001."""
    browser = env.browser()
    sign_in(browser, "coordinator-alfa")
    other_device = env.db(lambda db: make_session(db, env.world.users["coordinator-alfa"]))
    with (
        browser.websocket_connect() as ws,
        env.client.websocket_connect(
            "wss://testserver/ws", headers=session_headers(env.settings, other_device)
        ) as kept,
    ):
        hello_and_join(ws, "alfa-huone")
        hello_and_join(kept, "alfa-huone")
        assert post(browser, "/sign-out").status_code == 303
        assert closed_with(ws) == 4001
        kept.send_text(json.dumps({"type": "ping"}))
        assert any(
            kept.receive_json()["type"] == "pong" for _ in range(5)
        )  # other device unaffected


@pytest.mark.parametrize("action", ["deactivate", "end-sessions"])
def test_coordinator_actions_close_the_persons_sockets(env: Env, action: str) -> None:
    """Deactivating a volunteer or ending their sessions closes every socket of theirs."""
    uid = env.world.users["target-alfa"]
    tokens = [env.db(lambda db: make_session(db, uid)) for _ in range(2)]
    coordinator = env.browser()
    sign_in(coordinator, "coordinator-alfa")
    with (
        env.client.websocket_connect(
            "wss://testserver/ws", headers=session_headers(env.settings, tokens[0])
        ) as one,
        env.client.websocket_connect(
            "wss://testserver/ws", headers=session_headers(env.settings, tokens[1])
        ) as two,
    ):
        hello_and_join(one, "alfa-huone")
        hello_and_join(two, "alfa-huone")
        page = coordinator.get(f"/orgs/alfa/people/{uid}")
        done = coordinator.post(
            f"/orgs/alfa/people/{uid}/{action}", data={"csrf_token": csrf_from(page.text)}
        )
        assert done.status_code == 303
        assert closed_with(one) == 4001 and closed_with(two) == 4001


def test_role_change_makes_sockets_reconnect(env: Env) -> None:
    """A role change closes the person's sockets with 4002, and they come back with the new badge."""
    uid = env.world.users["target-alfa"]
    token = env.db(lambda db: make_session(db, uid))
    coordinator = env.browser()
    sign_in(coordinator, "coordinator-alfa")
    with env.client.websocket_connect(
        "wss://testserver/ws", headers=session_headers(env.settings, token)
    ) as ws:
        welcome, _ = hello_and_join(ws, "alfa-huone")
        assert welcome["me"]["role"] == "volunteer"
        page = coordinator.get(f"/orgs/alfa/people/{uid}")
        coordinator.post(
            f"/orgs/alfa/people/{uid}/role",
            data={"csrf_token": csrf_from(page.text), "role": "professional"},
        )
        assert closed_with(ws) == 4002
    # A socket cannot be given a new cookie, so reconnecting does not rotate the token:
    # the browser's cookie keeps working until its next page load replaces it.
    for _ in range(2):
        with env.client.websocket_connect(
            "wss://testserver/ws", headers=session_headers(env.settings, token)
        ) as ws:
            welcome, _ = hello_and_join(ws, "alfa-huone")
        assert welcome["me"]["role"] == "professional"
    page_load = env.client.get("/staff", headers=session_headers(env.settings, token))
    assert page_load.status_code == 200
    cookies = page_load.headers.get_list("set-cookie")
    assert any(c.startswith("__Host-kuulolla_session=") for c in cookies)


def test_expired_session_closes_socket_at_the_next_check(env: Env) -> None:
    """A socket open when its session reaches the absolute limit is closed by the periodic check;
    an open socket keeps its session from going idle."""
    token = env.db(
        lambda db: make_session(db, env.world.users["volunteer-beeta"], now=env.clock.now())
    )
    chat: ChatServer = env.client.app_state["chat"]
    with env.client.websocket_connect(
        "wss://testserver/ws", headers=session_headers(env.settings, token)
    ) as ws:
        hello_and_join(ws, "beeta-huone")
        for _ in range(35):  # 11 h 40 min, checked every 20 minutes: kept alive while connected
            env.clock.advance(minutes=20)
            assert env.client.portal.call(chat.check_sessions) == 0
        env.clock.advance(minutes=20)
        assert env.client.portal.call(chat.check_sessions) == 1
        assert closed_with(ws) == 4001
