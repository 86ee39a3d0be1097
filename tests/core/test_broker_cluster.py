"""The broker, the limits and the day keys on a real local Redis Cluster (three
masters, three replicas), including a master killed mid-run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kuulolla.chat import store
from kuulolla.chat.fanout import Fanout, RoomRef
from kuulolla.chat.sockets import OutFrame
from kuulolla.core import broker_redis
from kuulolla.core.bankey import RedisKeyStore
from kuulolla.core.broker_cluster import RedisClusterBroker
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.limits import RedisLimiter, Rule
from kuulolla.core.tasks import cancel_and_wait
from tests.conftest import unavailable
from tests.helpers import eventually, make_room
from tests.redis_cluster import LocalCluster, cluster_available, local_cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    if not cluster_available():
        unavailable("redis-server and redis-cli")
    with local_cluster(tmp_path_factory.mktemp("cluster")) as made:
        yield made


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """A cluster of the test's own (it kills a node)."""
    if not cluster_available():
        unavailable("redis-server and redis-cli")
    with local_cluster(tmp_path) as made:
        yield made


@pytest.mark.asyncio
async def test_room_channels_go_through_the_shard_of_their_slot(
    cluster: LocalCluster, broker_prefix: str
) -> None:
    """Each room channel is a sharded channel on the master serving its slot; every
    message arrives, and the shards' links carry only their own slots' channels."""
    got: list[tuple[str, bytes]] = []
    a = RedisClusterBroker(cluster.url, prefix=broker_prefix)
    b = RedisClusterBroker(cluster.url, prefix=broker_prefix)
    await a.start(lambda c, d: None, lambda: None)
    await b.start(lambda c, d: got.append((c, d)), lambda: None)
    channels = [f"{broker_prefix}:room:{i}" for i in range(12)]
    for channel in channels:
        await b.subscribe(channel)
    for i, channel in enumerate(channels):
        a.publish(channel, b"m %d" % i)
    await eventually(lambda: len(got) == len(channels))
    on_shards = {port: cluster.shard_channels(port) for port in cluster.masters()}
    classic = set().union(*(cluster.channels(port) for port in cluster.masters()))
    shards = len(b._shards)
    await a.close()
    await b.close()
    assert sorted(got) == sorted((c, b"m %d" % i) for i, c in enumerate(channels))
    assert shards == 3
    for channel in channels:
        assert channel in on_shards[cluster.master_of(channel)]
    assert not classic & set(channels)


@pytest.mark.asyncio
async def test_limits_and_day_keys_work_on_a_cluster(
    cluster: LocalCluster, broker_prefix: str
) -> None:
    """The shared limiter counts and the day keys are shared through the cluster."""
    rule = Rule("kt", limit=2, window=60)
    one = RedisLimiter(cluster.url, prefix=broker_prefix)
    two = RedisLimiter(cluster.url, prefix=broker_prefix)
    verdicts = [await limiter.take(rule, "verkko") for limiter in (one, two, one)]
    keys = [RedisKeyStore(cluster.url, prefix=broker_prefix) for _ in range(2)]
    days = [await k.day_key("2026-12-07") for k in keys]
    for limiter in (one, two):
        await limiter.close()
    for key_store in keys:
        await key_store.close()
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert days[0] == days[1] and len(days[0]) >= 16


