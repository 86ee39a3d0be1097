"""Reading and changing moderation state: room settings, word lists, restrictions,
held messages, redactions, reports and the audit log.

Services take keyword-only arguments and an explicit ``now``; every moderator action
writes one :class:`~kuulolla.moderation.models.AuditEntry` in the same transaction
as the change itself. Permission checks happen before these are called (the chat
endpoint and the routes); services check that objects belong to the room given.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from kuulolla.moderation.actions import ActiveRestriction, RoomSettings
from kuulolla.moderation.audit import PER_PAGE, AuditQuery
from kuulolla.moderation.logic import describe_phrase
from kuulolla.moderation.models import (
    AuditEntry,
    HeldMessage,
    Report,
    Restriction,
    RoomModeration,
    WordEntry,
)
from kuulolla.moderation.wordlists import WordAction
from kuulolla.rooms.models import Room, RoomStream

_messages = cast(Table, Message.__table__)
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
    servers (moderation/live.py: ``Live.words_changed``)."""
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


# ------------------------------------------------------------------ restrictions


async def author_of(db: Database, *, room_id: int, seq: int) -> bytes:
    """The author key of message ``seq`` (removed ones included) or :class:`MessageNotFound`."""
    async with db.read() as conn:
        key = (
            await conn.execute(
                select(_messages.c.author_key).where(
                    _messages.c.room_id == room_id,
                    _messages.c.seq == seq,
                    _messages.c.kind != KIND_REDACTION,
                )
            )
        ).scalar()
    if key is None:
        raise MessageNotFound()
    return bytes(key)


async def do_restrict(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    kind: str,
    author_key: bytes,
    seconds: int,
    ban_key: bytes | None = None,
    actor_id: int | None,
    target: str = "",
    reason: str = "",
    preset: str = "",
    now: datetime,
) -> ActiveRestriction:
    """Mute, remove or ban ``author_key`` for ``seconds``. A ban covers every room of
    the organisation. With ``ban_key`` (core/bankey.py) the restriction also
    holds for a new token from the same client network while that day's key lives."""
    restriction = actions.check_kind(kind)
    seconds = actions.check_duration(seconds)
    reason = actions.check_reason(reason)
    preset = actions.check_preset(preset)
    expires = now + timedelta(seconds=seconds)
    scope = None if restriction == "ban" else room_id
    async with db.session() as session:
        row = Restriction(
            organisation_id=organisation_id,
            room_id=scope,
            kind=restriction,
            author_key=author_key,
            ban_key=ban_key,
            created_at=now,
            expires_at=expires,
            created_by=actor_id,
        )
        session.add(row)
        await session.flush()
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action=restriction,
            target=target,
            reason=reason,
            preset=preset,
            seconds=seconds,
            now=now,
        )
    return ActiveRestriction(restriction, expires, scope, row.id)


async def do_set_ban_key(db: Database, *, restriction_id: int, ban_key: bytes) -> int | None:
    """Record the network digest of a restriction's target (made by the process that
    holds the target's socket: only it has the address). The first one recorded stays.
    Returns the restriction's organisation when the digest was recorded now."""
    async with db.session() as session:
        return await session.scalar(
            update(Restriction)
            .where(Restriction.id == restriction_id, Restriction.ban_key.is_(None))
            .values(ban_key=ban_key)
            .returning(Restriction.organisation_id)
        )


async def do_lift(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    author_key: bytes,
    actor_id: int | None,
    target: str = "",
    now: datetime,
) -> int:
    """End every restriction of ``author_key`` in the room (and the organisation's bans)."""
    async with db.session() as session:
        result = await session.execute(
            update(Restriction)
            .where(
                Restriction.organisation_id == organisation_id,
                or_(Restriction.room_id == room_id, Restriction.room_id.is_(None)),
                Restriction.author_key == author_key,
                Restriction.lifted_at.is_(None),
                Restriction.expires_at > now,
            )
            .values(lifted_at=now)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action="lift",
            target=target,
            now=now,
        )
        return count


