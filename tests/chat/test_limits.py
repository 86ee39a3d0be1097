"""The chat's limits per network (chat/limits.py) on the shared limiter in Redis: a
socket's hello and first join are counted at its admission, in one write, and the
network's limits hold as before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from kuulolla.chat.limits import ChatLimits, SocketBudget, TooManyConnections, TooManyJoins
from kuulolla.core.bankey import BanKeys, MemoryKeyStore
from kuulolla.core.clock import Clock
from kuulolla.core.limits import RedisLimiter, Verdict, storage_key
from tests.conftest import make_settings


class Network:
    """A chat's limits on a limiter in Redis, and the counts Redis holds."""

    def __init__(self, limits: ChatLimits, limiter: RedisLimiter, admin: Any, prefix: str):
        self.limits = limits
        self.limiter = limiter
        self.admin = admin
        self.prefix = prefix

    async def admit(self, address: str = "192.0.2.7") -> SocketBudget:
        socket: Any = SimpleNamespace(scope={"client": (address, 40000)})
        return await self.limits.admit(socket)

    async def count(self, rule_name: str, budget: SocketBudget) -> int:
        assert budget.network is not None
        rule = getattr(self.limits, rule_name)
        stored = await self.admin.get(f"{self.prefix}:limit:" + storage_key(rule, budget.network))
        return int(stored or 0)


@pytest_asyncio.fixture
async def network(redis_url: str, broker_prefix: str) -> AsyncIterator[Network]:
    settings = make_settings("", joins_per_network=3, hellos_per_network=4)
    limiter = RedisLimiter(redis_url, prefix=broker_prefix)
    admin = Redis.from_url(redis_url)
    limits = ChatLimits(
        settings=settings, limiter=limiter, bankeys=BanKeys(MemoryKeyStore()), clock=Clock()
    )
    try:
        yield Network(limits, limiter, admin, broker_prefix)
    finally:
        keys = await admin.keys(f"{broker_prefix}:*")
        if keys:
            await admin.delete(*keys)
        await admin.aclose()
        await limiter.close()


@pytest.mark.asyncio
async def test_hello_and_first_join_cost_one_write(network: Network) -> None:
    """A socket's hello and first join are counted in one write to Redis, made at its
    admission; a second join is counted as it comes."""
    budget = await network.admit()
    await network.limits.check_hello(budget)
    await network.limits.check_join(budget)
    assert network.limiter.round_trips == 1
    assert await network.count("hello", budget) == 1
    assert await network.count("join", budget) == 1
    await network.limits.check_join(budget)
    assert network.limiter.round_trips == 2
    assert await network.count("join", budget) == 2


@pytest.mark.asyncio
async def test_network_limits_hold_when_counted_early(network: Network) -> None:
    """Six sockets of one network, each saying hello and joining twice: four hellos
    and three joins pass, as when each was counted as it came."""
    budgets = [await network.admit() for _ in range(6)]
    hellos = joins = 0
    for budget in budgets:
        try:
            await network.limits.check_hello(budget)
        except TooManyConnections:
            continue
        hellos += 1
        for _ in range(2):
            try:
                await network.limits.check_join(budget)
                joins += 1
            except TooManyJoins:
                pass
    assert (hellos, joins) == (4, 3)
    for budget in budgets:
        network.limits.release(budget)


@pytest.mark.asyncio
async def test_a_socket_closed_before_joining_gives_its_counts_back(network: Network) -> None:
    """A socket closed before its hello and join takes back what its admission
    counted; one that said hello keeps the hello counted."""
    quiet = await network.admit()
    greeted = await network.admit()
    await network.limits.check_hello(greeted)
    network.limits.release(quiet)
    network.limits.release(greeted)
    for _ in range(50):
        if not network.limits._refunds and await network.count("join", greeted) == 0:
            break
        await asyncio.sleep(0.02)
    assert await network.count("hello", greeted) == 1
    assert await network.count("join", greeted) == 0


@pytest.mark.asyncio
async def test_an_early_count_from_an_ended_window_is_not_used(network: Network) -> None:
    """A join whose early count belongs to a window that has ended is counted again
    as it comes (the ended window's count no longer limits anything)."""
    budget = await network.admit()
    await network.limits.check_hello(budget)
    assert budget.first_join is not None
    await budget.first_join
    stale: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
    stale.set_result(Verdict(True, 1, refund_before=time.monotonic() - 1))
    budget.first_join = stale
    await network.limits.check_join(budget)
    assert await network.count("join", budget) == 2


@pytest.mark.asyncio
async def test_an_early_count_redis_did_not_answer_is_counted_as_it_comes(
    network: Network,
) -> None:
    """A hello whose count at admission failed (the link to Redis was lost) is
    counted as it comes, once."""
    budget = await network.admit()
    assert budget.hello is not None
    await budget.hello
    failed: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
    failed.set_exception(ConnectionError("the link to Redis was lost"))
    budget.hello = failed
    await network.limits.check_hello(budget)
    assert await network.count("hello", budget) == 2
