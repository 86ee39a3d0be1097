"""Sign-in limits without storing addresses, on the shared limiter (core/limits.py).

Every attempt to prove who one is (a password at sign-in or before a sensitive
change, a second-factor code, a one-time link) *reserves* its place before the
password is hashed or the code checked, so attempts made at the same moment count
one by one (a review raced 40 concurrent wrong passwords past a check-then-record
throttle). An attempt is counted under several keys, each a fixed window of
``KUULOLLA_SIGNIN_WINDOW`` seconds, and refused when any key is full:

- the **account**: a keyed hash of the username typed (known or not, so the limit
  does not reveal which accounts exist; hashed, because people sometimes type their
  password into the username field): ``KUULOLLA_SIGNIN_FREE_FAILURES`` attempts;
- the **client network**: its network-day key (core/bankey.py: HMAC-SHA256 of the
  address, IPv6 its /64, under a random key of the day kept at most 48 hours; the
  raw address is never written): ``KUULOLLA_SIGNIN_CLIENT_FREE_FAILURES`` attempts,
  more, since a school or an office shares one address;
- a **device** the person signed in from before (a signed cookie): a person on a
  known device is checked under the device instead of the account, so an attacker
  filling the account's window cannot keep its owner out (OWASP's "device
  cookies"); the attempt still counts for the account.

A successful attempt gives its places back: the account's and the device's counts are
cleared and the network's place is returned, so only failures fill the windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kuulolla.core.bankey import BanKeys
from kuulolla.core.errors import RateLimited
from kuulolla.core.i18n import N_
from kuulolla.core.ids import keyed
from kuulolla.core.limits import Limiter, Rule, minutes


class SignInThrottled(RateLimited):
    code = "signin_throttled"
    default_message = N_(
        "Too many failed sign-ins. Wait {minutes} min and try again, or sign in on a device you have used before."
    )


@dataclass(slots=True)
class Attempt:
    """The places one attempt holds (what :meth:`SignInThrottle.succeeded` and
    :meth:`SignInThrottle.release` give back)."""

    held: list[tuple[Rule, str | bytes]] = field(default_factory=list)


class SignInThrottle:
    """Which keys an attempt counts under, over the shared limiter."""

    def __init__(
        self,
        limiter: Limiter,
        bankeys: BanKeys,
        *,
        secret: str,
        free: int,
        client_free: int,
        window: float,
        link_attempts: int = 5,
    ) -> None:
        self.limiter = limiter
        self.bankeys = bankeys
        self.secret = secret
        self.account = Rule("signin.account", free, window)
        self.device = Rule("signin.device", free, window)
        self.network = Rule("signin.network", client_free, window)
        self.link = Rule("signin.link", link_attempts, window)

    def account_key(self, username: str) -> str:
        return keyed(self.secret, "throttle-account", username.strip().casefold()).hex()[:32]

    def device_key(self, device: str) -> str:
        return keyed(self.secret, "throttle-device", device).hex()[:32]

    async def network_key(self, address: str | None, *, now: datetime) -> bytes | None:
        """The client network's key of the day (None for an address that is not IP)."""
        return await self.bankeys.digest(address, now=now)

    async def reserve(
        self, *, username: str, network: bytes | None = None, device: str | None = None
    ) -> Attempt:
        """Count one attempt before the password or code is checked, or raise
        :class:`SignInThrottled` (counting nothing) when a key is full."""
        account = self.account_key(username)
        attempt = Attempt()
        first: tuple[Rule, str | bytes] = (self.account, account)
        if device:
            first = (self.device, self.device_key(device))
        checks = [first] + ([(self.network, network)] if network else [])
        await self._take_all(attempt, checks)
        if device:
            # Decided by the device, but still one more try at the account.
            await self.limiter.take(self.account.uncapped(), account)
            attempt.held.append((self.account, account))
        return attempt

    async def reserve_link(self, token_hash: bytes) -> Attempt:
        """Count one use of a one-time link before its new password is hashed."""
        attempt = Attempt()
        await self._take_all(attempt, [(self.link, token_hash)])
        return attempt

    async def _take_all(self, attempt: Attempt, checks: list[tuple[Rule, str | bytes]]) -> None:
        for rule, key in checks:
            verdict = await self.limiter.take(rule, key)
            if not verdict.allowed:
                await self.release(attempt)
                raise SignInThrottled(minutes=minutes(verdict.retry_after))
            attempt.held.append((rule, key))

    async def release(self, attempt: Attempt) -> None:
        """Give every place back: the attempt was never made (the hash was busy)."""
        for rule, key in attempt.held:
            await self.limiter.refund(rule, key)
        attempt.held.clear()

    async def succeeded(self, attempt: Attempt) -> None:
        """The person proved who they are: their account's and device's failures are
        forgotten and the network's place is given back."""
        for rule, key in attempt.held:
            if rule.name in (self.account.name, self.device.name):
                await self.limiter.reset(rule, key)
            else:
                await self.limiter.refund(rule, key)
        attempt.held.clear()
