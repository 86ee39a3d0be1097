"""Firing N attempts at once: the helper every race test of the abuse suite uses.

A limit that reads, works and then writes lets concurrent attempts through; to show
that one holds, the attempts must really overlap. :func:`at_once` starts N coroutines
that wait at one barrier, so every attempt has begun before the first can finish;
:func:`http_at_once` does the same with N requests to a live server, each on a
connection of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import httpx2 as httpx

T = TypeVar("T")


async def at_once(n: int, attempt: Callable[[int], Awaitable[T]]) -> list[T]:
    """Run ``attempt(0) … attempt(n-1)`` concurrently, all released together."""
    barrier = asyncio.Barrier(n)

    async def one(i: int) -> T:
        await barrier.wait()
        return await attempt(i)

    return await asyncio.gather(*(one(i) for i in range(n)))


async def http_at_once(
    n: int,
    base_url: str,
    request: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
    *,
    cookies: Sequence[dict[str, str]] | dict[str, str] | None = None,
    timeout: float = 60.0,
    local_address: str | None = None,
) -> list[httpx.Response]:
    """``n`` requests to a live server at once, each from a client (and connection) of
    its own, from ``local_address`` when given (a loopback address of the test's own
    is a network of its own to the server); ``cookies`` for all of them, or one dict
    per request."""
    clients = [
        httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            cookies=(cookies[i] if isinstance(cookies, Sequence) else cookies) or None,
            transport=httpx.AsyncHTTPTransport(local_address=local_address),
        )
        for i in range(n)
    ]
    try:
        return await at_once(n, lambda i: request(clients[i], i))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
