"""Fault scenarios against real server processes, Redis and a database.

Each scenario starts its own servers, runs a fleet of clients, injects its fault,
lets everything settle, and returns the verifier's counts plus scenario-specific
findings. ``scripts/chaos`` runs them at any length; tests/chaos/test_chaos.py runs
short versions of some of them in the test suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kuulolla.core.db import Database
from kuulolla.migrations import upgrade
from tests.chaos.fleet import ChaosClient
from tests.chaos.services import PrivatePostgres, PrivateRedis
from tests.chaos.verify import Verdict, percentile, read_rooms, verify
from tests.e2e.servers import ServerProcess, server_env, start_all, stop_all
from tests.helpers import make_room
from tests.redis_cluster import LocalCluster, _cli


@dataclass
class Outcome:
    name: str
    verdict: Verdict
    findings: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.verdict.clean and not self.failures

    def report(self) -> str:
        lines = [f"{self.name}: {'PASS' if self.passed else 'FAIL'}  {self.verdict.summary()}"]
        lines += [f"    {k} = {v}" for k, v in self.findings.items()]
        lines += [f"    problem: {p}" for p in self.failures + self.verdict.worst]
        return "\n".join(lines)


class ChaosRun:
    """Servers, Redis and a database for one scenario, and the fleet of clients."""

    def __init__(
        self,
        *,
        database: str = "postgres",  # postgres (the test server) | private-postgres | sqlite
        servers: int = 2,
        clients: int = 30,
        rooms: int = 3,
        send_interval: float = 1.0,
        text_size: int = 40,
        slow_clients: int = 0,
        env: dict[str, str] | None = None,
        seed: int = 1,
        template: str | None = None,
        redis_cluster: bool = False,
    ) -> None:
        self.database = database
        # With "postgres": a migrated database on the test server to clone instead of
        # running the migrations again (the test run's template, tests/conftest.py).
        self.template = template
        self.n_servers = servers
        self.n_clients = clients
        self.n_rooms = rooms
        self.send_interval = send_interval
        self.text_size = text_size
        self.slow_clients = slow_clients
        self.extra_env = env or {}
        self.rng = random.Random(seed)
        self.workdir = Path(tempfile.mkdtemp(prefix="kuulolla-chaos-"))
        self.redis = PrivateRedis(self.workdir)
        # Three masters and three replicas instead of one Redis (tests/redis_cluster.py).
        self.cluster: LocalCluster | None = (
            LocalCluster(self.workdir / "cluster") if redis_cluster else None
        )
        self.pg: PrivatePostgres | None = None
        self.pg_name: str | None = None
        self.servers: list[ServerProcess] = []
        self.clients: list[ChaosClient] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.db_url = ""
        self.slugs = [f"kaaos-{i}" for i in range(rooms)]

    # ---------------------------------------------------------------- set-up

    async def __aenter__(self) -> ChaosRun:
        if self.cluster is not None:
            self.cluster.directory.mkdir()
            await asyncio.to_thread(self.cluster.start)
        else:
            self.redis.start()
        if self.database == "sqlite":
            self.db_url = f"sqlite+aiosqlite:///{self.workdir / 'chaos.sqlite3'}"
        elif self.database == "private-postgres":
            self.pg = PrivatePostgres()
            await asyncio.to_thread(self.pg.init)
            self.db_url = self.pg.url
        else:
            from tests.conftest import POSTGRES_URL, _pg_execute

            self.pg_name = f"kuulolla_chaos_{os.getpid()}_{self.rng.randrange(1 << 30)}"
            clone = f' TEMPLATE "{self.template}"' if self.template else ""
            await _pg_execute(f'CREATE DATABASE "{self.pg_name}"{clone}')
            self.db_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + self.pg_name
        if not (self.database == "postgres" and self.template):
            await asyncio.to_thread(upgrade, self.db_url)
        db = Database.from_url(self.db_url)
        for slug in self.slugs:
            await make_room(db, slug, history_limit=20)
        await db.dispose()
        redis_url = self.cluster.url if self.cluster is not None else self.redis.url
        env = server_env(self.db_url, redis_url=redis_url, prefix="chaos")
        env.update({"KUULOLLA_SHUTDOWN_GRACE": "5", "KUULOLLA_ROOM_CACHE_SECONDS": "0.5"})
        env.update(self.extra_env)
        self.servers = [
            ServerProcess(env, self.workdir / f"server{i}.log") for i in range(self.n_servers)
        ]
        await asyncio.to_thread(start_all, self.servers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self.clients:
            client.stop.set()
            client.drop()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await asyncio.to_thread(stop_all, self.servers)
        if self.cluster is not None:
            self.cluster.stop()
        else:
            self.redis.stop()
        if self.pg is not None:
            await asyncio.to_thread(self.pg.stop)
        if self.pg_name is not None:
            from tests.conftest import _pg_execute

            with contextlib.suppress(Exception):
                await _pg_execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        if not os.environ.get("KUULOLLA_CHAOS_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    # ---------------------------------------------------------------- fleet

    @property
    def urls(self) -> list[str]:
        return [s.ws for s in self.servers]

    def start_fleet(self) -> None:
        for i in range(self.n_clients):
            client = ChaosClient(
                i,
                self.slugs[i % self.n_rooms],
                self.urls,
                rng=random.Random(self.rng.random()),
                send_interval=self.send_interval,
                text_size=self.text_size,
                small_receive_buffer=i < self.slow_clients,
            )
            self.clients.append(client)
            self.tasks.append(asyncio.create_task(client.run()))

    async def settle(self, timeout: float = 30.0) -> list[str]:
        """Stop sending; wait until every message is acknowledged and every client has
        caught up with the database. Returns what did not settle."""
        for client in self.clients:
            client.sending = False
            client.reading = True
        db = Database.from_url(self.db_url)
        deadline = time.monotonic() + timeout
        problems: list[str] = []
        try:
            while True:
                stored = await read_rooms(db, set(self.slugs))
                tops = {slug: max(rows, default=0) for slug, rows in stored.items()}
                behind = [
                    c
                    for c in self.clients
                    if c.pending or c.max_seen < tops.get(c.log.room, 0) or c.log.join_seq is None
                ]
                if not behind:
                    return []
                if time.monotonic() > deadline:
                    for c in behind[:5]:
                        problems.append(
                            f"client {c.log.index} did not settle: pending={len(c.pending)} "
                            f"seen={c.max_seen} top={tops.get(c.log.room, 0)} connected={c.connected.is_set()}"
                        )
                    return problems
                await asyncio.sleep(0.25)
        finally:
            await db.dispose()

    async def unready(self, timeout: float = 15.0) -> list[str]:
        """Wait until every server answers /readyz with 200 (its database and Redis
        links up); returns the ones that did not. Fan-out that only worked through the
        database polls would pass the verifier, so this is checked too."""
        deadline = time.monotonic() + timeout
        while True:
            problems = [
                f"server {i} not ready: {body}"
                for i, server in enumerate(self.servers)
                if (body := await asyncio.to_thread(_readiness, server)) is not None
            ]
            if not problems or time.monotonic() > deadline:
                return problems
            await asyncio.sleep(0.25)

    async def verdict(self) -> Verdict:
        db = Database.from_url(self.db_url)
        try:
            stored = await read_rooms(db, set(self.slugs))
        finally:
            await db.dispose()
        return verify([c.log for c in self.clients], stored)

    # ---------------------------------------------------------------- helpers

    def metric(self, server: ServerProcess, name: str) -> float:
        try:
            with urllib.request.urlopen(server.http + "/metrics", timeout=3) as r:
                text = r.read().decode()
        except OSError:
            return float("nan")
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    @staticmethod
    def rss_mib(server: ServerProcess) -> float:
        assert server.proc is not None
        with open(f"/proc/{server.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def alive(self) -> bool:
        return all(s.proc is not None and s.proc.poll() is None for s in self.servers)


def _readiness(server: ServerProcess) -> str | None:
    """None when ``server`` is ready; otherwise what its /readyz said."""
    try:
        with urllib.request.urlopen(server.http + "/readyz", timeout=3) as r:
            return None if r.status == 200 else r.read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()
    except OSError as e:
        return type(e).__name__


# ==================================================================== scenarios

Scenario = Callable[[ChaosRun, float, Outcome], Awaitable[None]]


async def churn(run: ChaosRun, duration: float, out: Outcome) -> None:
    """Clients drop their connections at random and resume with their last sequence."""
    run.start_fleet()
    end = time.monotonic() + duration
    drops = 0
    while time.monotonic() < end:
        await asyncio.sleep(0.1)
        for client in run.clients:
            if run.rng.random() < 0.1 / 2.0:  # about every 2 s per client
                client.drop()
                drops += 1
    out.findings["drops"] = drops
    out.findings["reconnects"] = sum(c.log.connects for c in run.clients) - len(run.clients)


async def worker_kill(run: ChaosRun, duration: float, out: Outcome) -> None:
    """kill -9 one worker mid-run; start it again later."""
    run.start_fleet()
    await asyncio.sleep(duration / 3)
    victim = run.servers[0]
    assert victim.proc is not None
    os.killpg(victim.proc.pid, signal.SIGKILL)
    victim.proc.wait()
    out.findings["killed_at_s"] = round(duration / 3, 1)
    await asyncio.sleep(duration / 3)
    await asyncio.to_thread(victim.start)
    await asyncio.sleep(duration / 3)


async def worker_deploy(run: ChaosRun, duration: float, out: Outcome) -> None:
    """SIGTERM one worker (a deploy): its sockets close with 1012, clients reconnect to
    another worker and resume, and it exits within the grace period."""
    run.start_fleet()
    await asyncio.sleep(duration / 3)
    victim = run.servers[1]
    started = time.monotonic()
    await asyncio.to_thread(victim.stop, signal.SIGTERM, 30.0)
    took = time.monotonic() - started
    grace = float(victim.env.get("KUULOLLA_SHUTDOWN_GRACE", "10"))
    out.findings["exit_seconds"] = round(took, 2)
    if took > grace + 3:
        out.failures.append(f"worker took {took:.1f} s to exit (grace {grace} s)")
    await asyncio.sleep(duration / 3)
    codes = [code for c in run.clients for code in c.log.close_codes]
    out.findings["closed_with_1012"] = codes.count(1012)
    if codes.count(1012) == 0:
        out.failures.append("no client saw close code 1012")
    await asyncio.to_thread(victim.start)
    await asyncio.sleep(duration / 3)


async def redis_crash(run: ChaosRun, duration: float, out: Outcome) -> None:
    """Kill Redis and start it again empty: no worker exits, sends are acknowledged or
    refused, fan-out recovers by itself."""
    run.start_fleet()
    await asyncio.sleep(duration / 3)
    before = sum(len(c.log.acked) for c in run.clients)
    run.redis.kill()
    await asyncio.sleep(max(2.0, duration / 6))
    during = sum(len(c.log.acked) for c in run.clients) - before
    out.findings["acked_while_redis_down"] = during
    if not run.alive():
        out.failures.append("a worker exited while Redis was down")
    run.redis.start()
    restarted = time.monotonic()
    # Fan-out recovers: a message sent now reaches a client on the other process.
    recovered = await _cross_process_probe(run, timeout=15.0)
    out.findings["fanout_recovered_after_s"] = (
        round(time.monotonic() - restarted, 2) if recovered else None
    )
    if not recovered:
        out.failures.append("fan-out did not recover within 15 s")
    if not run.alive():
        out.failures.append("a worker exited after Redis came back")
    await asyncio.sleep(max(0.0, duration / 3))


async def pubsub_loss(run: ChaosRun, duration: float, out: Outcome) -> None:
    """CLIENT KILL TYPE pubsub again and again; gaps are detected and filled."""
    run.start_fleet()
    end = time.monotonic() + duration
    kills = 0
    await asyncio.sleep(min(1.0, duration / 5))
    while time.monotonic() < end - 1:
        kills += run.redis.kill_pubsub_clients()
        await asyncio.sleep(1.0)
    out.findings["pubsub_links_killed"] = kills
    out.findings["gap_fills"] = sum(run.metric(s, "kuulolla_gap_fills_total") for s in run.servers)


async def slow_reader(run: ChaosRun, duration: float, out: Outcome) -> None:
    """Clients that stop reading are closed when their outbox passes its bound; memory
    stays bounded; the others' latency barely moves."""
    run.start_fleet()
    normal = run.clients[run.slow_clients :]
    await asyncio.sleep(duration / 3)
    base = [lat for c in normal for lat in c.log.latencies]
    rss_before = [run.rss_mib(s) for s in run.servers]
    for client in run.clients[: run.slow_clients]:
        client.reading = False
    marks = {id(c): len(c.log.latencies) for c in normal}
    slow_phase_end = time.monotonic() + duration * 2 / 3
    overflows = 0.0
    rss_peak = list(rss_before)
    # The slow readers stop until the servers have cut them all off (or the phase
    # ends), then read again, like a phone coming back from the background.
    while time.monotonic() < slow_phase_end:
        await asyncio.sleep(0.5)
        rss_peak = [max(a, run.rss_mib(s)) for a, s in zip(rss_peak, run.servers, strict=True)]
        overflows = sum(run.metric(s, "kuulolla_outbox_overflows_total") for s in run.servers)
        if overflows >= run.slow_clients:
            break
    out.findings["seconds_until_all_cut"] = round(
        time.monotonic() - (slow_phase_end - duration * 2 / 3), 1
    )
    for client in run.clients[: run.slow_clients]:
        client.reading = True
    await asyncio.sleep(max(0.0, slow_phase_end - time.monotonic()))
    during = [lat for c in normal for lat in c.log.latencies[marks[id(c)] :]]
    rss_after = rss_peak
    p99_base, p99_during = percentile(base, 99), percentile(during, 99)
    out.findings.update(
        {
            "slow_clients": run.slow_clients,
            "outbox_overflows": overflows,
            "p99_latency_ms_before": round(p99_base * 1000, 1),
            "p99_latency_ms_during": round(p99_during * 1000, 1),
            "rss_mib_before": [round(x, 1) for x in rss_before],
            "rss_mib_after": [round(x, 1) for x in rss_after],
        }
    )
    if overflows < run.slow_clients:
        out.failures.append(f"only {overflows} of {run.slow_clients} slow clients were closed")
    if max(b - a for a, b in zip(rss_before, rss_after, strict=True)) > 64:
        out.failures.append("server memory grew by more than 64 MiB")
    if p99_during > max(2 * p99_base, p99_base + 0.05):
        out.failures.append("the other clients' p99 latency more than doubled")


