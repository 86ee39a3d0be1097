"""Accounts in the database, on SQLite and PostgreSQL: passwords, sessions, links,
second factors, qualifications and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pytest
import pytest_asyncio
from argon2 import PasswordHasher
from sqlalchemy import select, text

from kuulolla.accounts import (
    audit,
    crypto,
    links,
    organisations,
    qualifications,
    second_factor,
    service,
    sessions,
    signin,
    totp,
)
from kuulolla.accounts.models import AuditEvent, StaffUser
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.permissions import Principal, Role
from kuulolla.accounts.throttle import SignInThrottle
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, Forbidden, NotFound
from tests.accounts.helpers import (
    PASSWORD,
    World,
    add_person,
    build_world,
    make_session,
    make_throttle,
)
from tests.conftest import make_settings
from tests.helpers import NOW


class Events:
    """Records what the chat server would have been told."""

    def __init__(self) -> None:
        self.ended: list[tuple[int | None, list[int]]] = []
        self.changed: list[int] = []

    def sessions_ended(
        self, *, user_id: int | None = None, session_ids: Iterable[int] = ()
    ) -> None:
        self.ended.append((user_id, list(session_ids)))

    def account_changed(self, *, user_id: int) -> None:
        self.changed.append(user_id)


@pytest_asyncio.fixture
async def world(db: Database) -> World:
    return await build_world(db)


def throttle(clock: FrozenClock) -> SignInThrottle:
    return make_throttle(clock)


async def sign_in(
    db: Database, username: str, password: str, clock: FrozenClock, **kw: object
) -> signin.SignInResult:
    return await signin.do_sign_in(
        db,
        passwords=Passwords(),
        throttle=kw.pop("throttle", None) or throttle(clock),  # type: ignore[arg-type]
        settings=make_settings("sqlite://"),
        username=username,
        password=password,
        client_address="192.0.2.7",
        device_cookie=None,
        previous_token=None,
        now=clock.now(),
    )


@pytest.mark.asyncio
async def test_stored_hashes_are_argon2id_with_the_default_profile(db: Database) -> None:
    """A created account's stored hash is argon2id, m=65536, t=3, p=4, salted and not the password."""
    await organisations.do_create_organisation(
        db, actor_id=None, slug="alfa", name="Alfa ry", now=NOW
    )
    user_id = await links.do_create_staff(
        db,
        passwords=Passwords(),
        username="Anna",
        display_name="Anna",
        password=PASSWORD,
        is_admin=False,
        organisation="alfa",
        role="volunteer",
        now=NOW,
    )
    other = await links.do_create_staff(
        db,
        passwords=Passwords(),
        username="bertta",
        display_name="Bertta",
        password=PASSWORD,
        is_admin=True,
        organisation=None,
        role=None,
        now=NOW,
    )
    async with db.read_session() as session:
        first = await session.get(StaffUser, user_id)
        second = await session.get(StaffUser, other)
    assert first is not None and second is not None and first.username == "anna"
    for user in (first, second):
        assert user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert PASSWORD not in user.password_hash
    assert first.password_hash != second.password_hash  # salted


@pytest.mark.asyncio
async def test_sign_in_rehashes_when_parameters_rose(db: Database, clock: FrozenClock) -> None:
    """Signing in with a hash of weaker parameters replaces it with a current one."""
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user_id = await add_person(db, "vanha", display_name="Vanha", admin=True, password_hash=weak)
    result = await sign_in(db, "vanha", PASSWORD, clock)
    assert result.status == "signed_in"
    async with db.read_session() as session:
        user = await session.get(StaffUser, user_id)
        events = list(await session.scalars(select(AuditEvent.event)))
    assert user is not None and user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "password_rehashed" in events
    again = await sign_in(db, "vanha", PASSWORD, clock)
    assert again.status == "signed_in"


@pytest.mark.asyncio
async def test_unknown_user_and_wrong_password_look_the_same(
    db: Database, world: World, clock: FrozenClock
) -> None:
    """An unknown username, a wrong password and a deactivated account all give the same answer."""
    unknown = await sign_in(db, "ei-ole-olemassa", PASSWORD, clock)
    wrong = await sign_in(db, "volunteer-alfa", "väärä salasana tässä", clock)
    await service.do_set_active(
        db,
        actor=Principal(user_id=world.users["admin"], is_admin=True),
        user_id=world.users["target-alfa"],
        active=False,
        organisation_id=None,
        events=Events(),
        now=NOW,
    )
    inactive = await sign_in(db, "target-alfa", PASSWORD, clock)
    assert unknown == wrong == inactive == signin.SignInResult("failed")


