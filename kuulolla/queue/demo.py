"""Demo queue topics and canned responses (idempotent; fictional organisations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.queue import canned as queue_canned
from kuulolla.queue import topics
from kuulolla.queue.models import CannedResponse, QueueTopic

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONSENT = {
    "fi": "Keskustelu on nimetön. Viestit poistetaan säilytysajan jälkeen, ja voit poistaa keskustelun itse heti sen päätyttyä. Älä kerro nimeäsi, osoitettasi tai puhelinnumeroasi.",
    "sv": "Samtalet är anonymt. Meddelandena raderas efter lagringstiden, och du kan själv radera samtalet genast när det är slut. Berätta inte ditt namn, din adress eller ditt telefonnummer.",
    "en": "The conversation is anonymous. Messages are deleted after the retention period, and you can delete the conversation yourself as soon as it ends. Do not give your name, address or phone number.",
}
TOPICS = [
    {
        "organisation": "nuorten-kanava",
        "slug": "nuorten-chat",
        "names": {"fi": "Nuorten chat", "sv": "Ungdomschatten", "en": "Youth chat"},
        "descriptions": {
            "fi": "Kahdenkeskinen keskustelu 13–20-vuotiaille koulutetun vapaaehtoisen kanssa.",
            "sv": "Ett samtal på tu man hand för 13–20-åringar med en utbildad frivillig.",
            "en": "A one-to-one chat for 13–20-year-olds with a trained volunteer.",
        },
        "hours": {day: [["14:00", "22:00"]] for day in EVERY_DAY},
        "audience": "youth",
    },
    {
        "organisation": "arjen-tuki",
        "slug": "parisuhde",
        "names": {"fi": "Parisuhde", "sv": "Parförhållande", "en": "Relationships"},
        "descriptions": {
            "fi": "Puhu parisuhteen iloista ja huolista ammattilaisen tai vapaaehtoisen kanssa. Demossa auki ympäri vuorokauden.",
            "sv": "Prata om glädje och oro i parförhållandet med en yrkesperson eller frivillig. I demon öppet dygnet runt.",
            "en": "Talk about the joys and worries of a relationship with a professional or a volunteer. Open around the clock in the demo.",
        },
        "hours": {day: [["00:00", "24:00"]] for day in EVERY_DAY},
        "audience": "adults",
    },
    {
        "organisation": "arjen-tuki",
        "slug": "omaishoitajat-chat",
        "names": {"fi": "Omaishoitajat", "sv": "Närståendevårdare", "en": "Family carers"},
        "descriptions": {
            "fi": "Kahdenkeskinen tuki läheistään hoitaville: jaksaminen, vapaat ja palvelut.",
            "sv": "Stöd på tu man hand för dem som vårdar en närstående: ork, ledighet och tjänster.",
            "en": "One-to-one support for family carers: coping, breaks and services.",
        },
        "hours": {day: [["09:00", "15:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    },
]
CANNED = [
    (
        "fi",
        "Tervetuloa",
        "Hei ja tervetuloa! Kiva, että tulit juttelemaan. Kerro omin sanoin, mitä sinulle kuuluu.",
    ),
    (
        "fi",
        "Kriisinumerot",
        "Jos olet vaarassa nyt, soita 112. Kriisipuhelin päivystää numerossa 09 2525 0111.",
    ),
    (
        "fi",
        "Lopetus",
        "Kiitos, että kerroit. Voit tulla juttelemaan uudelleen milloin vain, kun chat on auki.",
    ),
    (
        "sv",
        "Välkommen",
        "Hej och välkommen! Fint att du kom för att prata. Berätta med egna ord hur du har det.",
    ),
    (
        "en",
        "Welcome",
        "Hi and welcome! Good that you came to talk. Tell me in your own words how you are.",
    ),
]


async def seed(db: Database, *, now: datetime) -> None:
    async with db.read_session() as session:
        orgs = {o.slug: o.id for o in await session.scalars(select(Organisation))}
        existing = set(await session.scalars(select(QueueTopic.slug)))
        canned = {
            (c.organisation_id, c.title) for c in await session.scalars(select(CannedResponse))
        }
    for spec in TOPICS:
        org_id = orgs.get(str(spec["organisation"]))
        if org_id is None or spec["slug"] in existing:
            continue
        await topics.do_create_topic(
            db,
            organisation_id=org_id,
            slug=str(spec["slug"]),
            names=dict(spec["names"]),  # type: ignore[arg-type]
            descriptions=dict(spec["descriptions"]),  # type: ignore[arg-type]
            consents=CONSENT,
            hours=spec["hours"],
            audience=str(spec.get("audience", "all")),
            now=now,
        )
    for org_id in orgs.values():
        for locale, title, text in CANNED:
            if (org_id, title) not in canned:
                await queue_canned.do_add_canned(
                    db, organisation_id=org_id, locale=locale, title=title, text=text
                )