async def reconnect_storm(run: ChaosRun, duration: float, out: Outcome) -> None:
    """Every client reconnects at once after a restart; the jitter spreads them and each
    client reads its room's history once."""
    run.start_fleet()
    await asyncio.sleep(duration / 2)
    for server in run.servers:
        await asyncio.to_thread(server.stop)
    restart = time.monotonic()
    for server in run.servers:
        await asyncio.to_thread(server.start)
    await asyncio.sleep(duration / 2)
    reconnect_times = sorted(
        t - restart for c in run.clients for t in c.log.connect_times if t >= restart
    )
    firsts = sorted(
        min((t - restart for t in c.log.connect_times if t >= restart), default=float("nan"))
        for c in run.clients
    )
    queries = sum(run.metric(s, "kuulolla_history_queries_total") for s in run.servers)
    out.findings.update(
        {
            "reconnects": len(reconnect_times),
            "first_reconnect_spread_s": round(percentile(firsts, 90) - percentile(firsts, 10), 2),
            "history_queries_after_restart": queries,
        }
    )
    if queries > len(run.clients):
        out.failures.append(
            f"{queries} history queries for {len(run.clients)} clients in one room each"
        )
    if percentile(firsts, 90) - percentile(firsts, 10) < 0.2:
        out.failures.append("reconnects were not spread out")


