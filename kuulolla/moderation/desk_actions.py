"""Deciding from the duty desk: a report dismissed or acted on (the message removed),
a held message let through or rejected, with the same effect as in the room's own
moderation panel: the outcome in the moderation log with its reason, the room's
moderators told (their lists drop the item), the writer told, a let-through message
committed to the room's stream and a removal delivered like a message, on every
server process. The other desks see the item gone and the outcome in their "handled"
list at their stream's next read (moderation/desk.py ``get_handled``).

Only items of rooms the person serves (moderation/desk_logic.py ``serves``) may be
decided; another's are "not on your desk", as are items someone decided first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from kuulolla.chat.moderation_protocol import Approved, Done, Notice
from kuulolla.chat.store import Stored
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_, gettext
from kuulolla.moderation import actions, holds, message_reports, restrictions, service
from kuulolla.moderation.commands import NOT_APPROVED
from kuulolla.moderation.desk_logic import Duty, serves
from kuulolla.moderation.models import HeldMessage, Report
from kuulolla.rooms.models import Room

if TYPE_CHECKING:
    from kuulolla.moderation.live import LiveModeration

DECISIONS = {
    "report": ("remove", "dismiss"),
    "held": ("approve", "reject"),
}


class ItemNotFound(NotFound):
    code = "desk_item_not_found"
    default_message = N_("This is no longer on your desk: someone may have handled it already.")


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str  # "report" or "held"
    id: int
    decision: str  # see DECISIONS
    reason: str
    preset: str


def check_decision(*, item: str, decision: str, reason: str, preset: str) -> Decision:
    """A decision the desk can make, or a translated error: ``item`` is the desk's key
    ("report-5", "held-7"); removing a reported message needs a reason."""
    kind, _, raw = item.partition("-")
    if kind not in DECISIONS or not raw.isdigit():
        raise BadRequest(N_("Reload the page and try again."), code="bad_form")
    if decision not in DECISIONS[kind]:
        raise BadRequest(N_("Choose what to do."), code="bad_decision")
    reason = actions.check_reason(reason)
    preset = actions.check_preset(preset)
    if decision == "remove" and not (reason or preset):
        raise BadRequest(N_("Choose a reason or write one."), code="reason_needed")
    return Decision(kind, int(raw), decision, reason, preset)


async def _room_of(db: Database, *, decision: Decision, organisation_id: int, duty: Duty) -> Room:
    table = Report if decision.kind == "report" else HeldMessage
    async with db.read_session() as session:
        room = await session.scalar(
            select(Room)
            .join(table, table.room_id == Room.id)
            .where(table.id == decision.id, Room.organisation_id == organisation_id)
        )
    if room is None or not serves(duty, room_id=room.id, private=room.kind == "private"):
        raise ItemNotFound()
    return room


async def do_decide(
    live: LiveModeration,
    *,
    organisation_id: int,
    decision: Decision,
    duty: Duty,
    actor_id: int | None,
    locale: str,
    now: datetime,
    remember_room: Callable[[int, str], None],
) -> None:
    """Carry out ``decision`` (checked by :func:`check_decision`) on an item of the
    person's desk. ``remember_room(id, slug)`` makes the room known to this process's
    delivery (a desk may decide for a room nobody joined here)."""
    db = live.db
    room = await _room_of(db, decision=decision, organisation_id=organisation_id, duty=duty)
    remember_room(room.id, room.slug)

    def name_of(key: bytes) -> str | None:
        return live.sockets.author_id(room.id, key)

    if decision.kind == "held":
        try:
            held = await holds.do_take_held(
                db,
                organisation_id=organisation_id,
                room_id=room.id,
                held_id=decision.id,
                approve=decision.decision == "approve",
                actor_id=actor_id,
                now=now,
                name_of=name_of,
            )
        except NotFound:
            raise ItemNotFound() from None
        if decision.decision == "approve":
            seq = await live.committer.commit_approved(
                room_id=room.id,
                author_key=held.author_key,
                nick=held.nick,
                role=held.role,
                text=held.text,
                ref_key=held.ref_key,
            )
            live.to_author(room.id, held.author_key, Approved(room=room.slug, id=held.id, seq=seq))
        else:
            live.to_author(
                room.id,
                held.author_key,
                Notice(room=room.slug, notes=[gettext(locale, NOT_APPROVED)], held=held.id),
            )
        action = "approve" if decision.decision == "approve" else "reject"
        live.to_moderators(room.id, Done(room=room.slug, action=action, id=held.id))
        return

    reports = {r.id: r for r in await message_reports.list_reports(db, room_id=room.id)}
    report = reports.get(decision.id)
    if report is None:
        raise ItemNotFound()
    if decision.decision == "remove":
        removal: Stored | None
        try:
            author_key = await restrictions.author_of(db, room_id=room.id, seq=report.seq)
            removal = await service.do_redact(
                db,
                organisation_id=organisation_id,
                room_id=room.id,
                seq=report.seq,
                actor_id=actor_id,
                reason=decision.reason,
                preset=decision.preset,
                target=name_of(author_key) or "",
                now=now,
            )
        except service.MessageNotFound:
            removal = None  # removed already: the report is still settled
        if removal is not None:
            live.sockets.deliver_stored(removal)
    try:
        await message_reports.do_resolve_report(
            db,
            organisation_id=organisation_id,
            room_id=room.id,
            report_id=report.id,
            resolution="action" if decision.decision == "remove" else "dismissed",
            actor_id=actor_id,
            reason=decision.reason,
            preset=decision.preset,
            now=now,
            name_of=name_of,
        )
    except NotFound:
        raise ItemNotFound() from None
    live.to_moderators(room.id, Done(room=room.slug, action="resolve", id=report.id))