@pytest.mark.asyncio
async def test_repeated_failures_are_throttled_for_any_username(
    db: Database, world: World, clock: FrozenClock
) -> None:
    """After five failures the next attempt waits for the window's end, known account or
    not; then the account may be tried again."""
    limiter = throttle(clock)
    for name in ("volunteer-alfa", "ei-ole"):
        for _ in range(5):
            assert (
                await sign_in(db, name, "väärä salasana tässä", clock, throttle=limiter)
            ).status == "failed"
        with pytest.raises(signin.SignInThrottled) as info:
            await sign_in(db, name, PASSWORD, clock, throttle=limiter)
        assert info.value.params == {"minutes": 15}
    clock.advance(900)
    assert (
        await sign_in(db, "volunteer-alfa", PASSWORD, clock, throttle=limiter)
    ).status == "signed_in"


@pytest.mark.asyncio
async def test_sessions_expire_when_idle_and_absolutely(db: Database, world: World) -> None:
    """30 minutes without use ends a session; so do 12 hours however busy."""
    settings = make_settings("sqlite://")
    clock = FrozenClock(NOW)
    token = await make_session(db, world.users["volunteer-alfa"], now=clock.now())
    for _ in range(3):
        clock.advance(minutes=29)
        assert (
            await sessions.resolve_session(db, token=token, now=clock.now(), settings=settings)
        ).principal.authenticated
    clock.advance(minutes=31)
    idle = await sessions.resolve_session(db, token=token, now=clock.now(), settings=settings)
    assert not idle.principal.authenticated and idle.clear_cookie
    # The row is gone: the token never works again.
    clock.set(NOW)
    assert not (
        await sessions.resolve_session(db, token=token, now=clock.now(), settings=settings)
    ).principal.authenticated

    busy = await make_session(db, world.users["volunteer-alfa"], now=clock.now())
    for _ in range(int(12 * 60 / 20) - 1):
        clock.advance(minutes=20)
        assert (
            await sessions.resolve_session(db, token=busy, now=clock.now(), settings=settings)
        ).principal.authenticated
    clock.advance(minutes=20)
    assert not (
        await sessions.resolve_session(db, token=busy, now=clock.now(), settings=settings)
    ).principal.authenticated


@pytest.mark.asyncio
async def test_role_change_rotates_the_token(db: Database, world: World) -> None:
    """After a role change the session gets a new token; the old one stops working."""
    settings = make_settings("sqlite://")
    user = world.users["volunteer-alfa"]
    token = await make_session(db, user)
    events = Events()
    await service.do_change_role(
        db,
        actor=Principal(
            user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
        ),
        organisation_id=world.orgs["alfa"],
        user_id=user,
        role="professional",
        events=events,
        now=NOW,
    )
    assert events.changed == [user]
    rotated = await sessions.resolve_session(db, token=token, now=NOW, settings=settings)
    assert rotated.new_token is not None and rotated.new_token != token
    assert rotated.principal.roles == {world.orgs["alfa"]: Role.PROFESSIONAL}
    assert (
        await sessions.resolve_session(db, token=token, now=NOW, settings=settings)
    ).clear_cookie
    fresh = await sessions.resolve_session(db, token=rotated.new_token, now=NOW, settings=settings)
    assert fresh.principal.user_id == user and fresh.new_token is None


@pytest.mark.asyncio
async def test_deactivation_and_end_all_end_sessions_at_once(db: Database, world: World) -> None:
    """Deactivating someone or ending their sessions deletes them and tells the sockets."""
    settings = make_settings("sqlite://")
    admin = Principal(user_id=world.users["admin"], is_admin=True)
    target = world.users["target-beeta"]
    tokens = [await make_session(db, target) for _ in range(2)]
    events = Events()
    count = await sessions.do_end_sessions(db, actor=admin, user_id=target, events=events, now=NOW)
    assert count == 2 and events.ended == [(target, [])]
    for t in tokens:
        resolved = await sessions.resolve_session(db, token=t, now=NOW, settings=settings)
        assert not resolved.principal.authenticated
    token = await make_session(db, target)
    await service.do_set_active(
        db, actor=admin, user_id=target, active=False, organisation_id=None, events=events, now=NOW
    )
    assert events.ended[-1] == (target, [])
    assert not (
        await sessions.resolve_session(db, token=token, now=NOW, settings=settings)
    ).principal.authenticated


