"""Keeping concrete shifts in line with their templates over a rolling horizon.

:func:`plan_horizon` compares what the templates generate with the shifts already
stored and says what to create, change, reopen and cancel. It never changes a
shift someone has signed up for in a way that could break their commitment: such
shifts are reported as conflicts for a coordinator instead. Running it again after
applying its plan gives an empty plan.

Caller's duties:

- pass every current template of the scope, and every stored shift generated from
  them that starts after ``now`` (cancelled ones included, with their sign-up counts);
- end a template by setting its ``valid_until`` rather than deleting it: stored
  shifts of templates not passed in are left alone;
- cancel a single generated shift by adding its date to the template's
  ``exceptions``: a cancelled shift that its template generates again is reopened;
- a coordinator who keeps a conflicting shift detaches it from its template (and
  stops passing it in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from kuulolla.shifts.recurrence import Occurrence, ShiftKey, ShiftTemplate, occurrences


@dataclass(frozen=True, slots=True)
class StoredShift:
    """A generated shift as stored: its key, values, status and who has signed up.

    ``assigned`` maps a role to how many people hold a place of that role.
    """

    key: ShiftKey
    start: datetime
    end: datetime
    needs: Mapping[str, int] = field(hash=False)
    qualification: str | None = None
    cancelled: bool = False
    assigned: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def claimed(self) -> bool:
        return any(count > 0 for count in self.assigned.values())


@dataclass(frozen=True, slots=True)
class Conflict:
    """A signed-up shift the templates no longer generate (``removed``) or now generate
    differently (``changed``, with the new values in ``occurrence``). Left unchanged."""

    key: ShiftKey
    reason: Literal["removed", "changed"]
    assigned: Mapping[str, int] = field(hash=False)
    occurrence: Occurrence | None = None


@dataclass(frozen=True, slots=True)
class HorizonPlan:
    """What to do to the stored shifts.

    ``create``: new shifts. ``update``: stored shifts to rewrite with these values
    (unclaimed ones; or claimed ones whose only change is needs that still fit
    everyone signed up). ``reopen``: cancelled shifts to open again, with these
    values. ``cancel``: unclaimed shifts no longer generated. ``conflicts``: claimed
    shifts left alone, for a coordinator.
    """

    create: tuple[Occurrence, ...] = ()
    update: tuple[Occurrence, ...] = ()
    reopen: tuple[Occurrence, ...] = ()
    cancel: tuple[ShiftKey, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.create or self.update or self.reopen or self.cancel)


def plan_horizon(
    templates: Sequence[ShiftTemplate],
    stored: Iterable[StoredShift],
    *,
    now: datetime,
    days: int,
) -> HorizonPlan:
    """Plan the shifts of ``templates`` that start in ``(now, now + days)``.

    Stored shifts beyond the horizon (it was longer once) are checked against the
    templates too, but nothing new is created past it. Shifts that have started are
    never touched.
    """
    by_id = {t.id: t for t in templates}
    future = {s.key: s for s in stored if s.start > now and s.key.template_id in by_id}
    horizon_end = now + timedelta(days=days)
    until = max([horizon_end, *(s.start + timedelta(microseconds=1) for s in future.values())])
    wanted: dict[ShiftKey, Occurrence] = {}
    for template in templates:
        for occurrence in occurrences(template, now, until):
            if occurrence.start > now:
                wanted[occurrence.key] = occurrence

    create, update, reopen, cancel, conflicts = [], [], [], [], []
    for key, occurrence in sorted(wanted.items()):
        existing = future.get(key)
        if existing is None:
            if occurrence.start < horizon_end:
                create.append(occurrence)
        elif existing.cancelled:
            reopen.append(occurrence)
        elif _same(existing, occurrence):
            continue
        elif not existing.claimed or _needs_only_and_fits(existing, occurrence):
            update.append(occurrence)
        else:
            conflicts.append(Conflict(key, "changed", dict(existing.assigned), occurrence))
    for key, existing in sorted(future.items()):
        if key in wanted or existing.cancelled:
            continue
        if existing.claimed:
            conflicts.append(Conflict(key, "removed", dict(existing.assigned)))
        else:
            cancel.append(key)
    return HorizonPlan(
        create=tuple(create),
        update=tuple(update),
        reopen=tuple(reopen),
        cancel=tuple(cancel),
        conflicts=tuple(conflicts),
    )


def _same(stored: StoredShift, occurrence: Occurrence) -> bool:
    return (
        stored.start == occurrence.start
        and stored.end == occurrence.end
        and _needs(stored.needs) == _needs(occurrence.needs)
        and stored.qualification == occurrence.qualification
    )


def _needs(needs: Mapping[str, int]) -> dict[str, int]:
    return {role: n for role, n in needs.items() if n > 0}


def _needs_only_and_fits(stored: StoredShift, occurrence: Occurrence) -> bool:
    """Only the head counts changed, and everyone signed up still has a place."""
    return (
        stored.start == occurrence.start
        and stored.end == occurrence.end
        and stored.qualification == occurrence.qualification
        and all(occurrence.needs.get(role, 0) >= n for role, n in stored.assigned.items())
    )
