"""Pure checks of the coordinator's forms: a queue topic and a canned response.

A form is checked as a whole and every field's problem is reported at once
(:class:`InvalidForm`, errors by field name), so the page can show each next to its
field. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kuulolla.core import times
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.forms import InvalidForm
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.queue import helpnow, logic

LOCALES = ("fi", "sv", "en")
MAX_TOPIC_TEXT_CHARS = 2000
MAX_CANNED_CHARS = logic.MAX_NOTE_CHARS
HANDLING_MINUTES = (1, 240)


@dataclass(frozen=True, slots=True)
class TopicInput:
    """A topic as the form sends it: texts by locale, opening hours as one line of
    windows per weekday ("16:00-21:00, 22:00-24:00"), chosen pre-chat questions,
    the typical handling time in minutes and whether the topic is open."""

    names: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    consents: Mapping[str, str] = field(default_factory=dict)
    hours: Mapping[str, str] = field(default_factory=dict)
    questions: Sequence[str] = ()
    handling_minutes: str = "15"
    active: bool = True
    audience: str = "all"


@dataclass(frozen=True, slots=True)
class TopicFields:
    """A checked topic, ready to store."""

    names: dict[str, str]
    descriptions: dict[str, str]
    consents: dict[str, str]
    hours: dict[str, list[list[str]]]
    questions: tuple[str, ...]
    default_handling: int  # seconds
    active: bool
    audience: str = "all"


def _text(value: str, *, max_chars: int) -> str:
    cleaned = value.strip()
    if len(cleaned) > max_chars:
        raise BadRequest(N_("Write at most {max} characters."), code="too_long", max=max_chars)
    return cleaned


def check_day_hours(day: str, text: str) -> list[list[str]]:
    """One weekday's windows from "16-21", "klo 16–21", "16:00-21:00" or
    "9-12, 13.00–15.00" (empty: closed that day; core/times.py reads the forms)."""
    windows = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            start, end = times.parse_range(part)
        except times.TimeInvalid:
            raise logic.InvalidHours(
                N_("Write the hours as start and end, for example 16-21 or 16.00–21.00."),
            ) from None
        if end == 0 and start > 0:
            end = times.DAY  # "18-0": until midnight
        windows.append([times.hhmm(start), times.hhmm(end)])
    try:
        return logic.check_hours({day: windows}).get(day, [])
    except logic.InvalidHours:
        raise logic.InvalidHours(
            N_(
                "Write the hours as start and end, for example 16-21 or 16.00–21.00; "
                "the end must come after the start (24 is midnight)."
            )
        ) from None


def hours_text(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, str]:
    """Stored opening hours as the form shows them, by weekday."""
    return {
        day: ", ".join(f"{start}-{end}" for start, end in hours.get(day, ()))
        for day in logic.WEEKDAYS
    }


def check_topic(given: TopicInput) -> TopicFields:
    """Check every field of a topic; raises :class:`InvalidForm` with all problems."""
    errors: dict[str, AppError] = {}
    names: dict[str, str] = {}
    for loc in LOCALES:
        value = given.names.get(loc, "")
        if not value.strip():
            if loc == "fi":
                errors["name_fi"] = BadRequest(
                    N_("A topic needs a Finnish name."), code="invalid_name"
                )
            continue
        try:
            names[loc] = check_name(value)
        except AppError as exc:
            errors[f"name_{loc}"] = exc
    texts: dict[str, dict[str, str]] = {"description": {}, "consent": {}}
    for kind, values in (("description", given.descriptions), ("consent", given.consents)):
        for loc in LOCALES:
            try:
                cleaned = _text(values.get(loc, ""), max_chars=MAX_TOPIC_TEXT_CHARS)
            except AppError as exc:
                errors[f"{kind}_{loc}"] = exc
                continue
            if cleaned:
                texts[kind][loc] = cleaned
    for loc in ("sv", "en"):
        if texts["consent"].get(loc) and not texts["consent"].get("fi"):
            errors.setdefault(
                "consent_fi",
                BadRequest(
                    N_("Write the consent text in Finnish too; it is the one that applies."),
                    code="consent_needs_finnish",
                ),
            )
    hours: dict[str, list[list[str]]] = {}
    for day in logic.WEEKDAYS:
        try:
            windows = check_day_hours(day, given.hours.get(day, ""))
        except AppError as exc:
            errors[f"hours_{day}"] = exc
            continue
        if windows:
            hours[day] = windows
    questions = tuple(q for q in logic.QUESTIONS if q in given.questions)
    if any(q not in logic.QUESTIONS for q in given.questions):
        errors["questions"] = BadRequest(N_("Unknown pre-chat question."), code="invalid_question")
    low, high = HANDLING_MINUTES
    minutes: Any = given.handling_minutes.strip()
    try:
        minutes = int(minutes)
    except ValueError:
        minutes = None
    if minutes is None or not low <= minutes <= high:
        errors["handling_minutes"] = BadRequest(
            N_("Give a whole number of minutes from {low} to {high}."),
            code="invalid_handling",
            low=low,
            high=high,
        )
    if given.audience not in helpnow.AUDIENCES:
        errors["audience"] = BadRequest(
            N_("Choose whom the topic is for."), code="invalid_audience"
        )
    if errors:
        raise InvalidForm(errors)
    return TopicFields(
        names=names,
        descriptions=texts["description"],
        consents=texts["consent"],
        hours=hours,
        questions=questions,
        default_handling=int(minutes) * 60,
        active=given.active,
        audience=given.audience,
    )


def check_topic_slug(slug: str) -> str:
    """A new topic's slug (it appears in /chat/<slug>; reserved names refused)."""
    try:
        return logic.check_topic_slug(slug.strip())
    except AppError as exc:
        raise InvalidForm({"slug": exc}) from None


@dataclass(frozen=True, slots=True)
class CannedFields:
    locale: str
    title: str
    text: str


def check_canned(*, locale: str, title: str, text: str) -> CannedFields:
    """A canned response: a language, a title and the text a helper inserts."""
    errors: dict[str, AppError] = {}
    if locale not in LOCALES:
        errors["locale"] = BadRequest(N_("Choose a language."), code="invalid_locale")
    try:
        title = check_name(title)
    except AppError as exc:
        errors["title"] = exc
    try:
        text = logic.check_text(text, max_chars=MAX_CANNED_CHARS)
    except AppError as exc:
        errors["text"] = exc
    if errors:
        raise InvalidForm(errors)
    return CannedFields(locale, title, text)
