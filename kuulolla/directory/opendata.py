"""The directory as open data: the JSON and CSV formats, and planning an import.

One record per service, in the shape Finnish service registries publish theirs (a
name and a description by language, municipality codes, opening hours, contact
details), documented in docs/operations.md, "Service directory open data"::

    {"id": "vertaisryhma-tampere", "organisation": "arjen-tuki", "kind": "peer_group",
     "name": {"fi": "…", "sv": "…"}, "summary": {…}, "description": {…},
     "topics": ["loneliness"],
     "audience": {"ages": ["youth"], "relatives": false, "languages": ["fi"]},
     "area": {"nationwide": false, "municipalities": ["837"], "counties": []},
     "online": false,
     "address": {"street": "…", "postal_code": "33100", "post_office": "Tampere"},
     "hours": {"slots": [{"rule": "FREQ=WEEKLY;BYDAY=TU", "opens": "18:00",
                          "closes": "20:00"}], "closed": [], "holidays_closed": true},
     "hours_note": {…}, "contact": {"phone": "…", "web": "…", "email": "…", "chat": ""},
     "free": true, "cost": {…}, "accessibility": {…}, "crisis": false,
     "checked": "2026-03-01"}

A JSON file is ``{"format": "kuulolla-directory", "version": 1, "licence": …,
"services": [record, …]}`` or a bare list of records; texts may be plain strings
(taken as Finnish), a slot may give ``days`` ("mo-fr") instead of a ``rule``, and a
record may give ``municipality`` (one code) and its contact fields at the top level.
A CSV file has one row per service with the columns of :data:`CSV_COLUMNS` (``;`` or
``,`` between fields; lists separated by spaces or commas; the hours as the
coordinators' form writes them, lines separated by `` | ``).

:mod:`.planning` compares records with what is stored and says what an import would
do; nothing here does I/O (importing.py applies a plan).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.core.spreadsheets import BOM, defuse
from kuulolla.directory import hours as hours_mod
from kuulolla.directory import hours_parse, hours_words, logic, vocabulary

FORMAT = "kuulolla-directory"
VERSION = 1
MAX_RECORDS = 5000
LOCALES = vocabulary.LOCALES
_TEXTS = (
    ("name", "names"),
    ("summary", "summaries"),
    ("description", "descriptions"),
    ("hours_note", "hours_notes"),
    ("cost", "costs"),
    ("accessibility", "accessibility"),
)
CSV_COLUMNS = (
    "id",
    "organisation",
    "kind",
    *(f"{name}_{loc}" for name in ("name", "summary", "description") for loc in LOCALES),
    "topics",
    "ages",
    "relatives",
    "languages",
    "nationwide",
    "municipalities",
    "counties",
    "online",
    "street",
    "postal_code",
    "post_office",
    "hours",
    "holidays_closed",
    *(f"hours_note_{loc}" for loc in LOCALES),
    "phone",
    "web",
    "email",
    "chat",
    "free",
    *(f"cost_{loc}" for loc in LOCALES),
    *(f"accessibility_{loc}" for loc in LOCALES),
    "crisis",
    "checked",
)


class InvalidFile(BadRequest):
    code = "invalid_file"
    default_message = N_(
        "The file is not a directory in JSON or CSV. See the open data page for the format."
    )


# ------------------------------------------------------------------ out


def _checked_day(checked_at: datetime) -> str:
    return checked_at.astimezone(HELSINKI).date().isoformat()


def record(
    *,
    organisation: str,
    fields: logic.ServiceFields,
    checked_at: datetime,
    url: str = "",
    organisation_name: str = "",
) -> dict[str, Any]:
    """A service as an open-data record."""
    out: dict[str, Any] = {
        "id": fields.key,
        "organisation": organisation,
        **({"organisation_name": organisation_name} if organisation_name else {}),
        **({"url": url} if url else {}),
        "kind": fields.kind,
        "name": dict(fields.names),
        "summary": dict(fields.summaries),
        "description": dict(fields.descriptions),
        "topics": list(fields.topics),
        "audience": {
            "ages": list(fields.ages),
            "relatives": fields.relatives,
            "languages": list(fields.languages),
        },
        "area": {
            "nationwide": fields.nationwide,
            "municipalities": [a[2:] for a in fields.areas if a.startswith("m:")],
            "counties": [a[2:] for a in fields.areas if a.startswith("c:")],
        },
        "online": fields.online,
        "address": {
            "street": fields.address.street,
            "postal_code": fields.address.postal_code,
            "post_office": fields.address.post_office,
        },
        "hours": hours_mod.to_json(fields.hours),
        "hours_note": dict(fields.hours_notes),
        "contact": {
            "phone": fields.contact.phone,
            "web": fields.contact.web,
            "email": fields.contact.email,
            "chat": fields.contact.chat,
        },
        "free": fields.free,
        "cost": dict(fields.costs),
        "accessibility": dict(fields.accessibility),
        "crisis": fields.crisis,
        "checked": _checked_day(checked_at),
    }
    return out


def document(
    records: Sequence[Mapping[str, Any]],
    *,
    licence: str,
    publisher: str,
    generated: datetime,
) -> dict[str, Any]:
    name, url = vocabulary.LICENCES[licence]
    return {
        "format": FORMAT,
        "version": VERSION,
        "licence": {"id": licence, "name": name, "url": url},
        "publisher": publisher,
        "generated": generated.replace(microsecond=0).isoformat(),
        "services": list(records),
    }


def to_json(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def to_csv(records: Iterable[Mapping[str, Any]]) -> str:
    """Records as CSV (UTF-8 with a byte-order mark, ``;``, CRLF, formulas defused)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        hours = hours_parse.from_json(r["hours"])
        row: dict[str, str] = {
            "id": r["id"],
            "organisation": r["organisation"],
            "kind": r["kind"],
            "topics": " ".join(r["topics"]),
            "ages": " ".join(r["audience"]["ages"]),
            "relatives": _yes(r["audience"]["relatives"]),
            "languages": " ".join(r["audience"]["languages"]),
            "nationwide": _yes(r["area"]["nationwide"]),
            "municipalities": " ".join(r["area"]["municipalities"]),
            "counties": " ".join(r["area"]["counties"]),
            "online": _yes(r["online"]),
            **{k: r["address"][k] for k in ("street", "postal_code", "post_office")},
            "hours": " | ".join(hours_words.edit_text(hours, "en").splitlines()),
            "holidays_closed": _yes(hours.holidays_closed),
            **{k: r["contact"][k] for k in ("phone", "web", "email", "chat")},
            "free": _yes(r["free"]),
            "crisis": _yes(r["crisis"]),
            "checked": r["checked"],
        }
        for name, _ in _TEXTS:
            for loc in LOCALES:
                row[f"{name}_{loc}"] = r[name].get(loc, "")
        writer.writerow([defuse(str(row.get(c, ""))) for c in CSV_COLUMNS])
    return BOM + out.getvalue()


