"""Setting up an organisation's group rooms from the browser: create, change and close
them for good, with their moderation settings, the training their hosts need and
their schedule (a room's roster, shifts/room_rosters.py).

The command line (``kuulolla create-room``, ``archive-room``) stays for automation and
uses the same functions where it can. Every change is written to the organisation's
moderation log (moderation/service.py: ``audit``), in the same transaction as the
change where the change is the room's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts.models import Organisation, Qualification
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.moderation import service as moderation
from kuulolla.moderation.actions import RoomSettings
from kuulolla.rooms import service
from kuulolla.rooms.forms import RoomFields
from kuulolla.rooms.models import Room
from kuulolla.rooms.service import RoomInfo
from kuulolla.shifts import room_rosters


class RoomNotFound(NotFound):
    code = "room_not_found"
    default_message = N_("There is no such room.")


@dataclass(frozen=True, slots=True)
class ManagedRoom:
    """A room as its coordinators see it: what visitors see, its moderation settings,
    the training its hosts need (None: only each shift's) and whether it is archived."""

    info: RoomInfo
    settings: RoomSettings
    qualification_id: int | None
    qualification_name: str | None
    archived_at: datetime | None


async def access_room(db: Database, *, organisation_id: int, slug: str) -> ManagedRoom:
    """The organisation's group room ``slug``; :class:`RoomNotFound` for another
    organisation's (so one organisation's addresses cannot reach another's rooms)."""
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(Room, Qualification.name)
                .outerjoin(Qualification, Qualification.id == Room.qualification_id)
                .where(Room.slug == slug, Room.kind == "group")
            )
        ).first()
    if row is None or row[0].organisation_id != organisation_id:
        raise RoomNotFound()
    room, qualification = row
    info = await service.get_room_or_raise(db, slug=slug)
    settings = await moderation.get_room_settings(db, room_id=room.id)
    return ManagedRoom(info, settings, room.qualification_id, qualification, room.archived_at)


async def list_managed_rooms(db: Database, *, organisation_id: int | None) -> list[ManagedRoom]:
    """The group rooms of one organisation (None: every organisation's), open ones
    first, then by organisation and name."""
    async with db.read_session() as session:
        stmt = (
            select(Room, Qualification.name)
            .outerjoin(Qualification, Qualification.id == Room.qualification_id)
            .join(Organisation, Organisation.id == Room.organisation_id)
            .where(Room.kind == "group")
            .order_by(Room.archived_at.is_not(None), Organisation.name, Room.name_fi)
        )
        if organisation_id is not None:
            stmt = stmt.where(Room.organisation_id == organisation_id)
        rows = list(await session.execute(stmt))
    infos = {r.id: r for r in await service.list_rooms(db)}
    out = []
    for room, qualification in rows:
        settings = await moderation.get_room_settings(db, room_id=room.id)
        out.append(
            ManagedRoom(
                infos[room.id], settings, room.qualification_id, qualification, room.archived_at
            )
        )
    return out


def _log(
    session: AsyncSession,
    organisation_id: int,
    room_id: int,
    actor_id: int | None,
    action: str,
    target: str = "",
    *,
    now: datetime,
) -> None:
    """One entry of the organisation's moderation log about its room."""
    moderation.audit(
        session,
        organisation_id=organisation_id,
        room_id=room_id,
        actor_id=actor_id,
        action=action,
        target=target,
        now=now,
    )


async def _settings(
    db: Database,
    *,
    organisation_id: int,
    room_id: int,
    fields: RoomFields,
    actor_id: int | None,
    now: datetime,
) -> None:
    await moderation.do_change_room_settings(
        db,
        organisation_id=organisation_id,
        room_id=room_id,
        actor_id=actor_id,
        now=now,
        premoderated=fields.premoderated,
        slow_mode=fields.slow_mode,
        link_mode=fields.link_mode,
        allowed_links="\n".join(fields.allowed_links),
    )


