"""The staff pages of the archive over HTTP (SQLite, the two-organisation world):
the inbox with deadlines, triage, routing, settings, answering, redaction, review and
publishing, each as the signed-in people of the organisations."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kuulolla.questions import asking, asking_rules, logic
from kuulolla.questions.models import Question, QuestionEvent
from tests.accounts.conftest import Browser, Env, sign_in
from tests.accounts.helpers import csrf_from
from tests.helpers import NOW

QUESTION = (
    "Riitelemme puolisoni kanssa joka ilta. Miten parisuhteessa voi oppia riitelemään "
    "reilusti? Olen Matti Virtanen Kuopiosta, soita 040 123 4567."
)
ANSWER = "Riidat kuuluvat parisuhteeseen. Sopikaa aikalisästä ja palatkaa asiaan huomenna."


def open_claim(env: Env, code: str) -> str:
    """The asker's page for ``code``, opened as the claim form sends it (a POST)."""
    browser = env.browser()
    token = csrf_from(browser.get("/questions/claim").text)
    return str(browser.post("/questions/claim", data={"csrf_token": token, "code": code}).text)


def ask(
    env: Env,
    body: str = QUESTION,
    *,
    visibility: str = "public",
    consent: bool = True,
    days_ago: int = 0,
    title: str = "Riidat parisuhteessa",
) -> asking.AskReceipt:
    checked = asking_rules.check_ask(
        title=title,
        body=body,
        category="relationships",
        language="fi",
        visibility=visibility,
        consent=consent,
    )

    async def work(db: Any) -> asking.AskReceipt:
        return await asking.do_ask(
            db, ask=checked, deadline_days=10, now=NOW - timedelta(days=days_ago)
        )

    return env.db(work)  # type: ignore[no-any-return]


def staff(env: Env, username: str) -> Browser:
    browser = env.browser()
    assert sign_in(browser, username).status_code == 303
    return browser


def act(browser: Browser, path: str, data: dict[str, str] | None = None, page: str = "") -> Any:
    """Post a form of ``page`` (default: the question page the action belongs to)."""
    html = browser.get(page or path.rsplit("/", 1)[0]).text
    return browser.post(path, data={"csrf_token": csrf_from(html), **(data or {})})


def question_row(env: Env, question_id: int) -> Question:
    async def work(db: Any) -> Question:
        async with db.read_session() as session:
            found = await session.get(Question, question_id)
            assert found is not None
            return found

    return env.db(work)  # type: ignore[no-any-return]


def events(env: Env, question_id: int) -> list[QuestionEvent]:
    async def work(db: Any) -> list[QuestionEvent]:
        async with db.read_session() as session:
            rows = await session.scalars(
                select(QuestionEvent)
                .where(QuestionEvent.question_id == question_id)
                .order_by(QuestionEvent.id)
            )
            return list(rows)

    return env.db(work)  # type: ignore[no-any-return]


A = "/orgs/alfa/questions"
B = "/orgs/beeta/questions"


# ------------------------------------------------------------------ inbox


def test_inbox_orders_by_deadline_and_marks_overdue_questions(env: Env) -> None:
    """New questions are in every triage's inbox, nearest deadline first; overdue ones
    say so in words and carry the overdue row style."""
    fresh = ask(env, title="Tuore kysymys")
    old = ask(env, title="Vanha kysymys", days_ago=30)
    page = staff(env, "professional-alfa").get(A)
    assert page.status_code == 200
    text = page.text
    assert text.index("Vanha kysymys") < text.index("Tuore kysymys")
    row = re.search(r'<tr class="is-overdue">.*?</tr>', text, re.S)
    assert row and f"{A}/{old.question_id}" in row.group(0) and "Myöhässä" in row.group(0)
    assert f"{A}/{fresh.question_id}" in text
    assert "Avoimia kysymyksiä: 2." in text and "Myöhässä: 1." in text
    # A volunteer answers what is routed to their organisation, and does no triage.
    volunteer = staff(env, "volunteer-alfa").get(A)
    assert volunteer.status_code == 200 and "Tuore kysymys" not in volunteer.text