# ------------------------------------------------------------------ in


@dataclass(frozen=True, slots=True)
class Incoming:
    """One record of a file, read but not yet checked."""

    number: int  # 1-based, in the file
    organisation: str
    given: logic.ServiceInput
    checked: date | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    number: int
    key: str
    errors: Mapping[str, AppError]


def _texts(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"fi": value}
    if isinstance(value, Mapping):
        return {loc: str(value.get(loc) or "") for loc in LOCALES}
    return {}


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _flag(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return default
    return str(value).strip().lower() in ("yes", "true", "1", "kyllä", "ja", "x")


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _mapping(value: Any, default: Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else default


def incoming(raw: Mapping[str, Any], number: int) -> Incoming:
    """A JSON record (or a CSV row made into one) as what the checks take."""
    area = _mapping(raw.get("area"), {})
    municipalities = _list(area.get("municipalities")) + _list(raw.get("municipalities"))
    if raw.get("municipality"):
        municipalities.append(str(raw["municipality"]))
    counties = _list(area.get("counties")) + _list(raw.get("counties"))
    contact = _mapping(raw.get("contact"), raw)
    address = _mapping(raw.get("address"), raw)
    audience = _mapping(raw.get("audience"), raw)
    hours = raw.get("hours")
    given = logic.ServiceInput(
        key=str(raw.get("id") or ""),
        kind=str(raw.get("kind") or ""),
        names=_texts(raw.get("name")),
        summaries=_texts(raw.get("summary")),
        descriptions=_texts(raw.get("description")),
        topics=_list(raw.get("topics")),
        ages=_list(audience.get("ages")),
        relatives=_flag(audience.get("relatives")),
        languages=_list(audience.get("languages")),
        nationwide=_flag(area.get("nationwide", raw.get("nationwide"))),
        areas=[f"m:{m}" for m in municipalities] + [f"c:{c}" for c in counties],
        online=_flag(raw.get("online")),
        street=str(address.get("street") or ""),
        postal_code=str(address.get("postal_code") or ""),
        post_office=str(address.get("post_office") or ""),
        hours_text=hours if isinstance(hours, str) else None,
        hours_json=hours if isinstance(hours, Mapping) else ({} if hours is None else None),
        holidays_closed=_flag(raw.get("holidays_closed"), default=True),
        hours_notes=_texts(raw.get("hours_note")),
        phone=str(contact.get("phone") or ""),
        web=str(contact.get("web") or ""),
        email=str(contact.get("email") or ""),
        chat=str(contact.get("chat") or ""),
        free=_flag(raw.get("free"), default=True),
        costs=_texts(raw.get("cost")),
        accessibility=_texts(raw.get("accessibility")),
        crisis=_flag(raw.get("crisis")),
        published=_flag(raw.get("published"), default=True),
    )
    return Incoming(number, str(raw.get("organisation") or ""), given, _date(raw.get("checked")))


def _undefuse(value: str) -> str:
    return (
        value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r") else value
    )


def _csv_rows(text: str) -> list[dict[str, Any]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if reader.fieldnames is None or "id" not in reader.fieldnames:
        raise InvalidFile()
    rows = []
    for raw in reader:
        row = {k: _undefuse(v or "") for k, v in raw.items() if k}
        record: dict[str, Any] = {
            k: row.get(k, "")
            for k in (
                "id", "organisation", "kind", "topics", "ages", "relatives", "languages",
                "nationwide", "municipalities", "counties", "online", "street", "postal_code",
                "post_office", "holidays_closed", "phone", "web", "email", "chat", "free",
                "crisis", "checked",
            )
        }  # fmt: skip
        for name, _ in _TEXTS:
            record[name] = {loc: row.get(f"{name}_{loc}", "") for loc in LOCALES}
        record["hours"] = "\n".join(row.get("hours", "").split(" | "))
        rows.append(record)
    return rows


def read(data: bytes) -> list[Incoming]:
    """The records of a JSON or CSV file; raises :class:`InvalidFile`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidFile() from None
    stripped = text.lstrip()
    raws: Any
    if stripped.startswith(("{", "[")):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            raise InvalidFile() from None
        raws = parsed.get("services") if isinstance(parsed, Mapping) else parsed
        if not isinstance(raws, list) or not all(isinstance(r, Mapping) for r in raws):
            raise InvalidFile()
    else:
        raws = _csv_rows(text)
    if len(raws) > MAX_RECORDS:
        raise BadRequest(
            N_("A file may hold at most {max} services."), code="too_many", max=MAX_RECORDS
        )
    return [incoming(raw, i) for i, raw in enumerate(raws, start=1)]
