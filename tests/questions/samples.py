"""Questions in each staff-visible state, for tests that walk the staff pages (the
accessibility route table, screenshots). Uses the demo organisations and staff."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from kuulolla.accounts.models import Organisation, StaffUser
from kuulolla.core.db import Database
from kuulolla.questions import asking, asking_rules, workflow
from kuulolla.questions.logic import Actor, Role


async def _user(db: Database, username: str) -> int:
    async with db.read_session() as session:
        found = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    assert found is not None, username
    return int(found)


async def staff_question_samples(db: Database, *, now: datetime) -> dict[str, str]:
    """A new question with masked personal data (overdue), one with a volunteer's
    draft and one in review, all for "arjen-tuki"; returns their ids as samples
    ``new_question``, ``draft_question`` and ``review_question``."""
    async with db.read_session() as session:
        org = await session.scalar(select(Organisation.id).where(Organisation.slug == "arjen-tuki"))
    assert org is not None
    pro = Actor(await _user(db, "ammattilainen.arki"), Role.PROFESSIONAL, org)
    volunteer = Actor(await _user(db, "vapaaehtoinen.arki"), Role.VOLUNTEER, org)

    async def ask(title: str, body: str, *, days_ago: int = 0) -> int:
        checked = asking_rules.check_ask(
            title=title,
            body=body,
            category="parenting",
            language="fi",
            age_group="30-44",
            gender="woman",
            visibility="public",
            consent=True,
        )
        receipt = await asking.do_ask(
            db, ask=checked, deadline_days=10, now=now - timedelta(days=days_ago)
        )
        return receipt.question_id

    new = await ask(
        "Nuoren iltamyöhäiset",
        "Viisitoistavuotias tulee kotiin yhä myöhemmin eikä vastaa puhelimeen. "
        "Miten saisin hänet kertomaan, missä on? Soita minulle 040 765 4321.",
        days_ago=20,
    )
    drafted = await ask(
        "Sisarusten riidat",
        "Lapseni riitelevät joka päivä, ja kotona on jatkuvasti huutoa. Mitä voisin tehdä?",
    )
    await workflow.do_accept(db, question_id=drafted, actor=pro, default_days=10, now=now)
    await workflow.do_save_draft(
        db,
        question_id=drafted,
        actor=volunteer,
        text="Sisarusten riidat ovat tavallisia. Sopikaa yhdessä kodin säännöistä.",
        tags=["sisarukset", "riidat"],
        now=now,
    )
    review = await ask(
        "Väsynyt äiti",
        "Olen niin väsynyt, etten jaksa leikkiä lasteni kanssa. Olenko huono äiti?",
    )
    await workflow.do_accept(db, question_id=review, actor=pro, default_days=10, now=now)
    await workflow.do_save_draft(
        db,
        question_id=review,
        actor=volunteer,
        text="Et ole huono äiti. Väsymys kertoo, että tarvitset lepoa ja apua.",
        now=now,
    )
    await workflow.do_submit_for_review(db, question_id=review, actor=volunteer, now=now)
    return {
        "new_question": str(new),
        "draft_question": str(drafted),
        "review_question": str(review),
    }
