"""Tables of the question-and-answer archive.

Staff users live in the accounts domain, which is not merged yet: who drafted,
reviewed or answered is a plain ``*_user_id`` integer without a foreign key for now,
and a published answer keeps a snapshot of the answerer's display name, role and
organisation (what readers see must not change when a person leaves).

Search: ``question_search`` holds the analysed forms of every *published* question
(a row exists only while the question is in the archive). The full-text index over
it cannot be declared here: the migration adds, on PostgreSQL, a generated
``tsvector`` column ``vector`` with a GIN index, and on SQLite an FTS5 table
``question_fts`` (external content, kept in sync by triggers). See search.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class QuestionSettings(Base):
    """An organisation's settings for answering questions."""

    __tablename__ = "question_settings"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    deadline_working_days: Mapped[int] = mapped_column(Integer, default=10)
    review_required: Mapped[bool] = mapped_column(Boolean, default=False)


class Question(Base):
    """A visitor's question. ``title`` and ``body`` hold the screened text only (personal
    data masked on arrival) and later the redacted text; the original is never kept."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_state_deadline", "state", "deadline_at"),
        Index("ix_questions_state_published", "state", "published_at"),
        Index("ix_questions_state_helpful", "state", "helpful_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Hash of the asker's claim code (logic.claim_key); the code itself is not stored.
    claim_key: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(32), index=True)
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    masked: Mapped[str] = mapped_column(String(40), default="")  # kinds masked on arrival
    # The crisis category the screening found on arrival ("suicide", "self_harm", ...):
    # staff are offered the crisis refusal, which shows the asker crisis help at once.
    crisis: Mapped[str | None] = mapped_column(String(16))
    age_group: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(16))
    wants_public: Mapped[bool] = mapped_column(Boolean)
    consent: Mapped[bool] = mapped_column(Boolean)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    assignee_user_id: Mapped[int | None] = mapped_column(Integer)  # FK to staff users later
    refusal: Mapped[str | None] = mapped_column(String(20))
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful: Mapped[int] = mapped_column(Integer, default=0)
    helpful_score: Mapped[float] = mapped_column(Float, default=0.0)


class Answer(Base):
    """The answer to a question: a draft until published or answered privately."""

    __tablename__ = "answers"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)
    drafter_user_id: Mapped[int | None] = mapped_column(Integer)  # FK to staff users later
    reviewer_user_id: Mapped[int | None] = mapped_column(Integer)
    answerer_user_id: Mapped[int | None] = mapped_column(Integer)
    # Snapshot at publishing: what readers see under the answer.
    answerer_name: Mapped[str | None] = mapped_column(String(120))
    answerer_role: Mapped[str | None] = mapped_column(String(120))
    answerer_organisation: Mapped[str | None] = mapped_column(String(200))
    review_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestionEvent(Base):
    """The audit trail of a question: every workflow step and every redaction. A
    redaction's ``detail`` records where text was replaced and with what, never the
    removed text (logic.redaction_changes)."""

    __tablename__ = "question_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None] = mapped_column(Integer)  # None: the asker or the system
    actor_role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON


class QuestionTag(Base):
    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class QuestionVote(Base):
    """One "was this helpful" vote per visitor and answer. ``voter_key`` is the hash of
    a random per-browser token (core.ids.token_key), never an address."""

    __tablename__ = "question_votes"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    voter_key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    helpful: Mapped[bool] = mapped_column(Boolean)


class QuestionSearch(Base):
    """Analysed forms of a published question, one row per question in the archive.

    The forms are space-separated index terms (search.py): Voikko base forms and
    compound parts for Finnish, Snowball stems for Swedish and English.
    """

    __tablename__ = "question_search"
    __table_args__ = (Index("ix_question_search_language_category", "language", "category"),)

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    language: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(32))
    title_forms: Mapped[str] = mapped_column(Text)
    body_forms: Mapped[str] = mapped_column(Text)
    answer_forms: Mapped[str] = mapped_column(Text)


class QuestionTerm(Base):
    """How many archived questions hold each index term (search.py). Queries look the
    counts up to rank only documents that hold their rarer terms when the common ones
    would match half the archive. Kept up to date where ``question_search`` is written;
    deletions that bypass search.py leave counts too high, which only makes the pruning
    more cautious (``search.rebuild_term_counts`` recounts)."""

    __tablename__ = "question_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    docs: Mapped[int] = mapped_column(Integer)
