"""Reading and changing moderation state: the audit log, room settings, word lists
and redactions (restrictions: moderation/restrictions.py; held messages:
moderation/holds.py; reports of messages: moderation/message_reports.py).

Services take keyword-only arguments and an explicit ``now``; every moderator action
writes one :class:`~kuulolla.moderation.models.AuditEntry` in the same transaction
as the change itself. Permission checks happen before these are called (the chat
endpoint and the routes); services check that objects belong to the room given.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import StaffUser
from kuulolla.chat.models import (
    KIND_MESSAGE,
    KIND_REDACTION,
    KIND_REFERRAL,
    KIND_REMOVED,
    Message,
)
from kuulolla.chat.store import Stored
from kuulolla.core import events as report_events
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_
from kuulolla.moderation import actions
from kuulolla.moderation.actions import RoomSettings
from kuulolla.moderation.audit import PER_PAGE, AuditQuery
from kuulolla.moderation.logic import describe_phrase
from kuulolla.moderation.models import (
    AuditEntry,
    RoomModeration,
    WordEntry,
)
from kuulolla.moderation.wordlists import WordAction
from kuulolla.rooms.models import Room, RoomStream

messages_table = cast(Table, Message.__table__)
_streams = cast(Table, RoomStream.__table__)


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = N_("There is no such message (it may have been removed already).")


# ------------------------------------------------------------------ audit


def audit(
    session: AsyncSession,
    *,
    organisation_id: int,
    room_id: int | None,
    actor_id: int | None,
    action: str,
    target: str = "",
    reason: str = "",
    preset: str = "",
    seconds: int | None = None,
    now: datetime,
) -> None:
    """Record one moderation action in ``session``'s transaction (and, for actions on
    people and messages rather than settings, a statistics event: core/events.py)."""
    session.add(
        AuditEntry(
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action=action,
            target=target[:64],
            reason=reason,
            preset=preset,
            seconds=seconds,
            created_at=now,
        )
    )
    code = action.replace(".", "_")
    if not action.startswith(
        ("settings.", "words.", "room.", "alert.")
    ) and report_events.CODE.fullmatch(code):
        # No room: a one-to-one conversation's room would identify the conversation.
        report_events.add(
            session, Kind.MODERATION_ACTION, organisation_id=organisation_id, at=now, label=code
        )


@dataclass(frozen=True, slots=True)
class AuditRow:
    created_at: datetime
    room_id: int | None
    actor_id: int | None
    action: str
    target: str
    reason: str
    preset: str = ""
    seconds: int | None = None


async def list_audit(db: Database, *, organisation_id: int, limit: int = 200) -> list[AuditRow]:
    """The organisation's latest moderation actions, newest first."""
    async with db.read_session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.organisation_id == organisation_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
        return [
            AuditRow(
                r.created_at,
                r.room_id,
                r.actor_id,
                r.action,
                r.target,
                r.reason,
                r.preset,
                r.seconds,
            )
            for r in rows
        ]


@dataclass(frozen=True, slots=True)
class AuditView:
    """One audit entry as the log page shows it: names instead of ids."""

    id: int
    created_at: datetime
    room_id: int | None
    room_kind: str  # "group", "private" or "" (no room, or the room is gone)
    actor: str  # the staff member's display name; "" when gone or the system acted
    action: str
    target: str
    reason: str
    preset: str = ""
    seconds: int | None = None


