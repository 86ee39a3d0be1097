"""The coordinator's moderation pages: the audit log with its filters and pages, and
the word-list editor (base forms shown, errors translated, changes audited and in
force in the running server at once)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from kuulolla.core.db import Database
from kuulolla.moderation import service
from tests.accounts.conftest import Env, post, sign_in
from tests.helpers import NOW
from tests.moderation.test_live import _room_id, connect, enter, frames_until, send

AUDIT = "/orgs/alfa/moderation/audit"
WORDS = "/orgs/alfa/moderation/words"


def record(env: Env, org: str, action: str, *, days_ago: int = 0, n: int = 1, **extra: Any) -> None:
    """``n`` audit entries of ``action`` in ``org``'s room, by its coordinator."""

    async def work(db: Database) -> None:
        room_id = await _room_id(db, env.world.rooms[org])
        async with db.session() as session:
            for i in range(n):
                service.audit(
                    session,
                    organisation_id=env.world.orgs[org],
                    room_id=room_id,
                    actor_id=env.world.users[f"coordinator-{org}"],
                    action=action,
                    now=NOW - timedelta(days=days_ago, seconds=i),
                    **extra,
                )

    env.db(work)


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in body.split("<tr>")[1:]]


def test_the_log_shows_who_what_room_and_reason_of_the_own_organisation_only(env: Env) -> None:
    """A coordinator reads their organisation's entries with names and labels; another's are absent."""
    record(env, "alfa", "redact", target="message 7", reason="loukkaava")
    record(env, "beeta", "ban", target="Vieras-beeta")
    sign_in(env.client, "coordinator-alfa")
    page = env.client.get(AUDIT)
    assert page.status_code == 200
    [row] = rows(page.text)
    assert "alfa-huone" in row.lower() or "Huone" in row
    assert "Poisti viestin" in row and "Coordinator alfa" in row
    assert "viesti 7" in row and "message 7" not in row and "loukkaava" in row


def test_filters_by_action_room_and_dates(env: Env) -> None:
    """Action, room and an inclusive date range each narrow the entries shown."""
    record(env, "alfa", "redact", days_ago=0)
    record(env, "alfa", "mute", days_ago=3, reason="3600s")
    record(env, "alfa", "settings.locked", days_ago=10, target="on")
    sign_in(env.client, "coordinator-alfa")
    assert len(rows(env.client.get(AUDIT).text)) == 3
    only_mutes = rows(env.client.get(f"{AUDIT}?action=mute").text)
    assert len(only_mutes) == 1 and "1 tunti" in only_mutes[0]
    settings = rows(env.client.get(f"{AUDIT}?action=settings").text)
    assert len(settings) == 1 and "on" in settings[0]
    day = (NOW - timedelta(days=3)).date().isoformat()
    dated = rows(env.client.get(f"{AUDIT}?from={day}&to={day}").text)
    assert len(dated) == 1 and "1 tunti" in dated[0]

    async def room_id(db: Database) -> int:
        return await _room_id(db, env.world.rooms["alfa"])

    assert len(rows(env.client.get(f"{AUDIT}?room={env.db(room_id)}").text)) == 3


def test_bad_filters_get_a_translated_error_and_no_entries(env: Env) -> None:
    """A malformed date, a reversed range or another organisation's room is refused with a message."""
    record(env, "alfa", "redact")

    async def beeta_room(db: Database) -> int:
        return await _room_id(db, env.world.rooms["beeta"])

    sign_in(env.client, "coordinator-alfa")
    bad_date = env.client.get(f"{AUDIT}?from=31.12.2025")
    assert bad_date.status_code == 400 and "Kirjoita päivämäärä" in bad_date.text
    assert rows(bad_date.text) == []
    reversed_range = env.client.get(f"{AUDIT}?from=2026-02-01&to=2026-01-01")
    assert reversed_range.status_code == 400 and rows(reversed_range.text) == []
    other_room = env.client.get(f"{AUDIT}?room={env.db(beeta_room)}")
    assert other_room.status_code == 400 and "Valitse huone" in other_room.text


