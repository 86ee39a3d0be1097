"""Pure rules of the service directory: what a service is, the checks of its fields and
when it goes stale (the vocabularies are :mod:`.vocabulary`; filters and the referral
card :mod:`.finding`).

A *service* is something an organisation offers people: a peer group, a helpline, a
chat, a drop-in, counselling, an event series, a volunteering opportunity. It has names
and texts in Finnish (required), Swedish and English; topics from the shared vocabulary;
who it is for; where (the whole country, or municipalities and wellbeing services
counties: :mod:`regions`, with an optional address of the *place*); when
(:mod:`hours`); how to reach it; cost and accessibility notes. It shows when it was last
checked and goes stale when its organisation's period passes without a check: stale
services are hidden from visitors and listed for the organisation to check.

:func:`check_service` checks a whole service at once (the form, an imported record) and
reports every field's problem (:class:`InvalidService`). Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.directory import hours as hours_mod
from kuulolla.directory import hours_parse, regions
from kuulolla.directory.vocabulary import AGE_GROUPS, KINDS, LANGUAGES, LOCALES

# Days after its last check that a service goes stale, unless its organisation says.
DEFAULT_STALE_DAYS = 365
STALE_DAYS = (30, 1095)
# A service that will go stale within this many days is listed for checking.
STALE_WARNING_DAYS = 30

MAX_NAME = 120
MAX_SUMMARY = 300
MAX_DESCRIPTION = 4000
MAX_SHORT_TEXT = 300
MAX_ACCESSIBILITY = 1000
MAX_TOPICS = 6
MAX_AREAS = 60


# ------------------------------------------------------------------ the service


class InvalidService(BadRequest):
    """One or more fields are wrong; ``errors`` maps field names to their errors."""

    code = "invalid_service"
    default_message = N_("Check the form.")

    def __init__(self, errors: Mapping[str, AppError]) -> None:
        super().__init__()
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str = ""
    web: str = ""
    email: str = ""
    chat: str = ""  # a Kuulolla path: /chat/<topic> or /rooms/<room>


@dataclass(frozen=True, slots=True)
class Address:
    street: str = ""
    postal_code: str = ""
    post_office: str = ""

    @property
    def empty(self) -> bool:
        return not (self.street or self.postal_code or self.post_office)


@dataclass(frozen=True, slots=True)
class ServiceFields:
    """A checked service, ready to store (and the unit of import and export)."""

    key: str
    kind: str
    names: Mapping[str, str]
    summaries: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    topics: tuple[str, ...] = ()
    ages: tuple[str, ...] = ()
    relatives: bool = False
    languages: tuple[str, ...] = ("fi",)
    nationwide: bool = False
    areas: tuple[str, ...] = ()  # region codes, "m:091", "c:pirkanmaa"
    online: bool = False
    address: Address = Address()
    hours: hours_mod.Hours = field(default_factory=hours_mod.Hours)
    hours_notes: Mapping[str, str] = field(default_factory=dict)
    contact: Contact = Contact()
    free: bool = True
    costs: Mapping[str, str] = field(default_factory=dict)
    accessibility: Mapping[str, str] = field(default_factory=dict)
    crisis: bool = False
    published: bool = True

    @property
    def area_codes(self) -> tuple[str, ...]:
        """What the area index stores: "fi" for the whole country, else the regions."""
        return (regions.NATIONWIDE,) if self.nationwide else self.areas


@dataclass(frozen=True, slots=True)
class ServiceInput:
    """A service as a form or an import sends it: plain strings and lists."""

    key: str = ""
    kind: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    summaries: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    topics: Sequence[str] = ()
    ages: Sequence[str] = ()
    relatives: bool = False
    languages: Sequence[str] = ()
    nationwide: bool = False
    areas: Sequence[str] = ()
    online: bool = False
    street: str = ""
    postal_code: str = ""
    post_office: str = ""
    hours_text: str | None = None  # the form's text (hours_parse.parse)
    hours_json: Mapping[str, Any] | None = None  # open data (hours.from_json)
    holidays_closed: bool = True
    hours_notes: Mapping[str, str] = field(default_factory=dict)
    phone: str = ""
    web: str = ""
    email: str = ""
    chat: str = ""
    free: bool = True
    costs: Mapping[str, str] = field(default_factory=dict)
    accessibility: Mapping[str, str] = field(default_factory=dict)
    crisis: bool = False
    published: bool = True


_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{1,30}[0-9]$")
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_WEB = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s<>\"]*)?$")
_CHAT = re.compile(r"^/(chat|rooms)/[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_POSTAL = re.compile(r"^\d{5}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def key_from_name(name: str) -> str:
    """A service key from its Finnish name: "Nuorten vertaisryhmä, Tampere" →
    "nuorten-vertaisryhma-tampere" (ä, ö, å written a, o, a)."""
    folded = unicodedata.normalize("NFKD", name.lower())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:64].rstrip("-") or "palvelu"


def _text(value: str, *, max_chars: int, single_line: bool = False) -> str:
    cleaned = _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()
    if single_line:
        cleaned = " ".join(cleaned.split())
    else:
        cleaned = "\n".join(line.rstrip() for line in cleaned.replace("\r\n", "\n").split("\n"))
        cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    if len(cleaned) > max_chars:
        raise BadRequest(N_("Write at most {max} characters."), code="too_long", max=max_chars)
    return cleaned


def _texts(
    values: Mapping[str, str],
    prefix: str,
    max_chars: int,
    errors: dict[str, AppError],
    *,
    single_line: bool = False,
) -> dict[str, str]:
    out = {}
    for loc in LOCALES:
        try:
            cleaned = _text(
                str(values.get(loc) or ""), max_chars=max_chars, single_line=single_line
            )
        except AppError as exc:
            errors[f"{prefix}_{loc}"] = exc
            continue
        if cleaned:
            out[loc] = cleaned
    return out


def _choose(values: Iterable[str], allowed: Iterable[str]) -> tuple[tuple[str, ...], bool]:
    """The known values in the vocabulary's order, and whether anything was unknown."""
    given = [str(v).strip() for v in values if str(v).strip()]
    known = tuple(a for a in allowed if a in given)
    return known, len(set(given)) != len(known)


