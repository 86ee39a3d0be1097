"""Setting up and removing the second factor (TOTP) and its recovery codes.

Showing the set-up page stores nothing: the new secret travels back with the form,
encrypted and bound to the person (:func:`new_setup`), and is stored (encrypted,
accounts/crypto.py) only once the person has typed a correct code from their app
(:func:`do_confirm_totp`). Recovery codes are shown once and stored as keyed hashes;
each works once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kuulolla.accounts import crypto, permissions, totp
from kuulolla.accounts.audit import audit
from kuulolla.accounts.models import (
    Membership,
    Organisation,
    RecoveryCode,
    StaffSession,
    StaffUser,
)
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.permissions import Principal
from kuulolla.accounts.service import SessionEvents, _bump_epoch, access_account
from kuulolla.accounts.sessions import WrongCode, verify_own_password
from kuulolla.accounts.throttle import SignInThrottle
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Forbidden, NotFound
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings


async def remaining_recovery_codes(db: Database, *, user_id: int) -> int:
    async with db.read_session() as session:
        rows = await session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        )
        return len(list(rows))


# ------------------------------------------------------------------ second factor


@dataclass(frozen=True, slots=True)
class TotpSetup:
    secret: str
    uri: str
    sealed: str  # the secret encrypted for this person: the set-up form carries it back


def new_setup(*, user_id: int, username: str, settings: Settings) -> TotpSetup:
    """A new secret for the person to add to their authenticator. Nothing is stored
    (showing the set-up page changes no state): the form carries the secret back
    sealed, encrypted and bound to the person, and :func:`do_confirm_totp` stores it
    once a code from the app proves it was added."""
    secret = totp.new_secret()
    sealed = crypto.encrypt_totp_secret(settings.secret_key, user_id, secret)
    return TotpSetup(
        secret,
        totp.provisioning_uri(secret, username=username),
        base64.urlsafe_b64encode(sealed).decode(),
    )


async def _new_recovery_codes(
    session: AsyncSession, *, user_id: int, settings: Settings
) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes()
    for code in codes:
        session.add(
            RecoveryCode(
                user_id=user_id,
                code_hash=crypto.recovery_code_hash(settings.secret_key, user_id, code),
            )
        )
    return codes


def unseal(sealed: str, *, user_id: int, settings: Settings) -> str | None:
    try:
        blob = base64.urlsafe_b64decode(sealed.encode())
    except (ValueError, UnicodeEncodeError):
        return None
    return crypto.decrypt_totp_secret(settings.secret_key, user_id, blob)


async def do_confirm_totp(
    db: Database, *, user_id: int, sealed: str, code: str, settings: Settings, now: datetime
) -> list[str]:
    """Turn the second factor on with the secret of :func:`new_setup` once the person
    proves their authenticator shows the right code. Returns new recovery codes, shown
    once and stored only hashed."""
    secret = unseal(sealed, user_id=user_id, settings=settings)
    if secret is None:
        raise BadRequest(N_("Start the set-up again."), code="totp_not_started")
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None:
            raise NotFound()
        if user.totp_enabled_at is not None:
            raise BadRequest(N_("The second factor is on already."), code="totp_enabled")
        step = totp.matching_step(secret, code, now=now, last_step=0)
        if step is None:
            raise WrongCode()
        user.totp_secret = crypto.encrypt_totp_secret(settings.secret_key, user_id, secret)
        user.totp_enabled_at = now
        user.totp_last_step = step
        codes = await _new_recovery_codes(session, user_id=user_id, settings=settings)
        await _bump_epoch(session, user_id)
        audit(session, event="totp_enabled", now=now, actor_id=user_id, target_user_id=user_id)
        return codes


async def is_totp_required(db: Database, *, user_id: int, settings: Settings) -> bool:
    async with db.read_session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None:
            return False
        rows = (
            await session.execute(
                select(Membership.organisation_id, Membership.role, Organisation.require_totp)
                .join(Organisation, Organisation.id == Membership.organisation_id)
                .where(Membership.user_id == user_id)
            )
        ).all()
    return permissions.totp_required(
        is_admin=user.is_admin,
        admin_require=settings.admin_require_totp,
        roles={org: role for org, role, _ in rows},
        org_rules={org: rule for org, _, rule in rows},
    )


async def do_disable_totp(
    db: Database,
    *,
    passwords: Passwords,
    throttle: SignInThrottle,
    settings: Settings,
    user_id: int,
    password: str,
    now: datetime,
) -> None:
    if await is_totp_required(db, user_id=user_id, settings=settings):
        raise Forbidden(
            N_("Your organisation requires a second factor, so it cannot be turned off."),
            code="totp_required",
        )
    await verify_own_password(
        db, passwords=passwords, throttle=throttle, user_id=user_id, password=password
    )
    async with db.session() as session:
        await _clear_totp(session, user_id=user_id)
        audit(session, event="totp_disabled", now=now, actor_id=user_id, target_user_id=user_id)


async def _clear_totp(session: AsyncSession, *, user_id: int) -> None:
    await session.execute(
        update(StaffUser)
        .where(StaffUser.id == user_id)
        .values(totp_secret=None, totp_enabled_at=None, totp_last_step=0)
    )
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


async def do_regenerate_recovery_codes(
    db: Database,
    *,
    passwords: Passwords,
    throttle: SignInThrottle,
    settings: Settings,
    user_id: int,
    password: str,
    now: datetime,
) -> list[str]:
    await verify_own_password(
        db, passwords=passwords, throttle=throttle, user_id=user_id, password=password
    )
    async with db.session() as session:
        user = await session.get(StaffUser, user_id)
        if user is None or user.totp_enabled_at is None:
            raise BadRequest(N_("Turn on the second factor first."), code="totp_not_enabled")
        codes = await _new_recovery_codes(session, user_id=user_id, settings=settings)
        audit(
            session,
            event="recovery_codes_renewed",
            now=now,
            actor_id=user_id,
            target_user_id=user_id,
        )
        return codes


async def do_reset_totp(
    db: Database,
    *,
    actor: Principal,
    user_id: int,
    organisation_id: int | None,
    events: SessionEvents,
    now: datetime,
) -> None:
    """Remove a person's second factor (they lost their phone and their codes), ending
    their sessions; they set it up again at their next sign-in if it is required."""
    await access_account(db, actor=actor, user_id=user_id)
    async with db.session() as session:
        await _clear_totp(session, user_id=user_id)
        await session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        await _bump_epoch(session, user_id)
        audit(
            session,
            event="totp_reset",
            now=now,
            actor_id=actor.user_id,
            target_user_id=user_id,
            organisation_id=organisation_id,
        )
    events.sessions_ended(user_id=user_id)
