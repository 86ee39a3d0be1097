"""A demo directory: about seventy services of the two demo organisations, three other
fictional ones and a few real national helplines, in twelve municipalities across twelve
wellbeing services counties, so a newcomer can try finding help and sending a referral.

The organisations and their services are fictional; their phone numbers are too, and
look it: ``09 0000`` then three digits (no Finnish subscriber number starts with 0).
The national helplines are real services with their real numbers (the crisis helpline,
Nollalinja, the children's and young people's helpline, the emergency number), named
after who runs them. Event series run from a few weeks before the seeding day, so the
demo looks the same whenever it starts. Idempotent: a service that exists is left alone.
The municipalities' own services are made in :mod:`.demo_local`; the national ones are
here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.directory import curation, demo_local, logic, opendata, service
from kuulolla.directory.models import DirectoryService

ORGANISATIONS = [
    ("mielen-tuki", "Mielen Tuki ry"),
    ("suru-ja-toivo", "Suru ja Toivo ry"),
    ("auttavat-puhelimet", "Valtakunnalliset auttavat puhelimet"),
]


# Days since the last check of services the demo shows as needing one (365 days is the
# default period): one to check within the month, one hidden from visitors until checked.
CHECKED_LONG_AGO = {"vanhempien-kahvila-lahti": 350, "vanhempien-kahvila-vantaa": 380}

# Open every hour of every day, holidays too.
ROUND_THE_CLOCK = {
    "slots": [{"rule": "FREQ=DAILY", "opens": "00:00", "closes": "24:00"}],
    "holidays_closed": False,
}
EVERYWHERE = {"area": {"nationwide": True}, "online": True}

NATIONAL: list[dict[str, Any]] = [
    {
        "id": "parisuhdechat",
        "organisation": "arjen-tuki",
        "kind": "chat",
        "name": {"fi": "Parisuhdechat", "sv": "Parrelationschatten", "en": "Relationship chat"},
        "summary": {
            "fi": "Kahdenkeskinen chat parisuhteen iloista ja huolista, nimettömästi.",
            "sv": "Anonym chatt på tu man hand om glädje och oro i parförhållandet.",
            "en": "An anonymous one-to-one chat about the joys and worries of a relationship.",
        },
        "description": {
            "fi": "Voit kertoa riidoista, mustasukkaisuudesta, erosta tai siitä, että yhteinen aika on kadonnut. Vastaajina ovat koulutetut vapaaehtoiset ja perheneuvojat. Demossa chat on auki ympäri vuorokauden.",
        },
        "topics": ["relationships"],
        "audience": {"ages": ["young_adults", "adults", "older"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"chat": "/chat/parisuhde"},
    },
    {
        "id": "omaishoitajien-chat",
        "organisation": "arjen-tuki",
        "kind": "chat",
        "name": {
            "fi": "Omaishoitajien chat",
            "sv": "Chatt för närståendevårdare",
            "en": "Family carers' chat",
        },
        "summary": {
            "fi": "Kahdenkeskinen tuki läheistään hoitaville arkipäivisin.",
            "en": "One-to-one support for family carers on weekdays.",
        },
        "description": {
            "fi": "Puhu jaksamisesta, vapaapäivistä ja palveluista koulutetun vapaaehtoisen kanssa."
        },
        "topics": ["carers"],
        "audience": {"ages": ["adults", "older"], "relatives": True, "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 9-15",
        "contact": {"chat": "/chat/omaishoitajat-chat"},
    },
    {
        "id": "vanhemmuuden-vertaishuone",
        "organisation": "arjen-tuki",
        "kind": "peer_group",
        "name": {
            "fi": "Vanhemmuuden vertaishuone",
            "sv": "Rum för föräldraskap",
            "en": "Parenthood peer room",
        },
        "summary": {
            "fi": "Ryhmächat vanhemmille: väsymys, riidat ja huoli lapsesta.",
            "en": "A group chat for parents: tiredness, arguments and worry about a child.",
        },
        "description": {
            "fi": "Avoin keskusteluhuone, jota vapaaehtoiset valvovat. Voit lukea ensin ja kirjoittaa, kun siltä tuntuu."
        },
        "topics": ["parenting"],
        "audience": {"ages": ["young_adults", "adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"chat": "/rooms/vanhemmuus"},
    },
    {
        "id": "omaishoitajien-illat",
        "organisation": "arjen-tuki",
        "kind": "peer_group",
        "name": {"fi": "Omaishoitajien illat verkossa", "en": "Family carers' evenings online"},
        "summary": {
            "fi": "Ryhmächat läheistään hoitaville iltaisin.",
            "en": "An evening group chat for family carers.",
        },
        "topics": ["carers"],
        "audience": {"ages": ["adults", "older"], "relatives": True, "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 18-21",
        "contact": {"chat": "/rooms/omaishoitajat"},
    },
    {
        "id": "nuorten-chat",
        "organisation": "nuorten-kanava",
        "kind": "chat",
        "name": {"fi": "Nuorten chat", "sv": "Ungdomschatten", "en": "Youth chat"},
        "summary": {
            "fi": "Kahdenkeskinen chat 13–20-vuotiaille koulutetun vapaaehtoisen kanssa.",
            "sv": "En chatt på tu man hand för 13–20-åringar med en utbildad frivillig.",
            "en": "A one-to-one chat for 13–20-year-olds with a trained volunteer.",
        },
        "description": {
            "fi": "Kiusaaminen, kotiasiat, ihastukset, yksinäisyys tai paha olo: kaikesta saa puhua, eikä tarvitse kertoa nimeään."
        },
        "topics": ["youth", "loneliness", "mental_health"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": {
            "slots": [{"rule": "FREQ=DAILY", "opens": "14:00", "closes": "22:00"}],
            "holidays_closed": False,
        },
        "contact": {"chat": "/chat/nuorten-chat"},
    },
    {
        "id": "nuorten-ilta",
        "organisation": "nuorten-kanava",
        "kind": "peer_group",
        "name": {"fi": "Nuorten ilta", "sv": "Ungas kväll", "en": "Youth evening"},
        "summary": {
            "fi": "Avoin ryhmächat 13–20-vuotiaille.",
            "en": "An open group chat for 13–20-year-olds.",
        },
        "topics": ["youth"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "su-to 18-21",
        "contact": {"chat": "/rooms/nuorten-ilta"},
    },
    {
        "id": "yksinaisyyshuone",
        "organisation": "nuorten-kanava",
        "kind": "peer_group",
        "name": {"fi": "Yksinäisyyshuone", "sv": "Rummet för ensamhet", "en": "Loneliness room"},
        "summary": {
            "fi": "Ryhmächat silloin, kun tuntuu, ettei ole ketään kenelle puhua.",
            "en": "A group chat for when it feels like there is no one to talk to.",
        },
        "topics": ["loneliness", "youth"],
        "audience": {"ages": ["youth", "young_adults", "adults"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 19-22",
        "contact": {"chat": "/rooms/yksinaisyys"},
    },
    {
        "id": "nuorten-neuvontapuhelin",
        "organisation": "nuorten-kanava",
        "kind": "helpline",
        "name": {"fi": "Nuorten neuvontapuhelin", "en": "Youth advice line"},
        "summary": {
            "fi": "Soita, kun et tiedä, mistä saisit apua: koulu, asuminen, raha tai jaksaminen.",
            "en": "Call when you do not know where to turn: school, housing, money or coping.",
        },
        "topics": ["youth", "work_study", "housing", "money"],
        "audience": {"ages": ["youth", "young_adults"], "languages": ["fi", "sv"]},
        **EVERYWHERE,
        "hours": "ma-pe 10-16",
        "contact": {
            "phone": demo_local.phone(900),
            "web": "https://nuortenkanava.example.fi/puhelin",
        },
    },
    {
        "id": "kriisipuhelin",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {
            "fi": "Kriisipuhelin (MIELI Suomen Mielenterveys ry)",
            "sv": "Kristelefonen (MIELI Psykisk Hälsa Finland rf)",
            "en": "Crisis helpline (MIELI Mental Health Finland)",
        },
        "summary": {
            "fi": "Keskusteluapua kriisissä ja itsetuhoisissa ajatuksissa, ympäri vuorokauden.",
            "sv": "Samtalshjälp i kris och vid självmordstankar, dygnet runt.",
            "en": "Someone to talk to in a crisis or with thoughts of suicide, around the clock.",
        },
        "topics": ["crisis", "mental_health"],
        "audience": {
            "ages": ["youth", "young_adults", "adults", "older"],
            "relatives": True,
            "languages": ["fi"],
        },
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"phone": "09 2525 0111", "web": "https://mieli.fi"},
        "crisis": True,
    },
    {
        "id": "nollalinja",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {
            "fi": "Nollalinja – väkivaltaa kokeneiden auttava puhelin",
            "sv": "Nollinjen – stödtelefon för dem som upplevt våld",
            "en": "Nollalinja – helpline for people who have experienced violence",
        },
        "summary": {
            "fi": "Maksuton ja nimetön apu lähisuhdeväkivaltaa kokeneille ja heidän läheisilleen, ympäri vuorokauden.",
            "en": "Free, anonymous help for people who experience violence in close relationships, and their relatives, around the clock.",
        },
        "topics": ["violence", "crisis"],
        "audience": {
            "ages": ["youth", "young_adults", "adults", "older"],
            "relatives": True,
            "languages": ["fi", "sv", "en"],
        },
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"phone": "080 005 005", "web": "https://www.nollalinja.fi"},
        "crisis": True,
    },
    {
        "id": "hatanumero-112",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {"fi": "Hätänumero 112", "sv": "Nödnumret 112", "en": "Emergency number 112"},
        "summary": {
            "fi": "Kun henki, terveys, omaisuus tai ympäristö on vaarassa.",
            "sv": "När liv, hälsa, egendom eller miljön är i fara.",
            "en": "When life, health, property or the environment is in danger.",
        },
        "topics": ["crisis"],
        "audience": {
            "ages": ["children", "youth", "young_adults", "adults", "older"],
            "languages": ["fi", "sv", "en"],
        },
        **EVERYWHERE,
        "hours": ROUND_THE_CLOCK,
        "contact": {"phone": "112", "web": "https://112.fi"},
        "crisis": True,
    },
    {
        "id": "lasten-ja-nuorten-puhelin",
        "organisation": "auttavat-puhelimet",
        "kind": "helpline",
        "name": {
            "fi": "Lasten ja nuorten puhelin (MLL)",
            "sv": "Barnens och ungas telefon (MLL)",
            "en": "Children's and young people's helpline (MLL)",
        },
        "summary": {
            "fi": "Maksuton ja nimetön puhelin lapsille ja nuorille. Tarkista ajantasaiset ajat palvelun sivuilta.",
            "en": "A free, anonymous helpline for children and young people. Check the current hours on its website.",
        },
        "topics": ["youth"],
        "audience": {"ages": ["children", "youth"], "languages": ["fi"]},
        **EVERYWHERE,
        "hours": "ma-pe 14-20\nla-su 17-20",
        "contact": {"phone": "116 111", "web": "https://www.mll.fi"},
    },
]


def records(today: date) -> list[dict[str, Any]]:
    """Every demo record (open-data form), for the seeding day ``today``."""
    return demo_local.records(today) + NATIONAL


async def seed(db: Database, *, now: datetime) -> int:
    """Add the demo organisations' services that do not exist yet; returns how many."""
    today = now.astimezone(HELSINKI).date()
    async with db.read_session() as session:
        orgs = {o.slug: o.id for o in await session.scalars(select(Organisation))}
    for slug, name in ORGANISATIONS:
        if slug not in orgs:
            await do_create_organisation(db, slug=slug, name=name, now=now)
    async with db.read_session() as session:
        orgs = {o.slug: o.id for o in await session.scalars(select(Organisation))}
        existing = {
            (org, key)
            for org, key in await session.execute(
                select(DirectoryService.organisation_id, DirectoryService.key)
            )
        }
    topics = [t.key for t in await curation.list_topics(db)]
    added = 0
    async with db.session() as session:
        for number, raw in enumerate(records(today), start=1):
            org_id = orgs.get(raw["organisation"])
            if org_id is None or (org_id, raw["id"]) in existing:
                continue
            item = opendata.incoming(raw, number)
            fields = logic.check_service(item.given, topics=topics)
            # Checked at various times this year; two of Arjen Tuki's were checked long
            # ago, so its coordinators have one to check soon and one already hidden.
            days = CHECKED_LONG_AGO.get(raw["id"], (number * 37) % 320)
            checked = now - timedelta(days=days)
            await service.do_save_service(
                session,
                organisation_id=org_id,
                fields=fields,
                actor_id=None,
                now=now,
                checked_at=checked,
            )
            added += 1
    return added
