"""CPU per message of the broker's Redis links against redis-py's own pub/sub.

Every subscriber runs in a process of its own on uvloop, as the server does, and
receives messages that a separate process publishes one at a time (a few per
millisecond, so each arrives on its own, as chat messages do). The figure is the
subscriber process's CPU time (user + system, from ``resource``) per message received:

- ``redis-py RESP3``: ``PubSub.get_message`` in a task, redis-py's defaults (RESP3
  since redis-py 8);
- ``redis-py RESP2``: the same with ``protocol=2``;
- ``kuulolla``: :class:`kuulolla.core.broker_redis.RedisBroker` (core/resp.py).

Then the cost of publishing: each process publishes the same messages one per loop
turn, with ``await Redis.publish`` (redis-py) or ``RedisBroker.publish``, and its CPU
per message is measured. Ratios are to redis-py RESP3, measured in the same run;
rounds are interleaved and medians reported.

    scripts/bench/broker                       against redis://127.0.0.1:6379/0
    scripts/bench/broker --redis URL --messages 5000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import statistics
import time
from typing import Any

KINDS = ["redis-py RESP3", "redis-py RESP2", "kuulolla"]
PAYLOAD = b"m abcd1234 1 1764000000000\n" + b'{"type":"message","text":"' + b"x" * 120 + b'"}'


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def subscriber(kind: str, url: str, channel: str, n: int, ready: Any, out: Any) -> None:
    import uvloop

    async def main() -> float:
        done = asyncio.Event()
        count = 0
        started = 0.0

        def got(data: bytes) -> None:
            nonlocal count, started
            if data == b"start":
                started = cpu()
                return
            count += 1
            if count == n:
                done.set()

        if kind == "kuulolla":
            from kuulolla.core.broker_redis import RedisBroker

            broker = RedisBroker(url, prefix="bench")
            await broker.start(lambda c, d: got(d), lambda: None)
            await broker.subscribe(channel)
        else:
            from redis.asyncio import Redis

            client = Redis.from_url(url, protocol=3 if kind.endswith("RESP3") else 2)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(channel)

            async def read() -> None:
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None and message.get("type") == "message":
                        got(message["data"])

            task = asyncio.create_task(read())
        ready.set()
        await done.wait()
        took = cpu() - started
        if kind == "kuulolla":
            await broker.close()
        else:
            task.cancel()
            await pubsub.aclose()
            await client.aclose()
        return took / n

    out.put(uvloop.run(main()))


def publish_slowly(url: str, channel: str, n: int, pause: float) -> None:
    import redis

    r = redis.Redis.from_url(url)
    r.publish(channel, b"start")
    for _ in range(n):
        r.publish(channel, PAYLOAD)
        time.sleep(pause)
    r.close()


def publisher(kind: str, url: str, channel: str, n: int, out: Any) -> None:
    import uvloop

    async def main() -> float:
        if kind == "kuulolla":
            from kuulolla.core.broker_redis import RedisBroker

            broker = RedisBroker(url, prefix="bench")
            await broker.start(lambda c, d: None, lambda: None)
            started = cpu()
            for _ in range(n):
                broker.publish(channel, PAYLOAD)
                await asyncio.sleep(0)
            await asyncio.sleep(0.2)  # the replies
            took = cpu() - started
            await broker.close()
        else:
            from redis.asyncio import Redis

            client = Redis.from_url(url, protocol=3 if kind.endswith("RESP3") else 2)
            await client.ping()
            started = cpu()
            for _ in range(n):
                await client.publish(channel, PAYLOAD)
            took = cpu() - started
            await client.aclose()
        return took / n

    out.put(uvloop.run(main()))


def run_one(target: Any, args: tuple[Any, ...]) -> float:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    value = out.get(timeout=300)
    proc.join()
    return float(value)


def receive_round(kind: str, url: str, n: int, pause: float, index: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    channel = f"bench:broker:{index}"
    ready = ctx.Event()
    out = ctx.Queue()
    sub = ctx.Process(target=subscriber, args=(kind, url, channel, n, ready, out))
    sub.start()
    if not ready.wait(30):
        raise RuntimeError(f"{kind}: the subscriber did not start")
    time.sleep(0.2)
    pub = ctx.Process(target=publish_slowly, args=(url, channel, n, pause))
    pub.start()
    value = out.get(timeout=300)
    pub.join()
    sub.join()
    return float(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.0005, help="seconds between publishes")
    args = parser.parse_args()

    received: dict[str, list[float]] = {k: [] for k in KINDS}
    published: dict[str, list[float]] = {k: [] for k in KINDS}
    index = 0
    for _ in range(args.rounds):
        for kind in KINDS:
            index += 1
            received[kind].append(receive_round(kind, args.redis, args.messages, args.pause, index))
            published[kind].append(
                run_one(publisher, (kind, args.redis, f"bench:broker:p{index}", args.messages))
            )

    print(
        f"scripts/bench/broker: {args.messages} messages, {args.rounds} interleaved rounds, medians"
    )
    print(f"{'':18} {'receive µs/msg':>15} {'× RESP3':>8} {'publish µs/msg':>15} {'× RESP3':>8}")
    base_r = statistics.median(received[KINDS[0]])
    base_p = statistics.median(published[KINDS[0]])
    for kind in KINDS:
        r = statistics.median(received[kind])
        p = statistics.median(published[kind])
        print(f"{kind:18} {r * 1e6:15.1f} {r / base_r:8.2f} {p * 1e6:15.1f} {p / base_p:8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
