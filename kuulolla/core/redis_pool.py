"""redis-py clients for the short commands of the limits, the day keys and the purge,
on one Redis or on a Redis Cluster.

``KUULOLLA_REDIS_URL`` names a Redis Cluster when it carries ``cluster=yes`` in its
query (``redis://10.0.0.5:7000/0?cluster=yes``: any node of the cluster; the client
learns the others from it). Every key the service uses is a single key per command
(the limiter's scripts touch one key each), so the commands work on a cluster as
they are.

redis-py's asyncio pool raises ``MaxConnectionsError`` once 100 commands are in
flight; a storm of reconnecting sockets (each needs the day's key and a place in
the limits) passed that and closed sockets with 1011. On one Redis the pool here
waits for a free connection instead, briefly, and keeps at most ``max_connections``
open; on a cluster each node gets its own pool of ``cluster_connections``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from redis.asyncio import BlockingConnectionPool, Redis

CLUSTER_FLAG = "cluster"
_YES = {"1", "yes", "true", "on"}


def split_cluster(url: str) -> tuple[str, bool]:
    """``url`` without the cluster flag, and whether it names a Redis Cluster."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    flag = [value for name, value in query if name == CLUSTER_FLAG]
    if not flag:
        return url, False
    rest = urlencode([(name, value) for name, value in query if name != CLUSTER_FLAG])
    return urlunsplit(parts._replace(query=rest)), flag[-1].lower() in _YES


def is_cluster(url: str) -> bool:
    return split_cluster(url)[1]


def node_url(url: str, host: str, port: int) -> str:
    """The URL of one node of the cluster that ``url`` names (same scheme, user,
    password and options; database 0, the only one a cluster has)."""
    base, _ = split_cluster(url)
    parts = urlsplit(base)
    auth = parts.netloc.rpartition("@")[0]
    netloc = (auth + "@" if auth else "") + (f"[{host}]" if ":" in host else host) + f":{port}"
    return urlunsplit(parts._replace(netloc=netloc, path="/0"))


def redis_client(url: str, **options: Any) -> Any:
    """A redis-py asyncio client for ``url``: a ``RedisCluster`` when it names one."""
    base, cluster = split_cluster(url)
    if cluster:
        from redis.asyncio.cluster import RedisCluster

        return RedisCluster.from_url(base, **options)
    return Redis.from_url(base, **options)


def pooled_redis(
    url: str, *, max_connections: int = 32, timeout: float = 2.0, cluster_connections: int = 512
) -> Any:
    """A client whose commands wait up to ``timeout`` seconds for a free connection.
    Close it with ``await client.aclose(close_connection_pool=True)`` (one Redis) or
    ``await client.aclose()`` (a cluster)."""
    base, cluster = split_cluster(url)
    if cluster:
        return redis_client(
            url,
            max_connections=cluster_connections,
            socket_connect_timeout=1,
            socket_timeout=1,
        )
    pool = BlockingConnectionPool.from_url(
        base,
        max_connections=max_connections,
        timeout=timeout,
        socket_connect_timeout=1,
        socket_timeout=1,
    )
    return Redis(connection_pool=pool)


async def close_redis(client: Any) -> None:
    """Close a client of :func:`pooled_redis` or :func:`redis_client` and its pool."""
    if isinstance(client, Redis):
        await client.aclose(close_connection_pool=True)
    else:
        await client.aclose()