@pytest.mark.asyncio
async def test_coordinators_act_only_on_accounts_wholly_theirs(db: Database, world: World) -> None:
    """A coordinator cannot reset or deactivate someone who also works in another organisation."""
    coordinator = Principal(
        user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
    )
    admin = Principal(user_id=world.users["admin"], is_admin=True)
    settings = make_settings("sqlite://")
    link = await links.do_create_reset_link(
        db,
        actor=coordinator,
        user_id=world.users["target-alfa"],
        organisation_id=world.orgs["alfa"],
        settings=settings,
        now=NOW,
    )
    assert link.kind == "reset"
    await service.do_add_member(
        db,
        actor=admin,
        organisation_id=world.orgs["beeta"],
        user_id=world.users["target-alfa"],
        role="volunteer",
        events=Events(),
        now=NOW,
    )
    with pytest.raises(Forbidden):
        await links.do_create_reset_link(
            db,
            actor=coordinator,
            user_id=world.users["target-alfa"],
            organisation_id=world.orgs["alfa"],
            settings=settings,
            now=NOW,
        )
    with pytest.raises(Forbidden):
        await service.do_set_active(
            db,
            actor=coordinator,
            user_id=world.users["admin"],
            active=False,
            organisation_id=None,
            events=Events(),
            now=NOW,
        )
    with pytest.raises(NotFound):
        await service.access_member(
            db, organisation_id=world.orgs["alfa"], user_id=world.users["target-beeta"]
        )


@pytest.mark.asyncio
async def test_invitation_link_is_one_time_and_expires(db: Database, world: World) -> None:
    """An invitation sets a password once; a second use, an expired or a replaced link fail."""
    settings = make_settings("sqlite://")
    coordinator = Principal(
        user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
    )
    issued = await links.do_invite(
        db,
        actor=coordinator,
        organisation_id=world.orgs["alfa"],
        username="uusi",
        display_name="Uusi Tulija",
        role="volunteer",
        settings=settings,
        now=NOW,
    )
    assert issued.expires_at == NOW + timedelta(hours=72)
    view = await links.get_link(db, token=issued.token, now=NOW)
    assert view is not None and view.state == "valid" and view.username == "uusi"
    user_id = await links.do_use_link(
        db,
        passwords=Passwords(),
        throttle=make_throttle(),
        token=issued.token,
        password=PASSWORD,
        confirm=PASSWORD,
        events=Events(),
        now=NOW,
    )
    assert user_id == issued.user_id
    with pytest.raises(links.LinkInvalid):
        await links.do_use_link(
            db,
            passwords=Passwords(),
            throttle=make_throttle(),
            token=issued.token,
            password=PASSWORD + "x",
            confirm=PASSWORD + "x",
            events=Events(),
            now=NOW,
        )
    assert (await sign_in(db, "uusi", PASSWORD, FrozenClock(NOW))).status == "signed_in"

    first = await links.do_create_reset_link(
        db, actor=coordinator, user_id=user_id, organisation_id=None, settings=settings, now=NOW
    )
    second = await links.do_create_reset_link(
        db, actor=coordinator, user_id=user_id, organisation_id=None, settings=settings, now=NOW
    )
    assert await links.get_link(db, token=first.token, now=NOW) is None  # replaced
    late = NOW + timedelta(hours=72)
    with pytest.raises(links.LinkInvalid):
        await links.do_use_link(
            db,
            passwords=Passwords(),
            throttle=make_throttle(),
            token=second.token,
            password="uusi pitkä salasana",
            confirm="uusi pitkä salasana",
            events=Events(),
            now=late,
        )
    state = await links.latest_link(db, user_id=user_id, now=late)
    assert state is not None and state.state == "expired"