async def database_restart(run: ChaosRun, duration: float, out: Outcome) -> None:
    """PostgreSQL restarts mid-run: nothing acknowledged is lost."""
    run.start_fleet()
    await asyncio.sleep(duration / 3)
    assert run.pg is not None
    await asyncio.to_thread(run.pg.restart)
    out.findings["unavailable_errors"] = sum(
        c.log.errors.get("unavailable", 0) for c in run.clients
    )
    await asyncio.sleep(duration * 2 / 3)
    if not run.alive():
        out.failures.append("a worker exited during the database restart")


async def sqlite_kill(run: ChaosRun, duration: float, out: Outcome) -> None:
    """kill -9 a worker while it writes to SQLite: nothing acknowledged is lost and the
    file passes integrity_check."""
    run.start_fleet()
    await asyncio.sleep(duration / 2)
    victim = run.servers[0]
    assert victim.proc is not None
    os.killpg(victim.proc.pid, signal.SIGKILL)
    victim.proc.wait()
    await asyncio.to_thread(victim.start)
    await asyncio.sleep(duration / 2)
    path = run.db_url.split("///", 1)[1]
    result = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]
    out.findings["integrity_check"] = result
    if result != "ok":
        out.failures.append(f"integrity_check: {result}")


async def _cross_process_probe(run: ChaosRun, timeout: float, slug: str | None = None) -> bool:
    """Whether a message sent through one server reaches a client of another (in
    ``slug``, by default the first room)."""
    from tests.e2e.client import Client

    room = slug or run.slugs[0]
    deadline = time.monotonic() + timeout
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        try:
            a = await Client.connect(run.servers[0].ws)
            b = await Client.connect(run.servers[1].ws)
            try:
                # Two people present in a room cannot share a nickname, and a name
                # is free again only once its holder's close has been handled.
                await a.join(room, f"Luotain {attempt}")
                await b.join(room, f"Kuuntelija {attempt}")
                ack = await a.say(room, f"luotain {attempt}", f"probe-{attempt}")
                while True:
                    frame = await b.expect(
                        "message", timeout=max(0.1, min(2.0, deadline - time.monotonic()))
                    )
                    if frame["seq"] == ack["seq"]:
                        return True
            finally:
                await a.close()
                await b.close()
        except Exception:
            await asyncio.sleep(0.2)
    return False