def test_pages_of_fifty_newest_first(env: Env) -> None:
    """The 51st entry is on the second page, reached by the older-actions link with the filter kept."""
    record(env, "alfa", "redact", n=51, target="message 1")
    sign_in(env.client, "coordinator-alfa")
    first = env.client.get(f"{AUDIT}?action=redact")
    assert len(rows(first.text)) == 50
    older = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert older is not None and "action=redact" in older.group(1) and "page=2" in older.group(1)
    second = env.client.get(older.group(1).replace("&amp;", "&"))
    assert len(rows(second.text)) == 1 and 'rel="prev"' in second.text


def test_the_staff_home_links_coordinators_to_the_log_and_the_word_list(env: Env) -> None:
    """A coordinator's home links both pages; a volunteer's does not."""
    sign_in(env.client, "coordinator-alfa")
    home = env.client.get("/staff").text
    assert f'href="{AUDIT}"' in home and f'href="{WORDS}"' in home
    volunteer = env.browser()
    sign_in(volunteer, "volunteer-alfa")
    assert AUDIT not in volunteer.get("/staff").text


def test_a_word_is_added_with_its_base_form_and_audited(env: Env, voikko: Any) -> None:
    """An inflected entry shows the base form it matches, and the change is in the log."""
    sign_in(env.client, "coordinator-alfa")
    done = post(env.client, WORDS, {"phrase": "Idiooteille", "action": "hold"}, page=WORDS)
    assert done.status_code == 303
    page = env.client.get(WORDS).text
    [row] = rows(page)
    assert row.startswith("idiooteille idiootti") and "Pidä viesti" in row
    [logged] = rows(env.client.get(AUDIT).text)
    assert "idiooteille" in logged and "Coordinator alfa" in logged


def test_a_bad_word_is_refused_with_a_translated_error_and_nothing_changes(env: Env) -> None:
    """Punctuation alone and an unknown action are refused on the form; the list stays empty."""
    sign_in(env.client, "coordinator-alfa")
    refused = post(env.client, WORDS, {"phrase": "!!!", "action": "mask"}, page=WORDS)
    assert refused.status_code == 400 and "Kirjoita kirjaimista" in refused.text
    wrong = post(env.client, WORDS, {"phrase": "sana", "action": "delete"}, page=WORDS)
    assert wrong.status_code == 400 and "Valitse, mitä" in wrong.text

    async def words(db: Database) -> list[Any]:
        return await service.get_word_list(db, organisation_id=env.world.orgs["alfa"])

    assert env.db(words) == []
    assert rows(env.client.get(AUDIT).text) == []


def test_a_removed_word_is_audited_and_a_missing_one_is_reported(env: Env) -> None:
    """Removing a listed word logs it; removing an unlisted one says so and logs nothing more."""
    sign_in(env.client, "coordinator-alfa")
    post(env.client, WORDS, {"phrase": "kirosana", "action": "refuse"}, page=WORDS)
    gone = post(env.client, f"{WORDS}/remove", {"phrase": "kirosana"}, page=WORDS)
    assert gone.headers["location"].endswith("done=deleted")
    missing = post(env.client, f"{WORDS}/remove", {"phrase": "kirosana"}, page=WORDS)
    assert missing.headers["location"].endswith("done=word_missing")
    logged = rows(env.client.get(AUDIT).text)
    assert len(logged) == 2 and "Sanalista: poisti sanan" in logged[0]


def test_a_word_added_on_the_page_applies_in_a_room_at_once(env: Env) -> None:
    """After the room's policy is cached, a word added on the page refuses the next message."""
    room = env.world.rooms["alfa"]
    with connect(env) as visitor:
        enter(visitor, room)
        send(visitor, room, "ihan tavallinen kirosana", "w1")
        frames_until(visitor, "ack", ref="w1")
        coordinator = env.browser()
        sign_in(coordinator, "coordinator-alfa")
        post(coordinator, WORDS, {"phrase": "kirosana", "action": "refuse"}, page=WORDS)
        send(visitor, room, "taas kirosana", "w2")
        assert frames_until(visitor, "error", ref="w2")["code"] == "refused"