@pytest.mark.asyncio
async def test_totp_sign_in_and_recovery_codes(db: Database, world: World) -> None:
    """With TOTP on, a password opens only the second step; a code works once; a recovery code once."""
    settings = make_settings("sqlite://")
    clock = FrozenClock(NOW)
    user = world.users["volunteer-beeta"]
    setup = second_factor.new_setup(user_id=user, username="volunteer-beeta", settings=settings)
    assert (
        second_factor.new_setup(user_id=user, username="x", settings=settings).secret
        != setup.secret
    )
    assert setup.secret not in setup.sealed and setup.uri.startswith("otpauth://totp/Kuulolla:")
    with pytest.raises(sessions.WrongCode):
        await second_factor.do_confirm_totp(
            db, user_id=user, sealed=setup.sealed, code="000000", settings=settings, now=clock.now()
        )
    right = totp.code_at(setup.secret, clock.now())
    with pytest.raises(BadRequest):  # sealed for someone else: cannot be moved between people
        await second_factor.do_confirm_totp(
            db,
            user_id=world.users["volunteer-alfa"],
            sealed=setup.sealed,
            code=right,
            settings=settings,
            now=clock.now(),
        )
    async with db.read_session() as session:
        found = await session.get(StaffUser, user)
        assert found is not None and found.totp_secret is None  # nothing stored before the code
    codes = await second_factor.do_confirm_totp(
        db,
        user_id=user,
        sealed=setup.sealed,
        code=totp.code_at(setup.secret, clock.now()),
        settings=settings,
        now=clock.now(),
    )
    assert len(codes) == 10
    clock.advance(60)
    limiter = throttle(clock)

    async def second(code: str) -> signin.SignInResult:
        pending = await sign_in(db, "volunteer-beeta", PASSWORD, clock, throttle=limiter)
        assert pending.status == "second_factor" and pending.token
        assert not (
            await sessions.resolve_session(
                db, token=pending.token, now=clock.now(), settings=settings
            )
        ).principal.authenticated
        return await signin.do_second_factor(
            db,
            throttle=limiter,
            settings=settings,
            token=pending.token,
            code=code,
            client_address=None,
            now=clock.now(),
        )

    code = totp.code_at(setup.secret, clock.now())
    done = await second(code)
    assert done.status == "signed_in" and done.token
    assert (
        await sessions.resolve_session(db, token=done.token, now=clock.now(), settings=settings)
    ).principal.user_id == user
    assert (await second(code)).status == "failed"  # the same code again: a replay
    assert (await second(codes[0].upper())).status == "signed_in"
    assert (await second(codes[0])).status == "failed"
    assert await second_factor.remaining_recovery_codes(db, user_id=user) == 9


@pytest.mark.asyncio
async def test_five_wrong_codes_end_the_pending_sign_in(db: Database, world: World) -> None:
    """A pending sign-in allows five wrong codes, then it is gone."""
    settings = make_settings("sqlite://")
    clock = FrozenClock(NOW)
    user = world.users["professional-alfa"]
    setup = second_factor.new_setup(user_id=user, username="professional-alfa", settings=settings)
    await second_factor.do_confirm_totp(
        db,
        user_id=user,
        sealed=setup.sealed,
        code=totp.code_at(setup.secret, NOW),
        settings=settings,
        now=NOW,
    )
    limiter = make_throttle(clock, free=50, client_free=50)
    pending = await sign_in(db, "professional-alfa", PASSWORD, clock, throttle=limiter)
    assert pending.token
    for _ in range(5):
        result = await signin.do_second_factor(
            db,
            throttle=limiter,
            settings=settings,
            token=pending.token,
            code="000000",
            client_address=None,
            now=NOW,
        )
        assert result.status == "failed"
    with pytest.raises(signin.SignInExpired):
        await signin.do_second_factor(
            db,
            throttle=limiter,
            settings=settings,
            token=pending.token,
            code=totp.code_at(setup.secret, NOW + timedelta(seconds=30)),
            client_address=None,
            now=NOW,
        )


@pytest.mark.asyncio
async def test_qualifications_count_until_expiry(db: Database, world: World) -> None:
    """A recorded training counts for rooms and shifts until its expiry day."""
    user = world.users["target-alfa"]
    assert await qualifications.get_valid_qualifications(
        db, user_id=user, today=date(2026, 6, 1)
    ) == {world.qualifications["alfa"]}
    assert (
        await qualifications.get_valid_qualifications(db, user_id=user, today=date(2027, 1, 11))
        == set()
    )
    coordinator = Principal(
        user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
    )
    await qualifications.do_record_qualification(
        db,
        actor=coordinator,
        organisation_id=world.orgs["alfa"],
        user_id=world.users["volunteer-alfa"],
        qualification_id=world.qualifications["alfa"],
        completed_on=date(2026, 1, 1),
        expires_on=None,
        now=NOW,
    )
    records = await qualifications.list_person_qualifications(
        db, user_id=world.users["volunteer-alfa"]
    )
    assert [(r.completed_on, r.expires_on) for r in records] == [
        (date(2026, 1, 1), date(2028, 1, 1))
    ]
    with pytest.raises(NotFound):  # another organisation's training
        await qualifications.do_record_qualification(
            db,
            actor=coordinator,
            organisation_id=world.orgs["alfa"],
            user_id=world.users["volunteer-alfa"],
            qualification_id=world.qualifications["beeta"],
            completed_on=date(2026, 1, 1),
            expires_on=None,
            now=NOW,
        )


