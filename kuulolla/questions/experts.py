"""Who answers in the archive: the staff a question can be routed to, staff members'
names for the inbox and the audit trail, and how an answer is signed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from kuulolla.accounts.models import Membership, Organisation, StaffUser
from kuulolla.accounts.permissions import ROLE_LABELS
from kuulolla.core import i18n
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.questions.models import Answer, Question
from kuulolla.questions.staff import NOT_FOUND, Answerer


@dataclass(frozen=True, slots=True)
class Expert:
    """A staff member a question can be routed to."""

    user_id: int
    display_name: str
    organisation_id: int
    role: str


async def list_experts(db: Database) -> list[Expert]:
    """Active staff of every organisation, for routing a question to a named person."""
    stmt = (
        select(StaffUser.id, StaffUser.display_name, Membership.organisation_id, Membership.role)
        .join(Membership, Membership.user_id == StaffUser.id)
        .where(StaffUser.active.is_(True))
        .order_by(Membership.organisation_id, StaffUser.display_key, StaffUser.id)
    )
    async with db.read_session() as session:
        return [Expert(*row) for row in await session.execute(stmt)]


async def staff_names(db: Database, *, user_ids: Sequence[int]) -> dict[int, str]:
    """Display names of staff members by id (for the inbox and the audit trail)."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    async with db.read_session() as session:
        rows = await session.execute(
            select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(ids))
        )
        return {user_id: name for user_id, name in rows}


async def get_answerer(
    db: Database, *, question_id: int, fallback_user_id: int, organisation_id: int
) -> Answerer:
    """How the answer will be signed: the drafter's display name, their role in the
    organisation (in the question's language) and the organisation's name."""
    async with db.read_session() as session:
        question = await session.get(Question, question_id)
        answer = await session.get(Answer, question_id)
        if question is None:
            raise NotFound(NOT_FOUND, code="question_not_found")
        user_id = (answer.drafter_user_id if answer else None) or fallback_user_id
        org_id = question.organisation_id or organisation_id
        user = await session.get(StaffUser, user_id)
        organisation = await session.get(Organisation, org_id)
        role = await session.scalar(
            select(Membership.role).where(
                Membership.user_id == user_id, Membership.organisation_id == org_id
            )
        )
    label = ROLE_LABELS.get(role or "", "")
    return Answerer(
        display_name=user.display_name if user else "",
        role_title=i18n.gettext(question.language, label) if label else "",
        organisation_name=organisation.name if organisation else "",
    )