def check_service(
    given: ServiceInput, *, topics: Iterable[str], new: bool = False
) -> ServiceFields:
    """Check every field of a service; raises :class:`InvalidService` with all problems.
    ``topics`` are the topic keys in use (the shared vocabulary)."""
    errors: dict[str, AppError] = {}
    key = given.key.strip().lower()
    if not key and new:
        key = key_from_name(given.names.get("fi", ""))
    if not _KEY.match(key):
        errors["key"] = BadRequest(
            N_("Use 1–64 lowercase letters a–z, digits and hyphens, not at either end."),
            code="invalid_key",
        )
    if given.kind not in KINDS:
        errors["kind"] = BadRequest(N_("Choose what kind of service this is."), code="invalid_kind")
    names = _texts(given.names, "name", MAX_NAME, errors, single_line=True)
    if "fi" not in names and "name_fi" not in errors:
        errors["name_fi"] = BadRequest(N_("A service needs a Finnish name."), code="invalid_name")
    summaries = _texts(given.summaries, "summary", MAX_SUMMARY, errors)
    descriptions = _texts(given.descriptions, "description", MAX_DESCRIPTION, errors)
    topic_keys, unknown = _choose(given.topics, topics)
    if unknown:
        errors["topics"] = BadRequest(N_("Unknown topic."), code="invalid_topic")
    elif not topic_keys:
        errors["topics"] = BadRequest(N_("Choose at least one topic."), code="invalid_topic")
    elif len(topic_keys) > MAX_TOPICS:
        errors["topics"] = BadRequest(
            N_("Choose at most {max} topics."), code="invalid_topic", max=MAX_TOPICS
        )
    ages, unknown = _choose(given.ages, AGE_GROUPS)
    if unknown:
        errors["ages"] = BadRequest(N_("Unknown age group."), code="invalid_age")
    languages, unknown = _choose(given.languages or ("fi",), LANGUAGES)
    if unknown:
        errors["languages"] = BadRequest(N_("Unknown language."), code="invalid_language")
    areas: list[str] = []
    for code in given.areas:
        if not str(code).strip():
            continue
        try:
            region = regions.check_region(str(code))
        except AppError as exc:
            errors["areas"] = exc
            break
        if region == regions.NATIONWIDE:
            continue
        if region not in areas:
            areas.append(region)
    nationwide = given.nationwide or any(
        str(c).strip().lower() == regions.NATIONWIDE for c in given.areas
    )
    if len(areas) > MAX_AREAS:
        errors["areas"] = BadRequest(
            N_("Choose at most {max} places; for more, choose the county or the whole country."),
            code="invalid_area",
            max=MAX_AREAS,
        )
    if not nationwide and not areas and "areas" not in errors:
        errors["areas"] = BadRequest(
            N_("Say where the service is: the whole country, or municipalities or counties."),
            code="invalid_area",
        )
    address = Address()
    try:
        street = _text(given.street, max_chars=MAX_SHORT_TEXT, single_line=True)
        office = _text(given.post_office, max_chars=100, single_line=True)
    except AppError as exc:
        errors["street"] = exc
    else:
        postal = given.postal_code.strip()
        if postal and not _POSTAL.match(postal):
            errors["postal_code"] = BadRequest(
                N_("A postal code has five digits."), code="invalid_postal_code"
            )
        address = Address(street, postal, office)
    if not address.empty and not areas:
        errors.setdefault(
            "areas",
            BadRequest(
                N_("A service with an address needs its municipality."), code="invalid_area"
            ),
        )
    parsed_hours = hours_mod.Hours()
    try:
        if given.hours_json is not None:
            parsed_hours = hours_parse.from_json(given.hours_json)
        else:
            parsed_hours = hours_parse.parse(
                given.hours_text or "", holidays_closed=given.holidays_closed
            )
    except AppError as exc:
        errors["hours"] = exc
    hours_notes = _texts(given.hours_notes, "hours_note", MAX_SHORT_TEXT, errors)
    contact = _check_contact(given, errors)
    if (
        not (contact.phone or contact.web or contact.email or contact.chat)
        and address.empty
        and "contact" not in errors
    ):
        errors["phone"] = BadRequest(
            N_(
                "Give at least one way to reach the service: a phone number, a web address, an e-mail address, a chat or an address."
            ),
            code="no_contact",
        )
    costs = _texts(given.costs, "cost", MAX_SHORT_TEXT, errors)
    accessibility = _texts(given.accessibility, "accessibility", MAX_ACCESSIBILITY, errors)
    if errors:
        raise InvalidService(errors)
    return ServiceFields(
        key=key,
        kind=given.kind,
        names=names,
        summaries=summaries,
        descriptions=descriptions,
        topics=topic_keys,
        ages=ages,
        relatives=given.relatives,
        languages=languages or ("fi",),
        nationwide=nationwide,
        areas=tuple(areas),
        online=given.online,
        address=address,
        hours=parsed_hours,
        hours_notes=hours_notes,
        contact=contact,
        free=given.free,
        costs=costs,
        accessibility=accessibility,
        crisis=given.crisis,
        published=given.published,
    )