@pytest.mark.asyncio
async def test_audit_log_is_scoped_and_holds_no_secrets(
    db: Database, world: World, clock: FrozenClock
) -> None:
    """Coordinators see their organisation's events; no password, token or address is stored anywhere."""
    settings = make_settings("sqlite://")
    coordinator = Principal(
        user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
    )
    issued = await links.do_invite(
        db,
        actor=coordinator,
        organisation_id=world.orgs["alfa"],
        username="kolmas",
        display_name="Kolmas",
        role="volunteer",
        settings=settings,
        now=NOW,
    )
    await links.do_use_link(
        db,
        passwords=Passwords(),
        throttle=make_throttle(),
        token=issued.token,
        password=PASSWORD,
        confirm=PASSWORD,
        events=Events(),
        now=NOW,
    )
    ok = await sign_in(db, "kolmas", PASSWORD, clock)
    await sign_in(db, "kolmas", "väärä salasana tässä", clock)
    await sign_in(db, "väärä salasana tässä", "kolmas", clock)  # the fields swapped by mistake
    await sign_in(db, "volunteer-beeta", "väärä salasana tässä", clock)
    alfa = (await audit.list_audit(db, organisation_id=world.orgs["alfa"])).entries
    events = [e.event for e in alfa]
    assert {"invitation_created", "invitation_accepted", "sign_in", "sign_in_failed"} <= set(events)
    assert all(e.target != "Volunteer beeta" for e in alfa)
    everything = (await audit.list_audit(db, organisation_id=None)).entries
    assert any(e.target == "Volunteer beeta" for e in everything)
    assert any(e.event == "sign_in_failed" and e.target is None for e in everything)

    secrets = [PASSWORD, "väärä salasana tässä", issued.token, ok.token or "", "192.0.2.7"]
    async with db.read_session() as session:
        for table in (
            "audit_events",
            "staff_sessions",
            "account_links",
            "staff_users",
            "recovery_codes",
        ):
            rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
            dump = repr(rows)
            assert not any(secret in dump for secret in secrets), table


@pytest.mark.asyncio
async def test_housekeeping_deletes_what_is_no_longer_needed(db: Database, world: World) -> None:
    """Ended sessions, long-expired links and audit events past retention are deleted for real."""
    from kuulolla.accounts.models import AccountLink, StaffSession

    settings = make_settings("sqlite://")
    live = await make_session(db, world.users["volunteer-alfa"], now=NOW + timedelta(days=500))
    await make_session(db, world.users["volunteer-alfa"], now=NOW)
    coordinator = Principal(
        user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
    )
    await links.do_create_reset_link(
        db,
        actor=coordinator,
        user_id=world.users["target-alfa"],
        organisation_id=None,
        settings=settings,
        now=NOW,
    )
    await sessions.do_housekeeping(db, settings=settings, now=NOW + timedelta(days=500))
    async with db.read_session() as session:
        kept = list(await session.scalars(select(StaffSession.token_hash)))
        remaining_links = list(await session.scalars(select(AccountLink.id)))
        events = list(await session.scalars(select(AuditEvent.created_at)))
    assert kept == [crypto.token_hash(live)]
    assert remaining_links == []
    assert events == []


@pytest.mark.asyncio
async def test_staff_names_joins_at_once_share_one_read(db: Database, world: World) -> None:
    """Joins that find no fresh copy of the staff's names share one read of them."""
    import asyncio

    reads: list[list[str]] = []

    def fold(names: Iterable[str]) -> frozenset[str]:
        reads.append(sorted(names))
        return frozenset(name.lower() for name in names)

    names = service.StaffNames(db, fold=fold, ttl=30.0)
    got = await asyncio.gather(*(names.keys(now=0.0) for _ in range(50)))
    assert len(reads) == 1
    assert all(keys == got[0] for keys in got) and got[0]
    await names.keys(now=10.0)
    assert len(reads) == 1
    names.forget()
    await names.keys(now=10.0)
    await names.keys(now=41.0)
    assert len(reads) == 3