def test_staff_read_only_the_masked_text(env: Env) -> None:
    """The phone number the asker wrote never reaches a staff page."""
    receipt = ask(env)
    page = staff(env, "professional-alfa").get(f"{A}/{receipt.question_id}")
    assert page.status_code == 200
    assert "040 123 4567" not in page.text and "[…]" in page.text
    assert "puhelinnumerot" in page.text


# ------------------------------------------------------------------ triage


def test_accepting_takes_the_question_for_the_organisation(env: Env) -> None:
    """Accept moves the question to the organisation, which beeta then cannot see."""
    receipt = ask(env)
    qid = receipt.question_id
    pro = staff(env, "professional-alfa")
    response = act(pro, f"{A}/{qid}/accept")
    assert (
        response.status_code == 303 and response.headers["location"] == f"{A}/{qid}?done=accepted"
    )
    row = question_row(env, qid)
    assert row.state == "accepted" and row.organisation_id == env.world.orgs["alfa"]
    assert "Kysymys on otettu vastattavaksi." in pro.get(f"{A}/{qid}?done=accepted").text
    beeta = staff(env, "professional-beeta")
    assert beeta.get(f"{B}/{qid}").status_code == 404
    assert f"{B}/{qid}" not in beeta.get(B).text
    # Through alfa's pages, another organisation's people are refused before anything.
    assert beeta.get(f"{A}/{qid}").status_code == 403


def test_volunteers_cannot_triage(env: Env) -> None:
    """A volunteer's accept is refused and changes nothing."""
    receipt = ask(env)
    volunteer = staff(env, "volunteer-alfa")
    html = volunteer.get(A).text
    response = volunteer.post(
        f"{A}/{receipt.question_id}/accept", data={"csrf_token": csrf_from(html)}
    )
    assert response.status_code == 403
    assert question_row(env, receipt.question_id).state == "received"


def test_crisis_refusal_shows_the_asker_crisis_help(env: Env) -> None:
    """A crisis refusal reaches the asker with the crisis numbers at once."""
    receipt = ask(env)
    pro = staff(env, "professional-alfa")
    response = act(pro, f"{A}/{receipt.question_id}/refuse", {"reason": "crisis"})
    assert response.status_code == 303
    claim = open_claim(env, receipt.claim_code)
    assert "Kysymystäsi ei otettu vastattavaksi." in claim
    assert "112" in claim and "09 2525 0111" in claim


def test_duplicate_refusal_needs_a_published_answer(env: Env) -> None:
    """A duplicate must name a published answer; then the asker gets a link to it."""
    first = ask(env, title="Ensimmäinen")
    second = ask(env, title="Toinen")
    pro = staff(env, "professional-alfa")
    bad = act(pro, f"{A}/{second.question_id}/refuse", {"reason": "duplicate", "duplicate_of": ""})
    assert bad.status_code == 400
    assert "Samasta aiheesta kertovan kysymyksen on oltava julkaistu kysymys." in bad.text
    assert question_row(env, second.question_id).state == "received"
    # Publish the first, then refuse the second as its duplicate by its address.
    act(pro, f"{A}/{first.question_id}/accept")
    act(pro, f"{A}/{first.question_id}/draft", {"answer": ANSWER, "tags": ""})
    assert act(pro, f"{A}/{first.question_id}/publish").status_code == 303
    ok = act(
        pro,
        f"{A}/{second.question_id}/refuse",
        {
            "reason": "duplicate",
            "duplicate_of": f"https://testserver/questions/{first.question_id}",
        },
    )
    assert ok.status_code == 303
    claim = open_claim(env, second.claim_code)
    assert f'href="/questions/{first.question_id}"' in claim


