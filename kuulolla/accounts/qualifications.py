"""Qualifications in the database: an organisation's trainings and who has completed
them until when. Each change writes an audit event in the same transaction
(accounts/audit.py) and bumps the person's session epoch where what they may do
changes (accounts/service.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select

from kuulolla.accounts import logic
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import Qualification, StaffQualification
from kuulolla.accounts.permissions import Principal
from kuulolla.accounts.service import access_member
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name


@dataclass(frozen=True, slots=True)
class QualificationInfo:
    id: int
    organisation_id: int
    name: str
    valid_months: int | None


@dataclass(frozen=True, slots=True)
class QualificationRecord:
    id: int
    qualification_id: int
    name: str
    organisation_id: int
    completed_on: date
    expires_on: date | None

    def valid(self, today: date) -> bool:
        return logic.qualification_valid(
            completed_on=self.completed_on, expires_on=self.expires_on, today=today
        )


async def list_qualifications(db: Database, *, organisation_id: int) -> list[QualificationInfo]:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(Qualification)
            .where(Qualification.organisation_id == organisation_id)
            .order_by(Qualification.name)
        )
        return [QualificationInfo(q.id, q.organisation_id, q.name, q.valid_months) for q in rows]


async def do_create_qualification(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    name: str,
    valid_months: int | None,
    now: datetime,
) -> int:
    name = check_name(name, max_chars=120)
    if valid_months is not None and not 1 <= valid_months <= 240:
        raise BadRequest(
            N_("Validity must be 1–240 months, or empty when it does not expire."),
            code="invalid_validity",
        )
    async with db.session() as session:
        exists = await session.scalar(
            select(Qualification.id).where(
                Qualification.organisation_id == organisation_id, Qualification.name == name
            )
        )
        if exists:
            raise Conflict(N_("A training with that name exists already."), code="name_taken")
        q = Qualification(
            organisation_id=organisation_id, name=name, valid_months=valid_months, created_at=now
        )
        session.add(q)
        await session.flush()
        audit(
            session,
            event="qualification_defined",
            now=now,
            actor_id=actor.user_id,
            organisation_id=organisation_id,
            qualification=name,
        )
        return q.id


async def access_qualification(
    db: Database, *, organisation_id: int, qualification_id: int
) -> QualificationInfo:
    async with db.read_session() as session:
        q = await session.get(Qualification, qualification_id)
    if q is None or q.organisation_id != organisation_id:
        raise NotFound(N_("There is no such training."), code="qualification_not_found")
    return QualificationInfo(q.id, q.organisation_id, q.name, q.valid_months)


async def do_delete_qualification(
    db: Database, *, actor: Principal, organisation_id: int, qualification_id: int, now: datetime
) -> None:
    q = await access_qualification(
        db, organisation_id=organisation_id, qualification_id=qualification_id
    )
    async with db.session() as session:
        await session.execute(delete(Qualification).where(Qualification.id == q.id))
        audit(
            session,
            event="qualification_deleted",
            now=now,
            actor_id=actor.user_id,
            organisation_id=organisation_id,
            qualification=q.name,
        )


async def list_person_qualifications(
    db: Database, *, user_id: int, organisation_id: int | None = None
) -> list[QualificationRecord]:
    stmt = (
        select(StaffQualification, Qualification)
        .join(Qualification, Qualification.id == StaffQualification.qualification_id)
        .where(StaffQualification.user_id == user_id)
        .order_by(Qualification.name)
    )
    if organisation_id is not None:
        stmt = stmt.where(Qualification.organisation_id == organisation_id)
    async with db.read_session() as session:
        return [
            QualificationRecord(
                id=record.id,
                qualification_id=q.id,
                name=q.name,
                organisation_id=q.organisation_id,
                completed_on=record.completed_on,
                expires_on=record.expires_on,
            )
            for record, q in await session.execute(stmt)
        ]


async def get_valid_qualifications(db: Database, *, user_id: int, today: date) -> set[int]:
    """Ids of the trainings that count for ``user_id`` on ``today``: what rooms, queue
    topics and shifts check against their requirements."""
    records = await list_person_qualifications(db, user_id=user_id)
    return {r.qualification_id for r in records if r.valid(today)}


async def do_record_qualification(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    user_id: int,
    qualification_id: int,
    completed_on: date,
    expires_on: date | None,
    now: datetime,
) -> None:
    """Record (or update) that a member completed one of the organisation's trainings.
    Without ``expires_on`` the training's validity decides the expiry."""
    await access_member(db, organisation_id=organisation_id, user_id=user_id)
    q = await access_qualification(
        db, organisation_id=organisation_id, qualification_id=qualification_id
    )
    if completed_on > now.date():
        raise BadRequest(N_("The completion date cannot be in the future."), code="invalid_date")
    expires = expires_on or logic.expiry_for(completed_on, q.valid_months)
    if expires is not None and expires < completed_on:
        raise BadRequest(
            N_("The expiry date must be after the completion date."), code="invalid_date"
        )
    async with db.session() as session:
        record = await session.scalar(
            select(StaffQualification).where(
                StaffQualification.user_id == user_id,
                StaffQualification.qualification_id == q.id,
            )
        )
        if record is None:
            record = StaffQualification(user_id=user_id, qualification_id=q.id, recorded_at=now)
            session.add(record)
        record.completed_on = completed_on
        record.expires_on = expires
        record.recorded_by = actor.user_id
        record.recorded_at = now
        audit(
            session,
            event="qualification_recorded",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
            qualification=q.name,
            expires=expires.isoformat() if expires else None,
        )


async def do_delete_qualification_record(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    user_id: int,
    record_id: int,
    now: datetime,
) -> None:
    async with db.session() as session:
        row = (
            await session.execute(
                select(StaffQualification, Qualification)
                .join(Qualification, Qualification.id == StaffQualification.qualification_id)
                .where(StaffQualification.id == record_id)
            )
        ).first()
        if row is None or row[1].organisation_id != organisation_id or row[0].user_id != user_id:
            raise NotFound(N_("There is no such record."), code="record_not_found")
        await session.delete(row[0])
        audit(
            session,
            event="qualification_removed",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
            qualification=row[1].name,
        )
