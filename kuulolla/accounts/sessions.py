"""Server-side sessions: resolving a request's session to its principal, signing out,
ending sessions, changing one's password. Signing in (the password, the second
factor, the trusted device) is accounts/signin.py.

A session is a row in ``staff_sessions`` keyed by the SHA-256 of a random 256-bit
token that only the browser's cookie holds. It ends on sign-out, after
``KUULOLLA_SESSION_IDLE_MINUTES`` without use, ``KUULOLLA_SESSION_ABSOLUTE_HOURS``
after sign-in, and at once on deactivation, a password change or "end all
sessions"; :class:`~kuulolla.accounts.service.SessionEvents` then closes the
person's sockets in every process. A new token is issued at every sign-in and when
what the person may do changes (``auth_epoch``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts import crypto, logic, permissions
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import (
    AccountLink,
    Membership,
    Organisation,
    StaffSession,
    StaffUser,
)
from kuulolla.accounts.passwords import Busy, Passwords, Verdict
from kuulolla.accounts.permissions import ANONYMOUS, Principal, Role
from kuulolla.accounts.service import SessionEvents, access_account
from kuulolla.accounts.throttle import Attempt, SignInThrottle, SignInThrottled
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings

log = logging.getLogger(__name__)


__all__ = ["SignInThrottled"]


class WrongPassword(BadRequest):
    code = "wrong_password"
    default_message = N_("The password is not right.")


class WrongCode(BadRequest):
    code = "wrong_code"
    default_message = N_(
        "The code is not right. Check the time on your phone and try the newest code."
    )


# ------------------------------------------------------------------ principals


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a session cookie stands for at this moment."""

    principal: Principal = ANONYMOUS
    session_id: int | None = None
    token_hash: bytes | None = None  # binds the CSRF token
    pending_user_id: int | None = None  # signed in with a password, second factor awaited
    new_token: str | None = None  # set this cookie: the token was rotated
    clear_cookie: bool = False  # the cookie names no valid session


def session_limits(settings: Settings) -> tuple[timedelta, timedelta]:
    return (
        timedelta(minutes=settings.session_idle_minutes),
        timedelta(hours=settings.session_absolute_hours),
    )


async def build_principal(
    session: AsyncSession, user: StaffUser, *, session_id: int | None, settings: Settings
) -> Principal:
    rows = (
        await session.execute(
            select(Membership.organisation_id, Membership.role, Organisation.require_totp)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.user_id == user.id)
        )
    ).all()
    roles = {org: Role(role) for org, role, _ in rows}
    rules = {org: rule for org, _, rule in rows}
    enabled = user.totp_enabled_at is not None
    required = permissions.totp_required(
        is_admin=user.is_admin,
        admin_require=settings.admin_require_totp,
        roles=roles,
        org_rules=rules,
    )
    restricted = required and not enabled
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        is_admin=user.is_admin and not restricted,
        roles={} if restricted else roles,
        session_id=session_id,
        totp_enabled=enabled,
        totp_setup_required=restricted,
    )


