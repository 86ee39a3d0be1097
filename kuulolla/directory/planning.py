"""Planning an import: records read from an open-data file (:mod:`.opendata`) compared
with what is stored, saying what importing them would do: new services, changed ones
(with what changed), unchanged ones, records with problems and stored services the
file does not have. Pure; importing.py applies a plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.directory import logic
from kuulolla.directory.opendata import Incoming, Problem


@dataclass(frozen=True, slots=True)
class Stored:
    """What is stored of a service, for comparison."""

    id: int
    organisation: str
    fields: logic.ServiceFields
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    organisation: str
    fields: logic.ServiceFields
    checked_at: datetime | None  # None: now
    service_id: int | None = None  # None: a new service
    changed: tuple[str, ...] = ()  # what differs, for the report


@dataclass(frozen=True, slots=True)
class Plan:
    creates: list[Change] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    missing: list[Stored] = field(default_factory=list)  # stored, not in the file

    @property
    def changes(self) -> int:
        return len(self.creates) + len(self.updates)


_COMPARED = (
    "kind", "names", "summaries", "descriptions", "topics", "ages", "relatives", "languages",
    "nationwide", "areas", "online", "address", "hours", "hours_notes", "contact", "free",
    "costs", "accessibility", "crisis", "published",
)  # fmt: skip


def _differences(old: logic.ServiceFields, new: logic.ServiceFields) -> tuple[str, ...]:
    return tuple(
        name
        for name in _COMPARED
        if _comparable(getattr(old, name)) != _comparable(getattr(new, name))
    )


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: v for k, v in value.items() if v}
    return value


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=HELSINKI)


def plan(
    records: Sequence[Incoming],
    *,
    stored: Iterable[Stored],
    organisations: Mapping[str, int],
    topics: Iterable[str],
    only_organisation: str | None = None,
) -> Plan:
    """What importing ``records`` would do: new services, changed ones (with what
    changed), unchanged ones, records with problems, and stored services the file does
    not have. ``organisations`` maps the slugs that may be imported into to their ids;
    with ``only_organisation``, a record without an organisation belongs to it and one
    naming another is a problem."""
    topics = list(topics)
    by_key = {(s.organisation, s.fields.key): s for s in stored}
    creates: list[Change] = []
    updates: list[Change] = []
    problems: list[Problem] = []
    unchanged = 0
    seen: set[tuple[str, str]] = set()
    for item in records:
        org = item.organisation or (only_organisation or "")
        if only_organisation is not None and org != only_organisation:
            problems.append(
                Problem(
                    item.number,
                    item.given.key,
                    {
                        "organisation": BadRequest(
                            N_("This file may only hold the organisation's own services."),
                            code="other_organisation",
                        )
                    },
                )
            )
            continue
        if org not in organisations:
            problems.append(
                Problem(
                    item.number,
                    item.given.key,
                    {
                        "organisation": BadRequest(
                            N_("Unknown organisation."), code="unknown_organisation"
                        )
                    },
                )
            )
            continue
        existing_key = (org, item.given.key.strip().lower())
        try:
            fields = logic.check_service(item.given, topics=topics, new=not item.given.key)
        except logic.InvalidService as exc:
            problems.append(Problem(item.number, item.given.key, exc.errors))
            continue
        key = (org, fields.key)
        if key in seen:
            problems.append(
                Problem(
                    item.number,
                    fields.key,
                    {"key": BadRequest(N_("The file has this service twice."), code="duplicate")},
                )
            )
            continue
        seen.add(key)
        old = by_key.get(key) or by_key.get(existing_key)
        checked = _noon(item.checked) if item.checked else None
        if old is None:
            creates.append(Change(org, fields, checked))
            continue
        differences = _differences(old.fields, fields)
        if checked is not None and checked.date() != old.checked_at.astimezone(HELSINKI).date():
            differences = (*differences, "checked")
        if differences:
            updates.append(Change(org, fields, checked, old.id, differences))
        else:
            unchanged += 1
    missing = [s for s in by_key.values() if (s.organisation, s.fields.key) not in seen]
    if only_organisation is not None:
        missing = [s for s in missing if s.organisation == only_organisation]
    return Plan(creates, updates, unchanged, problems, missing)