async def do_create_room(
    db: Database,
    *,
    organisation_id: int,
    fields: RoomFields,
    actor_id: int | None,
    now: datetime,
) -> str:
    """Create a room of the organisation from a checked form; returns its address."""
    async with db.read_session() as session:
        org_slug = await session.scalar(
            select(Organisation.slug).where(Organisation.id == organisation_id)
        )
    if org_slug is None:
        raise NotFound(N_("There is no such organisation."), code="organisation_not_found")
    room_id = await service.do_create_room(
        db,
        organisation=org_slug,
        slug=fields.slug,
        names=fields.names,
        descriptions=fields.descriptions,
        history_limit=fields.history_limit,
        qualification_id=fields.qualification_id,
        now=now,
    )
    async with db.session() as session:
        _log(session, organisation_id, room_id, actor_id, "room.created", now=now)
    await _settings(
        db,
        organisation_id=organisation_id,
        room_id=room_id,
        fields=fields,
        actor_id=actor_id,
        now=now,
    )
    return fields.slug


async def do_update_room(
    db: Database,
    *,
    organisation_id: int,
    slug: str,
    fields: RoomFields,
    actor_id: int | None,
    now: datetime,
) -> ManagedRoom:
    """Change the room's names, descriptions, history, required training and
    moderation settings; each kind of change is logged once."""
    current = await access_room(db, organisation_id=organisation_id, slug=slug)
    room_id = current.info.id
    training: str | None = None
    async with db.session() as session:
        room = await session.get(Room, room_id)
        if room is None:
            raise RoomNotFound()
        texts = {
            "name_fi": fields.names["fi"],
            "name_sv": fields.names.get("sv"),
            "name_en": fields.names.get("en"),
            "description_fi": fields.descriptions.get("fi", ""),
            "description_sv": fields.descriptions.get("sv"),
            "description_en": fields.descriptions.get("en"),
        }
        if any(getattr(room, k) != v for k, v in texts.items()):
            for key, value in texts.items():
                setattr(room, key, value)
            _log(session, organisation_id, room_id, actor_id, "room.renamed", now=now)
        if room.history_limit != fields.history_limit:
            room.history_limit = fields.history_limit
            _log(
                session,
                organisation_id,
                room_id,
                actor_id,
                "room.history",
                target=str(fields.history_limit),
                now=now,
            )
        if room.qualification_id != fields.qualification_id:
            room.qualification_id = fields.qualification_id
            training = ""
            if fields.qualification_id is not None:
                training = (
                    await session.scalar(
                        select(Qualification.name).where(
                            Qualification.id == fields.qualification_id
                        )
                    )
                    or ""
                )
            _log(
                session,
                organisation_id,
                room_id,
                actor_id,
                "room.training",
                target=training[:64],
                now=now,
            )
    await _settings(
        db,
        organisation_id=organisation_id,
        room_id=room_id,
        fields=fields,
        actor_id=actor_id,
        now=now,
    )
    if training is not None:
        await room_rosters.do_require_training(
            db,
            organisation_id=organisation_id,
            room_id=room_id,
            qualification_id=fields.qualification_id,
            now=now,
        )
    return await access_room(db, organisation_id=organisation_id, slug=slug)


async def do_archive_room(
    db: Database,
    *,
    organisation_id: int,
    slug: str,
    actor_id: int | None,
    now: datetime,
) -> int:
    """Close the room for good: nobody can join it any more, its history stays until
    retention removes it, its schedule ends and its coming shifts are cancelled.
    Returns how many places people held on those shifts."""
    current = await access_room(db, organisation_id=organisation_id, slug=slug)
    await service.do_archive_room(db, slug=slug, now=now)
    async with db.session() as session:
        _log(session, organisation_id, current.info.id, actor_id, "room.archived", now=now)
    return await room_rosters.do_close_room_roster(
        db, organisation_id=organisation_id, room_id=current.info.id, now=now
    )
