"""People and their memberships in the database: staff accounts, their roles in
organisations, activating and admin rights, the display names visitors may not take,
and the :class:`SessionEvents` port that tells connected sockets of a change.
Organisations are in accounts/organisations.py, the audit log in accounts/audit.py,
qualifications in accounts/qualifications.py.

Sign-in is in accounts/signin.py, sessions in accounts/sessions.py, second factors in
accounts/second_factor.py and one-time links in accounts/links.py.

Every ``do_*`` that changes what a person may do writes an audit event in the same
transaction and tells connected sockets through :class:`SessionEvents`. Functions
that act for someone take the acting :class:`Principal` and check it with the pure
rules of accounts/permissions.py (``access_*`` fetch with a check); routes check
the route-level permission before calling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts import logic, permissions
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import AccountLink, Membership, StaffSession, StaffUser
from kuulolla.accounts.permissions import Principal, Role
from kuulolla.core.cache import SharedCache
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Conflict, Forbidden, NotFound
from kuulolla.core.i18n import N_


class SessionEvents(Protocol):
    """What connected sockets must hear about (the chat server implements it)."""

    def sessions_ended(
        self, *, user_id: int | None = None, session_ids: Iterable[int] = ()
    ) -> None:
        """Close the sockets of these sessions, or of every session of ``user_id``."""

    def account_changed(self, *, user_id: int) -> None:
        """The person's roles changed: their sockets reconnect and pick up the new ones."""


class NoEvents:
    """For commands that run outside the server (the CLI)."""

    def sessions_ended(
        self, *, user_id: int | None = None, session_ids: Iterable[int] = ()
    ) -> None:
        return None

    def account_changed(self, *, user_id: int) -> None:
        return None


class NotMember(NotFound):
    code = "person_not_found"
    default_message = N_("There is no such person in this organisation.")


# ------------------------------------------------------------------ views


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    username: str
    display_name: str
    is_admin: bool
    active: bool
    languages: list[str]
    has_password: bool
    totp_enabled: bool
    roles: dict[int, str] = field(default_factory=dict)  # organisation id -> role


def _person(user: StaffUser, roles: dict[int, str]) -> Person:
    return Person(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        is_admin=user.is_admin,
        active=user.active,
        languages=list(user.languages or []),
        has_password=user.password_hash is not None,
        totp_enabled=user.totp_enabled_at is not None,
        roles=roles,
    )


# ------------------------------------------------------------------ people


