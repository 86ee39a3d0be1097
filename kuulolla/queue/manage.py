"""The coordinator's side of the queue: the organisation's topics, its canned
responses and its helpers' parallel-chat limits.

Forms are checked by queue/forms.py (pure); these functions store what passed. Every
object named by an id or slug is fetched with a check that it belongs to the
organisation, so one organisation's ids do nothing through another's addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from kuulolla.accounts.models import Membership, StaffUser
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue import forms
from kuulolla.queue.console import MAX_CHATS_LIMIT
from kuulolla.queue.models import CannedResponse, QueueHelper, QueueTopic
from kuulolla.queue.topics import TopicNotFound


class CannedNotFound(NotFound):
    code = "canned_not_found"
    default_message = N_("There is no such canned response.")


# ------------------------------------------------------------------ topics


async def access_topic(db: Database, *, organisation_id: int, slug: str) -> QueueTopic:
    """The organisation's topic ``slug`` (detached), or :class:`TopicNotFound`."""
    async with db.read_session() as session:
        topic = await session.scalar(
            select(QueueTopic).where(
                QueueTopic.slug == slug, QueueTopic.organisation_id == organisation_id
            )
        )
    if topic is None:
        raise TopicNotFound()
    return topic


def _apply(topic: QueueTopic, fields: forms.TopicFields) -> None:
    topic.name_fi = fields.names["fi"]
    topic.name_sv = fields.names.get("sv")
    topic.name_en = fields.names.get("en")
    topic.description_fi = fields.descriptions.get("fi", "")
    topic.description_sv = fields.descriptions.get("sv")
    topic.description_en = fields.descriptions.get("en")
    topic.consent_fi = fields.consents.get("fi", "")
    topic.consent_sv = fields.consents.get("sv")
    topic.consent_en = fields.consents.get("en")
    topic.hours = fields.hours
    topic.questions = list(fields.questions)
    topic.default_handling_seconds = fields.default_handling
    topic.active = fields.active
    topic.audience = fields.audience


async def do_create_topic(
    db: Database,
    *,
    organisation_id: int,
    slug: str,
    given: forms.TopicInput,
    now: datetime,
) -> str:
    """Create a topic of the organisation from the coordinator's form; returns its
    slug. Raises :class:`forms.InvalidForm` with every field's problem."""
    problems: dict[str, BadRequest] = {}
    try:
        slug = forms.check_topic_slug(slug)
    except forms.InvalidForm as exc:
        problems.update(exc.errors)  # type: ignore[arg-type]
    try:
        fields = forms.check_topic(given)
    except forms.InvalidForm as exc:
        problems.update(exc.errors)  # type: ignore[arg-type]
    if problems:
        raise forms.InvalidForm(problems)
    async with db.session() as session:
        if await session.scalar(select(QueueTopic.id).where(QueueTopic.slug == slug)):
            raise forms.InvalidForm(
                {
                    "slug": BadRequest(
                        N_("That address is taken. Choose another."), code="slug_taken"
                    )
                }
            )
        topic = QueueTopic(organisation_id=organisation_id, slug=slug, created_at=now)
        _apply(topic, fields)
        session.add(topic)
    return slug


async def do_update_topic(
    db: Database, *, organisation_id: int, slug: str, given: forms.TopicInput
) -> None:
    """Change the organisation's topic ``slug``. Conversations and the queue go on:
    a topic closed here admits nobody new, and those waiting keep their place."""
    fields = forms.check_topic(given)
    async with db.session() as session:
        topic = await session.scalar(
            select(QueueTopic).where(
                QueueTopic.slug == slug, QueueTopic.organisation_id == organisation_id
            )
        )
        if topic is None:
            raise TopicNotFound()
        _apply(topic, fields)


# ------------------------------------------------------------------ canned responses


