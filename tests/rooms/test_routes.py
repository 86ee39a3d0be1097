"""Rooms from the browser: a coordinator creates, changes, schedules and closes the
organisation's rooms; another organisation's rooms are out of reach; the log records it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from kuulolla.moderation import service as moderation
from kuulolla.rooms.models import Room
from kuulolla.shifts.models import ShiftRow, ShiftTemplateRow
from tests.accounts.conftest import Env, env, post, sign_in

__all__ = ["env"]

NEW = "/orgs/alfa/rooms/new"


def room_row(e: Env, slug: str) -> Room | None:
    async def work(db: Any) -> Room | None:
        async with db.read_session() as session:
            return await session.scalar(select(Room).where(Room.slug == slug))  # type: ignore[no-any-return]

    return e.db(work)  # type: ignore[no-any-return]


def new_room(e: Env, **fields: str) -> Any:
    data = {
        "name_fi": "Nuorten ilta",
        "name_sv": "Ungas kväll",
        "name_en": "Youth evening",
        "description_fi": "Puhutaan kaikesta.",
        "history_limit": "0",
        "premoderated": "1",
        "slow_mode": "20",
        "link_mode": "block",
        "allowed_links": "https://www.mieli.fi/tukea\nnuortenlinkki.fi",
        "qualification_id": str(e.world.qualifications["alfa"]),
        **fields,
    }
    return post(e.client, NEW, data, page=NEW)


def test_coordinator_creates_a_room_with_its_settings(env: Env) -> None:
    """Names in three languages, history, screening, links and training are stored; the
    address comes from the Finnish name; visitors find the room; the log says so."""
    sign_in(env.client, "coordinator-alfa")
    made = new_room(env)
    assert made.status_code == 303
    assert made.headers["location"].startswith("/orgs/alfa/rooms/nuorten-ilta?done=created")
    row = room_row(env, "nuorten-ilta")
    assert row is not None
    assert (row.name_fi, row.name_sv, row.name_en, row.history_limit) == (
        "Nuorten ilta",
        "Ungas kväll",
        "Youth evening",
        0,
    )
    assert row.qualification_id == env.world.qualifications["alfa"]

    async def settings(db: Any) -> Any:
        return await moderation.get_room_settings(db, room_id=row.id)

    found = env.db(settings)
    assert (found.premoderated, found.slow_mode, found.link_mode) == (True, 20, "block")
    assert found.allowed_links == ("mieli.fi", "nuortenlinkki.fi")
    page = env.client.get("/orgs/alfa/rooms/nuorten-ilta?done=created").text
    assert "Huone on valmis." in page and "Ei aikataulua: huone on auki kaikkina aikoina." in page
    assert "Ungas kväll" in env.client.get("/rooms/nuorten-ilta?lang=sv").text
    log = env.client.get("/orgs/alfa/moderation/audit?action=rooms&lang=fi").text
    assert "Perusti huoneen" in log


def test_a_bad_room_form_shows_every_problem_and_stores_nothing(env: Env) -> None:
    """Missing name, bad address, history out of range, a non-domain and another
    organisation's training are each shown by their field."""
    sign_in(env.client, "coordinator-alfa")
    refused = new_room(
        env,
        name_fi="",
        slug="Ei Käy",
        history_limit="501",
        allowed_links="ei-domain",
        qualification_id=str(env.world.qualifications["beeta"]),
        link_mode="sometimes",
    )
    assert refused.status_code == 400
    for field in ("name_fi", "slug", "history_limit", "allowed_links", "qualification_id"):
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', refused.text), field
    assert 'id="f-link_mode-error"' in refused.text
    assert room_row(env, "ei-kay") is None
    reserved = new_room(env, slug="new")
    assert reserved.status_code == 400 and "Tämä osoite on varattu" in reserved.text