async def _roles_of(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    out: dict[int, dict[int, str]] = {uid: {} for uid in user_ids}
    if not user_ids:
        return out
    rows = await session.execute(
        select(Membership.user_id, Membership.organisation_id, Membership.role).where(
            Membership.user_id.in_(list(user_ids))
        )
    )
    for user_id, org_id, role in rows:
        out[user_id][org_id] = role
    return out


async def get_person(db: Database, *, user_id: int) -> Person | None:
    async with db.read_session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None:
            return None
        return _person(user, (await _roles_of(session, [user.id]))[user.id])


async def get_person_by_username(db: Database, *, username: str) -> Person | None:
    async with db.read_session() as session:
        user = await session.scalar(
            select(StaffUser).where(StaffUser.username == username.strip().lower())
        )
        if user is None:
            return None
        return _person(user, (await _roles_of(session, [user.id]))[user.id])


async def access_member(db: Database, *, organisation_id: int, user_id: int) -> Person:
    """The person ``user_id`` if they are a member of ``organisation_id``; otherwise
    NotFound (the same for "no such person" and "someone else's person")."""
    person = await get_person(db, user_id=user_id)
    if person is None or organisation_id not in person.roles:
        raise NotMember()
    return person


async def list_members(db: Database, *, organisation_id: int) -> list[Person]:
    async with db.read_session() as session:
        users = list(
            await session.scalars(
                select(StaffUser)
                .join(Membership, Membership.user_id == StaffUser.id)
                .where(Membership.organisation_id == organisation_id)
                .order_by(StaffUser.display_name, StaffUser.id)
            )
        )
        roles = await _roles_of(session, [u.id for u in users])
        return [_person(u, roles[u.id]) for u in users]


async def list_staff(db: Database) -> list[Person]:
    async with db.read_session() as session:
        users = list(await session.scalars(select(StaffUser).order_by(StaffUser.username)))
        roles = await _roles_of(session, [u.id for u in users])
        return [_person(u, roles[u.id]) for u in users]


async def active_display_names(db: Database) -> list[str]:
    """Display names of active staff members (visitors may not pass for them)."""
    async with db.read_session() as session:
        return list(
            await session.scalars(select(StaffUser.display_name).where(StaffUser.active.is_(True)))
        )


class StaffNames:
    """Every active staff member's display name, folded by ``fold`` (the keys a
    visitor's nickname is compared with), cached per process for ``ttl`` seconds.
    Every member of the service counts, not only the room's organisation's: a
    visitor must not pass for a helper of another organisation either. Joins that find
    no fresh copy share one read (a reconnect storm to a process just started would
    otherwise read the staff once per join)."""

    def __init__(
        self,
        db: Database,
        *,
        fold: Callable[[Iterable[str]], frozenset[str]],
        ttl: float = 30.0,
    ) -> None:
        self._db = db
        self._fold = fold
        self._ttl = ttl
        self._cache: SharedCache[int, frozenset[str]] = SharedCache()

    async def keys(self, *, now: float) -> frozenset[str]:
        async def load() -> tuple[frozenset[str], float]:
            return self._fold(await active_display_names(self._db)), now + self._ttl

        return await self._cache.get(0, load, now=now)

    def forget(self) -> None:
        self._cache.forget(0)


async def _check_username_free(session: AsyncSession, username: str) -> None:
    if await session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise Conflict(N_("That username is taken."), code="username_taken")


def check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise BadRequest(N_("Choose a role."), code="invalid_role") from None


async def add_staff_user(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    password_hash: str | None,
    is_admin: bool,
    now: datetime,
) -> StaffUser:
    """Insert a staff user in ``session`` (names already checked)."""
    await _check_username_free(session, username)
    user = StaffUser(
        username=username,
        display_name=display_name,
        display_key=logic.name_key(display_name),
        password_hash=password_hash,
        password_changed_at=now if password_hash else None,
        is_admin=is_admin,
        active=True,
        languages=["fi"],
        totp_last_step=0,
        auth_epoch=0,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def do_update_profile(
    db: Database, *, user_id: int, display_name: str, languages: list[str], now: datetime
) -> None:
    display_name = logic.check_display_name(display_name)
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None:
            raise NotFound()
        user.display_name = display_name
        user.display_key = logic.name_key(display_name)
        user.languages = logic.check_languages(languages)
        audit(session, event="profile_updated", now=now, actor_id=user_id, target_user_id=user_id)


async def do_change_role(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    user_id: int,
    role: str,
    events: SessionEvents,
    now: datetime,
) -> None:
    new_role = check_role(role)
    if user_id == actor.user_id and not actor.is_admin:
        raise Forbidden(N_("You cannot change your own role."), code="own_role")
    async with db.session() as session:
        membership = await session.get(Membership, (user_id, organisation_id))
        if membership is None:
            raise NotMember()
        previous = membership.role
        if previous == new_role:
            return
        membership.role = new_role
        await _bump_epoch(session, user_id)
        audit(
            session,
            event="role_changed",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
            role=new_role,
            previous=previous,
        )
    events.account_changed(user_id=user_id)


async def do_add_member(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    user_id: int,
    role: str,
    events: SessionEvents,
    now: datetime,
) -> None:
    """Add an existing person to an organisation (admins)."""
    new_role = check_role(role)
    async with db.session() as session:
        if await session.get(StaffUser, user_id) is None:
            raise NotFound(N_("There is no such person."), code="person_not_found")
        if await session.get(Membership, (user_id, organisation_id)) is not None:
            raise Conflict(N_("The person is a member already."), code="already_member")
        session.add(
            Membership(
                user_id=user_id, organisation_id=organisation_id, role=new_role, created_at=now
            )
        )
        await _bump_epoch(session, user_id)
        audit(
            session,
            event="member_added",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
            role=new_role,
        )
    events.account_changed(user_id=user_id)


async def do_remove_member(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    user_id: int,
    events: SessionEvents,
    now: datetime,
) -> None:
    if user_id == actor.user_id and not actor.is_admin:
        raise Forbidden(N_("You cannot remove yourself."), code="own_membership")
    async with db.session() as session:
        membership = await session.get(Membership, (user_id, organisation_id))
        if membership is None:
            raise NotMember()
        role = membership.role
        await session.delete(membership)
        await _bump_epoch(session, user_id)
        audit(
            session,
            event="member_removed",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
            role=role,
        )
    events.account_changed(user_id=user_id)


async def _bump_epoch(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(StaffUser).where(StaffUser.id == user_id).values(auth_epoch=StaffUser.auth_epoch + 1)
    )


async def access_account(db: Database, *, actor: Principal, user_id: int) -> Person:
    """The person ``user_id`` if ``actor`` may act on their whole account (reset, deactivate);
    see :func:`permissions.may_manage_account`."""
    person = await get_person(db, user_id=user_id)
    if person is None:
        raise NotFound(N_("There is no such person."), code="person_not_found")
    if not permissions.may_manage_account(
        actor, target_id=person.id, target_roles=person.roles, target_is_admin=person.is_admin
    ):
        raise Forbidden(
            N_("This person also works in another organisation or is an admin. Ask an admin."),
            code="not_your_account",
        )
    return person


async def do_set_active(
    db: Database,
    *,
    actor: Principal,
    user_id: int,
    active: bool,
    organisation_id: int | None,
    events: SessionEvents,
    now: datetime,
) -> None:
    """Deactivate (ending every session and socket at once) or reactivate an account."""
    await access_account(db, actor=actor, user_id=user_id)
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None or user.active == active:
            return
        user.active = active
        user.deactivated_at = None if active else now
        user.auth_epoch += 1
        if not active:
            await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
            await session.execute(
                delete(AccountLink).where(
                    AccountLink.user_id == user_id, AccountLink.used_at.is_(None)
                )
            )
        audit(
            session,
            event="reactivated" if active else "deactivated",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
        )
    if not active:
        events.sessions_ended(user_id=user_id)


async def do_set_admin(
    db: Database,
    *,
    actor: Principal,
    user_id: int,
    admin: bool,
    events: SessionEvents,
    now: datetime,
) -> None:
    if user_id == actor.user_id:
        raise Forbidden(N_("You cannot change your own admin rights."), code="own_admin")
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None:
            raise NotFound(N_("There is no such person."), code="person_not_found")
        if user.is_admin == admin:
            return
        user.is_admin = admin
        user.auth_epoch += 1
        audit(
            session,
            event="admin_granted" if admin else "admin_revoked",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
        )
    events.account_changed(user_id=user_id)


async def count_admins(db: Database) -> int:
    async with db.read_session() as session:
        return int(
            await session.scalar(
                select(func.count()).where(StaffUser.is_admin.is_(True), StaffUser.active.is_(True))
            )
            or 0
        )
