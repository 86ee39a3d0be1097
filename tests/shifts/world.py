"""A small organisation for shift service tests: a room, a training, people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from kuulolla.accounts.models import Membership, Qualification, StaffQualification
from kuulolla.accounts.service import add_staff_user
from kuulolla.core.db import Database
from kuulolla.shifts import templates
from tests.helpers import make_room
from tests.shifts.make import hki

NOW = hki(2026, 5, 4, 12)  # Monday noon, Helsinki


@dataclass
class ShiftWorld:
    org_id: int
    room_id: int
    qualification_id: int
    people: dict[str, int] = field(default_factory=dict)


async def build(db: Database, *, slug: str = "huone", org: str = "jarjesto") -> ShiftWorld:
    """An organisation with room ``slug``, the training "Ryhmänohjaaja" and people:
    ``host1``–``host3`` (volunteers with the training), ``novice`` (volunteer without),
    ``pro`` (professional with it) and ``coord`` (coordinator)."""
    room_id = await make_room(db, slug, org=org)
    async with db.session() as session:
        from sqlalchemy import select

        from kuulolla.rooms.models import Room

        org_id = int(await session.scalar(select(Room.organisation_id).where(Room.id == room_id)))
        qual = Qualification(
            organisation_id=org_id, name="Ryhmänohjaaja", valid_months=None, created_at=NOW
        )
        session.add(qual)
        await session.flush()
        world = ShiftWorld(org_id, room_id, qual.id)
        for name, role, trained in (
            ("host1", "volunteer", True),
            ("host2", "volunteer", True),
            ("host3", "volunteer", True),
            ("novice", "volunteer", False),
            ("pro", "professional", True),
            ("coord", "coordinator", True),
        ):
            user = await add_staff_user(
                session,
                username=f"{org}-{name}",
                display_name=f"{name.title()} {org}",
                password_hash=None,
                is_admin=False,
                now=NOW,
            )
            session.add(
                Membership(user_id=user.id, organisation_id=org_id, role=role, created_at=NOW)
            )
            if trained:
                session.add(
                    StaffQualification(
                        user_id=user.id,
                        qualification_id=qual.id,
                        completed_on=date(2025, 1, 1),
                        recorded_at=NOW,
                    )
                )
            world.people[name] = user.id
    return world


async def weekly_template(
    db: Database,
    world: ShiftWorld,
    *,
    rule: str = "FREQ=WEEKLY;BYDAY=MO,WE",
    start: time = time(18),
    end: time = time(21),
    needs: dict[str, int] | None = None,
    valid_from: date = date(2026, 5, 1),
    now: datetime = NOW,
) -> int:
    return await templates.do_save_template(
        db,
        organisation_id=world.org_id,
        data=templates.TemplateInput(
            room_id=world.room_id,
            start_time=start,
            end_time=end,
            rule=rule,
            valid_from=valid_from,
            needs=needs or {"volunteer": 2},
            qualification_id=world.qualification_id,
        ),
        now=now,
    )
