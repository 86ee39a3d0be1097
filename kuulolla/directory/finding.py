"""What visitors and helpers find: the visitor's filters, how near a service is to the
chosen region, text in the visitor's language, and the referral card a helper sends
(a snapshot of the service with its next week's opening windows). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kuulolla.core.errors import AppError
from kuulolla.directory import hours as hours_mod
from kuulolla.directory import hours_words, regions
from kuulolla.directory.logic import ServiceFields
from kuulolla.directory.vocabulary import KINDS, LOCALES


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
        when={loc: hours_words.describe(fields.hours, loc) for loc in LOCALES},
        windows=hours_mod.iso(hours_mod.upcoming(fields.hours, now)),
        always=state.open and state.closes_at is None,
        phone=fields.contact.phone,
        web=fields.contact.web,
        email=fields.contact.email,
        chat=fields.contact.chat,
        address=address,
        place=place,
    )
