"""The archive's services against real SQLite and PostgreSQL: asking, claim codes,
consent, the workflow, votes and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text

from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Forbidden, NotFound
from kuulolla.core.ids import token_key
from kuulolla.questions import asking, claim_codes, logic, reading, staff, votes, workflow
from kuulolla.questions.logic import Refusal, State
from kuulolla.questions.models import Question, QuestionSearch
from tests.helpers import NOW
from tests.questions.conftest import (
    SIGNATURE,
    Orgs,
    answer_and_publish,
    ask,
    coordinator,
    professional,
    volunteer,
)

pytestmark = pytest.mark.asyncio


async def test_asking_masks_personal_data_and_gives_a_claim_code(db: Database, orgs: Orgs) -> None:
    """The stored question is masked, and only the claim code opens it."""
    receipt = await ask(
        db, "Voiko joku soittaa minulle numeroon 040 123 4567 tai maija@example.fi? Olen yksin."
    )
    assert receipt.masked == ("email", "phone")
    view = await asking.get_claim_or_raise(db, code=receipt.claim_code)
    assert view.state is State.RECEIVED
    assert "040" not in view.body and "maija@" not in view.body
    async with db.read_session() as session:
        stored = await session.scalar(select(Question.body))
        keys = await session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.claim_key == receipt.claim_code.encode())
        )
    assert stored is not None and "040 123" not in stored
    assert keys == 0  # the code itself is not stored


async def test_wrong_codes_open_nothing(db: Database, orgs: Orgs) -> None:
    """Another code, a truncated code and garbage all give the same not-found error."""
    receipt = await ask(db)
    other = claim_codes.new_claim_code()
    for code in (other, receipt.claim_code[:-1], "x" * 39, ""):
        with pytest.raises(NotFound) as info:
            await asking.get_claim_or_raise(db, code=code)
        assert info.value.code == "claim_not_found"


async def test_private_answer_is_readable_only_through_the_claim_code(
    db: Database, orgs: Orgs
) -> None:
    """A private answer is nowhere in the archive or search, but the asker sees it."""
    receipt = await ask(
        db,
        "Parisuhteessa on vaikeaa, koska puoliso ei puhu minulle koskaan.",
        visibility="private",
        consent=True,
    )
    state = await answer_and_publish(
        db, receipt.question_id, orgs.a, text="Yksityinen vastaus parisuhteesta."
    )
    assert state is State.ANSWERED_PRIVATE
    view = await asking.get_claim_or_raise(db, code=receipt.claim_code)
    assert view.answer is not None and view.answer.body == "Yksityinen vastaus parisuhteesta."
    assert view.answer.answerer_organisation == "Arjen Tuki ry"
    with pytest.raises(NotFound):
        await reading.get_published_or_raise(db, question_id=receipt.question_id)
    items, _ = await reading.list_published(db)
    assert items == []
    page = await reading.do_search(db, query="parisuhde")
    assert page.results == []
    assert not await reading.similar(db, text="parisuhteessa vaikeaa")


async def test_nothing_is_published_without_consent(db: Database, orgs: Orgs) -> None:
    """Even if a row said public without consent, publishing answers privately."""
    receipt = await ask(db, visibility="private", consent=False)
    async with db.session() as session:
        q = await session.get(Question, receipt.question_id)
        assert q is not None
        q.wants_public = True  # consent still False
    state = await answer_and_publish(db, receipt.question_id, orgs.a)
    assert state is State.ANSWERED_PRIVATE
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(QuestionSearch)) == 0


async def test_publish_search_and_withdraw(db: Database, orgs: Orgs) -> None:
    """A published answer is found by an inflected word until the asker withdraws consent."""
    receipt = await ask(db)
    assert (
        await answer_and_publish(db, receipt.question_id, orgs.a, tags=("riidat",))
        is State.PUBLISHED
    )
    published = await reading.get_published_or_raise(db, question_id=receipt.question_id)
    assert published.answer.answerer_name == SIGNATURE.display_name
    assert published.tags == ("riidat",)
    for query in ("parisuhde", "parisuhteesta", "riitely parisuhteissa"):
        page = await reading.do_search(db, query=query)
        assert [r.id for r in page.results] == [receipt.question_id], query
    page = await reading.do_search(db, query="parisuhteesta")
    assert "<mark>parisuhteessa</mark>" in page.results[0].snippet
    view = await asking.do_withdraw_consent(db, code=receipt.claim_code, now=NOW)
    assert view.state is State.ANSWERED_PRIVATE and view.answer is not None
    assert (await reading.do_search(db, query="parisuhde")).results == []
    with pytest.raises(NotFound):
        await reading.get_published_or_raise(db, question_id=receipt.question_id)


async def test_one_vote_per_visitor(db: Database, orgs: Orgs) -> None:
    """A visitor's second vote on the same answer is refused; another visitor's counts."""
    receipt = await ask(db)
    await answer_and_publish(db, receipt.question_id, orgs.a)
    alice, bob = token_key("alice-token"), token_key("bob-token")
    assert await votes.do_vote(db, question_id=receipt.question_id, voter_key=alice, helpful=True)
    assert not await votes.do_vote(
        db, question_id=receipt.question_id, voter_key=alice, helpful=False
    )
    assert await votes.do_vote(db, question_id=receipt.question_id, voter_key=bob, helpful=False)
    published = await reading.get_published_or_raise(db, question_id=receipt.question_id)
    assert (published.helpful, published.not_helpful) == (1, 1)
    assert await votes.has_voted(db, question_id=receipt.question_id, voter_key=alice)


async def test_most_helpful_order_follows_the_votes(db: Database, orgs: Orgs) -> None:
    """Three helpful votes of three rank above one of one, and both above none; the
    newest order is by publishing."""
    receipts = []
    for n in range(3):
        receipts.append(await ask(db, f"Kysymys numero {n} parisuhteen riidoista ja sopimisesta."))
    plain, liked, loved = receipts
    for receipt in (plain, liked, loved):
        await answer_and_publish(db, receipt.question_id, orgs.a)
    await votes.do_vote(db, question_id=liked.question_id, voter_key=token_key("v0"), helpful=True)
    for n in range(3):
        await votes.do_vote(
            db, question_id=loved.question_id, voter_key=token_key(f"v{n}"), helpful=True
        )
    items, _ = await reading.list_published(db, order="helpful")
    assert [i.id for i in items] == [loved.question_id, liked.question_id, plain.question_id]


async def test_votes_only_on_published_answers(db: Database, orgs: Orgs) -> None:
    """Unanswered or private questions cannot be voted on."""
    receipt = await ask(db)
    with pytest.raises(NotFound):
        await votes.do_vote(
            db, question_id=receipt.question_id, voter_key=token_key("x"), helpful=True
        )


async def test_review_needs_a_second_person(db: Database, orgs: Orgs) -> None:
    """With review on, the drafter submits and someone else publishes."""
    lead = coordinator(orgs.a, user=1)
    await staff.do_set_settings(
        db, actor=lead, organisation_id=orgs.a, deadline_working_days=5, review_required=True
    )
    receipt = await ask(db)
    writer = volunteer(orgs.a, user=7)
    reviewer = professional(orgs.a, user=8)
    await workflow.do_accept(
        db, question_id=receipt.question_id, actor=reviewer, default_days=10, now=NOW
    )
    await workflow.do_save_draft(
        db, question_id=receipt.question_id, actor=writer, text="Luonnos", now=NOW
    )
    with pytest.raises(Forbidden):
        await workflow.do_publish(
            db, question_id=receipt.question_id, actor=reviewer, answerer=SIGNATURE, now=NOW
        )
    await workflow.do_submit_for_review(db, question_id=receipt.question_id, actor=writer, now=NOW)
    await workflow.do_return_draft(
        db,
        question_id=receipt.question_id,
        actor=reviewer,
        note="Lisää vinkki aikalisästä.",
        now=NOW,
    )
    seen = await staff.access_question(db, question_id=receipt.question_id, actor=writer, now=NOW)
    assert seen.state is State.DRAFTED and seen.review_note == "Lisää vinkki aikalisästä."
    await workflow.do_save_draft(
        db, question_id=receipt.question_id, actor=writer, text="Parempi luonnos", now=NOW
    )
    await workflow.do_submit_for_review(db, question_id=receipt.question_id, actor=writer, now=NOW)
    assert (
        await workflow.do_publish(
            db, question_id=receipt.question_id, actor=reviewer, answerer=SIGNATURE, now=NOW
        )
        is State.PUBLISHED
    )
    history = await staff.get_history(db, question_id=receipt.question_id, actor=lead)
    assert [e.action for e in history] == [
        "ask",
        "accept",
        "draft",
        "submit",
        "return",
        "draft",
        "submit",
        "publish",
    ]
    assert [e.actor_user_id for e in history][-1] == 8


async def test_refusals_reach_the_asker(db: Database, orgs: Orgs) -> None:
    """A duplicate refusal links the published answer; a crisis refusal says crisis."""
    first = await ask(db)
    await answer_and_publish(db, first.question_id, orgs.a)
    second = await ask(db, "Riitelemme paljon puolison kanssa, mitä teen?")
    third = await ask(db, "En jaksa enää elää, kaikki on turhaa ja haluan kuolla.")
    lead = coordinator(orgs.a)
    with pytest.raises(BadRequest):
        await workflow.do_refuse(
            db,
            question_id=second.question_id,
            actor=lead,
            reason=Refusal.DUPLICATE,
            duplicate_of=third.question_id,
            now=NOW,
        )
    await workflow.do_refuse(
        db,
        question_id=second.question_id,
        actor=lead,
        reason=Refusal.DUPLICATE,
        duplicate_of=first.question_id,
        now=NOW,
    )
    await workflow.do_refuse(
        db, question_id=third.question_id, actor=lead, reason=Refusal.CRISIS, now=NOW
    )
    dup = await asking.get_claim_or_raise(db, code=second.claim_code)
    assert dup.state is State.REFUSED and dup.refusal == "duplicate"
    assert dup.duplicate is not None and dup.duplicate.id == first.question_id
    crisis = await asking.get_claim_or_raise(db, code=third.claim_code)
    assert crisis.refusal == "crisis" and crisis.answer is None


async def test_routing_to_a_named_expert_and_deadline(db: Database, orgs: Orgs) -> None:
    """Routing moves the question to the organisation, whose deadline setting applies;
    a named expert drafts it, others of the organisation may not, other organisations see nothing.
    The expert must be a member of the receiving organisation."""
    from tests.accounts.helpers import add_person

    expert = await add_person(db, "asiantuntija-b", org_id=orgs.b, role="professional")
    outsider = await add_person(db, "asiantuntija-a", org_id=orgs.a, role="professional")
    await staff.do_set_settings(
        db,
        actor=coordinator(orgs.b, user=20),
        organisation_id=orgs.b,
        deadline_working_days=3,
        review_required=False,
    )
    receipt = await ask(db)
    await workflow.do_accept(
        db, question_id=receipt.question_id, actor=coordinator(orgs.a), default_days=10, now=NOW
    )
    with pytest.raises(BadRequest):
        await workflow.do_route(
            db,
            question_id=receipt.question_id,
            actor=coordinator(orgs.a),
            organisation_id=orgs.b,
            assignee_user_id=outsider,
            default_days=10,
            now=NOW,
        )
    await workflow.do_route(
        db,
        question_id=receipt.question_id,
        actor=coordinator(orgs.a),
        organisation_id=orgs.b,
        assignee_user_id=expert,
        default_days=10,
        now=NOW,
    )
    seen = await staff.access_question(
        db, question_id=receipt.question_id, actor=coordinator(orgs.b, user=20), now=NOW
    )
    assert seen.state is State.ROUTED and seen.assignee_user_id == expert
    # 15 Jan 2026 (Thu) + 3 working days: Tue 20 Jan, ending at local midnight.
    assert seen.deadline_at == logic.deadline(NOW, 3)
    with pytest.raises(Forbidden):
        await workflow.do_save_draft(
            db,
            question_id=receipt.question_id,
            actor=professional(orgs.b, user=expert + 100),
            text="x",
            now=NOW,
        )
    await workflow.do_save_draft(
        db,
        question_id=receipt.question_id,
        actor=professional(orgs.b, user=expert),
        text="Vastaus",
        now=NOW,
    )
    with pytest.raises(NotFound):
        await staff.access_question(
            db, question_id=receipt.question_id, actor=coordinator(orgs.a), now=NOW
        )


async def test_queue_shows_overdue_first(db: Database, orgs: Orgs) -> None:
    """The queue lists open questions by deadline and flags the overdue ones."""
    from datetime import timedelta

    old = await ask(db, "Vanha kysymys, johon ei ole vielä vastattu lainkaan.")
    async with db.session() as session:
        q = await session.get(Question, old.question_id)
        assert q is not None
        q.deadline_at = NOW - timedelta(days=1)
    new = await ask(db, "Uusi kysymys, jolla on vielä aikaa vastaukseen.")
    queue = await staff.list_queue(db, actor=coordinator(orgs.a), now=NOW)
    assert [(i.id, i.overdue) for i in queue] == [(old.question_id, True), (new.question_id, False)]
    assert queue[1].working_days_left == 10
    # A volunteer sees only their organisation's questions, not the unrouted triage pile.
    assert await staff.list_queue(db, actor=volunteer(orgs.a), now=NOW) == []


async def test_redaction_audit_keeps_no_removed_text(db: Database, orgs: Orgs) -> None:
    """Redacting records where text changed and with what, never what was removed."""
    receipt = await ask(
        db, "Asun Kuopiossa ja käyn Kalliorinteen koulua. Minua kiusataan joka päivä."
    )
    lead = coordinator(orgs.a)
    await workflow.do_accept(
        db, question_id=receipt.question_id, actor=lead, default_days=10, now=NOW
    )
    changes = await workflow.do_redact(
        db,
        question_id=receipt.question_id,
        actor=lead,
        title="Kiusaaminen koulussa",
        body="Asun [paikkakunta] ja käyn [koulu]. Minua kiusataan joka päivä.",
        now=NOW,
    )
    assert changes
    history = await staff.get_history(db, question_id=receipt.question_id, actor=lead)
    redaction = history[-1]
    assert redaction.action == "redact" and redaction.actor_user_id == lead.user_id
    async with db.read_session() as session:
        stored = " ".join(await session.scalars(text("SELECT detail FROM question_events")))
        body = await session.scalar(select(Question.body))
    assert "Kuopio" not in stored and "Kalliorinte" not in stored and "[koulu]" in stored
    assert body == "Asun [paikkakunta] ja käyn [koulu]. Minua kiusataan joka päivä."
    view = await asking.get_claim_or_raise(db, code=receipt.claim_code)
    assert view.title == "Kiusaaminen koulussa"


async def test_deleting_a_question_empties_the_index(db: Database, orgs: Orgs) -> None:
    """Deleting a question (retention) removes it from the full-text index too."""
    receipt = await ask(db)
    await answer_and_publish(db, receipt.question_id, orgs.a)
    assert (await reading.do_search(db, query="parisuhde")).results
    async with db.session() as session:
        await session.execute(delete(Question).where(Question.id == receipt.question_id))
    assert (await reading.do_search(db, query="parisuhde")).results == []
    if db.is_sqlite:
        async with db.read() as conn:
            n = await conn.scalar(
                text("SELECT count(*) FROM question_fts WHERE question_fts MATCH 'parisuhde'")
            )
        assert n == 0


async def test_purge_deletes_unpublished_questions_for_real(db: Database, orgs: Orgs) -> None:
    """Refused and private questions past retention are gone, with their trail; published stay."""
    from datetime import timedelta

    from kuulolla.questions.models import Answer, QuestionEvent
    from kuulolla.questions.retention import do_purge_unpublished

    public = await ask(db)
    await answer_and_publish(db, public.question_id, orgs.a)
    private = await ask(db, visibility="private", consent=False)
    await answer_and_publish(db, private.question_id, orgs.a)
    refused = await ask(db, "Kysymys, joka ei kuulu palvelun aiheisiin lainkaan.")
    await workflow.do_refuse(
        db,
        question_id=refused.question_id,
        actor=coordinator(orgs.a),
        reason=Refusal.OUT_OF_SCOPE,
        now=NOW,
    )
    waiting = await ask(db, "Kysymys, joka odottaa vielä vastaustaan pitkään.")
    assert await do_purge_unpublished(db, before=NOW) == 0  # not old enough yet
    assert await do_purge_unpublished(db, before=NOW + timedelta(days=1)) == 2
    for gone in (private, refused):
        with pytest.raises(NotFound):
            await asking.get_claim_or_raise(db, code=gone.claim_code)
    for kept in (public, waiting):
        await asking.get_claim_or_raise(db, code=kept.claim_code)
    async with db.read_session() as session:
        answers = await session.scalar(select(func.count()).select_from(Answer))
        events = set(await session.scalars(select(QuestionEvent.question_id)))
    assert answers == 1
    assert events == {public.question_id, waiting.question_id}