async def cluster_failover(run: ChaosRun, duration: float, out: Outcome) -> None:
    """On a Redis Cluster (3 masters, 3 replicas), kill the master carrying the most
    room channels mid-run and let its replica take over; start the killed node again
    (it rejoins as a replica) and later kill the replica that took over, so the slots
    fail back. Each time: how long the cluster and the rooms' fan-out took to recover, and
    what the gap fills delivered. Nothing may be lost."""
    cluster = run.cluster
    assert cluster is not None
    run.start_fleet()
    await asyncio.sleep(duration / 4)
    gap_fills_before = _sum_metric(run, "kuulolla_gap_fills_total")
    slots: tuple[int, int] | None = None
    for round_ in (1, 2):
        victim, slug = await _busiest_master(run, cluster, slots)
        slots = (await asyncio.to_thread(cluster.masters))[victim]
        acked = _acked(run)
        killed = time.monotonic()
        await asyncio.to_thread(cluster.kill, victim)
        await asyncio.to_thread(cluster.wait_failover, victim)
        promoted = time.monotonic() - killed
        recovered = await _cross_process_probe(run, timeout=30.0, slug=slug)
        fanout = time.monotonic() - killed
        out.findings[f"failover{round_}_master_port"] = victim
        out.findings[f"failover{round_}_replica_promoted_s"] = round(promoted, 2)
        out.findings[f"failover{round_}_fanout_recovered_s"] = (
            round(fanout, 2) if recovered else None
        )
        out.findings[f"failover{round_}_acked_meanwhile"] = _acked(run) - acked
        if not recovered:
            out.failures.append(f"failover {round_}: fan-out in {slug} did not recover in 30 s")
        if not run.alive():
            out.failures.append(f"failover {round_}: a worker exited")
        if round_ == 1:
            # Back as a replica of the promoted master, so the next kill fails back.
            await asyncio.to_thread(_restart_node, cluster, victim)
        await asyncio.sleep(duration / 4)
    out.findings["gap_fills"] = _sum_metric(run, "kuulolla_gap_fills_total") - gap_fills_before
    out.findings["gap_messages"] = _sum_metric(run, "kuulolla_gap_messages_total")
    out.findings["broker_reconnects"] = _sum_metric(run, "kuulolla_broker_reconnects_total")
    out.findings["publish_failures"] = _sum_metric(run, "kuulolla_broker_publish_failures_total")
    out.findings["delivered"] = sum(len(c.log.received) for c in run.clients)
    # From the clients' own messages' timestamps (the probes' texts carry none).
    latencies = [x for c in run.clients for x in c.log.latencies if x < 3600]
    out.findings["delivery_p50_ms"] = round(percentile(latencies, 50) * 1000, 1)
    out.findings["delivery_p99_ms"] = round(percentile(latencies, 99) * 1000, 1)
    out.findings["delivery_max_s"] = round(max(latencies, default=0.0), 2)
    out.findings["deliveries_over_5s"] = sum(1 for x in latencies if x > 5)
    out.findings["reconnects"] = sum(c.log.connects for c in run.clients) - len(run.clients)
    out.findings["close_codes"] = sorted({code for c in run.clients for code in c.log.close_codes})