async def get_restriction(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    author_key: bytes,
    ban_keys: Sequence[bytes] = (),
    now: datetime,
) -> ActiveRestriction | None:
    """The restriction that applies to a visitor in a room now, if any: theirs by
    token in this room, a ban of theirs in the organisation, or a ban of their client
    network (``ban_keys``: today's and yesterday's digests)."""
    who = Restriction.author_key == author_key
    if ban_keys:
        who = or_(who, Restriction.ban_key.in_(list(ban_keys)))
    async with db.read_session() as session:
        rows = await session.execute(
            select(
                Restriction.kind,
                Restriction.expires_at,
                Restriction.room_id,
                Restriction.author_key,
            ).where(
                Restriction.organisation_id == organisation_id,
                or_(Restriction.room_id == room_id, Restriction.room_id.is_(None)),
                Restriction.lifted_at.is_(None),
                Restriction.expires_at > now,
                who,
            )
        )
        found = []
        for kind, expires, scope, _key in rows:
            # A network match counts for every kind: otherwise a new token would undo
            # a mute or a removal at once. The network digest lives at most two days.
            found.append(ActiveRestriction(actions.check_kind(kind), expires, scope))
        return actions.worst(found)


async def list_active_restrictions(
    db: Database, *, organisation_id: int, now: datetime
) -> list[actions.StoredRestriction]:
    """Every restriction of the organisation in force at ``now`` (a handful: they are
    kept per process and matched with :func:`actions.applicable`)."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(
                Restriction.kind,
                Restriction.expires_at,
                Restriction.room_id,
                Restriction.author_key,
                Restriction.ban_key,
            ).where(
                Restriction.organisation_id == organisation_id,
                Restriction.lifted_at.is_(None),
                Restriction.expires_at > now,
            )
        )
        return [
            actions.StoredRestriction(actions.check_kind(kind), expires, room, key, ban)
            for kind, expires, room, key, ban in rows
        ]


# ------------------------------------------------------------------ held messages


@dataclass(frozen=True, slots=True)
class Held:
    id: int
    room_id: int
    author_key: bytes
    nick: str
    role: str
    text: str
    ref_key: bytes
    reasons: tuple[str, ...]
    crisis: str
    created_at: datetime


def _held(row: HeldMessage) -> Held:
    return Held(
        row.id,
        row.room_id,
        bytes(row.author_key),
        row.nick,
        row.role,
        row.text,
        bytes(row.ref_key),
        tuple(r for r in row.reasons.split(",") if r),
        row.crisis,
        row.created_at,
    )


async def do_hold(
    db: Database,
    *,
    room_id: int,
    author_key: bytes,
    nick: str,
    role: str,
    text: str,
    ref_key: bytes,
    reasons: Sequence[str],
    crisis: str = "",
    now: datetime,
) -> Held:
    """Keep a message for a moderator; a resent ref returns the held row it made."""
    async with db.session() as session:
        existing = await session.scalar(
            select(HeldMessage).where(
                HeldMessage.room_id == room_id, HeldMessage.ref_key == ref_key
            )
        )
        if existing is not None:
            return _held(existing)
        row = HeldMessage(
            room_id=room_id,
            author_key=author_key,
            nick=nick,
            role=role,
            text=text,
            ref_key=ref_key,
            reasons=",".join(reasons)[:200],
            crisis=crisis,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return _held(row)


async def list_held(db: Database, *, room_id: int, limit: int = 100) -> list[Held]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(HeldMessage)
            .where(HeldMessage.room_id == room_id)
            .order_by(HeldMessage.id)
            .limit(limit)
        )
        return [_held(r) for r in rows]


async def do_take_held(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    held_id: int,
    approve: bool,
    actor_id: int | None,
    now: datetime,
    name_of: Callable[[bytes], str | None] | None = None,
) -> Held:
    """Remove a held message from the queue (the caller commits an approved one to
    the stream); :class:`NotFound` when another moderator took it first. ``name_of``:
    the writer's room pseudonym from their key, which the log names."""
    async with db.session() as session:
        row = await session.scalar(
            select(HeldMessage).where(HeldMessage.id == held_id, HeldMessage.room_id == room_id)
        )
        if row is None:
            raise NotFound(N_("That message is no longer waiting."), code="held_not_found")
        held = _held(row)
        await session.delete(row)
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action="approve" if approve else "reject",
            target=(name_of(held.author_key) if name_of else None) or f"held {held_id}",
            now=now,
        )
        return held


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
            update(_messages)
            .where(
                _messages.c.room_id == room_id,
                _messages.c.seq == seq,
                # A referral card is removed like any message.
                _messages.c.kind.in_((KIND_MESSAGE, KIND_REFERRAL)),
            )
            .values(kind=KIND_REMOVED, text=None, nick="")
        )
        if not getattr(removed, "rowcount", 0):
            raise MessageNotFound()
        await session.execute(
            _messages.insert().values(
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


# ------------------------------------------------------------------ reports


@dataclass(frozen=True, slots=True)
class ReportRow:
    id: int
    room_id: int
    seq: int
    reason: str
    note: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str


async def do_report(
    db: Database,
    *,
    room_id: int,
    seq: int,
    reason: str,
    note: str = "",
    reporter_key: bytes,
    now: datetime,
) -> int:
    """A visitor reports message ``seq``; one open report per reporter and message."""
    reason = actions.check_report_reason(reason)
    note = actions.check_reason(note)
    async with db.session() as session:
        exists = await session.scalar(
            select(_messages.c.seq).where(
                _messages.c.room_id == room_id,
                _messages.c.seq == seq,
                _messages.c.kind == KIND_MESSAGE,
            )
        )
        if exists is None:
            raise MessageNotFound()
        same = await session.scalar(
            select(Report.id).where(
                Report.room_id == room_id,
                Report.seq == seq,
                Report.reporter_key == reporter_key,
                Report.resolved_at.is_(None),
            )
        )
        if same is not None:
            return int(same)
        row = Report(
            room_id=room_id,
            seq=seq,
            reason=reason,
            note=note,
            reporter_key=reporter_key,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def list_reports(
    db: Database, *, room_id: int, open_only: bool = True, limit: int = 100
) -> list[ReportRow]:
    query = select(Report).where(Report.room_id == room_id)
    if open_only:
        query = query.where(Report.resolved_at.is_(None))
    async with db.read_session() as session:
        rows = await session.scalars(query.order_by(Report.id).limit(limit))
        return [
            ReportRow(
                r.id, r.room_id, r.seq, r.reason, r.note, r.created_at, r.resolved_at, r.resolution
            )
            for r in rows
        ]


async def do_resolve_report(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    report_id: int,
    resolution: str,
    actor_id: int | None,
    reason: str = "",
    preset: str = "",
    now: datetime,
    name_of: Callable[[bytes], str | None] | None = None,
) -> None:
    """Close an open report; the log names the reported message's writer by
    ``name_of`` (their room pseudonym from their key) when it can."""
    resolution = actions.check_resolution(resolution)
    reason = actions.check_reason(reason)
    preset = actions.check_preset(preset)
    async with db.session() as session:
        row = await session.scalar(
            select(Report).where(Report.id == report_id, Report.room_id == room_id)
        )
        if row is None or row.resolved_at is not None:
            raise NotFound(N_("There is no such open report."), code="report_not_found")
        row.resolved_at = now
        row.resolved_by = actor_id
        row.resolution = resolution
        writer = await session.scalar(
            select(_messages.c.author_key).where(
                _messages.c.room_id == room_id, _messages.c.seq == row.seq
            )
        )
        target = name_of(bytes(writer)) if name_of and writer is not None else None
        audit(
            session,
            organisation_id=organisation_id,
            room_id=room_id,
            actor_id=actor_id,
            action=f"report.{resolution}",
            target=target or f"message {row.seq}",
            reason=reason,
            preset=preset,
            now=now,
        )


async def read_context(
    db: Database, *, room_id: int, seq: int, around: int = 3
) -> list[tuple[int, str, str]]:
    """(seq, nick, text) of the messages around ``seq`` still in the room, for a report."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(_messages.c.seq, _messages.c.nick, _messages.c.text)
            .where(
                _messages.c.room_id == room_id,
                _messages.c.seq >= seq - around,
                _messages.c.seq <= seq + around,
                _messages.c.kind == KIND_MESSAGE,
            )
            .order_by(_messages.c.seq)
        )
        return [(int(r[0]), str(r[1]), str(r[2] or "")) for r in rows]
