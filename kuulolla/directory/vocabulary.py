"""The service directory's vocabularies: kinds of service (and the words that find
them), age groups, languages, the shared topics (``data/topics.json``; admins add
their own, :mod:`kuulolla.directory.service`) and the open licences of the published
data. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

LOCALES = ("fi", "sv", "en")
DATA = Path(__file__).resolve().parent / "data"
TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")  # a report label too (core/events.py)


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


def check_licence(value: str) -> str:
    if value not in LICENCES:
        raise BadRequest(N_("Choose a licence from the list."), code="invalid_licence")
    return value
