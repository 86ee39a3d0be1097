"""The coordinator's queue pages through Starlette's TestClient: topics are created
and edited, canned responses added, edited and removed, helpers' limits set. Bad
input is shown next to its field, translated, and changes nothing; another
organisation's objects cannot be reached through one's own addresses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from kuulolla.accounts.models import Organisation
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.queue import canned
from kuulolla.queue.models import CannedResponse, QueueHelper, QueueTopic
from kuulolla.web.app import create_app
from tests.accounts.helpers import add_person, make_session, session_csrf, session_headers
from tests.conftest import make_settings
from tests.helpers import NOW, run_async
from tests.queue.helpers import build

BASE = "/orgs/tukijarjesto/queue"


@dataclass
class Env:
    client: TestClient
    db_url: str
    headers: dict[str, str]
    csrf: str
    ids: dict[str, int]

    def get(self, path: str) -> Any:
        self.client.cookies.clear()
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        self.client.cookies.clear()
        return self.client.post(
            path,
            data={"csrf_token": self.csrf, **data},
            headers=self.headers,
            follow_redirects=False,
        )

    def read(self, fn: Any) -> Any:
        async def run() -> Any:
            db = Database.from_url(self.db_url)
            try:
                return await fn(db)
            finally:
                await db.dispose()

        return run_async(run)


@pytest.fixture
def env(db_url: str) -> Iterator[Env]:
    async def setup() -> tuple[dict[str, int], str]:
        db = Database.from_url(db_url)
        world = await build(db, on_duty=())
        async with db.session() as session:  # coordinators need no second factor here
            org = await session.get(Organisation, world.org_id)
            assert org is not None
            org.require_totp = "none"
        coordinator = await add_person(
            db, "koord-q", display_name="Koordinaattori", org_id=world.org_id, role="coordinator"
        )
        other_canned = await canned.do_add_canned(
            db,
            organisation_id=world.other_org_id,
            locale="fi",
            title="Toisen",
            text="Toisen teksti",
        )
        token = await make_session(db, coordinator, now=NOW)
        await db.dispose()
        return {
            **world.helpers,
            "other_canned": other_canned,
            "other_org": world.other_org_id,
        }, token

    ids, token = run_async(setup)
    settings = make_settings(db_url)
    with TestClient(create_app(settings, clock=FrozenClock(NOW))) as client:
        yield Env(
            client, db_url, session_headers(settings, token), session_csrf(settings, token), ids
        )


TOPIC = {
    "slug": "omaishoitajat",
    "name_fi": "Omaishoitajat",
    "name_sv": "Närståendevårdare",
    "name_en": "Family carers",
    "description_fi": "Tukea läheistään hoitaville.",
    "consent_fi": "Hyväksyn, että keskustelu tallennetaan säilytysajaksi.",
    "hours_mon": "09:00-15:00",
    "hours_sat": "10:00-12:00, 18:00-24:00",
    "questions": ["subject"],
    "handling_minutes": "25",
    "active": "1",
}


async def _topic(db: Database, slug: str) -> QueueTopic | None:
    async with db.read_session() as session:
        return await session.scalar(select(QueueTopic).where(QueueTopic.slug == slug))


def test_coordinator_creates_and_edits_a_topic(env: Env) -> None:
    """A topic made on the page is stored as given, shown to visitors, and can be closed."""
    made = env.post(f"{BASE}/topics/new", TOPIC)
    assert made.status_code == 303 and made.headers["location"].startswith(
        f"{BASE}/topics/omaishoitajat"
    )
    topic = env.read(lambda db: _topic(db, "omaishoitajat"))
    assert (topic.name_sv, topic.consent_fi, topic.questions, topic.default_handling_seconds) == (
        "Närståendevårdare",
        TOPIC["consent_fi"],
        ["subject"],
        1500,
    )
    assert topic.hours == {
        "mon": [["09:00", "15:00"]],
        "sat": [["10:00", "12:00"], ["18:00", "24:00"]],
    }
    page = env.get(f"{BASE}/topics/omaishoitajat")
    assert 'value="10:00-12:00, 18:00-24:00"' in page.text and "Tukea läheistään" in page.text
    assert "Omaishoitajat" in env.get("/chat").text
    closed = env.post(f"{BASE}/topics/omaishoitajat", {**TOPIC, "active": ""})
    assert closed.status_code == 303
    topic = env.read(lambda db: _topic(db, "omaishoitajat"))
    assert topic.active is False and topic.name_en == "Family carers"


def test_bad_topic_is_shown_next_to_its_fields_and_stores_nothing(env: Env) -> None:
    """Missing Finnish name and reversed hours: both errors in Finnish, tied to the fields."""
    bad = env.post(f"{BASE}/topics/new", {**TOPIC, "name_fi": "", "hours_mon": "15:00-09:00"})
    assert bad.status_code == 400
    assert (
        'id="f-name_fi-error"' in bad.text and "Aiheella pitää olla suomenkielinen nimi" in bad.text
    )
    assert 'id="f-hours_mon-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="15:00-09:00"' in bad.text  # what was typed is kept
    assert env.read(lambda db: _topic(db, "omaishoitajat")) is None
    taken = env.post(f"{BASE}/topics/new", {**TOPIC, "slug": "nuorten-chat"})
    assert taken.status_code == 400 and 'id="f-slug-error"' in taken.text
    edit = env.post(f"{BASE}/topics/nuorten-chat", {**TOPIC, "handling_minutes": "0"})
    assert edit.status_code == 400 and 'id="f-handling_minutes-error"' in edit.text
    topic = env.read(lambda db: _topic(db, "nuorten-chat"))
    assert (topic.name_sv, topic.default_handling_seconds) == ("Ungdomschatten", 900)


def test_a_topic_says_whom_it_is_for(env: Env) -> None:
    """A topic is for everyone unless the coordinator chooses young people or adults; an
    unknown choice is refused next to the field and stores nothing."""
    assert env.post(f"{BASE}/topics/new", TOPIC).status_code == 303
    topic = env.read(lambda db: _topic(db, "omaishoitajat"))
    assert topic.audience == "all"
    assert 'id="audience-all" type="radio" name="audience" value="all" checked' in (
        env.get(f"{BASE}/topics/omaishoitajat").text
    )
    youth = env.post(f"{BASE}/topics/omaishoitajat", {**TOPIC, "audience": "youth"})
    assert youth.status_code == 303
    assert env.read(lambda db: _topic(db, "omaishoitajat")).audience == "youth"
    bad = env.post(f"{BASE}/topics/omaishoitajat", {**TOPIC, "audience": "children"})
    assert bad.status_code == 400 and 'id="f-audience-error"' in bad.text
    assert "Valitse, kenelle aihe on tarkoitettu" in bad.text
    assert env.read(lambda db: _topic(db, "omaishoitajat")).audience == "youth"


def test_another_organisations_topic_is_not_reachable(env: Env) -> None:
    """Another organisation's topic through one's own address: 404, unchanged."""
    assert env.get(f"{BASE}/topics/parisuhde").status_code == 404
    assert env.post(f"{BASE}/topics/parisuhde", TOPIC).status_code == 404
    assert env.read(lambda db: _topic(db, "parisuhde")).name_fi == "Parisuhde"


async def _canned(db: Database) -> list[tuple[int, str, str, str]]:
    async with db.read_session() as session:
        rows = await session.scalars(select(CannedResponse).order_by(CannedResponse.id))
        return [(r.organisation_id, r.locale, r.title, r.text) for r in rows]


def test_canned_responses_are_added_edited_and_removed(env: Env) -> None:
    """Add, edit and remove a canned response; the console's chat list follows."""
    other = env.ids["other_org"]
    added = env.post(
        f"{BASE}/canned", {"locale": "sv", "title": "Hej", "text": "Hej och välkommen!"}
    )
    assert added.status_code == 303
    rows = env.read(_canned)
    assert rows[-1][1:] == ("sv", "Hej", "Hej och välkommen!")
    mine = env.read(lambda db: canned.list_canned(db, organisation_id=rows[-1][0]))[0].id
    assert "Hej och välkommen!" in env.get(BASE).text
    edited = env.post(
        f"{BASE}/canned/{mine}", {"locale": "fi", "title": "Hei", "text": "Tervetuloa!"}
    )
    assert edited.status_code == 303
    assert env.read(_canned)[-1][1:] == ("fi", "Hei", "Tervetuloa!")
    assert env.post(f"{BASE}/canned/{mine}/delete", {}).status_code == 303
    assert env.read(_canned) == [(other, "fi", "Toisen", "Toisen teksti")]


