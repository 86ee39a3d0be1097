"""Sign-in limits hold when the attempts come all at once (issue 26, reproduction 1).

A review sent 40 wrong passwords for one account at the same moment: every one was
hashed and checked before the first failure was recorded, so the limit of five let
about sixty guesses through in fifteen minutes. The same held for the second factor:
57 of 60 concurrent codes were checked on one pending sign-in. Each attempt now
reserves its place before the hash or the code check.
"""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx
import pytest

from kuulolla.accounts import totp
from kuulolla.core.clock import utcnow
from kuulolla.core.settings import Settings
from tests.accounts.helpers import PASSWORD, SESSION_COOKIE, session_csrf
from tests.security.concurrency import http_at_once
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
