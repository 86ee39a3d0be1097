"""Joining with a nickname that passes for staff or for someone present, through /ws on
both databases: refused with a stable code and a translated reason, the room not joined."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from kuulolla.accounts.service import add_staff_user
from kuulolla.core.db import Database
from kuulolla.web.app import create_app
from tests.chat.test_endpoint import hello, join, prepare
from tests.conftest import make_settings
from tests.helpers import NOW, run_async


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    prepare(db_url, ("huone", 30), ("toinen", 30))

    async def staff() -> None:
        db = Database.from_url(db_url)
        async with db.session() as session:
            await add_staff_user(
                session,
                username="kaisa",
                display_name="Kaisa",
                password_hash=None,
                is_admin=False,
                now=NOW,
            )
        await db.dispose()

    run_async(staff)
    with TestClient(create_app(make_settings(db_url))) as c:
        yield c


IMPERSONATING = {
    "K\u0430isa": "nick_taken",  # a staff member's name with a Cyrillic а
    "Paivystaja": "nick_role",
    "M0deraattori": "nick_role",
    "Kriisityöntekijä": "nick_role",
    "Psykologi": "nick_role",
}


def test_impersonating_nicks_are_refused(client: TestClient) -> None:
    """A staff name or a helper title is refused with its code; the room is not joined
    until the visitor picks an ordinary nickname."""
    with client.websocket_connect("/ws") as ws:
        hello(ws)
        codes = {nick: join(ws, nick=nick).get("code") for nick in IMPERSONATING}
        fine = join(ws, nick="Aino")
    assert codes == IMPERSONATING
    assert fine["type"] == "joined"


def test_two_visitors_present_cannot_share_a_nickname(client: TestClient) -> None:
    """While "Aino" is in the room nobody else can be "aïno" there; in another room, or
    with a number added, they can; Aino herself may join again from a second tab."""
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        token = hello(a)["token"]
        hello(b)
        assert join(a, nick="Aino")["type"] == "joined"
        taken = join(b, nick="aïno")
        elsewhere = join(b, room="toinen", nick="aïno")
        numbered = join(b, nick="Aino 2")
        with client.websocket_connect("/ws") as a2:
            hello(a2, token)
            again = join(a2, nick="Aino")
    assert (taken["code"], elsewhere["type"], numbered["type"]) == (
        "nick_taken",
        "joined",
        "joined",
    )
    assert again["type"] == "joined"


def test_refusal_reasons_follow_the_language(client: TestClient) -> None:
    """The reason is in the visitor's language and names the title to leave out."""
    texts = {}
    for lang in ("fi", "sv", "en"):
        with client.websocket_connect("/ws") as ws:
            ws.send_json({"type": "hello", "v": 1, "lang": lang})
            ws.receive_json()
            texts[lang] = join(ws, nick="Päivystäjä Anni")["message"]
    assert texts["fi"].startswith("Nimimerkissä ei voi olla sanaa ”päivystäjä”")
    assert texts["sv"].startswith("Ett smeknamn kan inte innehålla ”päivystäjä”")
    assert texts["en"].startswith("A nickname cannot contain “päivystäjä”")
