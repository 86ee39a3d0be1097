"""Finnish municipalities and wellbeing services counties, and which contains which.

The lists ship with the service (``data/municipalities.csv``, ``data/counties.csv``),
read once per process; nothing is fetched at run time. A municipality is named by its
Statistics Finland code ("091" is Helsinki), a county by a stable key ("pirkanmaa").

A *region* is what a visitor chooses and what a service covers, written as one code:

- ``"fi"``: the whole country,
- ``"c:<county>"``: a wellbeing services county (``c:pirkanmaa``), the City of Helsinki
  (``c:helsinki``) or Åland (``c:ahvenanmaa``),
- ``"m:<code>"``: a municipality (``m:837``).

Containment: a service for the whole country serves everyone; a service for a county
serves every municipality in it; a visitor who chooses a county is also shown the
services of each municipality in it (they are near). :func:`service_codes_for` gives the
area codes a service must have one of to be shown for a chosen region, so the database
can filter with ``IN``. Pure; no I/O after the first read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_, gettext

DATA = Path(__file__).resolve().parent / "data"
NATIONWIDE = "fi"


@dataclass(frozen=True, slots=True)
class County:
    key: str
    name_fi: str
    name_sv: str
    name_en: str

    @property
    def code(self) -> str:
        return f"c:{self.key}"

    def name(self, locale: str) -> str:
        return {"sv": self.name_sv, "en": self.name_en}.get(locale, self.name_fi)


@dataclass(frozen=True, slots=True)
class Municipality:
    number: str  # Statistics Finland's three-digit code, "091"
    name_fi: str
    name_sv: str
    county: str  # a County key

    @property
    def code(self) -> str:
        return f"m:{self.number}"

    def name(self, locale: str) -> str:
        # English uses the Finnish name, as Statistics Finland does.
        return self.name_sv if locale == "sv" else self.name_fi


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split(";") for line in lines if line.strip() and not line.startswith("#")]


@cache
def counties() -> dict[str, County]:
    """Counties by key, in the file's order (Helsinki first, then the Uusimaa ones…)."""
    return {key: County(key, fi, sv, en) for key, fi, sv, en in _rows("counties.csv")}


@cache
def municipalities() -> dict[str, Municipality]:
    """Municipalities by code, in code order."""
    out = {}
    for number, fi, sv, county in _rows("municipalities.csv"):
        if county not in counties():
            raise ValueError(f"municipality {number}: unknown county {county!r}")
        out[number] = Municipality(number, fi, sv, county)
    return out


@cache
def in_county(key: str) -> tuple[Municipality, ...]:
    """The municipalities of a county, by Finnish name."""
    return tuple(
        sorted(
            (m for m in municipalities().values() if m.county == key),
            key=lambda m: m.name_fi,
        )
    )


class UnknownRegion(BadRequest):
    code = "unknown_region"
    default_message = N_("Choose a municipality or a wellbeing services county from the list.")


def check_region(code: str) -> str:
    """A region code as given ("m:091", "c:pirkanmaa", "fi"), checked. Also accepts a
    bare municipality number ("91", "091") or a bare county key, as open data has them."""
    value = code.strip().lower()
    if value == NATIONWIDE:
        return value
    kind, sep, rest = value.partition(":")
    if not sep:
        kind, rest = ("m", value) if value.isdigit() else ("c", value)
    if kind == "m" and rest.isdigit() and rest.zfill(3) in municipalities():
        return f"m:{rest.zfill(3)}"
    if kind == "c" and rest in counties():
        return f"c:{rest}"
    raise UnknownRegion()


def county_of(code: str) -> str | None:
    """The county code of a municipality code (the county code itself for a county)."""
    if code.startswith("c:"):
        return code
    if code.startswith("m:"):
        found = municipalities().get(code[2:])
        return f"c:{found.county}" if found else None
    return None


def service_codes_for(region: str) -> frozenset[str]:
    """The area codes of services to show a visitor who chose ``region``: the whole
    country, the region itself, its county (for a municipality) or its municipalities
    (for a county)."""
    codes = {NATIONWIDE, region}
    if region.startswith("m:"):
        county = county_of(region)
        if county:
            codes.add(county)
    elif region.startswith("c:"):
        codes.update(m.code for m in in_county(region[2:]))
    return frozenset(codes)


def serves(areas: Iterable[str], region: str) -> bool:
    """Whether a service with ``areas`` is shown for ``region`` (pure twin of the SQL)."""
    return not service_codes_for(region).isdisjoint(areas)


def name_of(code: str, locale: str) -> str:
    """The name of a region code in ``locale`` ("" for an unknown code)."""
    if code == NATIONWIDE:
        return gettext(locale, N_("All of Finland"))
    if code.startswith("c:") and code[2:] in counties():
        return counties()[code[2:]].name(locale)
    if code.startswith("m:") and code[2:] in municipalities():
        return municipalities()[code[2:]].name(locale)
    return ""


def choices(locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The region picker's options: per county, the county itself then its
    municipalities, by name in ``locale``."""
    out = []
    for county in sorted(counties().values(), key=lambda c: c.name(locale)):
        members = sorted(in_county(county.key), key=lambda m: m.name(locale))
        options = [(county.code, county.name(locale))]
        options.extend((m.code, m.name(locale)) for m in members)
        out.append((county.name(locale), options))
    return out


@cache
def _names() -> dict[str, str]:
    """Lower-cased names (Finnish and Swedish; a county also by its short name, such as
    "pirkanmaa" or "varsinais-suomi") to region codes."""
    out: dict[str, str] = {}
    for m in municipalities().values():
        for name in (m.name_fi, m.name_sv):
            out.setdefault(name.lower(), m.code)
    for county in counties().values():
        for name in (county.name_fi, county.name_sv, county.name_en, county.key):
            out.setdefault(name.lower(), county.code)
    return out


def lookup(text: str) -> str | None:
    """The region a coordinator typed: a name in Finnish or Swedish, a municipality
    number or a region code; None when unknown."""
    value = " ".join(text.split()).lower()
    if not value:
        return None
    found = _names().get(value)
    if found:
        return found
    try:
        return check_region(value)
    except UnknownRegion:
        return None


def edit_names(codes: Iterable[str], locale: str) -> str:
    """Region codes as the coordinator's form shows them: names, comma-separated."""
    return ", ".join(name_of(code, locale) for code in codes)
