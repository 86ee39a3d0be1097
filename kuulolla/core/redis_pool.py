"""A redis-py client for the short commands of the limits and the day keys.

redis-py's asyncio pool raises ``MaxConnectionsError`` once 100 commands are in
flight; a storm of reconnecting sockets (each needs the day's key and a place in
the limits) passed that and closed sockets with 1011. This pool waits for a free
connection instead, briefly, and keeps at most ``max_connections`` open.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis


def pooled_redis(url: str, *, max_connections: int = 32, timeout: float = 2.0) -> Any:
    """A client whose commands wait up to ``timeout`` seconds for a free connection.
    Close it with ``await client.aclose(close_connection_pool=True)``."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_connect_timeout=1,
        socket_timeout=1,
    )
    return Redis(connection_pool=pool)