def test_bad_or_foreign_canned_responses_change_nothing(env: Env) -> None:
    """An empty text is refused next to its field; another organisation's row is 404."""
    bad = env.post(f"{BASE}/canned", {"locale": "fi", "title": "Tyhjä", "text": " "})
    assert bad.status_code == 400 and 'id="canned-text-error"' in bad.text
    assert 'value="Tyhjä"' in bad.text
    foreign = env.ids["other_canned"]
    assert env.get(f"{BASE}/canned/{foreign}").status_code == 404
    assert (
        env.post(
            f"{BASE}/canned/{foreign}", {"locale": "fi", "title": "X", "text": "X"}
        ).status_code
        == 404
    )
    assert env.post(f"{BASE}/canned/{foreign}/delete", {}).status_code == 404
    assert env.read(_canned) == [(env.ids["other_org"], "fi", "Toisen", "Toisen teksti")]


async def _limits(db: Database) -> dict[int, int]:
    async with db.read_session() as session:
        return {h.user_id: h.max_chats for h in await session.scalars(select(QueueHelper))}


def test_helper_limits(env: Env) -> None:
    """Limits are set for members; a bad value or an outsider changes nothing."""
    vol1, vol2, outsider = env.ids["vol1"], env.ids["vol2"], env.ids["other1"]
    ok = env.post(f"{BASE}/helpers", {f"limit-{vol1}": "4", f"limit-{vol2}": "1"})
    assert ok.status_code == 303
    assert env.read(_limits) == {vol1: 4, vol2: 1}
    bad = env.post(f"{BASE}/helpers", {f"limit-{vol1}": "3", f"limit-{vol2}": "11"})
    assert bad.status_code == 400 and f'id="limit-{vol2}-error"' in bad.text
    foreign = env.post(f"{BASE}/helpers", {f"limit-{vol1}": "3", f"limit-{outsider}": "2"})
    assert foreign.status_code == 404
    assert env.read(_limits) == {vol1: 4, vol2: 1}
