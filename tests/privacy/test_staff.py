"""Staff data rights: downloading one's own data and erasing a departed person."""

from __future__ import annotations

import json

from sqlalchemy import select

from kuulolla.accounts.crypto import staff_author_key
from kuulolla.accounts.models import StaffUser
from kuulolla.chat.models import Message
from tests.accounts.conftest import Env, post, sign_in
from tests.helpers import NOW


def add_staff_message(env: Env, user: str, text: str) -> None:
    key = staff_author_key(env.settings.secret_key, env.world.users[user])

    async def work(db):  # type: ignore[no-untyped-def]
        from kuulolla.rooms.models import Room

        async with db.session() as session:
            room_id = await session.scalar(
                select(Room.id).where(Room.slug == env.world.rooms["alfa"])
            )
            session.add(
                Message(
                    room_id=room_id,
                    seq=1,
                    created_at=NOW,
                    author_key=key,
                    nick="Volunteer alfa",
                    role="volunteer",
                    text=text,
                )
            )

    env.db(work)


def test_a_volunteer_downloads_their_own_data(env: Env) -> None:
    """The download is a JSON attachment with the person's profile, roles and messages,
    and no password hash or secret."""
    add_staff_message(env, "volunteer-alfa", "oma viesti")
    sign_in(env.client, "volunteer-alfa")
    response = env.client.get("/account/data")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    data = json.loads(response.text)
    assert data["account"]["username"] == "volunteer-alfa"
    assert [m["organisation"] for m in data["account"]["memberships"]] == ["alfa"]
    assert [m["text"] for m in data["chat_messages"]] == ["oma viesti"]
    assert "argon2" not in response.text and "password_hash" not in response.text


def test_an_admin_erases_a_departed_volunteer(env: Env) -> None:
    """After erasure nothing names the person; their messages stay as "former volunteer"
    and they can no longer sign in."""
    add_staff_message(env, "volunteer-alfa", "vastaus kävijälle")
    sign_in(env.client, "admin")
    user_id = env.world.users["volunteer-alfa"]
    page = env.client.get(f"/admin/staff/{user_id}/erase")
    assert page.status_code == 200
    response = post(
        env.client,
        f"/admin/staff/{user_id}/erase",
        {"confirm": "yes"},
        page=f"/admin/staff/{user_id}/erase",
    )
    assert response.status_code == 303

    async def look(db):  # type: ignore[no-untyped-def]
        async with db.read_session() as session:
            user = await session.get(StaffUser, user_id)
            nicks = list((await session.execute(select(Message.nick, Message.text))).all())
            return user, nicks

    user, nicks = env.db(look)
    assert user.username == f"former-{user_id}" and user.display_name == "Entinen vapaaehtoinen"
    assert user.password_hash is None and not user.active
    assert nicks == [("Entinen vapaaehtoinen", "vastaus kävijälle")]
    other = env.browser()
    assert sign_in(other, "volunteer-alfa").status_code != 303


def test_erasing_needs_confirmation(env: Env) -> None:
    """Without the confirmation box nothing is erased and the form says why."""
    sign_in(env.client, "admin")
    user_id = env.world.users["volunteer-alfa"]
    response = post(env.client, f"/admin/staff/{user_id}/erase", page="/admin/staff")
    assert response.status_code == 400
    assert 'id="f-confirm-error"' in response.text

    async def name(db):  # type: ignore[no-untyped-def]
        async with db.read_session() as session:
            return (await session.get(StaffUser, user_id)).username

    assert env.db(name) == "volunteer-alfa"


def test_an_admin_cannot_erase_themselves(env: Env) -> None:
    """Erasing one's own account is refused."""
    sign_in(env.client, "admin")
    user_id = env.world.users["admin"]
    response = post(
        env.client, f"/admin/staff/{user_id}/erase", {"confirm": "yes"}, page="/admin/staff"
    )
    assert response.status_code == 409
