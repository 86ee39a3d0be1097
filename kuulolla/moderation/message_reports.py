"""Reports of messages: a visitor reports one, the moderators read them with the
message's context and resolve them, each resolution audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kuulolla.chat.models import (
    KIND_MESSAGE,
)
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.moderation import actions
from kuulolla.moderation.models import (
    Report,
)
from kuulolla.moderation.service import MessageNotFound, audit, messages_table


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
            select(messages_table.c.seq).where(
                messages_table.c.room_id == room_id,
                messages_table.c.seq == seq,
                messages_table.c.kind == KIND_MESSAGE,
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
            select(messages_table.c.author_key).where(
                messages_table.c.room_id == room_id, messages_table.c.seq == row.seq
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
            select(messages_table.c.seq, messages_table.c.nick, messages_table.c.text)
            .where(
                messages_table.c.room_id == room_id,
                messages_table.c.seq >= seq - around,
                messages_table.c.seq <= seq + around,
                messages_table.c.kind == KIND_MESSAGE,
            )
            .order_by(messages_table.c.seq)
        )
        return [(int(r[0]), str(r[1]), str(r[2] or "")) for r in rows]
