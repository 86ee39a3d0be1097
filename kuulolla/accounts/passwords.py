"""Password hashing: argon2id through argon2-cffi, off the event loop, bounded.

One hash takes about 0.2 s of CPU and 64 MiB of memory with the default profile
(t=3, m=65536 KiB, p=4; RFC 9106's second recommendation). Hashes run in worker
threads (argon2-cffi releases the GIL), at most ``concurrency`` at a time per
process; at most ``queue`` more may wait, beyond that a sign-in is told the service is
busy instead of piling up memory. Unknown usernames are verified against a dummy hash
so that they take as long as known ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kuulolla.core.errors import Unavailable
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    needs_rehash: bool = False


class Busy(Unavailable):
    code = "busy"
    default_message = N_("Many people are signing in right now. Try again in a moment.")


class Passwords:
    """Hashing and verifying with a bound on concurrent work. Create one per process."""

    def __init__(
        self,
        *,
        time_cost: int = 3,
        memory_kib: int = 65536,
        parallelism: int = 4,
        concurrency: int = 2,
        queue: int = 64,
    ) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self.concurrency = concurrency
        self.queue = queue
        self._semaphore: asyncio.Semaphore | None = None
        self._waiting = 0
        self._dummy: str | None = None
        self.running = 0
        self.peak = 0  # most hashes seen running at once (a test and a metric)

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            concurrency=settings.password_hash_concurrency,
            queue=settings.password_hash_queue,
        )

    async def _bounded(self, work: Callable[..., T], *args: Any) -> T:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrency)
        if self._waiting >= self.concurrency + self.queue:
            raise Busy()
        self._waiting += 1
        try:
            async with self._semaphore:
                self.running += 1
                self.peak = max(self.peak, self.running)
                try:
                    return await asyncio.to_thread(work, *args)
                finally:
                    self.running -= 1
        finally:
            self._waiting -= 1

    async def hash(self, password: str) -> str:
        """An argon2id hash of ``password`` (which the caller has checked with the policy)."""
        return await self._bounded(self.hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> Verdict:
        """Check ``password`` against ``stored``. Without a stored hash (unknown user, no
        password set yet) a dummy hash is checked instead, so the answer takes as long,
        and is always "no"."""
        if stored is None:
            await self._bounded(self._verify_dummy, password)
            return Verdict(False)
        return await self._bounded(self._verify, stored, password)

    def _verify(self, stored: str, password: str) -> Verdict:
        try:
            self.hasher.verify(stored, password)
        except VerifyMismatchError:
            return Verdict(False)
        except (VerificationError, InvalidHashError):
            return Verdict(False)
        return Verdict(True, self.hasher.check_needs_rehash(stored))

    def _verify_dummy(self, password: str) -> None:
        if self._dummy is None:
            self._dummy = self.hasher.hash("dummy password for unknown usernames")
        with contextlib.suppress(VerificationError, InvalidHashError):
            self.hasher.verify(self._dummy, password)

    def warm(self) -> None:
        """Compute the dummy hash now (synchronously), so the first unknown username
        does not take twice as long as a known one."""
        if self._dummy is None:
            self._dummy = self.hasher.hash("dummy password for unknown usernames")