async def resolve_session(
    db: Database, *, token: str | None, now: datetime, settings: Settings, rotate: bool = True
) -> Resolution:
    """The principal a session cookie stands for, applying expiry (rows of ended
    sessions are deleted), touching the last use and rotating the token when the
    person's rights changed since it was issued.

    Pass ``rotate=False`` where no cookie can be set in reply (a WebSocket handshake):
    the browser would keep a token that no longer exists. The principal is built from
    the database either way, so it always has the current rights."""
    if not token or len(token) > 128:
        return Resolution(clear_cookie=bool(token))
    digest = crypto.token_hash(token)
    idle, absolute = session_limits(settings)
    async with db.read_session() as session:
        row = (
            await session.execute(
                select(StaffSession, StaffUser)
                .join(StaffUser, StaffUser.id == StaffSession.user_id)
                .where(StaffSession.token_hash == digest)
            )
        ).first()
        if row is None:
            return Resolution(clear_cookie=True)
        record, user = row
        verdict = logic.session_verdict(
            stage=record.stage,
            created_at=record.created_at,
            last_seen_at=record.last_seen_at,
            now=now,
            idle=idle,
            absolute=absolute,
        )
        ok = verdict == "valid" and user.active
        principal = ANONYMOUS
        if ok and record.stage == "full":
            principal = await build_principal(
                session, user, session_id=record.id, settings=settings
            )
    if not ok:
        async with db.session() as session:
            await session.execute(delete(StaffSession).where(StaffSession.id == record.id))
        return Resolution(clear_cookie=True)
    if record.stage != "full":
        return Resolution(session_id=record.id, token_hash=digest, pending_user_id=user.id)
    new_token = None
    rotate = rotate and record.auth_epoch != user.auth_epoch
    if rotate or logic.needs_touch(record.last_seen_at, now):
        values: dict[str, object] = {"last_seen_at": now}
        if rotate:
            new_token = crypto.new_secret_token()
            values.update(token_hash=crypto.token_hash(new_token), auth_epoch=user.auth_epoch)
        async with db.session() as session:
            # Only from the token this request holds: of two requests rotating at once,
            # one wins and the other keeps the old cookie (its response sets none).
            done = await session.execute(
                update(StaffSession)
                .where(StaffSession.id == record.id, StaffSession.token_hash == digest)
                .values(**values)
            )
        if new_token is not None and done.rowcount == 1:  # type: ignore[attr-defined]
            digest = crypto.token_hash(new_token)
        else:
            new_token = None
    return Resolution(
        principal=principal, session_id=record.id, token_hash=digest, new_token=new_token
    )


async def do_check_sessions(
    db: Database, *, session_ids: set[int], now: datetime, settings: Settings
) -> set[int]:
    """Which of ``session_ids`` (of connected staff sockets) still hold. An open socket
    counts as use, so those are touched; ended ones are deleted."""
    if not session_ids:
        return set()
    idle, absolute = session_limits(settings)
    async with db.session() as session:
        rows = (
            await session.execute(
                select(StaffSession, StaffUser.active)
                .join(StaffUser, StaffUser.id == StaffSession.user_id)
                .where(StaffSession.id.in_(sorted(session_ids)))
            )
        ).all()
        valid: set[int] = set()
        ended: list[int] = []
        for record, active in rows:
            verdict = logic.session_verdict(
                stage=record.stage,
                created_at=record.created_at,
                last_seen_at=record.last_seen_at,
                now=now,
                idle=idle,
                absolute=absolute,
            )
            if verdict == "valid" and active and record.stage == "full":
                valid.add(record.id)
            else:
                ended.append(record.id)
        if valid:
            await session.execute(
                update(StaffSession)
                .where(StaffSession.id.in_(sorted(valid)))
                .values(last_seen_at=now)
            )
        if ended:
            await session.execute(delete(StaffSession).where(StaffSession.id.in_(ended)))
    return valid


async def new_session(
    session: AsyncSession, *, user: StaffUser, stage: str, now: datetime
) -> tuple[str, int]:
    token = crypto.new_secret_token()
    record = StaffSession(
        token_hash=crypto.token_hash(token),
        user_id=user.id,
        stage=stage,
        auth_epoch=user.auth_epoch,
        second_factor_failures=0,
        created_at=now,
        last_seen_at=now,
    )
    session.add(record)
    await session.flush()
    return token, record.id


async def purge_ended(
    session: AsyncSession, *, user_id: int, now: datetime, settings: Settings
) -> None:
    idle, absolute = session_limits(settings)
    await session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user_id,
            or_(
                StaffSession.created_at <= now - absolute,
                StaffSession.last_seen_at <= now - idle,
            ),
        )
    )


async def verify_attempt(
    passwords: Passwords,
    throttle: SignInThrottle,
    attempt: Attempt,
    stored: str | None,
    password: str,
) -> Verdict:
    """Check a password for a reserved attempt; a hash that never ran (too many waiting)
    gives the attempt's places back."""
    try:
        return await passwords.verify(stored, password)
    except Busy:
        await throttle.release(attempt)
        raise