def _sum_metric(run: ChaosRun, name: str) -> float:
    return sum(run.metric(s, name) for s in run.servers)


def _acked(run: ChaosRun) -> int:
    return sum(len(c.log.acked) for c in run.clients)


async def _busiest_master(
    run: ChaosRun, cluster: LocalCluster, slots: tuple[int, int] | None
) -> tuple[int, str]:
    """The master serving ``slots`` (by default the one carrying the most of the run's
    room channels), and one of its rooms."""
    from sqlalchemy import select

    from kuulolla.rooms.models import Room

    db = Database.from_url(run.db_url)
    try:
        async with db.read() as conn:
            ids = dict((await conn.execute(select(Room.id, Room.slug))).tuples().all())
    finally:
        await db.dispose()
    by_master: dict[int, list[str]] = {}
    for port in await asyncio.to_thread(cluster.masters):
        for channel in await asyncio.to_thread(cluster.shard_channels, port):
            room_id = channel.rsplit(":", 1)[1]
            if room_id.isdigit() and ids.get(int(room_id)) in run.slugs:
                by_master.setdefault(port, []).append(ids[int(room_id)])
    masters = await asyncio.to_thread(cluster.masters)
    if slots is not None:
        port = next(p for p, served in masters.items() if served == slots)
    else:
        port = max(by_master, key=lambda p: len(by_master[p]))
    return port, sorted(by_master.get(port, run.slugs))[0]