async def access_canned(db: Database, *, organisation_id: int, canned_id: int) -> CannedResponse:
    async with db.read_session() as session:
        row = await session.get(CannedResponse, canned_id)
    if row is None or row.organisation_id != organisation_id:
        raise CannedNotFound()
    return row


async def do_add_canned(
    db: Database, *, organisation_id: int, locale: str, title: str, text: str
) -> int:
    fields = forms.check_canned(locale=locale, title=title, text=text)
    async with db.session() as session:
        row = CannedResponse(
            organisation_id=organisation_id,
            locale=fields.locale,
            title=fields.title,
            text=fields.text,
        )
        session.add(row)
        await session.flush()
        return row.id


async def do_update_canned(
    db: Database, *, organisation_id: int, canned_id: int, locale: str, title: str, text: str
) -> None:
    fields = forms.check_canned(locale=locale, title=title, text=text)
    async with db.session() as session:
        row = await session.get(CannedResponse, canned_id)
        if row is None or row.organisation_id != organisation_id:
            raise CannedNotFound()
        row.locale, row.title, row.text = fields.locale, fields.title, fields.text


async def do_delete_canned(db: Database, *, organisation_id: int, canned_id: int) -> None:
    async with db.session() as session:
        result = await session.execute(
            delete(CannedResponse).where(
                CannedResponse.id == canned_id, CannedResponse.organisation_id == organisation_id
            )
        )
        if not getattr(result, "rowcount", 0):
            raise CannedNotFound()


# ------------------------------------------------------------------ helpers' limits


@dataclass(frozen=True, slots=True)
class HelperLimit:
    user_id: int
    name: str
    role: str
    max_chats: int
    available: bool


async def list_helper_limits(db: Database, *, organisation_id: int) -> list[HelperLimit]:
    """The organisation's active members with their parallel-chat limit in its queues
    (2 until set) and whether they are on duty in the console now."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(
                StaffUser.id,
                StaffUser.display_name,
                Membership.role,
                QueueHelper.max_chats,
                QueueHelper.available,
            )
            .join(Membership, Membership.user_id == StaffUser.id)
            .outerjoin(
                QueueHelper,
                (QueueHelper.user_id == StaffUser.id)
                & (QueueHelper.organisation_id == organisation_id),
            )
            .where(Membership.organisation_id == organisation_id, StaffUser.active.is_(True))
            .order_by(StaffUser.display_name)
        )
        return [HelperLimit(i, n, r, m if m is not None else 2, bool(a)) for i, n, r, m, a in rows]


def check_limit(value: str) -> int:
    try:
        limit = int(value.strip())
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_CHATS_LIMIT:
        raise BadRequest(
            N_("Choose between 1 and {max} conversations."),
            code="invalid_max_chats",
            max=MAX_CHATS_LIMIT,
        )
    return limit


async def do_set_helper_limits(
    db: Database, *, organisation_id: int, limits: dict[int, str]
) -> None:
    """Set members' parallel-chat limits (user id → limit as typed). Raises
    :class:`forms.InvalidForm` naming each bad field, or NotFound for a user id that
    is not a member of the organisation; nothing is changed then."""
    problems = {}
    checked: dict[int, int] = {}
    for user_id, value in limits.items():
        try:
            checked[user_id] = check_limit(value)
        except BadRequest as exc:
            problems[f"limit-{user_id}"] = exc
    if problems:
        raise forms.InvalidForm(problems)
    async with db.session() as session:
        members = set(
            await session.scalars(
                select(Membership.user_id).where(
                    Membership.organisation_id == organisation_id,
                    Membership.user_id.in_(list(checked)),
                )
            )
        )
        if set(checked) - members:
            raise NotFound(N_("There is no such person in the organisation."), code="not_found")
        for user_id, limit in checked.items():
            helper = await session.get(QueueHelper, (user_id, organisation_id))
            if helper is None:
                helper = QueueHelper(user_id=user_id, organisation_id=organisation_id)
                session.add(helper)
            helper.max_chats = limit
