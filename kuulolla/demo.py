"""Demo data: organisations, rooms and the question archive a newcomer can try at once.

Seeding is idempotent: what exists is left alone, so ``kuulolla demo`` can run again
on the same database. The organisations are fictional.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from kuulolla.accounts.models import Organisation
from kuulolla.core.db import Database
from kuulolla.questions import demo as questions_demo
from kuulolla.rooms import service as rooms
from kuulolla.rooms.models import Room

ORGANISATIONS = [
    ("arjen-tuki", "Arjen Tuki ry"),
    ("nuorten-kanava", "Nuorten Kanava ry"),
]

ROOMS = [
    {
        "organisation": "nuorten-kanava",
        "slug": "nuorten-ilta",
        "history_limit": 30,
        "names": {"fi": "Nuorten ilta", "sv": "Ungas kväll", "en": "Youth evening"},
        "descriptions": {
            "fi": "Avoin keskusteluhuone 13–20-vuotiaille. Puhutaan koulusta, kavereista, kotiasioista ja kaikesta, mikä painaa mieltä.",
            "sv": "Ett öppet samtalsrum för 13–20-åringar. Vi pratar om skolan, kompisar, hemmet och allt som tynger.",
            "en": "An open room for 13–20-year-olds. Talk about school, friends, home and anything on your mind.",
        },
    },
    {
        "organisation": "arjen-tuki",
        "slug": "vanhemmuus",
        "history_limit": 30,
        "names": {"fi": "Vanhemmuus", "sv": "Föräldraskap", "en": "Parenthood"},
        "descriptions": {
            "fi": "Vertaistukea vanhemmille: väsymys, riidat, huoli lapsesta ja arjen ilot.",
            "sv": "Kamratstöd för föräldrar: trötthet, gräl, oro för barnet och vardagens glädje.",
            "en": "Peer support for parents: tiredness, arguments, worry about a child and everyday joys.",
        },
    },
    {
        "organisation": "arjen-tuki",
        "slug": "omaishoitajat",
        "history_limit": 50,
        "names": {"fi": "Omaishoitajat", "sv": "Närståendevårdare", "en": "Family carers"},
        "descriptions": {
            "fi": "Läheistään hoitavien oma huone. Jaa kokemuksia jaksamisesta, vapaista ja palveluista.",
            "sv": "Ett eget rum för dem som vårdar en närstående. Dela erfarenheter om ork, ledighet och tjänster.",
            "en": "A room of their own for people who care for someone close. Share how you cope, breaks and services.",
        },
    },
    {
        "organisation": "nuorten-kanava",
        "slug": "yksinaisyys",
        "history_limit": 0,
        "names": {"fi": "Yksinäisyys", "sv": "Ensamhet", "en": "Loneliness"},
        "descriptions": {
            "fi": "Kun tuntuu, ettei ole ketään kenelle puhua. Tässä huoneessa uusi tulija ei näe aiempia viestejä.",
            "sv": "När det känns som att det inte finns någon att prata med. I det här rummet ser nya inte tidigare meddelanden.",
            "en": "When it feels like there is no one to talk to. Newcomers in this room do not see earlier messages.",
        },
    },
]


async def seed(db: Database, *, now: datetime) -> None:
    async with db.read_session() as session:
        orgs = set(await session.scalars(select(Organisation.slug)))
        existing_rooms = set(await session.scalars(select(Room.slug)))
    for slug, name in ORGANISATIONS:
        if slug not in orgs:
            await rooms.do_create_organisation(db, slug=slug, name=name, now=now)
    for spec in ROOMS:
        if spec["slug"] not in existing_rooms:
            await rooms.do_create_room(
                db,
                organisation=str(spec["organisation"]),
                slug=str(spec["slug"]),
                names=dict(spec["names"]),  # type: ignore[call-overload]
                descriptions=dict(spec["descriptions"]),  # type: ignore[call-overload]
                history_limit=int(spec["history_limit"]),  # type: ignore[call-overload]
                now=now,
            )
    await questions_demo.seed(db, now=now)
