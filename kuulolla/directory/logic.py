"""Pure rules of the service directory: what a service is, the checks of its fields,
when it goes stale, which services a visitor's filters keep, and the referral card.

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

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.directory import hours as hours_mod
from kuulolla.directory import regions

LOCALES = ("fi", "sv", "en")
DATA = Path(__file__).resolve().parent / "data"

# ------------------------------------------------------------------ vocabularies

KINDS: dict[str, str] = {
    "peer_group": N_("Peer group"),
    "helpline": N_("Helpline"),
    "chat": N_("Chat"),
    "drop_in": N_("Drop-in"),
    "counselling": N_("Counselling"),
    "event_series": N_("Event series"),
    "volunteering": N_("Volunteering opportunity"),
}

# Further words that find each kind of service, in any of the languages (the search
# index adds them as the topics' words are added; visitors say "chatti", "soittaa").
KIND_WORDS: dict[str, str] = {
    "peer_group": "vertaistuki vertaisryhmä ryhmä kamratstöd grupp peer support group",
    "helpline": "puhelin auttava soittaa neuvontapuhelin telefon stödtelefon phone hotline call",
    "chat": "chat chatti keskustelu verkossa netissä chatt online",
    "drop_in": "kohtaamispaikka olohuone kahvila mötesplats café drop-in",
    "counselling": "neuvonta keskusteluapu ohjaus rådgivning samtalshjälp counselling advice",
    "event_series": "tapahtuma ryhmä kurssi evenemang kurs event course",
    "volunteering": "vapaaehtoinen vapaaehtoistyö auttaja frivillig volunteer",
}

AGE_GROUPS: dict[str, str] = {
    "children": N_("Children (under 13)"),
    "youth": N_("Young people (13–17)"),
    "young_adults": N_("Young adults (18–29)"),
    "adults": N_("Adults"),
    "older": N_("Older people (65+)"),
}

LANGUAGES: dict[str, str] = {
    "fi": N_("Finnish"),
    "sv": N_("Swedish"),
    "en": N_("English"),
    "se": N_("Sámi"),
    "fse": N_("Finnish Sign Language"),
    "selko": N_("Plain Finnish (selkokieli)"),
    "ru": N_("Russian"),
    "et": N_("Estonian"),
    "uk": N_("Ukrainian"),
    "ar": N_("Arabic"),
    "so": N_("Somali"),
    "fa": N_("Persian"),
}

# Open licences an admin may publish the directory's data under.
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
}
DEFAULT_LICENCE = "CC-BY-4.0"

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
TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")  # a report label too (reports/events.py)


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    names: Mapping[str, str]
    words: str = ""  # extra search words in any language

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("fi") or self.key


@cache
def shipped_topics() -> tuple[Topic, ...]:
    """The vocabulary the service ships (``data/topics.json``)."""
    data = json.loads((DATA / "topics.json").read_text(encoding="utf-8"))
    return tuple(
        Topic(t["key"], {loc: t[loc] for loc in LOCALES}, t.get("words", ""))
        for t in data["topics"]
    )


def check_topic_key(key: str) -> str:
    value = key.strip()
    if not TOPIC_KEY.match(value):
        raise BadRequest(
            N_(
                "A topic's code is 2–32 lowercase letters a–z, digits and underscores, starting with a letter."
            ),
            code="invalid_topic_key",
        )
    return value


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
    hours_text: str | None = None  # the form's text (hours.parse)
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
            parsed_hours = hours_mod.from_json(given.hours_json)
        else:
            parsed_hours = hours_mod.parse(
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


def check_licence(value: str) -> str:
    if value not in LICENCES:
        raise BadRequest(N_("Choose a licence from the list."), code="invalid_licence")
    return value


# ------------------------------------------------------------------ finding


@dataclass(frozen=True, slots=True)
class Filters:
    """What a visitor asked for. Empty values do not filter."""

    query: str = ""
    region: str = ""  # a region code
    topic: str = ""
    kind: str = ""
    open_now: bool = False
    online: bool = False


MAX_QUERY_CHARS = 200


def check_filters(
    *,
    query: str | None,
    region: str | None,
    topic: str | None,
    kind: str | None,
    open_now: bool,
    online: bool,
    topics: Iterable[str],
) -> Filters:
    """The visitor's filters from the query string: unknown values are dropped (a stale
    bookmark still shows the directory), never an error."""
    try:
        chosen = regions.check_region(region) if region else ""
    except AppError:
        chosen = ""
    return Filters(
        query=" ".join((query or "").split())[:MAX_QUERY_CHARS],
        region="" if chosen == regions.NATIONWIDE else chosen,
        topic=topic if topic in set(topics) else "",
        kind=kind if kind in KINDS else "",
        open_now=open_now,
        online=online,
    )


def locality(areas: Sequence[str], region: str) -> int:
    """How near a service is to the chosen region, for ordering: 0 the municipality
    itself, 1 its county (or a municipality of the chosen county), 2 the whole country."""
    if not region or regions.NATIONWIDE in areas:
        return 2
    if region in areas:
        return 0
    return 1


def localized(values: Mapping[str, str], locale: str) -> tuple[str, str]:
    """The text in ``locale``, else Finnish, else any; with the language it is in."""
    for loc in (locale, "fi", *LOCALES):
        if values.get(loc):
            return values[loc], loc
    return "", locale


# ------------------------------------------------------------------ referral card


@dataclass(frozen=True, slots=True)
class Card:
    """What a referral shows the visitor: a snapshot of the service when it was sent,
    in every language the service has, with its next week's opening windows."""

    service: str  # "<organisation slug>/<service key>": the page /directory/<service>
    kind: str
    topics: tuple[str, ...]
    names: Mapping[str, str]
    organisation: str
    summaries: Mapping[str, str]
    when: Mapping[str, list[str]]  # hours in words, per locale
    windows: list[list[str]]  # the next week's opening windows, ISO UTC pairs
    always: bool  # open round the clock
    phone: str = ""
    web: str = ""
    email: str = ""
    chat: str = ""
    address: str = ""
    place: Mapping[str, str] = field(default_factory=dict)  # area names per locale


def card(
    *,
    organisation_slug: str,
    organisation_name: str,
    fields: ServiceFields,
    now: datetime,
) -> Card:
    """The referral card of a service at ``now``."""
    address = ", ".join(
        part
        for part in (
            fields.address.street,
            " ".join(p for p in (fields.address.postal_code, fields.address.post_office) if p),
        )
        if part
    )
    state = hours_mod.status(fields.hours, now)
    place = {
        loc: ", ".join(regions.name_of(code, loc) for code in fields.area_codes[:3])
        for loc in LOCALES
    }
    return Card(
        service=f"{organisation_slug}/{fields.key}",
        kind=fields.kind,
        topics=fields.topics,
        names=dict(fields.names),
        organisation=organisation_name,
        summaries=dict(fields.summaries),
        when={loc: hours_mod.describe(fields.hours, loc) for loc in LOCALES},
        windows=hours_mod.iso(hours_mod.upcoming(fields.hours, now)),
        always=state.open and state.closes_at is None,
        phone=fields.contact.phone,
        web=fields.contact.web,
        email=fields.contact.email,
        chat=fields.contact.chat,
        address=address,
        place=place,
    )
