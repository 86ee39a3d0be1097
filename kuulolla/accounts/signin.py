"""Signing in: the password (throttled, accounts/throttle.py), the second factor
(TOTP or a recovery code) and the device cookie that skips it on a trusted browser,
each ending in a new server-side session (accounts/sessions.py)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update

from kuulolla.accounts import crypto, logic, totp
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import (
    RecoveryCode,
    StaffSession,
    StaffUser,
)
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.sessions import (
    new_session,
    purge_ended,
    verify_attempt,
)
from kuulolla.accounts.throttle import SignInThrottle, SignInThrottled
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["SignInThrottled"]


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
    verdict = await verify_attempt(
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
        await purge_ended(session, user_id=user.id, now=now, settings=settings)
        if fresh.totp_enabled_at is not None:
            token, _ = await new_session(session, user=fresh, stage="totp", now=now)
            return SignInResult("second_factor", token=token, user_id=user.id)
        token, _ = await new_session(session, user=fresh, stage="full", now=now)
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
        await purge_ended(session, user_id=user.id, now=now, settings=settings)
        if user.totp_enabled_at is not None:
            token, _ = await new_session(session, user=user, stage="totp", now=now)
            return SignInResult("second_factor", token=token, user_id=user.id)
        token, _ = await new_session(session, user=user, stage="full", now=now)
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
            new_token, _ = await new_session(session, user=fresh, stage="full", now=now)
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
