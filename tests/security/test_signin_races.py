"""Sign-in limits hold when the attempts come all at once (issue 26, reproduction 1).

A review sent 40 wrong passwords for one account at the same moment: every one was
hashed and checked before the first failure was recorded, so the limit of five let
about sixty guesses through in fifteen minutes. The same held for the second factor:
57 of 60 concurrent codes were checked on one pending sign-in. Each attempt now
reserves its place before the hash or the code check; so does each use of a one-time
link (an invitation or a password reset), whose new password is hashed.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx2 as httpx
import pytest

from kuulolla.accounts import links, totp
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.permissions import Principal, Role
from kuulolla.accounts.service import NoEvents
from kuulolla.accounts.throttle import SignInThrottled
from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from tests.accounts.helpers import (
    PASSWORD,
    SESSION_COOKIE,
    build_world,
    make_throttle,
    session_csrf,
)
from tests.conftest import make_settings
from tests.helpers import NOW
from tests.security.concurrency import at_once, http_at_once
from tests.security.conftest import NETWORK_SIGNINS, TOTP_SECRET, Live

pytestmark = pytest.mark.e2e

WRONG = "tämä ei ole oikea salasana"


async def wrong_passwords(live: Live, usernames: list[str], address: str) -> list[httpx.Response]:
    cookie, token = live.form_token()

    async def attempt(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post(
            "/sign-in",
            data={"username": usernames[i], "password": WRONG, "csrf_token": token},
            headers={**cookie, "accept-language": "en"},
        )

    return await http_at_once(len(usernames), live.server.http, attempt, local_address=address)


@pytest.mark.asyncio
async def test_concurrent_wrong_passwords_for_one_account_are_checked_five_times(
    live: Live,
) -> None:
    """Forty wrong passwords for one account at once: five are checked, the rest are
    told to wait without a hash."""
    responses = await wrong_passwords(live, ["uhri"] * 40, "127.0.2.1")
    checked = [r for r in responses if r.status_code == 400]
    assert len(checked) == Settings().signin_free_failures
    assert {r.status_code for r in responses} == {400, 429}
    assert all("Too many failed sign-ins" in r.text for r in responses if r.status_code == 429)


@pytest.mark.asyncio
async def test_concurrent_wrong_passwords_from_one_network_are_limited(live: Live) -> None:
    """Forty accounts guessed at once from one address: the network's limit holds."""
    responses = await wrong_passwords(live, [f"tuntematon{i}" for i in range(40)], "127.0.2.2")
    checked = [r for r in responses if r.status_code == 400]
    assert len(checked) == NETWORK_SIGNINS


@pytest.mark.asyncio
async def test_concurrent_second_factor_codes_are_checked_five_times(live: Live) -> None:
    """Sixty wrong codes at once on one pending sign-in: at most five are checked."""
    cookie, token = live.form_token()
    transport = httpx.AsyncHTTPTransport(local_address="127.0.2.3")
    async with httpx.AsyncClient(
        base_url=live.server.http, timeout=30, transport=transport
    ) as client:
        first = await client.post(
            "/sign-in",
            data={"username": "kaksi", "password": PASSWORD, "csrf_token": token},
            headers=cookie,
        )
    assert first.status_code == 303 and "/sign-in/second-factor" in first.headers["location"]
    pending = first.cookies[SESSION_COOKIE]
    form_token = session_csrf(live.settings, pending)

    now = utcnow()
    right = {totp.code_at(TOTP_SECRET, now + timedelta(seconds=s)) for s in (-60, -30, 0, 30, 60)}
    codes = [c for c in (f"{i:06d}" for i in range(100)) if c not in right][:60]

    async def attempt(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post(
            "/sign-in/second-factor",
            data={"code": codes[i], "csrf_token": form_token},
            headers={"cookie": f"{SESSION_COOKIE}={pending}", "accept-language": "en"},
        )

    responses = await http_at_once(60, live.server.http, attempt, local_address="127.0.2.3")
    checked = [r for r in responses if "The code is not right" in r.text]
    assert 1 <= len(checked) <= 5
    # The rest were refused: throttled (429), the sign-in ended (400), or, once the
    # pending session is gone, the form token no longer matches a session (403).
    assert all(r.status_code in (400, 403, 429) for r in responses)


class GatedPasswords(Passwords):
    """Counts the hashes asked for and holds each until every attempt of the race has
    either reached a hash or been refused, so no attempt can see the link spent."""

    def __init__(self, attempts: int) -> None:
        super().__init__()
        self.attempts = attempts
        self.hashed = 0
        self.refused = 0
        self.all_in = asyncio.Event()

    def arrived(self) -> None:
        if self.hashed + self.refused == self.attempts:
            self.all_in.set()

    async def hash(self, password: str) -> str:
        self.hashed += 1
        self.arrived()
        await self.all_in.wait()
        return "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"


@pytest.mark.asyncio
async def test_a_one_time_link_used_forty_times_at_once_is_hashed_five_times(
    db: Database,
) -> None:
    """Forty uses of one reset link at once, all before any is spent: five new passwords
    are hashed, the link works once and the other thirty-five are told to wait."""
    world = await build_world(db)
    coordinator = Principal(
        user_id=world.users["coordinator-alfa"], roles={world.orgs["alfa"]: Role.COORDINATOR}
    )
    issued = await links.do_create_reset_link(
        db,
        actor=coordinator,
        user_id=world.users["target-alfa"],
        organisation_id=world.orgs["alfa"],
        settings=make_settings("sqlite://"),
        now=NOW,
    )
    passwords = GatedPasswords(40)
    throttle = make_throttle()
    new_password = "uusi salasana joka on tarpeeksi pitkä"

    async def attempt(i: int) -> str:
        try:
            await links.do_use_link(
                db,
                passwords=passwords,
                throttle=throttle,
                token=issued.token,
                password=new_password,
                confirm=new_password,
                events=NoEvents(),
                now=NOW,
            )
        except SignInThrottled:
            passwords.refused += 1
            passwords.arrived()
            return "throttled"
        except links.LinkInvalid:
            return "spent"
        return "used"

    outcomes = await at_once(40, attempt)
    assert passwords.hashed == Settings().link_attempts == 5
    assert sorted(set(outcomes)) == ["spent", "throttled", "used"]
    assert (outcomes.count("used"), outcomes.count("spent"), outcomes.count("throttled")) == (
        1,
        4,
        35,
    )
