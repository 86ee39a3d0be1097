"""Limits on anonymous actions over HTTP, on the shared limiter (core/limits.py).

A route counts an action before it does it: :func:`reserve` takes one place under
each key (the visitor's token, the client network's network-day key) and raises the
route's :class:`~kuulolla.core.errors.RateLimited` error, with the minutes to wait,
when one is full; the places already taken are given back then, and :func:`release`
gives them back when the action fails for another reason. A request whose address
is not an IP address (a test client) is counted by its other keys only.
"""

from __future__ import annotations

from starlette.requests import Request

from kuulolla.core.bankey import BanKeys
from kuulolla.core.errors import RateLimited
from kuulolla.core.limits import Limiter, Rule, minutes


def limiter_of(request: Request) -> Limiter:
    return request.state.limiter


async def network_key(request: Request) -> bytes | None:
    """The client network's key of the day (never the address itself)."""
    bankeys: BanKeys = request.state.bankeys
    client = request.client.host if request.client else None
    return await bankeys.digest(client, now=request.state.clock.now())


Held = list[tuple[Rule, bytes]]


async def reserve(
    request: Request,
    checks: list[tuple[Rule, bytes | None]],
    error: type[RateLimited],
) -> Held:
    """Take one place under each (rule, key) with a key, or raise ``error(minutes=…)``."""
    limiter = limiter_of(request)
    held: Held = []
    for rule, key in checks:
        if key is None:
            continue
        verdict = await limiter.take(rule, key)
        if not verdict.allowed:
            await release(request, held)
            raise error(minutes=minutes(verdict.retry_after))
        held.append((rule, key))
    return held


async def release(request: Request, held: Held) -> None:
    """Give the places back: the action did not happen."""
    limiter = limiter_of(request)
    for rule, key in held:
        await limiter.refund(rule, key)
