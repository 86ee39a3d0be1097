"""A small world of two organisations with people in every role, and ways to act as them.

Hashing a password takes ~0.2 s by design, so the world's people share one hash made
once per test session, and tests that do not test signing in get a session straight
from the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from kuulolla.accounts import crypto
from kuulolla.accounts.models import Membership, StaffSession, StaffUser
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.permissions import ANONYMOUS, Principal
from kuulolla.accounts.qualifications import do_create_qualification
from kuulolla.accounts.service import add_staff_user
from kuulolla.accounts.throttle import SignInThrottle
from kuulolla.core.bankey import BanKeys, MemoryKeyStore
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.limits import MemoryLimiter
from kuulolla.core.settings import Settings
from tests.helpers import NOW, make_room

PASSWORD = "kirahvi ajaa polkupyörällä"
ROLES = ("volunteer", "professional", "coordinator")
ORGS = ("alfa", "beeta")

_HASH: list[str] = []


async def shared_hash() -> str:
    if not _HASH:
        _HASH.append(await Passwords().hash(PASSWORD))
    return _HASH[0]


@dataclass
class World:
    """Ids of what :func:`build_world` made. People are named ``<role>-<org>``
    (``volunteer-alfa``) plus ``admin``; each organisation also has a ``target-<org>``
    volunteer for coordinators to act on, a training and a record of it."""

    users: dict[str, int] = field(default_factory=dict)
    orgs: dict[str, int] = field(default_factory=dict)
    rooms: dict[str, str] = field(default_factory=dict)  # org slug -> room slug
    qualifications: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)  # org slug -> routed question


async def add_person(
    db: Database,
    username: str,
    *,
    display_name: str | None = None,
    org_id: int | None = None,
    role: str | None = None,
    admin: bool = False,
    password_hash: str | None = None,
) -> int:
    async with db.session() as session:
        user = await add_staff_user(
            session,
            username=username,
            display_name=display_name or username.split("-")[0].capitalize() + username[-2:],
            password_hash=password_hash or await shared_hash(),
            is_admin=admin,
            now=NOW,
        )
        if org_id is not None and role is not None:
            session.add(
                Membership(user_id=user.id, organisation_id=org_id, role=role, created_at=NOW)
            )
        return user.id


async def build_world(db: Database) -> World:
    from kuulolla.accounts.models import Organisation, StaffQualification

    world = World()
    for org in ORGS:
        await make_room(db, f"{org}-huone", org=org)
        world.rooms[org] = f"{org}-huone"
        async with db.read_session() as session:
            org_id = await session.scalar(select(Organisation.id).where(Organisation.slug == org))
        assert org_id is not None
        world.orgs[org] = org_id
        async with db.session() as session:
            # The world's organisations ask no second factor; tests of that rule set it.
            found = await session.get(Organisation, org_id)
            assert found is not None
            found.require_totp = "none"
        for role in ROLES:
            world.users[f"{role}-{org}"] = await add_person(
                db,
                f"{role}-{org}",
                display_name=f"{role.capitalize()} {org}",
                org_id=org_id,
                role=role,
            )
        world.users[f"target-{org}"] = await add_person(
            db, f"target-{org}", display_name=f"Kohde {org}", org_id=org_id, role="volunteer"
        )
        principal = Principal(user_id=world.users[f"coordinator-{org}"])
        world.qualifications[org] = await do_create_qualification(
            db,
            actor=principal,
            organisation_id=org_id,
            name=f"Peruskoulutus {org}",
            valid_months=24,
            now=NOW,
        )
        async with db.session() as session:
            record = StaffQualification(
                user_id=world.users[f"target-{org}"],
                qualification_id=world.qualifications[org],
                completed_on=date(2025, 1, 10),
                expires_on=date(2027, 1, 10),
                recorded_at=NOW,
            )
            session.add(record)
            await session.flush()
            world.records[org] = record.id
    world.users["admin"] = await add_person(db, "admin", display_name="Ylläpito", admin=True)
    return world


def make_throttle(
    clock: Clock | None = None, *, free: int = 5, client_free: int = 20
) -> SignInThrottle:
    """Sign-in limits counted in this process, on ``clock``'s time."""
    wall = (lambda: clock.now().timestamp()) if clock is not None else (lambda: NOW.timestamp())
    return SignInThrottle(
        MemoryLimiter(wall=wall),
        BanKeys(MemoryKeyStore()),
        secret="s" * 40,
        free=free,
        client_free=client_free,
        window=900,
    )


async def make_session(db: Database, user_id: int, *, now: datetime = NOW) -> str:
    """A signed-in session for ``user_id`` without going through the password."""
    token = crypto.new_secret_token()
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        assert user is not None
        session.add(
            StaffSession(
                token_hash=crypto.token_hash(token),
                user_id=user_id,
                stage="full",
                auth_epoch=user.auth_epoch,
                second_factor_failures=0,
                created_at=now,
                last_seen_at=now,
            )
        )
    return token


async def session_count(db: Database, user_id: int) -> int:
    async with db.read_session() as session:
        return len(
            list(
                await session.scalars(
                    select(StaffSession.id).where(StaffSession.user_id == user_id)
                )
            )
        )


SESSION_COOKIE = "__Host-kuulolla_session"
CSRF_COOKIE = "__Host-kuulolla_csrf"


def session_headers(settings: Settings, token: str) -> dict[str, str]:
    """Headers of a browser holding session ``token``, with the form token to match."""
    return {"cookie": f"{SESSION_COOKIE}={token}"}


def session_csrf(settings: Settings, token: str) -> str:
    return crypto.csrf_token(settings.secret_key, crypto.token_hash(token))


def anonymous_headers(settings: Settings) -> tuple[dict[str, str], str]:
    value = "pre-session-cookie-value"
    return {"cookie": f"{CSRF_COOKIE}={value}"}, crypto.csrf_token(
        settings.secret_key, value.encode()
    )


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


__all__ = ["ANONYMOUS", "NOW", "PASSWORD", "World", "add_person", "build_world", "make_session"]