async def find_audit(
    db: Database, *, organisation_id: int, query: AuditQuery
) -> tuple[list[AuditView], bool]:
    """One page of the organisation's audit log under ``query``'s filters, newest
    first, and whether an older page exists."""
    statement = (
        select(AuditEntry, StaffUser.display_name, Room.kind)
        .outerjoin(StaffUser, StaffUser.id == AuditEntry.actor_id)
        .outerjoin(Room, Room.id == AuditEntry.room_id)
        .where(AuditEntry.organisation_id == organisation_id)
    )
    if query.room_id is not None:
        statement = statement.where(AuditEntry.room_id == query.room_id)
    if query.actions:
        statement = statement.where(
            or_(
                *(
                    AuditEntry.action.startswith(a) if a.endswith(".") else AuditEntry.action == a
                    for a in query.actions
                )
            )
        )
    if query.since is not None:
        statement = statement.where(AuditEntry.created_at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEntry.created_at < query.until)
    statement = (
        statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset(query.offset)
        .limit(PER_PAGE + 1)
    )
    async with db.read_session() as session:
        rows = (await session.execute(statement)).all()
    views = [
        AuditView(
            entry.id,
            entry.created_at,
            entry.room_id,
            kind or "",
            name or "",
            entry.action,
            entry.target,
            entry.reason,
            entry.preset,
            entry.seconds,
        )
        for entry, name, kind in rows[:PER_PAGE]
    ]
    return views, len(rows) > PER_PAGE


# ------------------------------------------------------------------ room settings


def _settings(row: RoomModeration | None) -> RoomSettings:
    if row is None:
        return actions.DEFAULT_SETTINGS
    return RoomSettings(
        slow_mode=row.slow_mode,
        premoderated=row.premoderated,
        locked=row.locked,
        pinned=row.pinned,
        link_mode=actions.check_link_mode(row.link_mode),
        allowed_links=tuple(d for d in row.allowed_links.split() if d),
    )


async def get_room_settings(db: Database, *, room_id: int) -> RoomSettings:
    async with db.read_session() as session:
        return _settings(await session.get(RoomModeration, room_id))


async def do_change_room_settings(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    actor_id: int | None,
    now: datetime,
    slow_mode: int | None = None,
    premoderated: bool | None = None,
    locked: bool | None = None,
    pinned: str | None = None,
    link_mode: str | None = None,
    allowed_links: str | None = None,
) -> RoomSettings:
    """Change the given settings (None: unchanged); audited one entry per setting."""
    changes: dict[str, object] = {}
    if slow_mode is not None:
        changes["slow_mode"] = actions.check_slow_mode(slow_mode)
    if premoderated is not None:
        changes["premoderated"] = premoderated
    if locked is not None:
        changes["locked"] = locked
    if pinned is not None:
        changes["pinned"] = actions.check_pinned(pinned)
    if link_mode is not None:
        changes["link_mode"] = actions.check_link_mode(link_mode)
    if allowed_links is not None:
        changes["allowed_links"] = "\n".join(actions.check_allowed_links(allowed_links))
    async with db.session() as session:
        row = await session.get(RoomModeration, room_id)
        if row is None:
            row = RoomModeration(
                room_id=room_id,
                slow_mode=0,
                premoderated=False,
                locked=False,
                pinned="",
                link_mode="hold",
                allowed_links="",
            )
            session.add(row)
        for name, value in changes.items():
            if getattr(row, name) == value:
                continue
            setattr(row, name, value)
            audit(
                session,
                organisation_id=organisation_id,
                room_id=room_id,
                actor_id=actor_id,
                action=f"settings.{name}",
                target=_describe(value),
                now=now,
            )
        row.updated_at = now
        await session.flush()
        return _settings(row)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return f"{len(value)} chars" if len(value) > 20 or "\n" in value else value
    return str(value)


# ------------------------------------------------------------------ word lists


MAX_PHRASE_CHARS = 200


def check_phrase(phrase: str) -> str:
    """A word-list entry as stored (lower case, single spaces), or :class:`BadRequest`
    when it is empty, too long or has a part that is not a word."""
    phrase = " ".join(unicodedata.normalize("NFC", phrase).casefold().split())
    if not phrase or len(phrase) > MAX_PHRASE_CHARS:
        raise BadRequest(
            N_("Write a word or phrase of at most {max} characters."),
            code="bad_word",
            max=MAX_PHRASE_CHARS,
        )
    if describe_phrase(phrase) is None:
        raise BadRequest(
            N_(
                "Write words of letters (end a word with * to match every word that begins"
                " with it)."
            ),
            code="bad_word",
        )
    return phrase