def _check_contact(given: ServiceInput, errors: dict[str, AppError]) -> Contact:
    phone = " ".join(given.phone.split())
    if phone and not _PHONE.match(phone):
        errors["phone"] = BadRequest(
            N_("Write the phone number with digits, for example 09 123 4567 or +358 9 123 4567."),
            code="invalid_phone",
        )
    web = given.web.strip()
    if web and (len(web) > 500 or not _WEB.match(web)):
        errors["web"] = BadRequest(
            N_("Write the whole web address, starting with https://."), code="invalid_web"
        )
    email = given.email.strip()
    if email and (len(email) > 200 or not _EMAIL.match(email)):
        errors["email"] = BadRequest(
            N_("Write an e-mail address such as info@example.fi."), code="invalid_email"
        )
    chat = given.chat.strip()
    if chat and not _CHAT.match(chat):
        errors["chat"] = BadRequest(
            N_(
                "Write the address of a chat topic or a room of this service, such as /chat/topic or /rooms/room."
            ),
            code="invalid_chat",
        )
    return Contact(phone, web, email, chat)


# ------------------------------------------------------------------ staleness


def stale_at(checked_at: datetime, stale_days: int) -> datetime:
    """When a service checked at ``checked_at`` goes stale."""
    return checked_at + timedelta(days=stale_days)


def is_stale(checked_at: datetime, stale_days: int, now: datetime) -> bool:
    return now >= stale_at(checked_at, stale_days)


def needs_check(checked_at: datetime, stale_days: int, now: datetime) -> bool:
    """Stale, or going stale within :data:`STALE_WARNING_DAYS`: listed for checking."""
    return now >= stale_at(checked_at, stale_days) - timedelta(days=STALE_WARNING_DAYS)


def check_stale_days(value: str) -> int:
    low, high = STALE_DAYS
    try:
        days = int(value.strip())
    except ValueError:
        days = 0
    if not low <= days <= high:
        raise BadRequest(
            N_("Give a whole number of days from {low} to {high}."),
            code="invalid_stale_days",
            low=low,
            high=high,
        )
    return days