@pytest.mark.asyncio
async def test_shard_links_carrying_no_channel_are_not_taken_for_silent(
    cluster: LocalCluster, broker_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shard none of whose slots carries a channel answers the heartbeat's PING with
    +PONG; its link stays up instead of being dropped and made again every other beat."""
    monkeypatch.setattr(broker_redis, "HEARTBEAT", 0.05)
    events: list[str] = []
    broker = RedisClusterBroker(cluster.url, prefix=broker_prefix, on_event=events.append)
    await broker.start(lambda c, d: None, lambda: None)
    await eventually(lambda: broker.connected)
    await asyncio.sleep(0.5)  # ten heartbeats
    connected = broker.connected
    await broker.close()
    assert connected and events == []


@pytest.mark.asyncio
async def test_close_ends_a_task_whose_cancellation_was_lost() -> None:
    """A task whose cancellation Python 3.11's wait_for lost (its inner wait ended in the
    same turn, and the task's loop went on) is cancelled again, so closing returns."""
    wake = asyncio.Event()
    rounds = 0

    async def repairer() -> None:  # the shape of RedisClusterBroker._repairer
        nonlocal rounds
        while True:
            rounds += 1
            await asyncio.wait_for(wake.wait(), 10)
            wake.clear()

    task = asyncio.create_task(repairer())
    await eventually(lambda: rounds == 1)
    wake.set()
    await cancel_and_wait([task])
    assert task.cancelled()


@pytest.mark.asyncio
async def test_a_task_cancelled_while_it_closes_something_ends() -> None:
    """A repairer cancelled while it waits for an old shard's tasks to end ends itself:
    the wait does not swallow the repairer's own cancellation."""
    release = asyncio.Event()
    refused = 0

    async def stubborn() -> None:  # a shard's task that is slow to end
        nonlocal refused
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                refused += 1

    shard_task = asyncio.create_task(stubborn())

    async def repairer() -> None:
        while True:
            await cancel_and_wait([shard_task])

    repairing = asyncio.create_task(repairer())
    await eventually(lambda: refused >= 1)
    repairing.cancel()
    done, _ = await asyncio.wait([repairing], timeout=5)
    release.set()
    await shard_task
    assert repairing in done and repairing.cancelled()


@pytest.mark.asyncio
async def test_a_master_killed_mid_run_loses_nothing(
    own_cluster: LocalCluster, db: Database, broker_prefix: str
) -> None:
    """A room's master dies while two processes write and read; its replica takes over
    and the other process still gets every message once, in order (gaps from the
    database)."""
    room = await make_room(db)

    def committed_to(fanout: Fanout) -> Callable[[list[store.Stored]], None]:
        return lambda stored: fanout.committed({room: "huone"}, stored)

    nodes = []
    for _ in range(2):
        broker = RedisClusterBroker(own_cluster.url, prefix=broker_prefix)
        fanout = Fanout(
            db=db, broker=broker, clock=Clock(), secret="s" * 32, gap_wait=0.02, poll_interval=0.5
        )
        await fanout.start()
        committer = store.Committer(db, clock=Clock(), on_committed=committed_to(fanout))
        committer.start()
        nodes.append((broker, fanout, committer))
    (_, _, writer), (reader_broker, reader, _) = nodes
    seqs: list[int] = []

    class Sink:
        closed = False

        def push(self, frame: OutFrame) -> None:
            if frame.seq:  # a message (presence frames have none)
                seqs.append(frame.seq)

        async def close(self, code: int) -> None:
            return None

    sink = Sink()
    hub = await reader.attach(RoomRef(room, "huone"), sink)
    reader.activate(hub, sink, 0)

    def draft(i: int) -> store.Draft:
        return store.Draft(
            room_id=room, author_key=b"k" * 16, nick="N", role="visitor", text=f"t{i}", ref_key=None
        )

    for i in range(20):
        await writer.submit(draft(i))
    await eventually(lambda: len(seqs) == 20)
    killed = own_cluster.master_of(reader.channel_for(room))
    own_cluster.kill(killed)
    for i in range(20, 60):
        await writer.submit(draft(i))
        await asyncio.sleep(0.02)
    await asyncio.to_thread(own_cluster.wait_failover, killed)
    for i in range(60, 80):
        await writer.submit(draft(i))
    await eventually(lambda: len(seqs) == 80, within=20)
    await eventually(lambda: reader_broker.connected, within=20)
    for broker, fanout, committer in nodes:
        await committer.stop()
        await fanout.close()
        await broker.close()
    assert seqs == list(range(1, 81))
    assert reader_broker.repairs >= 1
