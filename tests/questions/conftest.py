"""Fixtures for the archive: organisations, staff actors and a helper that takes a
question through the workflow."""

from __future__ import annotations

from dataclasses import dataclass

import pytest_asyncio

from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.questions import asking, asking_rules, logic, staff, workflow
from kuulolla.questions.logic import Actor, Role
from tests.accounts.conftest import env  # noqa: F401 (the staff pages' fixture)
from tests.helpers import NOW


@dataclass(frozen=True)
class Orgs:
    a: int
    b: int


@pytest_asyncio.fixture
async def orgs(db: Database) -> Orgs:
    a = await do_create_organisation(db, slug="arjen-tuki", name="Arjen Tuki ry", now=NOW)
    b = await do_create_organisation(db, slug="nuorten-kanava", name="Nuorten Kanava ry", now=NOW)
    return Orgs(a, b)


def coordinator(org: int, user: int = 1) -> Actor:
    return Actor(user_id=user, role=Role.COORDINATOR, organisation_id=org)


def professional(org: int, user: int = 2) -> Actor:
    return Actor(user_id=user, role=Role.PROFESSIONAL, organisation_id=org)


def volunteer(org: int, user: int = 3) -> Actor:
    return Actor(user_id=user, role=Role.VOLUNTEER, organisation_id=org)


SIGNATURE = staff.Answerer("Sari, sosiaalityöntekijä", "Asiantuntija", "Arjen Tuki ry")


async def ask(
    db: Database,
    body: str = "Riitelemme puolisoni kanssa joka ilta. Miten parisuhteessa voi oppia riitelemään reilusti?",
    *,
    title: str = "",
    category: str = "relationships",
    visibility: str = "public",
    consent: bool = True,
    language: str = "fi",
) -> asking.AskReceipt:
    checked = asking_rules.check_ask(
        title=title,
        body=body,
        category=category,
        language=language,
        visibility=visibility,
        consent=consent,
    )
    return await asking.do_ask(db, ask=checked, deadline_days=10, now=NOW)


async def answer_and_publish(
    db: Database,
    question_id: int,
    org: int,
    text: str = "Riidat kuuluvat parisuhteeseen. Sopikaa aikalisästä.",
    tags: tuple[str, ...] = (),
) -> logic.State:
    actor = coordinator(org)
    await workflow.do_accept(db, question_id=question_id, actor=actor, default_days=10, now=NOW)
    await workflow.do_save_draft(
        db, question_id=question_id, actor=actor, text=text, tags=tags, now=NOW
    )
    return await workflow.do_publish(
        db, question_id=question_id, actor=actor, answerer=SIGNATURE, now=NOW
    )