def _restart_node(cluster: LocalCluster, port: int) -> None:
    """Start a killed node again on its port with its cluster file: it rejoins as a
    replica of the master that took its slots, and follows it before this returns."""
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", f"nodes-{port}.conf",
            "--cluster-node-timeout", "1000",
            "--cluster-replica-validity-factor", "0",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(cluster.directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    cluster.procs[port] = proc
    deadline = time.monotonic() + 30
    while "master_link_status:up" not in _cli(port, "INFO", "replication"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis node {port} did not rejoin as a replica")
        time.sleep(0.2)
    cluster.wait_ok()


SCENARIOS: dict[str, tuple[Scenario, dict[str, Any]]] = {
    "churn": (churn, {}),
    "worker-kill": (worker_kill, {}),
    "worker-deploy": (worker_deploy, {}),
    "redis-crash": (redis_crash, {}),
    "pubsub-loss": (pubsub_loss, {}),
    "slow-reader": (
        slow_reader,
        {
            "clients": 40,
            "rooms": 1,
            "slow_clients": 6,
            "send_interval": 0.5,
            "text_size": 1500,
            "env": {
                "KUULOLLA_OUTBOX_LIMIT_BYTES": "131072",
                "KUULOLLA_SOCKET_SEND_BUFFER_BYTES": "32768",
            },
        },
    ),
    "reconnect-storm": (reconnect_storm, {"clients": 60}),
    "database-restart": (database_restart, {"database": "private-postgres"}),
    "sqlite-kill": (sqlite_kill, {"database": "sqlite"}),
    "cluster-failover": (
        cluster_failover,
        {"redis_cluster": True, "clients": 48, "rooms": 12, "send_interval": 0.5},
    ),
}


async def run_scenario(name: str, duration: float, **overrides: Any) -> Outcome:
    scenario, options = SCENARIOS[name]
    options = {**options, **overrides}
    outcome = Outcome(name, Verdict())
    async with ChaosRun(**options) as run:
        await scenario(run, duration, outcome)
        outcome.failures += await run.settle()
        outcome.failures += await run.unready()
        outcome.verdict = await run.verdict()
        if outcome.verdict.acked == 0:
            outcome.failures.append("no message was acknowledged at all")
    return outcome
