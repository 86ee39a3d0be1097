"""Demo data: organisations, rooms, staff and the question archive a newcomer can try at once.

Seeding is idempotent: what exists is left alone, so ``kuulolla demo`` can run again
on the same database. The organisations and people are fictional. Demo staff get new
random passwords on every run, printed at start (only the hashes are stored).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update

from kuulolla.accounts import links
from kuulolla.accounts.models import Organisation, StaffUser
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.accounts.passwords import Passwords
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.directory import demo as directory_demo
from kuulolla.moderation.crisis_help import NATIONAL
from kuulolla.questions import demo as questions_demo
from kuulolla.queue import demo as queue_demo
from kuulolla.reports import demo as reports_demo
from kuulolla.rooms import service as rooms
from kuulolla.rooms.models import Room
from kuulolla.shifts import demo as shifts_demo

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


# (username, display name, organisation or None, role or None, admin)
STAFF = [
    ("admin", "Ylläpito", None, None, True),
    ("koordinaattori.arki", "Kaisa", "arjen-tuki", "coordinator", False),
    ("vapaaehtoinen.arki", "Ville", "arjen-tuki", "volunteer", False),
    ("ammattilainen.arki", "Anu", "arjen-tuki", "professional", False),
    # Holds the demo's round-the-clock shift, so a room is open at any hour (shifts/demo.py).
    ("paivystaja.arki", "Päivystäjä", "arjen-tuki", "volunteer", False),
    ("koordinaattori.nuoret", "Kalle", "nuorten-kanava", "coordinator", False),
    ("vapaaehtoinen.nuoret", "Veera", "nuorten-kanava", "volunteer", False),
    ("ammattilainen.nuoret", "Aleksi", "nuorten-kanava", "professional", False),
]


def demo_password() -> str:
    """Four random words' worth of letters: easy to type, far above the policy."""
    alphabet = "abcdefghijkmnopqrstuvwxyz"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def format_sign_ins(sign_ins: list[tuple[str, str, str]]) -> str:
    width = max((len(u) for u, _, _ in sign_ins), default=0)
    return "\n".join(
        f"  {user.ljust(width)}  {password}  ({what})" for user, password, what in sign_ins
    )


async def seed_staff(
    db: Database, *, now: datetime, settings: Settings
) -> list[tuple[str, str, str]]:
    """Create the demo staff (or give the existing ones new passwords); returns
    (username, password, description) to print."""
    passwords = Passwords.from_settings(settings)
    out = []
    for username, display_name, org, role, admin in STAFF:
        password = demo_password()
        async with db.read_session() as session:
            user_id = await session.scalar(
                select(StaffUser.id).where(StaffUser.username == username)
            )
        if user_id is None:
            await links.do_create_staff(
                db,
                passwords=passwords,
                username=username,
                display_name=display_name,
                password=password,
                is_admin=admin,
                organisation=org,
                role=role,
                now=now,
            )
        else:
            await links.do_set_password(
                db, passwords=passwords, user_id=user_id, password=password, now=now
            )
        out.append((username, password, "admin" if admin else f"{role}, {org}"))
    async with db.session() as session:
        # Demo organisations do not ask for a second factor, so trying is quick.
        await session.execute(
            update(Organisation)
            .where(Organisation.slug.in_([slug for slug, _ in ORGANISATIONS]))
            .values(require_totp="none", crisis_numbers=CRISIS_NUMBERS)
        )
    return out


CRISIS_NUMBERS = [
    {
        "number": "09 2525 0111",
        "name": {"fi": "Kriisipuhelin", "sv": "Kristelefonen", "en": "Crisis helpline"},
        "description": {
            "fi": "Mielenterveysseuran kriisipuhelin päivystää ympäri vuorokauden.",
            "sv": "Kristelefonen på finska har jour dygnet runt.",
            "en": "The crisis helpline is open around the clock.",
        },
    },
    # The Poison Information Centre, for an overdose or a poisoning.
    *NATIONAL["overdose"],
    {
        "number": "112",
        "name": {"fi": "Hätänumero", "sv": "Nödnummer", "en": "Emergency number"},
        "description": {
            "fi": "Kun henki tai terveys on vaarassa.",
            "sv": "När liv eller hälsa är i fara.",
            "en": "When life or health is in danger.",
        },
    },
]


async def seed(
    db: Database, *, now: datetime, settings: Settings | None = None
) -> list[tuple[str, str, str]]:
    async with db.read_session() as session:
        orgs = set(await session.scalars(select(Organisation.slug)))
        existing_rooms = set(await session.scalars(select(Room.slug)))
    for slug, name in ORGANISATIONS:
        if slug not in orgs:
            await do_create_organisation(db, slug=slug, name=name, now=now)
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
    await queue_demo.seed(db, now=now)
    await directory_demo.seed(db, now=now)
    sign_ins = [] if settings is None else await seed_staff(db, now=now, settings=settings)
    if settings is not None:
        await shifts_demo.seed(db, now=now)
    # After the staff, so the demo volunteers have shift hours in the reports.
    await reports_demo.seed(db, now=now)
    return sign_ins
