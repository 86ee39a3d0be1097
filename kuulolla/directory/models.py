"""Tables of the service directory.

``directory_services`` holds each service whole (texts per language as JSON objects,
opening hours in :func:`hours.to_json` form). Two index tables let the database filter
before anything is loaded: ``directory_service_areas`` (one row per area code: "fi" for
the whole country, "m:091", "c:pirkanmaa") and ``directory_service_topics``. The search
index ``directory_search`` holds each *published* service's analysed words, with an
FTS5 table (SQLite) or a generated tsvector (PostgreSQL) beside it, made by the
migration (search.py). No table holds anything about visitors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kuulolla.core.db import Base, UTCDateTime


class DirectoryTopic(Base):
    """A topic of the shared vocabulary ("mental_health"); admins curate them."""

    __tablename__ = "directory_topics"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_fi: Mapped[str] = mapped_column(String(120))
    name_sv: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    # Further words that find the topic's services, in any language.
    words: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DirectoryService(Base):
    __tablename__ = "directory_services"
    __table_args__ = (
        Index("uq_directory_services_org_key", "organisation_id", "key", unique=True),
        Index("ix_directory_services_published", "published", "checked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # In addresses (/directory/<organisation>/<key>) and as the id in open data.
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summaries: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    ages: Mapped[list[str]] = mapped_column(JSON, default=list)
    relatives: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    nationwide: Mapped[bool] = mapped_column(Boolean, default=False)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    # The address of the place where the service is: never of a person.
    street: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    post_office: Mapped[str] = mapped_column(String(100), default="")
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hours_notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    phone: Mapped[str] = mapped_column(String(40), default="")
    web: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    chat: Mapped[str] = mapped_column(String(80), default="")
    free: Mapped[bool] = mapped_column(Boolean, default=True)
    costs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    accessibility: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When someone of the organisation last confirmed the details are right.
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Who last changed or checked it (staff data: erased with the person).
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )


class DirectoryServiceArea(Base):
    __tablename__ = "directory_service_areas"
    __table_args__ = (Index("ix_directory_service_areas_code", "code", "service_id"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)


class DirectoryServiceTopic(Base):
    __tablename__ = "directory_service_topics"
    __table_args__ = (Index("ix_directory_service_topics_topic", "topic", "service_id"),)

    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)


class DirectorySearch(Base):
    """Analysed words of a published service: its names, then everything else."""

    __tablename__ = "directory_search"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    name_forms: Mapped[str] = mapped_column(Text, default="")
    text_forms: Mapped[str] = mapped_column(Text, default="")


class DirectorySettings(Base):
    """An organisation's directory settings (defaults when there is no row)."""

    __tablename__ = "directory_settings"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    # Days after the last check that a service goes stale.
    stale_days: Mapped[int] = mapped_column(Integer, default=365)


class DirectoryPlatform(Base):
    """The platform's directory settings: one row, id 1 (defaults when absent)."""

    __tablename__ = "directory_platform"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    licence: Mapped[str] = mapped_column(String(32), default="CC-BY-4.0")
    # Who publishes the open data (shown in the files); the service's name when empty.
    publisher: Mapped[str] = mapped_column(String(200), default="")
