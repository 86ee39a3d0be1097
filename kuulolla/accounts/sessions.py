"""Signing in and out, server-side sessions, second factors and one-time links.

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
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts import crypto, logic, permissions, totp
from kuulolla.accounts.models import (
    AccountLink,
    Membership,
    Organisation,
    RecoveryCode,
    StaffSession,
    StaffUser,
)
from kuulolla.accounts.passwords import Busy, Passwords, Verdict
from kuulolla.accounts.permissions import ANONYMOUS, Principal, Role
from kuulolla.accounts.service import (
    SessionEvents,
    access_account,
    audit,
)
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


def _limits(settings: Settings) -> tuple[timedelta, timedelta]:
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
    idle, absolute = _limits(settings)
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
    idle, absolute = _limits(settings)
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


async def _new_session(
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


async def _purge_ended(
    session: AsyncSession, *, user_id: int, now: datetime, settings: Settings
) -> None:
    idle, absolute = _limits(settings)
    await session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user_id,
            or_(
                StaffSession.created_at <= now - absolute,
                StaffSession.last_seen_at <= now - idle,
            ),
        )
    )


# ------------------------------------------------------------------ signing in


@dataclass(frozen=True, slots=True)
class SignInResult:
    status: Literal["signed_in", "second_factor", "failed"]
    token: str | None = None
    user_id: int | None = None
    retry_after: float = 0.0


def parse_device(cookie: str | None, *, secret: str) -> tuple[int, str] | None:
    """(user id, nonce) of a valid device cookie, else None."""
    if not cookie or len(cookie) > 200:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    user_id, nonce, mac = int(parts[0]), parts[1], parts[2]
    if not secrets.compare_digest(crypto.device_mac(secret, user_id, nonce), mac):
        return None
    return user_id, nonce


def new_device_cookie(*, secret: str, user_id: int) -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{user_id}.{nonce}.{crypto.device_mac(secret, user_id, nonce)}"


async def _verify(
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


async def do_sign_in(
    db: Database,
    *,
    passwords: Passwords,
    throttle: SignInThrottle,
    settings: Settings,
    username: str,
    password: str,
    client_address: str | None,
    device_cookie: str | None,
    previous_token: str | None,
    now: datetime,
) -> SignInResult:
    """Check a username and password. Unknown usernames, deactivated accounts, accounts
    without a password and wrong passwords all take the same time and give the same
    answer ("failed"); throttling raises :class:`SignInThrottled` for any username alike.
    Raises ``Busy`` when too many hashes are waiting."""
    name = username.strip().lower()[:64]
    async with db.read_session() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == name))
    device = parse_device(device_cookie, secret=settings.secret_key)
    device_nonce = device[1] if device and user is not None and device[0] == user.id else None
    network = await throttle.network_key(client_address, now=now)
    target = user.id if user is not None else None
    try:
        # The place is taken before the hash, so attempts made at once count one by one.
        attempt = await throttle.reserve(username=name, network=network, device=device_nonce)
    except SignInThrottled:
        # Logged, not written to the audit table: held-back attempts cost no hash, so
        # writing each would let a flood of them fill the database.
        log.info("accounts.sign_in_throttled", extra={"event": "accounts.sign_in_throttled"})
        raise
    usable = user is not None and user.active and user.password_hash is not None
    verdict = await _verify(
        passwords,
        throttle,
        attempt,
        user.password_hash if usable and user is not None else None,
        logic.normalise_password(password)[: logic.MAX_PASSWORD_CHARS],
    )
    if not verdict.ok or user is None or not usable:
        async with db.session() as session:
            audit(session, event="sign_in_failed", now=now, target_user_id=target)
        return SignInResult("failed")
    new_hash = None
    if verdict.needs_rehash:
        # The configured parameters rose since this hash was made.
        new_hash = await passwords.hash(logic.normalise_password(password))
    await throttle.succeeded(attempt)
    async with db.session() as session:
        fresh = await session.get(StaffUser, user.id)
        if fresh is None or not fresh.active:
            return SignInResult("failed")
        if new_hash is not None:
            fresh.password_hash = new_hash
            audit(
                session,
                event="password_rehashed",
                now=now,
                target_user_id=user.id,
                actor_id=user.id,
            )
        if previous_token:
            await session.execute(
                delete(StaffSession).where(
                    StaffSession.token_hash == crypto.token_hash(previous_token)
                )
            )
        await _purge_ended(session, user_id=user.id, now=now, settings=settings)
        if fresh.totp_enabled_at is not None:
            token, _ = await _new_session(session, user=fresh, stage="totp", now=now)
            return SignInResult("second_factor", token=token, user_id=user.id)
        token, _ = await _new_session(session, user=fresh, stage="full", now=now)
        audit(
            session,
            event="sign_in",
            now=now,
            actor_id=user.id,
            target_user_id=user.id,
            kind="password",
        )
    return SignInResult("signed_in", token=token, user_id=user.id)


async def do_start_session(
    db: Database, *, user_id: int, settings: Settings, now: datetime
) -> SignInResult:
    """Sign in someone who has just set their password with a one-time link: the link
    proved who they are, as the password would have. A person with a second factor gets
    a session that waits for it, as at any sign-in ("second_factor"); "failed" when the
    account is no longer active."""
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None or not user.active:
            return SignInResult("failed")
        await _purge_ended(session, user_id=user.id, now=now, settings=settings)
        if user.totp_enabled_at is not None:
            token, _ = await _new_session(session, user=user, stage="totp", now=now)
            return SignInResult("second_factor", token=token, user_id=user.id)
        token, _ = await _new_session(session, user=user, stage="full", now=now)
        audit(
            session, event="sign_in", now=now, actor_id=user.id, target_user_id=user.id, kind="link"
        )
    return SignInResult("signed_in", token=token, user_id=user.id)


async def do_second_factor(
    db: Database,
    *,
    throttle: SignInThrottle,
    settings: Settings,
    token: str,
    code: str,
    client_address: str | None,
    now: datetime,
) -> SignInResult:
    """Finish a sign-in with a TOTP code or a recovery code. Returns "signed_in" with a
    new token (the pending one is discarded), or "failed"; after five failures the
    pending sign-in ends and the caller starts over (raises NotFound)."""
    digest = crypto.token_hash(token)
    async with db.session() as session:
        row = (
            await session.execute(
                select(StaffSession, StaffUser)
                .join(StaffUser, StaffUser.id == StaffSession.user_id)
                .where(StaffSession.token_hash == digest, StaffSession.stage == "totp")
            )
        ).first()
        if row is None:
            raise SignInExpired()
        record, user = row
        verdict = logic.session_verdict(
            stage=record.stage,
            created_at=record.created_at,
            last_seen_at=record.last_seen_at,
            now=now,
            idle=timedelta(0),
            absolute=timedelta(0),
        )
        expired = verdict != "valid" or not user.active or user.totp_secret is None
        if not expired:
            # The pending sign-in's place, reserved before the code is checked: one
            # conditional UPDATE, so codes sent at once cannot all pass the count.
            reserved = await session.execute(
                update(StaffSession)
                .where(
                    StaffSession.id == record.id,
                    StaffSession.second_factor_failures < logic.MAX_SECOND_FACTOR_FAILURES,
                )
                .values(second_factor_failures=StaffSession.second_factor_failures + 1)
            )
            expired = reserved.rowcount != 1  # type: ignore[attr-defined]
        if expired:
            await session.execute(delete(StaffSession).where(StaffSession.id == record.id))
    if expired:
        raise SignInExpired()
    assert_found(user)
    network = await throttle.network_key(client_address, now=now)
    attempt = await throttle.reserve(username=user.username, network=network)
    secret = crypto.decrypt_totp_secret(settings.secret_key, user.id, user.totp_secret or b"")
    method: str | None = None
    async with db.session() as session:
        fresh = assert_found(await session.get(StaffUser, user.id))
        step = (
            totp.matching_step(secret, code, now=now, last_step=fresh.totp_last_step)
            if secret
            else None
        )
        if step is not None:
            # Conditional, so two requests with one code cannot both pass.
            done = await session.execute(
                update(StaffUser)
                .where(StaffUser.id == user.id, StaffUser.totp_last_step < step)
                .values(totp_last_step=step)
            )
            method = "totp" if done.rowcount == 1 else None  # type: ignore[attr-defined]
        else:
            recovery = totp.normalise_recovery_code(code)
            if recovery is not None:
                hashed = crypto.recovery_code_hash(settings.secret_key, user.id, recovery)
                used = await session.execute(
                    update(RecoveryCode)
                    .where(
                        RecoveryCode.user_id == user.id,
                        RecoveryCode.code_hash == hashed,
                        RecoveryCode.used_at.is_(None),
                    )
                    .values(used_at=now)
                )
                if used.rowcount == 1:  # type: ignore[attr-defined]
                    method = "recovery"
        if method is None:
            # The attempt was counted when it was reserved; the last one ends it.
            await session.execute(
                delete(StaffSession).where(
                    StaffSession.id == record.id,
                    StaffSession.second_factor_failures >= logic.MAX_SECOND_FACTOR_FAILURES,
                )
            )
            audit(session, event="second_factor_failed", now=now, target_user_id=user.id)
        else:
            await session.execute(delete(StaffSession).where(StaffSession.id == record.id))
            new_token, _ = await _new_session(session, user=fresh, stage="full", now=now)
            audit(
                session,
                event="sign_in",
                now=now,
                actor_id=user.id,
                target_user_id=user.id,
                kind=method,
            )
            if method == "recovery":
                audit(
                    session,
                    event="recovery_code_used",
                    now=now,
                    actor_id=user.id,
                    target_user_id=user.id,
                )
    if method is None:
        return SignInResult("failed", user_id=user.id)
    await throttle.succeeded(attempt)
    return SignInResult("signed_in", token=new_token, user_id=user.id)


class SignInExpired(NotFound):
    code = "signin_expired"
    status = 400
    default_message = N_("The sign-in took too long or was tried too many times. Start again.")


def assert_found(user: StaffUser | None) -> StaffUser:
    if user is None:
        raise SignInExpired()
    return user


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
    verdict = await _verify(
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
        token, _ = await _new_session(session, user=fresh, stage="full", now=now)
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
    verdict = await _verify(
        passwords, throttle, attempt, user.password_hash, logic.normalise_password(password)
    )
    if not verdict.ok:
        raise WrongPassword()
    await throttle.succeeded(attempt)


async def do_housekeeping(db: Database, *, settings: Settings, now: datetime) -> None:
    """Delete ended sessions, spent or expired links and audit events past retention."""
    from kuulolla.accounts.models import AuditEvent

    idle, absolute = _limits(settings)
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
