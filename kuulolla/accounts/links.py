"""One-time links to set a password (invitations and resets), and accounts created
with a password (the first admin, the demo).

A link's token is random (256 bits) and only its SHA-256 is stored; it works once,
until it expires (``KUULOLLA_LINK_EXPIRY_HOURS``), and a new link for the same person
replaces any unused one. Opening a link changes nothing: only setting the password
spends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts import crypto, logic
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import (
    AccountLink,
    Membership,
    Organisation,
    StaffSession,
    StaffUser,
)
from kuulolla.accounts.passwords import Busy, Passwords
from kuulolla.accounts.permissions import Principal
from kuulolla.accounts.service import SessionEvents, access_account, add_staff_user, check_role
from kuulolla.accounts.throttle import SignInThrottle
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings

# ------------------------------------------------------------------ one-time links


@dataclass(frozen=True, slots=True)
class LinkView:
    kind: str
    state: logic.LinkState
    user_id: int
    username: str
    display_name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedLink:
    user_id: int
    token: str
    expires_at: datetime
    kind: str = "invite"
    extra: dict[str, str] = field(default_factory=dict)


async def _issue_link(
    session: AsyncSession,
    *,
    user_id: int,
    kind: str,
    actor_id: int | None,
    now: datetime,
    settings: Settings,
) -> IssuedLink:
    # One link at a time: a new one replaces any that was not used.
    await session.execute(
        delete(AccountLink).where(AccountLink.user_id == user_id, AccountLink.used_at.is_(None))
    )
    token = crypto.new_secret_token()
    expires_at = now + timedelta(hours=settings.link_expiry_hours)
    session.add(
        AccountLink(
            token_hash=crypto.token_hash(token),
            user_id=user_id,
            kind=kind,
            created_by=actor_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedLink(user_id=user_id, token=token, expires_at=expires_at, kind=kind)


async def do_invite(
    db: Database,
    *,
    actor: Principal,
    organisation_id: int,
    username: str,
    display_name: str,
    role: str,
    settings: Settings,
    now: datetime,
) -> IssuedLink:
    """Create an account without a password, its membership and a one-time link with
    which the person sets their own password."""
    username = logic.check_username(username)
    display_name = logic.check_display_name(display_name)
    new_role = check_role(role)
    async with db.session() as session:
        user = await add_staff_user(
            session,
            username=username,
            display_name=display_name,
            password_hash=None,
            is_admin=False,
            now=now,
        )
        session.add(
            Membership(
                user_id=user.id, organisation_id=organisation_id, role=new_role, created_at=now
            )
        )
        link = await _issue_link(
            session,
            user_id=user.id,
            kind="invite",
            actor_id=actor.user_id,
            now=now,
            settings=settings,
        )
        audit(
            session,
            event="invitation_created",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user.id,
            organisation_id=organisation_id,
            role=new_role,
        )
        return link


async def do_create_reset_link(
    db: Database,
    *,
    actor: Principal,
    user_id: int,
    organisation_id: int | None,
    settings: Settings,
    now: datetime,
) -> IssuedLink:
    """A one-time link with which the person sets a new password (a coordinator or
    admin passes it on). An invited person who never used their link gets a new
    invitation instead."""
    person = await access_account(db, actor=actor, user_id=user_id)
    kind = "reset" if person.has_password else "invite"
    async with db.session() as session:
        link = await _issue_link(
            session, user_id=user_id, kind=kind, actor_id=actor.user_id, now=now, settings=settings
        )
        audit(
            session,
            event="reset_link_created" if kind == "reset" else "invitation_created",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
        )
        return link


async def get_link(db: Database, *, token: str, now: datetime) -> LinkView | None:
    if not token or len(token) > 128:
        return None
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(AccountLink, StaffUser)
                .join(StaffUser, StaffUser.id == AccountLink.user_id)
                .where(AccountLink.token_hash == crypto.token_hash(token))
            )
        ).first()
    if row is None:
        return None
    link, user = row
    state = logic.link_state(expires_at=link.expires_at, used_at=link.used_at, now=now)
    if not user.active:
        state = "expired"
    return LinkView(link.kind, state, user.id, user.username, user.display_name, link.expires_at)


@dataclass(frozen=True, slots=True)
class LinkStatus:
    kind: str
    state: logic.LinkState
    created_at: datetime
    expires_at: datetime


async def latest_link(db: Database, *, user_id: int, now: datetime) -> LinkStatus | None:
    async with db.read_session() as session:
        link = await session.scalar(
            select(AccountLink)
            .where(AccountLink.user_id == user_id)
            .order_by(AccountLink.id.desc())
            .limit(1)
        )
    if link is None:
        return None
    return LinkStatus(
        link.kind,
        logic.link_state(expires_at=link.expires_at, used_at=link.used_at, now=now),
        link.created_at,
        link.expires_at,
    )


class LinkInvalid(NotFound):
    code = "link_invalid"
    default_message = N_(
        "This link has been used already or it has expired. Ask your coordinator for a new one."
    )


async def do_use_link(
    db: Database,
    *,
    passwords: Passwords,
    throttle: SignInThrottle,
    token: str,
    password: str,
    confirm: str,
    events: SessionEvents,
    now: datetime,
) -> int:
    """Set a password with a one-time link. The link is spent and every session of the
    person ends. Returns the user id. Each use that reaches the hash is counted first
    (``throttle.link``), so a link posted many times at once costs a few hashes, not
    one each."""
    view = await get_link(db, token=token, now=now)
    if view is None or view.state != "valid":
        raise LinkInvalid()
    if password != confirm:
        raise BadRequest(N_("The passwords do not match."), code="password_mismatch")
    clean = logic.check_password(password, username=view.username, display_name=view.display_name)
    attempt = await throttle.reserve_link(crypto.token_hash(token))
    try:
        hashed = await passwords.hash(clean)
    except Busy:
        await throttle.release(attempt)
        raise
    async with db.session() as session:
        spent = await session.execute(
            update(AccountLink)
            .where(
                AccountLink.token_hash == crypto.token_hash(token),
                AccountLink.used_at.is_(None),
                AccountLink.expires_at > now,
            )
            .values(used_at=now)
        )
        if spent.rowcount != 1:  # type: ignore[attr-defined]
            raise LinkInvalid()
        await session.execute(
            update(StaffUser)
            .where(StaffUser.id == view.user_id)
            .values(password_hash=hashed, password_changed_at=now)
        )
        await session.execute(delete(StaffSession).where(StaffSession.user_id == view.user_id))
        audit(
            session,
            event="invitation_accepted" if view.kind == "invite" else "password_reset",
            now=now,
            actor_id=view.user_id,
            target_user_id=view.user_id,
        )
    events.sessions_ended(user_id=view.user_id)
    return view.user_id


# ------------------------------------------------------------------ the first admin


async def do_create_staff(
    db: Database,
    *,
    passwords: Passwords,
    username: str,
    display_name: str,
    password: str,
    is_admin: bool,
    organisation: str | None,
    role: str | None,
    now: datetime,
) -> int:
    """Create a staff account with a password (``kuulolla create-staff``, the demo)."""
    username = logic.check_username(username)
    display_name = logic.check_display_name(display_name)
    clean = logic.check_password(password, username=username, display_name=display_name)
    new_role = check_role(role or "") if organisation else None
    hashed = await passwords.hash(clean)
    async with db.session() as session:
        org_id = None
        if organisation:
            org_id = await session.scalar(
                select(Organisation.id).where(Organisation.slug == organisation)
            )
            if org_id is None:
                raise NotFound(N_("There is no such organisation."), code="organisation_not_found")
        user = await add_staff_user(
            session,
            username=username,
            display_name=display_name,
            password_hash=hashed,
            is_admin=is_admin,
            now=now,
        )
        if org_id is not None and new_role is not None:
            session.add(
                Membership(user_id=user.id, organisation_id=org_id, role=new_role, created_at=now)
            )
        audit(
            session,
            event="account_created",
            now=now,
            target_user_id=user.id,
            organisation_id=org_id,
            role=new_role,
            admin=is_admin or None,
        )
        return user.id


async def do_set_password(
    db: Database, *, passwords: Passwords, user_id: int, password: str, now: datetime
) -> None:
    """Set a password directly (the demo re-seeding its accounts); ends sessions."""
    async with db.read_session() as session:
        user = await session.get(StaffUser, user_id)
    if user is None:
        raise NotFound()
    clean = logic.check_password(password, username=user.username, display_name=user.display_name)
    hashed = await passwords.hash(clean)
    async with db.session() as session:
        await session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(password_hash=hashed, password_changed_at=now)
        )
        await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