def test_routing_to_another_organisations_expert(env: Env) -> None:
    """Routing needs the expert to belong to the chosen organisation; then the question
    moves to that organisation's inbox and leaves this one."""
    receipt = ask(env)
    qid = receipt.question_id
    pro = staff(env, "professional-alfa")
    act(pro, f"{A}/{qid}/accept")
    beeta_id = str(env.world.orgs["beeta"])
    wrong = act(
        pro,
        f"{A}/{qid}/route",
        {"organisation": beeta_id, "expert": str(env.world.users["volunteer-alfa"])},
    )
    assert wrong.status_code == 400 and "ei ole kyseisen järjestön aktiivinen jäsen" in wrong.text
    assert question_row(env, qid).organisation_id == env.world.orgs["alfa"]
    expert = env.world.users["professional-beeta"]
    moved = act(pro, f"{A}/{qid}/route", {"organisation": beeta_id, "expert": str(expert)})
    assert moved.status_code == 303 and moved.headers["location"] == f"{A}?done=routed"
    row = question_row(env, qid)
    assert (row.state, row.organisation_id, row.assignee_user_id) == (
        "routed",
        env.world.orgs["beeta"],
        expert,
    )
    assert pro.get(f"{A}/{qid}").status_code == 404
    beeta = staff(env, "volunteer-beeta").get(B).text
    assert f"{B}/{qid}" in beeta and "Professional beeta" in beeta


# ------------------------------------------------------------------ settings


def test_deadline_setting_applies_to_accepted_questions(env: Env) -> None:
    """A coordinator sets 3 working days; questions accepted after it get that deadline."""
    coordinator = staff(env, "coordinator-alfa")
    page = f"{A}/settings"
    bad = act(coordinator, page, {"deadline_working_days": "61"}, page=page)
    assert bad.status_code == 400 and "1–60 arkipäivää" in bad.text
    saved = act(coordinator, page, {"deadline_working_days": "3"}, page=page)
    assert saved.status_code == 303
    assert 'value="3"' in coordinator.get(page).text
    receipt = ask(env)
    act(coordinator, f"{A}/{receipt.question_id}/accept")
    deadline = question_row(env, receipt.question_id).deadline_at
    assert logic.due_day(deadline).isoformat() == "2026-01-20"  # Thu 15 + 3 working days
    # Professionals do not change the organisation's settings.
    pro = staff(env, "professional-alfa")
    assert pro.get(page).status_code == 403


# ------------------------------------------------------------------ answering


def test_draft_redact_and_publish_with_signature(env: Env) -> None:
    """A volunteer drafts and redacts, a professional publishes; the archive shows the
    answer signed with the drafter's name, role and organisation, and the audit trail
    records the redaction without the removed words."""
    receipt = ask(env)
    qid = receipt.question_id
    pro = staff(env, "professional-alfa")
    act(pro, f"{A}/{qid}/route", {"organisation": str(env.world.orgs["alfa"])}, page=f"{A}/{qid}")
    assert question_row(env, qid).state == "received"  # route needs accepting first
    act(pro, f"{A}/{qid}/accept")
    volunteer = staff(env, "volunteer-alfa")
    body = question_row(env, qid).body
    redacted = body.replace("Matti Virtanen Kuopiosta", "[nimi]")
    done = act(volunteer, f"{A}/{qid}/redact", {"title": "Riidat parisuhteessa", "body": redacted})
    assert done.status_code == 303
    drafted = act(volunteer, f"{A}/{qid}/draft", {"answer": ANSWER, "tags": "riidat, parisuhde"})
    assert drafted.status_code == 303
    page = volunteer.get(f"{A}/{qid}").text
    assert "Matti" not in page and "[nimi]" in page
    assert "Virtanen" not in "".join(e.detail for e in events(env, qid))
    published = act(pro, f"{A}/{qid}/publish")
    assert published.headers["location"] == f"{A}/{qid}?done=published"
    archive = env.browser().get(f"/questions/{qid}").text
    assert "Sopikaa aikalisästä" in archive
    assert "Volunteer alfa, Vapaaehtoinen, alfa ry" in archive
    assert "Matti" not in archive