def _clip(text: str, limit: int = 64) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def get_word_list(db: Database, *, organisation_id: int) -> list[tuple[str, WordAction]]:
    async with db.read_session() as session:
        rows = await session.execute(
            select(WordEntry.phrase, WordEntry.action)
            .where(WordEntry.organisation_id == organisation_id)
            .order_by(WordEntry.phrase)
        )
        return [(phrase, cast(WordAction, action)) for phrase, action in rows]


async def do_set_word(
    db: Database,
    *,
    organisation_id: int,
    phrase: str,
    action: str,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Add a phrase to the organisation's list or change its action; audited as
    ``words.<action>`` with the phrase as the target. The caller tells running
    servers (moderation/live.py: ``LiveModeration.words_changed``)."""
    phrase = check_phrase(phrase)
    if action not in ("mask", "hold", "refuse"):
        raise BadRequest(
            N_("Choose what happens to a message with the word."), code="bad_word_action"
        )
    async with db.session() as session:
        row = await session.scalar(
            select(WordEntry).where(
                WordEntry.organisation_id == organisation_id, WordEntry.phrase == phrase
            )
        )
        if row is None:
            session.add(
                WordEntry(
                    organisation_id=organisation_id, phrase=phrase, action=action, created_at=now
                )
            )
        else:
            row.action = action
        audit(
            session,
            organisation_id=organisation_id,
            room_id=None,
            actor_id=actor_id,
            action=f"words.{action}",
            target=_clip(phrase),
            now=now,
        )


async def do_remove_word(
    db: Database, *, organisation_id: int, phrase: str, actor_id: int | None, now: datetime
) -> bool:
    """Remove a phrase from the organisation's list (audited); False if it was not there."""
    phrase = " ".join(phrase.casefold().split())
    async with db.session() as session:
        result = await session.execute(
            delete(WordEntry).where(
                WordEntry.organisation_id == organisation_id,
                WordEntry.phrase == phrase,
            )
        )
        removed = bool(getattr(result, "rowcount", 0))
        if removed:
            audit(
                session,
                organisation_id=organisation_id,
                room_id=None,
                actor_id=actor_id,
                action="words.remove",
                target=_clip(phrase),
                now=now,
            )
        return removed


# ------------------------------------------------------------------ redaction


async def do_redact(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    seq: int,
    actor_id: int | None,
    reason: str = "",
    preset: str = "",
    target: str = "",
    now: datetime,
) -> Stored:
    """Remove message ``seq`` for real (text and nickname deleted, its sequence kept)
    and append a redaction to the room's stream. Returns the redaction, to be
    delivered like a committed message; :class:`MessageNotFound` if there is no such
    message or it was removed already. ``target``: the author's room pseudonym, which
    the audit log names (without one, the message's sequence)."""
    reason = actions.check_reason(reason)
    preset = actions.check_preset(preset)
    async with db.session() as session:
        # Taking the next sequence first locks the room's counter (PostgreSQL row lock;
        # SQLite's BEGIN IMMEDIATE), so the committer cannot interleave.
        new_seq = (
            await session.execute(
                update(_streams)
                .where(_streams.c.room_id == room_id)
                .values(last_seq=_streams.c.last_seq + 1)
                .returning(_streams.c.last_seq)
            )
        ).scalar()
        if new_seq is None:
            raise MessageNotFound()
        removed = await session.execute(
            update(messages_table)
            .where(
                messages_table.c.room_id == room_id,
                messages_table.c.seq == seq,
                # A referral card is removed like any message.
                messages_table.c.kind.in_((KIND_MESSAGE, KIND_REFERRAL)),
            )
            .values(kind=KIND_REMOVED, text=None, nick="")
        )
        if not getattr(removed, "rowcount", 0):
            raise MessageNotFound()
        await session.execute(
            messages_table.insert().values(
                room_id=room_id,
                seq=new_seq,
                kind=KIND_REDACTION,
                created_at=now,
                author_key=None,
                nick="",
                role="system",
                text=None,
                ref_key=None,
                target=seq,
            )
        )
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action="redact",
            target=target or f"message {seq}",
            reason=reason,
            preset=preset,
            now=now,
        )
    return Stored(room_id, int(new_seq), now, None, "", "system", None, False, KIND_REDACTION, seq)
