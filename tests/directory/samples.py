"""A valid service as a form or a file gives it, for the directory's tests."""

from __future__ import annotations

from typing import Any

from kuulolla.directory import logic, vocabulary

TOPICS = [t.key for t in vocabulary.shipped_topics()]


def given(**changes: Any) -> logic.ServiceInput:
    values: dict[str, Any] = {
        "key": "vertaisryhma-tampere",
        "kind": "peer_group",
        "names": {"fi": "Omaishoitajien vertaisryhmä, Tampere", "sv": "", "en": "Carers' group"},
        "summaries": {"fi": "Kerran kuussa kokoontuva ryhmä."},
        "descriptions": {"fi": "Ryhmässä jaetaan kokemuksia.\n\nMukana on vertaisohjaaja."},
        "topics": ["carers"],
        "ages": ["adults"],
        "languages": ["fi"],
        "areas": ["m:837"],
        "street": "Hämeenkatu 14",
        "postal_code": "33100",
        "post_office": "Tampere",
        "hours_text": "FREQ=MONTHLY;BYDAY=2TU 17:30-19",
        "phone": "09 0000 113",
        "web": "https://arjentuki.example.fi/omaishoitajat",
    }
    values.update(changes)
    return logic.ServiceInput(**values)


def fields(**changes: Any) -> logic.ServiceFields:
    return logic.check_service(given(**changes), topics=TOPICS)