def test_review_needs_a_second_person(env: Env) -> None:
    """With review required, the drafter sends for review and cannot approve; a second
    professional returns it with a note, then approves it."""
    coordinator = staff(env, "coordinator-alfa")
    act(
        coordinator,
        f"{A}/settings",
        {"deadline_working_days": "10", "review_required": "yes"},
        page=f"{A}/settings",
    )
    receipt = ask(env, visibility="private", consent=False)
    qid = receipt.question_id
    pro = staff(env, "professional-alfa")
    act(pro, f"{A}/{qid}/accept")
    act(pro, f"{A}/{qid}/draft", {"answer": ANSWER})
    page = pro.get(f"{A}/{qid}").text
    assert f"{A}/{qid}/publish" not in page
    refused = act(pro, f"{A}/{qid}/publish")
    assert refused.status_code == 403
    act(pro, f"{A}/{qid}/submit")
    assert question_row(env, qid).state == "in_review"
    assert act(pro, f"{A}/{qid}/publish").status_code == 403
    act(coordinator, f"{A}/{qid}/return", {"note": "Lisää vinkki aikalisästä."})
    assert question_row(env, qid).state == "drafted"
    assert "Lisää vinkki aikalisästä." in pro.get(f"{A}/{qid}").text
    act(pro, f"{A}/{qid}/submit")
    approved = act(coordinator, f"{A}/{qid}/publish")
    assert approved.headers["location"] == f"{A}/{qid}?done=answered"
    assert question_row(env, qid).state == "answered_private"
    # A private answer: the asker reads it with the code, the archive does not show it.
    assert env.browser().get(f"/questions/{qid}").status_code == 404
    claim = open_claim(env, receipt.claim_code)
    assert "Sopikaa aikalisästä" in claim


def test_bad_input_changes_nothing(env: Env) -> None:
    """An empty answer, a too long one and bad tags are refused with a message."""
    receipt = ask(env)
    qid = receipt.question_id
    pro = staff(env, "professional-alfa")
    act(pro, f"{A}/{qid}/accept")
    for data, message in (
        ({"answer": "   "}, "Kirjoita ensin vastaus."),
        ({"answer": "x" * 8001}, "Vastauksessa voi olla enintään 8000 merkkiä."),
        ({"answer": ANSWER, "tags": "<script>"}, "Tunniste on sana"),
    ):
        response = act(pro, f"{A}/{qid}/draft", data)
        assert response.status_code == 400 and message in response.text
        assert "<script>" not in response.text.split("<main", 1)[1].replace("&lt;script&gt;", "")
    assert question_row(env, qid).state == "accepted"


# ------------------------------------------------------------------ screening


def test_crisis_signs_put_the_question_first_with_the_crisis_refusal_offered(env: Env) -> None:
    """A question whose screening found crisis signs tops the inbox, and its page offers
    the crisis refusal (preselected) so the asker sees crisis help at once."""
    ask(env, title="Tavallinen", days_ago=5)
    crisis = ask(
        env,
        "Olen niin väsynyt kaikkeen. En halua enää elää, mietin itsemurhaa joka päivä.",
        title="Väsynyt",
    )
    assert question_row(env, crisis.question_id).crisis == "suicide"
    pro = staff(env, "professional-alfa")
    inbox = pro.get(A).text
    assert inbox.index("Väsynyt") < inbox.index("Tavallinen")
    assert "Kriisin merkkejä" in inbox
    page = pro.get(f"{A}/{crisis.question_id}").text
    assert "itsetuhoisia ajatuksia" in page
    assert re.search(r'id="reason-crisis"[^>]*checked', page)


def test_expert_picker_groups_by_organisation_and_role() -> None:
    """The question's organisation comes first, then the others by name; in each,
    professionals, coordinators, then volunteers, people by name."""
    from kuulolla.questions.experts import Expert
    from kuulolla.questions.staff_routes import expert_groups

    people = [
        Expert(1, "Ville", 2, "volunteer"),
        Expert(2, "Pia", 2, "professional"),
        Expert(3, "Aino", 1, "professional"),
        Expert(4, "Kaisa", 2, "coordinator"),
        Expert(5, "Anni", 2, "professional"),
        Expert(6, "Olli", 3, "volunteer"),
    ]
    names = {1: "Alfa ry", 2: "Beeta ry", 3: "Aakkoset ry"}
    groups = expert_groups(people, first=2, org_names=names, locale="fi")
    assert [(label, [p.display_name for p in group]) for label, group in groups] == [
        ("Beeta ry: ammattilaiset", ["Anni", "Pia"]),
        ("Beeta ry: koordinaattorit", ["Kaisa"]),
        ("Beeta ry: vapaaehtoiset", ["Ville"]),
        ("Aakkoset ry: vapaaehtoiset", ["Olli"]),
        ("Alfa ry: ammattilaiset", ["Aino"]),
    ]
