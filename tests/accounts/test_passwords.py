"""argon2id hashing: format and parameters, rehashing, the dummy hash, the bound on work."""

from __future__ import annotations

import asyncio

import pytest
from argon2 import PasswordHasher, Type

from kuulolla.accounts.passwords import Busy, Passwords
from kuulolla.core.settings import Settings, SettingsError
from tests.conftest import TEST_SECRET

PASSWORD = "kirahvi ajaa polkupyörällä"


def test_default_profile_is_argon2_cffi_default() -> None:
    """The configured hasher is argon2id with at least argon2-cffi's default profile."""
    ours = Passwords.from_settings(Settings(env="test", secret_key=TEST_SECRET)).hasher
    default = PasswordHasher()
    assert ours.type is Type.ID
    assert (ours.time_cost, ours.memory_cost, ours.parallelism) == (3, 65536, 4)
    assert ours.time_cost >= default.time_cost and ours.memory_cost >= default.memory_cost


@pytest.mark.parametrize(
    "changes",
    [{"argon2_time_cost": 2}, {"argon2_memory_kib": 32768}, {"argon2_parallelism": 1}],
)
def test_weaker_parameters_are_refused(changes: dict[str, int]) -> None:
    """Settings below the default profile are refused at start-up."""
    with pytest.raises(SettingsError):
        Settings(env="test", secret_key=TEST_SECRET, **changes).check()  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_hash_format_and_verify() -> None:
    """Hashes are PHC strings of argon2id, v=19, m=65536, t=3, p=4; only the right password verifies."""
    passwords = Passwords()
    stored = await passwords.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    assert (await passwords.verify(stored, PASSWORD)).ok
    assert not (await passwords.verify(stored, PASSWORD + "!")).ok
    assert not (await passwords.verify("not a hash", PASSWORD)).ok


@pytest.mark.asyncio
async def test_rising_parameters_ask_for_a_rehash() -> None:
    """A hash made with lower parameters verifies and is flagged for rehashing."""
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    verdict = await Passwords().verify(old, PASSWORD)
    assert verdict.ok and verdict.needs_rehash
    current = await Passwords().hash(PASSWORD)
    assert not (await Passwords().verify(current, PASSWORD)).needs_rehash


@pytest.mark.asyncio
async def test_missing_hash_is_checked_against_a_dummy() -> None:
    """Without a stored hash the password is still checked (against a dummy) and refused."""
    passwords = Passwords()
    verdict = await passwords.verify(None, PASSWORD)
    assert not verdict.ok
    assert passwords._dummy is not None and passwords._dummy.startswith("$argon2id$")


@pytest.mark.asyncio
async def test_concurrent_hashes_are_bounded() -> None:
    """However many sign-ins arrive at once, at most `concurrency` hashes run together."""
    passwords = Passwords(concurrency=2, queue=10)
    results = await asyncio.gather(*(passwords.hash(f"{PASSWORD} {i}") for i in range(6)))
    assert len(set(results)) == 6
    assert passwords.peak == 2


@pytest.mark.asyncio
async def test_overfull_queue_answers_busy() -> None:
    """Beyond the queue bound a sign-in is told the service is busy instead of waiting."""
    passwords = Passwords(concurrency=1, queue=1)
    outcomes = await asyncio.gather(
        *(passwords.hash(f"{PASSWORD} {i}") for i in range(4)), return_exceptions=True
    )
    assert sum(isinstance(o, Busy) for o in outcomes) == 2
    assert sum(isinstance(o, str) for o in outcomes) == 2
