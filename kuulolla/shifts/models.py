"""Shift tables: templates, concrete shifts and their places, assignments with check-in,
swap offers, calls for volunteers, debriefs, calendar feeds and the organisation's rules.
Qualifications are the organisation's trainings (``qualifications``); the pure rules
know them by their id as a string. ``topic_id`` names a one-to-one queue topic (``queue_topics``);
the service checks it belongs to the organisation. It has no foreign key: adding one
on SQLite rebuilds the table, and the rebuild would have to carry the CHECK of
``shift_templates`` by hand (a later migration can).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from kuulolla.core.db import Base, UTCDateTime


class ShiftSettingsRow(Base):
    """One organisation's shift rules (defaults of :class:`ShiftSettings` when absent).
    Durations are whole minutes."""

    __tablename__ = "shift_settings"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    max_week_minutes: Mapped[int | None] = mapped_column(Integer)
    min_rest_minutes: Mapped[int] = mapped_column(Integer)
    signup_days: Mapped[int] = mapped_column(Integer)
    cancel_before_minutes: Mapped[int] = mapped_column(Integer)
    swap_approval: Mapped[bool] = mapped_column(Boolean)
    check_in_early_minutes: Mapped[int] = mapped_column(Integer)
    check_out_grace_minutes: Mapped[int] = mapped_column(Integer)
    closing_notice_minutes: Mapped[int] = mapped_column(Integer)
    horizon_days: Mapped[int] = mapped_column(Integer)
    # Parallel one-to-one chats each helper on duty takes (queue capacity).
    parallel_chats: Mapped[int] = mapped_column(Integer, default=2)


class ShiftTemplateRow(Base):
    """A recurring shift of a group room or a queue topic (exactly one of them)."""

    __tablename__ = "shift_templates"
    __table_args__ = (
        CheckConstraint("(room_id IS NULL) <> (topic_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(Integer, index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    rule: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualifications.id", ondelete="SET NULL")
    )
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ShiftTemplateNeed(Base):
    __tablename__ = "shift_template_needs"

    template_id: Mapped[int] = mapped_column(
        ForeignKey("shift_templates.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ShiftTemplateException(Base):
    """A local date on which the template does not run (a cancelled date)."""

    __tablename__ = "shift_template_exceptions"

    template_id: Mapped[int] = mapped_column(
        ForeignKey("shift_templates.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ShiftRow(Base):
    """A concrete shift. ``(template_id, day)`` is unique, so generating the horizon
    twice, even by two processes at once, stores each occurrence once."""

    __tablename__ = "shifts"
    __table_args__ = (
        Index("uq_shifts_template_day", "template_id", "day", unique=True),
        Index("ix_shifts_room_starts", "room_id", "starts_at"),
        Index("ix_shifts_topic_starts", "topic_id", "starts_at"),
        Index("ix_shifts_org_starts", "organisation_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_templates.id", ondelete="SET NULL")
    )
    day: Mapped[date] = mapped_column(Date)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    qualification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qualifications.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on every change: the calendar feed's SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0)


class ShiftPlace(Base):
    """How many people of ``role`` a shift needs and has: the counter that decides the
    last place (``UPDATE … SET filled = filled + 1 WHERE filled < needed``)."""

    __tablename__ = "shift_places"
    __table_args__ = (CheckConstraint("filled >= 0", name="filled_not_negative"),)

    shift_id: Mapped[int] = mapped_column(
        ForeignKey("shifts.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    needed: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)


class ShiftAssignmentRow(Base):
    """A person's place on a shift, with their check-in and check-out."""

    __tablename__ = "shift_assignments"
    __table_args__ = (
        Index("uq_shift_assignments_shift_person", "shift_id", "person_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ShiftSwapRow(Base):
    """A place offered for a swap: open, pending (taken, awaiting approval), done or
    withdrawn."""

    __tablename__ = "shift_swaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("shift_assignments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ShiftCall(Base):
    """A coordinator's call for volunteers for a shift."""

    __tablename__ = "shift_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text, default="")


class ShiftCallRecipient(Base):
    """The in-app notice of a call to one qualified person."""

    __tablename__ = "shift_call_recipients"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("shift_calls.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ShiftDebrief(Base):
    """A volunteer's note after a shift, or a request for a debrief conversation. For
    the coordinators only; holds no visitor details."""

    __tablename__ = "shift_debriefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("shift_assignments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text, default="")
    wants_talk: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CalendarFeedRow(Base):
    """A person's secret calendar feed: only the SHA-256 of its token is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def checked_in_now(now: datetime) -> ColumnElement[bool]:
    """A shift assignment (joined with its shift) whose person is checked in at ``now``:
    not checked out, the shift neither cancelled nor over."""
    return and_(
        ShiftRow.cancelled_at.is_(None),
        ShiftRow.ends_at > now,
        ShiftAssignmentRow.checked_in_at.is_not(None),
        ShiftAssignmentRow.checked_in_at <= now,
        or_(
            ShiftAssignmentRow.checked_out_at.is_(None),
            ShiftAssignmentRow.checked_out_at > now,
        ),
    )