# ------------------------------------------------------------------ signing out


async def do_sign_out(
    db: Database, *, session_id: int, user_id: int, events: SessionEvents, now: datetime
) -> None:
    async with db.session() as session:
        await session.execute(delete(StaffSession).where(StaffSession.id == session_id))
        audit(session, event="sign_out", now=now, actor_id=user_id, target_user_id=user_id)
    events.sessions_ended(session_ids=[session_id])


async def do_discard_pending(db: Database, *, session_id: int) -> None:
    async with db.session() as session:
        await session.execute(delete(StaffSession).where(StaffSession.id == session_id))


async def do_end_sessions(
    db: Database,
    *,
    actor: Principal,
    user_id: int,
    events: SessionEvents,
    now: datetime,
    organisation_id: int | None = None,
) -> int:
    """End every session of ``user_id`` at once and close their sockets. Acting on
    someone else needs :func:`permissions.may_manage_account`."""
    if user_id != actor.user_id:
        await access_account(db, actor=actor, user_id=user_id)
    async with db.session() as session:
        result = await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        audit(
            session,
            event="sessions_ended",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
            count=count,
        )
    events.sessions_ended(user_id=user_id)
    return count


# ------------------------------------------------------------------ passwords


async def do_change_password(
    db: Database,
    *,
    passwords: Passwords,
    throttle: SignInThrottle,
    settings: Settings,
    user_id: int,
    current: str,
    new: str,
    events: SessionEvents,
    now: datetime,
) -> str:
    """Change one's own password. Every session ends (and every socket closes); the
    returned token is a new session for the browser that made the change."""
    async with db.read_session() as session:
        user = await session.get(StaffUser, user_id)
    if user is None or not user.active:
        raise NotFound()
    attempt = await throttle.reserve(username=user.username)
    verdict = await verify_attempt(
        passwords, throttle, attempt, user.password_hash, logic.normalise_password(current)
    )
    if not verdict.ok:
        raise WrongPassword()
    await throttle.succeeded(attempt)
    clean = logic.check_password(new, username=user.username, display_name=user.display_name)
    hashed = await passwords.hash(clean)
    async with db.session() as session:
        fresh = await session.get(StaffUser, user_id)
        if fresh is None:
            raise NotFound()
        fresh.password_hash = hashed
        fresh.password_changed_at = now
        await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        token, _ = await new_session(session, user=fresh, stage="full", now=now)
        audit(session, event="password_changed", now=now, actor_id=user_id, target_user_id=user_id)
    events.sessions_ended(user_id=user_id)
    return token


async def verify_own_password(
    db: Database, *, passwords: Passwords, throttle: SignInThrottle, user_id: int, password: str
) -> None:
    """Re-check a signed-in person's password before a sensitive change, or raise."""
    async with db.read_session() as session:
        user = await session.get(StaffUser, user_id)
    if user is None:
        raise NotFound()
    attempt = await throttle.reserve(username=user.username)
    verdict = await verify_attempt(
        passwords, throttle, attempt, user.password_hash, logic.normalise_password(password)
    )
    if not verdict.ok:
        raise WrongPassword()
    await throttle.succeeded(attempt)


async def do_housekeeping(db: Database, *, settings: Settings, now: datetime) -> None:
    """Delete ended sessions, spent or expired links and audit events past retention."""
    from kuulolla.accounts.models import AuditEvent

    idle, absolute = session_limits(settings)
    async with db.session() as session:
        await session.execute(
            delete(StaffSession).where(
                or_(
                    StaffSession.created_at <= now - absolute,
                    StaffSession.last_seen_at <= now - idle,
                )
            )
        )
        await session.execute(
            delete(AccountLink).where(AccountLink.expires_at <= now - timedelta(days=30))
        )
        await session.execute(
            delete(AuditEvent).where(
                AuditEvent.created_at <= now - timedelta(days=settings.audit_retention_days)
            )
        )
