"""Pure checks of the shift template form, used by the roster's templates page and by
a room's schedule: the time as people type it ("18-21", "klo 18.00–21.00"), how it
repeats (weekdays every n-th week, every day, the n-th weekday of the month, a day of
the month, or an RRULE for the rare rest), the dates, the head counts and the training.

:func:`check_template_form` reports every field's problem at once
(:class:`InvalidForm`, errors by field name); :func:`template_form_values` turns
a stored template back into the form's fields, so editing shows the same choices.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kuulolla.core import times
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.forms import InvalidForm
from kuulolla.core.i18n import N_
from kuulolla.shifts.recurrence import MAX_PER_ROLE, WEEKDAYS, ShiftTemplate, check_rule, weekly
from kuulolla.shifts.values import PROFESSIONAL, VOLUNTEER

REPEATS = ("weekly", "daily", "monthly_weekday", "monthly_day", "custom")
# The form's words: weekdays by RRULE code, how often, which weekday of the month.
WEEKDAY_LABELS = dict(
    zip(
        WEEKDAYS,
        (
            N_("Monday"),
            N_("Tuesday"),
            N_("Wednesday"),
            N_("Thursday"),
            N_("Friday"),
            N_("Saturday"),
            N_("Sunday"),
        ),
        strict=True,
    )
)
INTERVAL_LABELS = {
    "1": N_("every week"),
    "2": N_("every other week"),
    "3": N_("every third week"),
    "4": N_("every fourth week"),
}
POSITION_LABELS = {
    "1": N_("first"),
    "2": N_("second"),
    "3": N_("third"),
    "4": N_("fourth"),
    "-1": N_("last"),
}
INTERVALS = (1, 2, 3, 4)
POSITIONS = (1, 2, 3, 4, -1)


@dataclass(frozen=True, slots=True)
class TemplateFields:
    """A checked template form; ``target`` is ("room" or "topic", id)."""

    target: tuple[str, int]
    start: int
    end: int
    rule: str
    valid_from: date
    valid_until: date | None
    needs: dict[str, int]
    qualification_id: int | None
    exceptions: frozenset[date]
    skip_holidays: bool


def _date(value: str) -> date:
    return date.fromisoformat(value.strip())


def build_rule(form: Mapping[str, str], days: Sequence[str]) -> str:
    """The RRULE the repeat fields describe; ``BadRequest`` (code ``invalid_rule``)."""
    repeat = form.get("repeat", "weekly")
    interval = form.get("interval", "1")
    if repeat == "weekly":
        if interval not in {str(i) for i in INTERVALS}:
            raise BadRequest(N_("Choose how often the shift repeats."), code="invalid_rule")
        return weekly([d for d in days if d in WEEKDAYS], interval=int(interval))
    if repeat == "daily":
        return "FREQ=DAILY"
    if repeat == "monthly_weekday":
        position, day = form.get("position", ""), form.get("weekday", "")
        if position not in {str(p) for p in POSITIONS} or day not in WEEKDAYS:
            raise BadRequest(N_("Choose the weekday of the month."), code="invalid_rule")
        return f"FREQ=MONTHLY;BYDAY={position}{day}"
    if repeat == "monthly_day":
        value = form.get("monthday", "").strip()
        if not value.isdigit() or not 1 <= int(value) <= 31:
            raise BadRequest(N_("Give the day of the month, 1–31."), code="invalid_rule")
        return f"FREQ=MONTHLY;BYMONTHDAY={int(value)}"
    if repeat == "custom":
        return check_rule(form.get("rule", ""))
    raise BadRequest(N_("Choose how often the shift repeats."), code="invalid_rule")


def check_template_form(
    form: Mapping[str, str],
    days: Sequence[str],
    *,
    targets: Collection[tuple[str, int]],
    qualifications: Collection[int],
    target: tuple[str, int] | None = None,
) -> TemplateFields:
    """Check every field; ``targets``: the rooms and topics that may be chosen (a
    room's schedule passes its own as ``target`` instead of a choice)."""
    errors: dict[str, AppError] = {}
    if target is None:
        kind, _, ident = form.get("target", "").partition("-")
        if kind in ("room", "topic") and ident.isdigit() and (kind, int(ident)) in targets:
            target = (kind, int(ident))
        else:
            errors["target"] = BadRequest(
                N_("Choose a room or a queue topic."), code="invalid_target"
            )
    start = end = 0
    try:
        start, end = times.parse_range(form.get("times", ""))
    except AppError as exc:
        errors["times"] = exc
    rule = ""
    try:
        rule = build_rule(form, days)
    except AppError as exc:
        errors["repeat" if form.get("repeat") != "custom" else "rule"] = exc
    valid_from = date.min
    try:
        valid_from = _date(form.get("valid_from", ""))
    except ValueError:
        errors["valid_from"] = BadRequest(
            N_("Give the date as day, month and year."), code="invalid_valid_from"
        )
    valid_until = None
    if form.get("valid_until", "").strip():
        try:
            valid_until = _date(form["valid_until"])
        except ValueError:
            errors["valid_until"] = BadRequest(
                N_("Give the date as day, month and year."), code="invalid_valid_until"
            )
        else:
            if valid_from != date.min and valid_until < valid_from:
                errors["valid_until"] = BadRequest(
                    N_("The last day cannot be before the first day."), code="invalid_dates"
                )
    needs: dict[str, int] = {}
    for role, name in ((VOLUNTEER, "volunteers"), (PROFESSIONAL, "professionals")):
        value = form.get(name, "0").strip() or "0"
        if not value.isdigit() or int(value) > MAX_PER_ROLE:
            errors[name] = BadRequest(
                N_("Give a whole number from {low} to {high}."),
                code="invalid_needs",
                low=0,
                high=MAX_PER_ROLE,
            )
        elif int(value):
            needs[role] = int(value)
    if not needs and "volunteers" not in errors and "professionals" not in errors:
        errors["volunteers"] = BadRequest(
            N_("A shift needs at least one person."), code="invalid_needs"
        )
    qualification: int | None = None
    chosen = form.get("qualification_id", "").strip()
    if chosen:
        if chosen.isdigit() and int(chosen) in qualifications:
            qualification = int(chosen)
        else:
            errors["qualification_id"] = BadRequest(
                N_("Choose one of the organisation's trainings."), code="invalid_qualification"
            )
    exceptions: set[date] = set()
    for piece in form.get("exceptions", "").replace(",", " ").split():
        try:
            exceptions.add(_date(piece))
        except ValueError:
            errors["exceptions"] = BadRequest(
                N_("Give the dates as yyyy-mm-dd, separated by spaces."), code="invalid_exceptions"
            )
            break
    if errors or target is None:
        raise InvalidForm(errors)
    return TemplateFields(
        target=target,
        start=start,
        end=end,
        rule=rule,
        valid_from=valid_from,
        valid_until=valid_until,
        needs=needs,
        qualification_id=qualification,
        exceptions=frozenset(exceptions),
        skip_holidays=form.get("skip_holidays") == "1",
    )


def _times_value(template: ShiftTemplate) -> str:
    """ "18–21", "0–24", "22–6", "8.30–9.30": what the form's time field shows."""
    start, end = times.of_time(template.start_time), times.of_time(template.end_time)
    if end == 0:
        end = times.DAY  # midnight that ends the day: "18–24", "0–24"
    whole = start % 60 == 0 and end % 60 == 0
    return (
        f"{times.clock_text(start, 'fi', whole=whole)}–{times.clock_text(end, 'fi', whole=whole)}"
    )


def template_form_values(template: ShiftTemplate) -> tuple[dict[str, str], list[str]]:
    """A stored template as the form's fields and chosen weekdays."""
    values = {
        "target": str(template.target),
        "times": _times_value(template),
        "valid_from": template.valid_from.isoformat(),
        "valid_until": template.valid_until.isoformat() if template.valid_until else "",
        "volunteers": str(template.needs.get(VOLUNTEER, 0)),
        "professionals": str(template.needs.get(PROFESSIONAL, 0)),
        "qualification_id": template.qualification or "",
        "exceptions": " ".join(d.isoformat() for d in sorted(template.exceptions)),
        "skip_holidays": "1" if template.skip_holidays else "",
        "repeat": "custom",
        "rule": template.rule,
        "interval": "1",
    }
    parts = dict(piece.split("=", 1) for piece in check_rule(template.rule).split(";"))
    days: list[str] = []
    freq, interval = parts.pop("FREQ"), parts.pop("INTERVAL", "1")
    parts.pop("WKST", None)
    byday = [d for d in parts.pop("BYDAY", "").split(",") if d]
    if freq == "WEEKLY" and not parts and int(interval) in INTERVALS:
        days = byday or [WEEKDAYS[template.valid_from.weekday()]]
        if all(d in WEEKDAYS for d in days):
            values.update(repeat="weekly", interval=interval)
        else:
            days = []
    elif freq == "DAILY" and not parts and not byday and interval == "1":
        values["repeat"] = "daily"
    elif freq == "MONTHLY" and interval == "1" and not parts and len(byday) == 1:
        position, day = byday[0][:-2], byday[0][-2:]
        if position.lstrip("+").isdigit() or position == "-1":
            position = position.lstrip("+")
            if int(position) in POSITIONS and day in WEEKDAYS:
                values.update(repeat="monthly_weekday", position=position, weekday=day)
    elif (
        freq == "MONTHLY"
        and interval == "1"
        and not byday
        and list(parts) == ["BYMONTHDAY"]
        and parts["BYMONTHDAY"].isdigit()
    ):
        values.update(repeat="monthly_day", monthday=parts["BYMONTHDAY"])
    return values, days
