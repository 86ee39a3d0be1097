"""The queue's pages and JSON actions through Starlette's TestClient: a visitor
queues, a helper takes them, writes a note and ends; the visitor gives feedback.
Bad input is refused with a translated error and changes nothing."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.queue import topics
from kuulolla.web.app import create_app
from tests.accounts.helpers import anonymous_headers, make_session, session_csrf, session_headers
from tests.conftest import make_settings
from tests.helpers import NOW, run_async
from tests.queue.helpers import build

TOKEN = "vierailijan-tunnus-" + "z" * 30


def post_json(
    client: TestClient, path: str, body: dict[str, Any], csrf: tuple[dict[str, str], str]
) -> Any:
    headers, token = csrf
    client.cookies.clear()  # each call speaks only with its own cookies
    return client.post(
        path,
        content=json.dumps(body),
        headers={
            **headers,
            "content-type": "application/json",
            "x-csrf-token": token,
            "accept": "application/json",
        },
    )


def test_visitor_and_helper_through_the_pages(db_url: str) -> None:
    """Queue, take, note, end and feedback through the routes; the pages render in each state."""

    async def setup() -> tuple[dict[str, int], str]:
        db = Database.from_url(db_url)
        world = await build(db, on_duty=())
        token = await make_session(db, world.helpers["vol1"], now=NOW)
        await db.dispose()
        return world.helpers, token

    _, session = run_async(setup)
    settings = make_settings(db_url)
    with TestClient(create_app(settings, clock=FrozenClock(NOW))) as client:
        visitor = anonymous_headers(settings)
        staff = (session_headers(settings, session), session_csrf(settings, session))
        # Nobody on duty: the topic says so and refuses newcomers.
        client.cookies.clear()
        page = client.get("/chat/nuorten-chat", headers=visitor[0])
        assert page.status_code == 200 and "Kukaan ei päivystä juuri nyt" in page.text
        refused = post_json(
            client, "/chat/nuorten-chat/enter", {"token": TOKEN, "consent": True}, visitor
        )
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_admitting"
        # The helper goes on duty.
        client.cookies.clear()
        duty = client.post(
            "/staff/queue/tukijarjesto/duty",
            data={"csrf_token": staff[1], "available": "yes", "max_chats": "2"},
            headers=staff[0],
            follow_redirects=False,
        )
        assert duty.status_code == 303, duty.text[-1500:]
        assert "Liity jonoon" not in client.get("/chat", headers=visitor[0]).text
        # Consent missing, then given.
        missing = post_json(client, "/chat/nuorten-chat/enter", {"token": TOKEN}, visitor)
        assert missing.json()["error"]["code"] == "consent_required"
        entered = post_json(
            client,
            "/chat/nuorten-chat/enter",
            {
                "token": TOKEN,
                "consent": True,
                "answers": {"age_group": "13_17", "subject": "Koulu"},
            },
            visitor,
        ).json()
        assert (entered["state"], entered["position"], entered["estimate_minutes"]) == (
            "waiting",
            1,
            1,
        )
        client.cookies.clear()
        console = client.get("/staff/queue/tukijarjesto", headers=staff[0])
        assert "13–17" in console.text and "Koulu" in console.text
        client.cookies.clear()
        taken = client.post(
            "/staff/queue/tukijarjesto/take",
            data={"csrf_token": staff[1]},
            headers=staff[0],
        )
        assert taken.status_code == 400  # neither a topic nor an entry
        topic_id = run_async(lambda: _topic_id(db_url))
        client.cookies.clear()
        taken = client.post(
            "/staff/queue/tukijarjesto/take",
            data={"csrf_token": staff[1], "topic": str(topic_id)},
            headers=staff[0],
            follow_redirects=False,
        )
        assert taken.headers["location"] == f"/staff/queue/tukijarjesto/chat?c={entered['entry']}"
        client.cookies.clear()
        chat = client.get(taken.headers["location"], headers=staff[0])
        assert chat.status_code == 200 and "Tervetuloa" not in chat.text  # no canned ones yet
        status = post_json(client, "/chat/status", {"token": TOKEN}, visitor).json()
        assert status["state"] == "active" and status["room"].startswith("c-")
        client.cookies.clear()
        note = client.post(
            "/staff/queue/tukijarjesto/note",
            data={
                "csrf_token": staff[1],
                "entry": str(entered["entry"]),
                "text": "<b>kiusaaminen</b>",
            },
            headers=staff[0],
            follow_redirects=False,
        )
        assert note.status_code == 303
        client.cookies.clear()
        chat = client.get(note.headers["location"], headers=staff[0])
        assert "&lt;b&gt;kiusaaminen&lt;/b&gt;" in chat.text
        client.cookies.clear()
        client.post(
            "/staff/queue/tukijarjesto/end",
            data={"csrf_token": staff[1], "entry": str(entered["entry"])},
            headers=staff[0],
            follow_redirects=False,
        )
        assert (
            post_json(client, "/chat/status", {"token": TOKEN}, visitor).json()["state"] == "ended"
        )
        bad = post_json(
            client,
            "/chat/feedback",
            {"token": TOKEN, "entry": entered["entry"], "rating": "7"},
            visitor,
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_rating"
        ok = post_json(
            client,
            "/chat/feedback",
            {"token": TOKEN, "entry": entered["entry"], "rating": "5", "helped": "yes"},
            visitor,
        )
        assert ok.json() == {"ok": True}
        code = post_json(
            client, "/chat/return-code", {"token": TOKEN, "entry": entered["entry"]}, visitor
        ).json()
        assert len(code["code"]) == 14
        assert post_json(
            client, "/chat/delete", {"token": TOKEN, "entry": entered["entry"]}, visitor
        ).json() == {"deleted": True}


async def _topic_id(db_url: str) -> int:
    db = Database.from_url(db_url)
    topic = await topics.get_topic_or_raise(db, slug="nuorten-chat")
    await db.dispose()
    return topic.id


def test_malformed_visitor_requests_are_refused(db_url: str) -> None:
    """Not JSON, no token, a token of the wrong type, an oversized body: a clear error."""
    settings = make_settings(db_url)
    run_async(lambda: _build(db_url))
    with TestClient(create_app(settings, clock=FrozenClock(NOW))) as client:
        visitor = anonymous_headers(settings)
        headers, token = visitor
        client.cookies.clear()
        not_json = client.post(
            "/chat/status",
            content=b"{",
            headers={
                **headers,
                "content-type": "application/json",
                "x-csrf-token": token,
                "accept": "application/json",
            },
        )
        assert not_json.json()["error"]["code"] == "bad_json"
        client.cookies.clear()
        form = client.post(
            "/chat/status",
            data={"csrf_token": token},
            headers={**headers, "accept": "application/json"},
        )
        assert form.json()["error"]["code"] == "bad_json"
        assert (
            post_json(client, "/chat/status", {"token": 5}, visitor).json()["error"]["code"]
            == "token_required"
        )
        big = post_json(
            client,
            "/chat/nuorten-chat/enter",
            {"token": TOKEN, "answers": {"subject": "x" * 20000}},
            visitor,
        )
        assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
        assert (
            post_json(client, "/chat/status", {"token": TOKEN}, visitor).json()["state"] == "none"
        )


async def _build(db_url: str) -> None:
    db = Database.from_url(db_url)
    await build(db)
    await db.dispose()
