"""Hours per person and per room or topic, and their CSV export.

Time counted for an assignment is the checked-in time when there is a check-in
(check-in to check-out, or to the shift's end when nobody checked out), else the
scheduled time of the shift. Elapsed time, so a night shift across a DST change
counts 7 or 9 hours, as it was. A period holds the shifts that *start* in it;
cancelled shifts count nothing.

CSV format: written for Excel and LibreOffice with Finnish regional settings, which
coordinators use whatever the interface language: UTF-8 with a byte-order mark (so
Excel reads "ä" right), ``;`` between fields, decimal comma ("3,50"), CRLF line
ends, one header row in the reader's language. Cells that a spreadsheet would take
for a formula (starting ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading ``'``
(OWASP: CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from kuulolla.core.i18n import N_, gettext
from kuulolla.core.spreadsheets import BOM, defuse
from kuulolla.shifts.values import Assignment, Target

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Worked:
    """The time counted for one assignment; ``checked`` when from check-in/out."""

    start: datetime
    end: datetime
    checked: bool

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def worked(assignment: Assignment) -> Worked:
    shift = assignment.shift
    if assignment.checked_in is None:
        return Worked(shift.start, shift.end, checked=False)
    end = assignment.checked_out or shift.end
    return Worked(assignment.checked_in, max(end, assignment.checked_in), checked=True)


@dataclass(frozen=True, slots=True)
class HoursRow(Generic[K]):
    """Totals for one person (``key`` = person id) or one target (``key`` = Target)."""

    key: K
    shifts: int
    time: timedelta

    @property
    def hours(self) -> float:
        return self.time.total_seconds() / 3600


def _totals(
    assignments: Iterable[Assignment],
    key: Callable[[Assignment], K],
    start: datetime,
    end: datetime,
) -> list[HoursRow[K]]:
    shifts: dict[K, int] = {}
    time: dict[K, timedelta] = {}
    for a in assignments:
        if a.shift.cancelled or not start <= a.shift.start < end:
            continue
        k = key(a)
        shifts[k] = shifts.get(k, 0) + 1
        time[k] = time.get(k, timedelta(0)) + worked(a).duration
    return [HoursRow(k, shifts[k], time[k]) for k in shifts]


def hours_by_person(
    assignments: Iterable[Assignment], *, start: datetime, end: datetime
) -> list[HoursRow[int]]:
    """Shifts and time per person for shifts starting in ``[start, end)``."""
    return _totals(assignments, lambda a: a.person_id, start, end)


def hours_by_target(
    assignments: Iterable[Assignment], *, start: datetime, end: datetime
) -> list[HoursRow[Target]]:
    """Shifts (distinct) and person-time per room or topic for shifts starting in
    ``[start, end)``: two people on a three-hour shift make one shift and six hours."""
    rows = _totals(assignments, lambda a: a.shift.target, start, end)
    distinct: dict[Target, set[int]] = {}
    for a in assignments:
        if not a.shift.cancelled and start <= a.shift.start < end:
            distinct.setdefault(a.shift.target, set()).add(a.shift.id)
    return [HoursRow(r.key, len(distinct[r.key]), r.time) for r in rows]


# ------------------------------------------------------------------ CSV

PERSON_HEADER = (N_("Name"), N_("Shifts"), N_("Hours"))
TARGET_HEADER = (N_("Room or queue"), N_("Shifts"), N_("Hours"))


def hours_csv(
    rows: Sequence[HoursRow[K]],
    *,
    names: Mapping[K, str],
    header: Sequence[str],
    locale: str,
) -> str:
    """CSV text of ``rows`` (the format is in the module docstring), sorted by name.

    ``names``: display names by key (a missing one shows as ``#<key>``); ``header``:
    :data:`PERSON_HEADER` or :data:`TARGET_HEADER`, translated into ``locale``.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([defuse(gettext(locale, h)) for h in header])
    named = [(names.get(r.key, f"#{r.key}"), r) for r in rows]
    for name, row in sorted(named, key=lambda nr: (nr[0].casefold(), nr[0])):
        writer.writerow([defuse(name), str(row.shifts), decimal_comma(row.hours)])
    return BOM + out.getvalue()


def decimal_comma(value: float) -> str:
    """Two decimals with a comma: 3.5 -> "3,50"."""
    return f"{value:.2f}".replace(".", ",")
