"""Privacy pages: retention settings, the privacy notice, notes for visitors and a
visitor's "delete my question now"."""

from __future__ import annotations

import pytest

from kuulolla.privacy import service
from tests.accounts.conftest import Env, post, sign_in
from tests.accounts.helpers import csrf_from
from tests.helpers import NOW


def periods(env: Env, org: str | None) -> dict[str, int]:
    org_id = None if org is None else env.world.orgs[org]

    async def work(db):  # type: ignore[no-untyped-def]
        return await service.get_periods(db, organisation_id=org_id)

    return env.db(work)  # type: ignore[no-any-return]


def test_a_coordinator_sets_the_organisations_periods(env: Env) -> None:
    """A coordinator saves new periods for their own organisation only."""
    sign_in(env.client, "coordinator-alfa")
    page = env.client.get("/orgs/alfa/retention")
    assert page.status_code == 200 and 'name="room_messages"' in page.text
    response = post(
        env.client,
        "/orgs/alfa/retention",
        {"room_messages": "7", "unpublished_questions": "60"},
        page="/orgs/alfa/retention",
    )
    assert response.status_code == 303
    assert periods(env, "alfa")["room_messages"] == 7
    assert periods(env, "alfa")["unpublished_questions"] == 60
    assert periods(env, "beeta")["room_messages"] == 30


@pytest.mark.parametrize("bad", ["0", "nolla", "-1", "99999", "<b>7</b>"])
def test_an_invalid_period_is_refused_and_changes_nothing(env: Env, bad: str) -> None:
    """An invalid value gets a translated error next to its field and nothing is saved,
    not even the valid values of the same form."""
    sign_in(env.client, "coordinator-alfa")
    response = post(
        env.client,
        "/orgs/alfa/retention",
        {"room_messages": "5", "audit_events": bad},
        page="/orgs/alfa/retention",
    )
    assert response.status_code == 400
    assert "Säilytysajan on oltava kokonainen määrä päiviä" in response.text
    assert 'id="f-audit_events-error"' in response.text
    assert periods(env, "alfa")["room_messages"] == 30


def test_an_admin_sets_platform_defaults(env: Env) -> None:
    """Platform defaults apply to organisations without a period of their own."""
    sign_in(env.client, "admin")
    response = post(
        env.client, "/admin/retention", {"room_messages": "14"}, page="/admin/retention"
    )
    assert response.status_code == 303
    assert periods(env, "beeta")["room_messages"] == 14


@pytest.mark.parametrize(
    ("lang", "heading", "label"),
    [
        ("fi", "Tietosuojaseloste", "Ryhmähuoneiden viestit"),
        ("sv", "Dataskyddsbeskrivning", "Meddelanden i grupprum"),
        ("en", "Privacy notice", "Group room messages"),
    ],
)
def test_the_privacy_notice_follows_the_settings(
    env: Env, lang: str, heading: str, label: str
) -> None:
    """The notice lists every data kind with the period in force, in the page's language,
    and names organisations whose periods differ."""

    async def shorten(db):  # type: ignore[no-untyped-def]
        await service.do_set_period(
            db, organisation_id=env.world.orgs["beeta"], kind="room_messages", days=3, now=NOW
        )

    env.db(shorten)
    page = env.client.get(f"/privacy?lang={lang}")
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text
    assert label in page.text
    assert {"fi": "30 päivää", "sv": "30 dagar", "en": "30 days"}[lang] in page.text
    assert {"fi": "3 päivää", "sv": "3 dagar", "en": "3 days"}[lang] in page.text


def test_the_privacy_notice_lists_the_one_to_one_chat_records(env: Env) -> None:
    """The notice names each record of a one-to-one chat with its period, including an
    organisation's own shorter period for helpers' notes."""

    async def shorten(db):  # type: ignore[no-untyped-def]
        await service.do_set_period(
            db, organisation_id=env.world.orgs["alfa"], kind="queue_notes", days=9, now=NOW
        )

    env.db(shorten)
    page = env.client.get("/privacy?lang=fi").text
    for label in (
        "Kahdenkeskisten keskustelujen viestit",
        "Kahdenkeskisen chatin jonotukset",
        "Auttajien muistiinpanot kahdenkeskisistä chateista",
        "Palaute kahdenkeskisten chattien jälkeen",
    ):
        assert label in page
    assert "Auttajien muistiinpanot kahdenkeskisistä chateista 9 päivää" in page
    assert "1 vuosi" in page  # feedback's default


def test_the_room_page_tells_how_long_messages_are_kept(env: Env) -> None:
    """A room page states its organisation's period for messages in plain words."""
    page = env.client.get(f"/rooms/{env.world.rooms['alfa']}?lang=en")
    assert "Messages in this room are kept for 30 days" in page.text
    assert 'href="/privacy"' in page.text


def test_the_ask_page_tells_how_long_questions_are_kept(env: Env) -> None:
    """The ask page states how long an unpublished question is kept."""
    page = env.client.get("/questions/ask?lang=en")
    assert "deleted for good with its answer 3 months after" in page.text


def test_the_asker_deletes_their_question_at_once(env: Env) -> None:
    """With the claim code the asker deletes the question; the code then opens nothing."""
    from tests.questions.conftest import ask

    receipt = env.db(lambda db: ask(db, body="Kanarialintu kysyy jotain aivan omaa tänään."))
    form = env.client.get("/questions/claim")
    code = {"csrf_token": csrf_from(form.text), "code": receipt.claim_code}
    claim = env.client.post("/questions/claim", data=code)
    assert claim.status_code == 200
    assert "Delete" in env.client.post("/questions/claim?lang=en", data=code).text
    response = env.client.post(
        "/questions/claim/delete",
        data={"csrf_token": csrf_from(claim.text), "code": receipt.claim_code},
        follow_redirects=False,
    )
    assert response.status_code == 200
    assert env.client.post("/questions/claim", data=code).status_code == 404

    async def left(db):  # type: ignore[no-untyped-def]
        from sqlalchemy import func, select

        from kuulolla.questions.models import Question

        async with db.read() as conn:
            return (await conn.execute(select(func.count()).select_from(Question))).scalar_one()

    assert env.db(left) == 0


def test_deleting_with_a_wrong_code_changes_nothing(env: Env) -> None:
    """A wrong claim code gets the claim page's not-found error."""
    page = env.client.get("/questions/claim")
    response = env.client.post(
        "/questions/claim/delete",
        data={
            "csrf_token": csrf_from(page.text),
            "code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
        },
    )
    assert response.status_code == 404