def test_changes_are_saved_and_logged_once_each(env: Env) -> None:
    """A rename and a new link rule are saved; each kind of change has one log entry."""
    sign_in(env.client, "coordinator-alfa")
    slug = env.world.rooms["alfa"]
    page = env.client.get(f"/orgs/alfa/rooms/{slug}").text
    values = dict(re.findall(r'name="(name_fi|history_limit|slow_mode)"[^>]*value="([^"]*)"', page))
    saved = post(
        env.client,
        f"/orgs/alfa/rooms/{slug}",
        {**values, "name_fi": "Uusi nimi", "link_mode": "allow", "history_limit": "40"},
        page=f"/orgs/alfa/rooms/{slug}",
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    row = room_row(env, slug)
    assert row is not None and (row.name_fi, row.history_limit) == ("Uusi nimi", 40)
    log = env.client.get("/orgs/alfa/moderation/audit").text
    assert log.count("Muutti huoneen nimiä tai kuvauksia") == 1
    assert "40 viimeisintä viestiä" in log and "linkit näytetään" in log


def test_another_organisations_room_is_not_found(env: Env) -> None:
    """Alfa's coordinator cannot open or change beeta's room through alfa's pages."""
    sign_in(env.client, "coordinator-alfa")
    other = env.world.rooms["beeta"]
    assert env.client.get(f"/orgs/alfa/rooms/{other}").status_code == 404
    changed = post(
        env.client, f"/orgs/alfa/rooms/{other}", {"name_fi": "Kaapattu"}, page="/orgs/alfa/rooms"
    )
    assert changed.status_code == 404
    row = room_row(env, other)
    assert row is not None and row.name_fi != "Kaapattu"
    assert env.client.get(f"/orgs/beeta/rooms/{other}").status_code == 403


def test_schedule_from_the_room_page_uses_the_rooms_training(env: Env) -> None:
    """Opening times typed as "18-21" on Tuesdays make a template that requires the
    room's training; the page describes it in words with its next dates."""
    sign_in(env.client, "coordinator-alfa")
    new_room(env)
    added = post(
        env.client,
        "/orgs/alfa/rooms/nuorten-ilta/schedule",
        {
            "times": "klo 18-21",
            "repeat": "weekly",
            "interval": "1",
            "days": "TU",
            "volunteers": "2",
            "professionals": "0",
            "valid_from": "2026-01-15",
        },
        page="/orgs/alfa/rooms/nuorten-ilta",
    )
    assert added.status_code == 303, added.text[:300]

    async def templates(db: Any) -> list[ShiftTemplateRow]:
        async with db.read_session() as session:
            return list(await session.scalars(select(ShiftTemplateRow)))

    [template] = env.db(templates)
    assert template.qualification_id == env.world.qualifications["alfa"]
    page = env.client.get("/orgs/alfa/rooms/nuorten-ilta").text
    assert "joka tiistai klo 18–21, 2 vapaaehtoista" in page
    text = re.sub(r"<[^>]+>", "", page)
    assert "Seuraavat: ti 20.1., ti 27.1., ti 3.2." in text
    bad = post(
        env.client,
        "/orgs/alfa/rooms/nuorten-ilta/schedule",
        {"times": "25-26", "repeat": "weekly", "days": "TU", "volunteers": "1"},
        page="/orgs/alfa/rooms/nuorten-ilta",
    )
    assert bad.status_code == 400 and 'id="s-times-error"' in bad.text


def test_closing_a_room_cancels_its_coming_shifts(env: Env) -> None:
    """Archiving closes the room to visitors and cancels its coming shifts; the settings
    page is read-only after."""
    sign_in(env.client, "coordinator-alfa")
    new_room(env)
    post(
        env.client,
        "/orgs/alfa/rooms/nuorten-ilta/schedule",
        {"times": "18-21", "repeat": "daily", "volunteers": "1", "valid_from": "2026-01-15"},
        page="/orgs/alfa/rooms/nuorten-ilta",
    )
    confirm = env.client.get("/orgs/alfa/rooms/nuorten-ilta/archive")
    assert confirm.status_code == 200 and "Suljetaanko" in confirm.text
    done = post(
        env.client,
        "/orgs/alfa/rooms/nuorten-ilta/archive",
        {},
        page="/orgs/alfa/rooms/nuorten-ilta/archive",
    )
    assert done.status_code == 303

    async def open_shifts(db: Any) -> int:
        async with db.read_session() as session:
            rows = await session.scalars(select(ShiftRow).where(ShiftRow.cancelled_at.is_(None)))
            return len(list(rows))

    assert env.db(open_shifts) == 0
    assert "Tämä huone on suljettu." in env.client.get("/rooms/nuorten-ilta").text
    page = env.client.get("/orgs/alfa/rooms/nuorten-ilta").text
    assert "Sen asetuksia ei voi enää muuttaa." in page and "Tallenna huone" not in page
    assert "Nuorten ilta" not in env.client.get("/").text


def test_admins_see_every_organisations_rooms(env: Env) -> None:
    """The admins' list names each organisation's rooms with a link to their page."""
    sign_in(env.client, "admin")
    page = env.client.get("/admin/rooms").text
    for org in ("alfa", "beeta"):
        assert f'href="/orgs/{org}/rooms/{env.world.rooms[org]}"' in page
