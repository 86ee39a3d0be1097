"""scripts/bench/fanout: Kuulolla's fan-out against real peers, in one run.

Each server runs as two processes sharing one Redis (a private redis-server started
for the run), compression off. The same load generator (node loadgen.mjs, a separate
process, loopback only, bounded count and time) drives each. For every server and
scenario it prints delivered messages/s, latency percentiles, lost messages, server
CPU-seconds per 1,000 delivered messages (utime+stime of the server processes from
/proc, over the measurement window: the figure least disturbed by the load generator
sharing the cores) and RSS per 1,000 connections. For Kuulolla it adds, per round,
how long its commits took (its commit-time histogram), and before the runs it times
the disk's own flushes where PostgreSQL keeps its files: every acknowledgement waits
for a flush, so the disk's tail is a floor under Kuulolla's latency tail.

    scripts/bench/fanout                     all scenarios, all servers
    scripts/bench/fanout a b --servers kuulolla,relay --duration 20
    scripts/bench/fanout j --servers kuulolla,relay --baseline /work/wt/main-copy
                                             this checkout and another, interleaved
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
NODE_DIR = HERE / "node"
CLK_TCK = os.sysconf("SC_CLK_TCK")

SCENARIOS: dict[str, dict[str, Any]] = {
    "a": {
        "clients": 1000,
        "rooms": 10,
        "senders_per_room": 2,
        "rate": 5,
        "about": "1,000 clients in 10 rooms, 2 senders per room at 5 msg/s",
    },
    "b": {
        "clients": 2000,
        "rooms": 2,
        "senders_per_room": 2,
        "rate": 5,
        "about": "2,000 clients in 2 rooms, 2 senders per room at 5 msg/s",
    },
    "c": {
        "clients": 1000,
        "rooms": 10,
        "senders_per_room": 0,
        "rate": 0,
        "about": "1,000 idle connections",
    },
    "d": {
        "clients": 1000,
        "rooms": 200,
        "all_send": True,
        "rate": 2,
        "about": "write path: 1,000 clients in 200 rooms of 5, each sending 2 msg/s",
    },
    # Not among the scenarios: each message reaches only its sender, so CPU per
    # 1,000 delivered is the cost of a message itself (receive, screen, commit,
    # publish, acknowledge), the part that separates Kuulolla from the relay in (a).
    # Joining: the time for 1,000 clients to connect, say hello and join (100
    # handshakes in flight at a time), as a ratio to the relay's in the same round.
    "j": {
        "clients": 1000,
        "rooms": 10,
        "senders_per_room": 0,
        "rate": 0,
        "duration": 2.0,
        "about": "joining: 1,000 clients connect and join 10 rooms",
    },
    # A reconnect storm: in the middle of the window every client drops its socket
    # and comes back (500 handshakes in flight) to the other process, resuming with
    # the last sequence it saw while senders keep writing. Reported: the time until
    # all are back (× relay), what was lost, and Kuulolla's history queries per room
    # per process per 100 ms of the storm (from its /metrics).
    "s": {
        "clients": 5000,
        "rooms": 50,
        "senders_per_room": 1,
        "rate": 1,
        "storm": True,
        "about": "reconnect storm: 5,000 clients in 50 rooms drop and resume at once",
    },
    "e": {
        "clients": 200,
        "rooms": 200,
        "all_send": True,
        "rate": 1,
        "about": "per message: 200 clients each alone in a room, each sending 1 msg/s",
    },
}
PEERS = ["kuulolla", "relay", "python-socketio", "node-socketio"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# `kuulolla serve` under cProfile, written out when it stops (uvicorn re-raises the
# SIGTERM it handled once it has shut down, which would end the process first).
PROFILED = """
import cProfile, signal, sys
signal.raise_signal = lambda signum: None
out, sys.argv = sys.argv[1], ["kuulolla", "serve"]
from kuulolla.cli import main
profile = cProfile.Profile()
profile.enable()
try:
    main()
except SystemExit:
    pass
finally:
    profile.disable()
    profile.dump_stats(out)
"""


# `kuulolla serve` with a sampling profiler: every millisecond of the process's CPU time
# (ITIMER_PROF) the Python stack is counted, between SIGUSR1 (the load starts) and
# SIGUSR2 (every client has joined), and the counts are written out as collapsed stacks
# ("frame;frame;frame count" lines). Unlike cProfile it sees where a coroutine's CPU
# goes, not how long it was suspended, and costs little.
SAMPLED = """
import collections, signal, sys
out, sys.argv = sys.argv[1], ["kuulolla", "serve"]
counts = collections.Counter()
def sample(signum, frame):
    stack = []
    while frame is not None:
        code = frame.f_code
        stack.append(f"{code.co_filename.rsplit('/site-packages/', 1)[-1]}:{code.co_name}")
        frame = frame.f_back
    counts[";".join(reversed(stack))] += 1
def start(signum, frame):
    counts.clear()
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
def stop(signum, frame):
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    with open(out, "w") as f:
        for stack, n in counts.most_common():
            f.write(f"{stack} {n}\\n")
signal.signal(signal.SIGPROF, sample)
signal.signal(signal.SIGUSR1, start)
signal.signal(signal.SIGUSR2, stop)
from kuulolla.cli import main
main()
"""


@dataclass
class Servers:
    kind: str
    redis_url: str
    database_url: str = ""
    ports: list[int] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    profile: Path | None = None  # cProfile each Kuulolla process into this directory
    sample: Path | None = None  # sample each Kuulolla process's stacks into this directory
    processes: int = 2
    checkout: Path = ROOT  # Kuulolla's source: this checkout, or --baseline's

    def start(self, workdir: Path) -> None:
        py = sys.executable
        if self.kind == "baseline":
            py = str(self.checkout / ".venv" / "bin" / "python")
        for i in range(self.processes):
            port = free_port()
            log = (workdir / f"{self.kind}-{i}.log").open("ab")
            env = dict(os.environ)
            if self.kind in ("kuulolla", "baseline"):
                env.update(
                    {
                        "KUULOLLA_ENV": "test",
                        "KUULOLLA_SECRET_KEY": "bench-" + "s" * 40,
                        "KUULOLLA_DATABASE_URL": self.database_url,
                        "KUULOLLA_REDIS_URL": self.redis_url,
                        "KUULOLLA_BROKER_PREFIX": "bench",
                        "KUULOLLA_PORT": str(port),
                        "KUULOLLA_LOG_LEVEL": "WARNING",
                        # The load is 5 msg/s per sender; people are limited to 3.
                        "KUULOLLA_SEND_RATE": "20",
                        "KUULOLLA_SEND_BURST": "40",
                        # Load senders repeat themselves and write at once.
                        "KUULOLLA_FLOOD_RULES": "false",
                        # Every load client comes from one address (one network).
                        "KUULOLLA_SOCKETS_PER_NETWORK": "100000",
                        "KUULOLLA_HELLOS_PER_NETWORK": "100000",
                        "KUULOLLA_JOINS_PER_NETWORK": "100000",
                        # 10,000 clients in one process (--processes 1) and the
                        # bench's scrapes of /metrics beside them.
                        "KUULOLLA_MAX_CONNECTIONS": "11000",
                    }
                )
                cmd = [py, "-m", "kuulolla", "serve"]
                if self.profile is not None:
                    out = self.profile / f"kuulolla-{len(self.procs)}.prof"
                    cmd = [py, "-c", PROFILED, str(out)]
                elif self.sample is not None:
                    out = self.sample / f"kuulolla-{len(self.procs)}.stacks"
                    cmd = [py, "-c", SAMPLED, str(out)]
            elif self.kind == "relay":
                cmd = [py, str(HERE / "relay.py"), str(port), self.redis_url]
            elif self.kind == "python-socketio":
                cmd = [py, str(HERE / "sio_server.py"), str(port), self.redis_url]
            else:
                cmd = ["node", str(NODE_DIR / "sio_server.mjs"), str(port), self.redis_url]
            proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.checkout,
                start_new_session=True,
            )
            self.ports.append(port)
            self.procs.append(proc)
        for port in self.ports:
            wait_port(port)

    @property
    def urls(self) -> list[str]:
        path = "/ws" if self.kind in ("kuulolla", "baseline") else "/"
        return [f"ws://127.0.0.1:{p}{path}" for p in self.ports]

    @property
    def protocol(self) -> str:
        return {"kuulolla": "kuulolla", "baseline": "kuulolla", "relay": "relay"}.get(
            self.kind, "sio"
        )

    def signal(self, signum: int) -> None:
        """Start (SIGUSR1) or stop and write (SIGUSR2) the sampling profiler."""
        if self.sample is not None:
            for p in self.procs:
                os.kill(p.pid, signum)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def rss(self) -> float:
        return sum(rss_mib(p.pid) for p in self.procs)

    def counter(self, name: str) -> list[float]:
        """A counter of Kuulolla's /metrics, per process (empty for the peers)."""
        if self.kind not in ("kuulolla", "baseline"):
            return []
        values = []
        for port in self.ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                text = r.read().decode()
            values.append(
                sum(
                    float(line.rsplit(" ", 1)[1])
                    for line in text.splitlines()
                    if line.startswith(name + " ") or line.startswith(name + "{")
                )
            )
        return values

    def commit_buckets(self) -> dict[float, float]:
        """Kuulolla's commit-time histogram (cumulative counts by upper bound in
        seconds), summed over its processes; empty for the peers."""
        if self.kind not in ("kuulolla", "baseline"):
            return {}
        total: dict[float, float] = {}
        for port in self.ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                text = r.read().decode()
            for line in text.splitlines():
                if line.startswith('kuulolla_commit_seconds_bucket{le="'):
                    le = line.split('"')[1]
                    bound = float("inf") if le == "+Inf" else float(le)
                    total[bound] = total.get(bound, 0.0) + float(line.rsplit(" ", 1)[1])
        return total

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def run_load(
    servers: Servers, scenario: dict[str, Any], *, warmup: float, duration: float
) -> dict[str, Any]:
    cfg = {
        "protocol": servers.protocol,
        "urls": servers.urls,
        "clients": scenario["clients"],
        "rooms": scenario["rooms"],
        "senders_per_room": scenario.get("senders_per_room", 0),
        "all_send": scenario.get("all_send", False),
        "rate": scenario["rate"],
        "warmup": warmup,
        "duration": scenario.get("duration", duration),
        "drain": 4,
        "storm": scenario.get("storm", False),
        "storm_concurrency": 500,
    }
    rss_before = servers.rss()
    servers.signal(signal.SIGUSR1)
    cpu_before = servers.cpu()
    cpu_connected = None
    gen = subprocess.Popen(
        ["node", str(NODE_DIR / "loadgen.mjs"), json.dumps(cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=NODE_DIR,
    )
    assert gen.stderr is not None and gen.stdout is not None
    cpu_start = cpu_end = 0.0
    rss_during = 0.0
    t_start = t_end = 0.0
    gen_cpu_start = gen_cpu_end = 0.0
    commits_start: dict[float, float] = {}
    commits_end: dict[float, float] = {}
    history: dict[str, list[float]] = {}
    for line in gen.stderr:
        if line.startswith("CONNECTED"):
            cpu_connected = servers.cpu()
            servers.signal(signal.SIGUSR2)
        elif line.startswith("STORM-START"):
            history["start"] = servers.counter("kuulolla_history_queries_total")
        elif line.startswith("STORM-END"):
            history["end"] = servers.counter("kuulolla_history_queries_total")
        if line.startswith("MEASURE-START"):
            cpu_start, t_start = servers.cpu(), time.monotonic()
            gen_cpu_start = cpu_seconds(gen.pid)
            commits_start = servers.commit_buckets()
        elif line.startswith("MEASURE-END"):
            cpu_end, t_end = servers.cpu(), time.monotonic()
            gen_cpu_end = cpu_seconds(gen.pid)
            rss_during = servers.rss()
            commits_end = servers.commit_buckets()
            break
    out, _err = gen.communicate(timeout=duration + warmup + 600)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    cpu = cpu_end - cpu_start
    delivered = max(1, result["delivered"])
    if cpu_connected is not None and result["connected"]:
        # Server CPU from the first handshake until every client had joined.
        result["cpu_ms_per_join"] = round(
            (cpu_connected - cpu_before) * 1000 / result["connected"], 3
        )
    if history.get("end") and result.get("storm_seconds"):
        # Per process: history queries in the storm over (rooms × 100 ms periods).
        periods = scenario["rooms"] * max(1.0, result["storm_seconds"] / 0.1)
        result["history_queries"] = [
            int(b - a) for a, b in zip(history["start"], history["end"], strict=True)
        ]
        result["history_queries_per_room_per_100ms"] = round(
            max(result["history_queries"]) / periods, 3
        )
    result.update(
        {
            "server_cpu_seconds": round(cpu, 3),
            "server_cores_busy": round(cpu / max(1e-9, t_end - t_start), 3),
            "cpu_s_per_1000_delivered": round(cpu / (delivered / 1000), 4)
            if result["delivered"]
            else None,
            "loadgen_cores_busy": round(
                (gen_cpu_end - gen_cpu_start) / max(1e-9, t_end - t_start), 3
            ),
            "commits": commit_figures(commits_start, commits_end),
            "rss_mib_before": round(rss_before, 1),
            "rss_mib_during": round(rss_during, 1),
            "rss_mib_per_1000_connections": round(
                (rss_during - rss_before) / (result["connected"] / 1000), 2
            )
            if result["connected"]
            else None,
        }
    )
    return result


SLOW_COMMIT = 0.025  # seconds: a bucket bound of kuulolla_commit_seconds


def commit_figures(start: dict[float, float], end: dict[float, float]) -> dict[str, Any] | None:
    """Commits in the window from two scrapes of the cumulative histogram: how many,
    the bucket bound under which 99 % finished, the slowest bucket, and how many took
    longer than SLOW_COMMIT. The tail of every acknowledgement is the commit's tail."""
    if not end:
        return None
    bounds = sorted(end)
    cumulative = [end[b] - start.get(b, 0.0) for b in bounds]
    count = cumulative[-1]
    if count <= 0:
        return {"count": 0}
    p99 = next(b for b, c in zip(bounds, cumulative, strict=True) if c >= 0.99 * count)
    slowest = next(b for b, c in zip(bounds, cumulative, strict=True) if c >= count)
    below_slow = dict(zip(bounds, cumulative, strict=True)).get(SLOW_COMMIT, count)
    return {
        "count": int(count),
        "p99_ms_at_most": p99 * 1000,
        "slowest_ms_at_most": slowest * 1000,
        "over_25_ms": int(count - below_slow),
    }


class Redis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        binary = shutil.which("redis-server") or "redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def plain_url(self) -> str:
        return self.url

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


class ClusterRedis:
    """A local Redis Cluster (three masters, three replicas) for --cluster: Kuulolla
    uses it as a cluster (sharded pub/sub); the peers use one of its nodes, whose
    classic PUBLISH the cluster carries to every node."""

    def __init__(self, directory: Path) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.redis_cluster import LocalCluster

        directory.mkdir(parents=True, exist_ok=True)
        self.cluster = LocalCluster(directory)
        self.cluster.start()

    @property
    def url(self) -> str:
        return self.cluster.url

    @property
    def plain_url(self) -> str:
        return self.cluster.url.split("?", 1)[0]

    def stop(self) -> None:
        self.cluster.stop()


POSTGRES_URL = os.environ.get(
    "KUULOLLA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def postgres(url: str, sql: str) -> Any:
    """Run one statement on the database of ``url`` (a SQLAlchemy URL); returns the
    first value of its first row, if any."""
    import asyncpg

    async def run() -> Any:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    return asyncio.run(run())


def prepare_database(kind: str, workdir: Path, rooms: int) -> tuple[str, Any]:
    """A migrated database with the bench rooms; returns its URL and a cleanup."""
    from kuulolla.accounts.organisations import do_create_organisation
    from kuulolla.core.clock import utcnow
    from kuulolla.core.db import Database
    from kuulolla.migrations import upgrade
    from kuulolla.rooms import service

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        cleanup = None
    else:
        name = f"kuulolla_bench_{os.getpid()}_{int(time.time())}"
        postgres(POSTGRES_URL, f'CREATE DATABASE "{name}"')
        url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
        cleanup = lambda: postgres(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: E731
    upgrade(url)

    async def seed() -> None:
        db = Database.from_url(url)
        now = utcnow()
        await do_create_organisation(db, slug="bench", name="Bench ry", now=now)
        for i in range(rooms):
            await service.do_create_room(
                db,
                organisation="bench",
                slug=f"bench-{i}",
                names={"fi": f"Huone {i}"},
                history_limit=0,
                now=now,
            )
        await db.dispose()

    asyncio.run(seed())
    if kind != "sqlite":
        # The new database's pages are still dirty in PostgreSQL's buffers; written out
        # by a checkpoint inside the window, they would compete with the commits'
        # flushes. A superuser's CHECKPOINT writes them now (others skip it).
        import asyncpg

        with contextlib.suppress(asyncpg.PostgresError):
            postgres(url, "CHECKPOINT")
    return url, cleanup


def postgres_data_directory() -> Path | None:
    """Where the PostgreSQL server keeps its files (and WAL), when it says so."""
    try:
        path = Path(str(postgres(POSTGRES_URL, "SHOW data_directory")))
    except Exception:
        return None
    return path if path.is_dir() and os.access(path, os.W_OK) else None


def disk_flush_probe(directory: Path, seconds: float = 10.0) -> dict[str, Any]:
    """Write 8 KiB and fdatasync it every 10 ms, as a commit flushes the WAL: the
    disk's own tail, which every durable commit (and so every acknowledgement) shares."""
    path = directory / f".kuulolla-flush-probe-{os.getpid()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    times: list[float] = []
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.pwrite(fd, b"x" * 8192, (len(times) % 64) * 8192)
            started = time.perf_counter()
            os.fdatasync(fd)
            times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    ordered = sorted(times)
    n = len(ordered)
    return {
        "directory": str(directory),
        "flushes": n,
        "p50_ms": ordered[n // 2],
        "p99_ms": ordered[int(n * 0.99)],
        "p999_ms": ordered[min(n - 1, int(n * 0.999))],
        "max_ms": ordered[-1],
        "over_25_ms": sum(1 for t in times if t > 25),
    }


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench/fanout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help=", ".join(SCENARIOS) + " (default: all)",
    )
    parser.add_argument(
        "--servers", default=",".join(PEERS), help="comma-separated: " + ", ".join(PEERS)
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds per scenario; medians are reported",
    )
    parser.add_argument(
        "--databases",
        default=None,
        help="comma-separated, sqlite and/or postgresql: Kuulolla's databases in every "
        "scenario (default: d on both, the others on PostgreSQL as in production)",
    )
    parser.add_argument(
        "--disk-probe",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time the disk's flushes first, where PostgreSQL keeps its files (0: skip)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        help="clients in every chosen scenario instead of its own count (c at 10,000: "
        "`c --clients 10000`)",
    )
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="a local Redis Cluster of three masters and three replicas instead of one "
        "Redis: Kuulolla on sharded pub/sub, the peers on one of its nodes",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also run Kuulolla from another checkout (a git worktree with its own .venv) "
        "as the server `baseline`, in the same rounds: before and after a change, "
        "interleaved",
    )
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run Kuulolla's processes under cProfile, one file each in DIR (the last "
        "round's), and print the functions with the most cumulative time",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="server processes of each server (2; 1 puts every connection in one process: "
        "`c --clients 10000 --processes 1`)",
    )
    parser.add_argument(
        "--sample",
        type=Path,
        metavar="DIR",
        help="sample Kuulolla's processes' Python stacks every millisecond of CPU from "
        "the first handshake until every client has joined (the last round's), write "
        "them to DIR as collapsed stacks and print where the CPU went",
    )
    args = parser.parse_args()
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}: choose from {', '.join(SCENARIOS)}")
    args.scenarios = args.scenarios or list(SCENARIOS)
    databases = [d for d in (args.databases or "").split(",") if d]
    if args.databases is not None and (
        not databases or any(d not in ("sqlite", "postgresql") for d in databases)
    ):
        parser.error("--databases: choose from sqlite, postgresql")
    peers = [p for p in args.servers.split(",") if p]
    if args.baseline:
        if not (args.baseline / ".venv" / "bin" / "python").exists():
            parser.error("--baseline: DIR needs its own .venv (run scripts/test there once)")
        peers.insert(peers.index("kuulolla") + 1 if "kuulolla" in peers else 0, "baseline")
    if "node-socketio" in peers and not (NODE_DIR / "node_modules" / "socket.io").exists():
        print(
            "node-socketio skipped: run `npm install` in scripts/bench/fanout_lib/node",
            file=sys.stderr,
        )
        peers.remove("node-socketio")

    workdir = Path(tempfile.mkdtemp(prefix="kuulolla-bench-"))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    if args.sample:
        args.sample.mkdir(parents=True, exist_ok=True)
    disk: dict[str, Any] | None = None
    if args.disk_probe and "kuulolla" in peers + (["kuulolla"] if "d" in args.scenarios else []):
        disk = disk_flush_probe(postgres_data_directory() or workdir, args.disk_probe)
        print(json.dumps({"disk_flush_probe": disk}), file=sys.stderr, flush=True)
    redis: Redis | ClusterRedis = (
        ClusterRedis(workdir / "cluster") if args.cluster else Redis(workdir)
    )
    results: list[dict[str, Any]] = []
    try:
        for name in args.scenarios:
            scenario = SCENARIOS[name]
            if args.clients:
                scenario = {**scenario, "clients": args.clients}
            chosen = databases or (["sqlite", "postgresql"] if name == "d" else ["postgresql"])
            runs = (
                [("kuulolla", database) for database in chosen]
                if name == "d"
                else [
                    (p, database)
                    for p in peers
                    for database in (chosen if p in ("kuulolla", "baseline") else ["postgresql"])
                ]
            )
            # Rounds alternate the servers, so slow drifts of the machine hit all alike.
            for round_no in range(args.rounds):
                for peer, database in runs:
                    url, cleanup = ("", None)
                    kuulolla = peer in ("kuulolla", "baseline")
                    if kuulolla:
                        url, cleanup = prepare_database(database, workdir, scenario["rooms"])
                    servers = Servers(
                        peer,
                        redis.url if kuulolla else redis.plain_url,
                        url,
                        profile=args.profile if peer == "kuulolla" else None,
                        sample=args.sample if peer == "kuulolla" else None,
                        processes=args.processes,
                        checkout=args.baseline if peer == "baseline" else ROOT,
                    )
                    try:
                        servers.start(workdir)
                        time.sleep(1.0)
                        result = run_load(
                            servers, scenario, warmup=args.warmup, duration=args.duration
                        )
                    finally:
                        servers.stop()
                        if cleanup:
                            cleanup()
                        if database == "sqlite":
                            for f in workdir.glob("bench.sqlite3*"):
                                f.unlink()
                    result.update(
                        {
                            "scenario": name,
                            "server": peer,
                            "database": database if kuulolla else None,
                            "round": round_no,
                        }
                    )
                    results.append(result)
                    print(json.dumps(result), file=sys.stderr, flush=True)
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    report(results, disk)
    if args.profile:
        import pstats

        files = [str(f) for f in sorted(args.profile.glob("kuulolla-*.prof"))]
        if files:
            pstats.Stats(*files).sort_stats("cumulative").print_stats(45)
            pstats.Stats(*files).sort_stats("tottime").print_stats(30)
    if args.sample:
        print_samples(sorted(args.sample.glob("kuulolla-*.stacks")))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def print_samples(files: list[Path], top: int = 40) -> None:
    """Where the sampled CPU went: functions by their own samples and by the samples
    they were on the stack for (each counted once per stack)."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            count = int(n)
            frames = stack.split(";")
            total += count
            own[frames[-1]] = own.get(frames[-1], 0) + count
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + count
    if not total:
        return
    for title, table in (("own", own), ("on the stack", inclusive)):
        print(f"\nsampled CPU, {total} samples of 1 ms; by {title}:")
        for frame, count in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            print(f"{100 * count / total:6.1f} %  {frame}")


def median(given: Iterable[float | None]) -> float | None:
    values = sorted(v for v in given if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over a server's rounds (lost and errors: the total)."""
    first = rows[0]
    return {
        "server": first["server"],
        "database": first.get("database"),
        "rounds": len(rows),
        "connected": min(r["connected"] for r in rows),
        "delivered_per_second": median([r["delivered_per_second"] for r in rows]),
        "sent_per_second": median([r["sent_per_second"] for r in rows]),
        "p50": median([r["latency_ms"]["p50"] for r in rows]),
        "p95": median([r["latency_ms"]["p95"] for r in rows]),
        "p99": median([r["latency_ms"]["p99"] for r in rows]),
        "ack_p99": median([r["ack_latency_ms"]["p99"] for r in rows]),
        "lost": sum(r["lost"] for r in rows),
        "errors": sum(r["errors"] for r in rows),
        "cpu": median([r["cpu_s_per_1000_delivered"] for r in rows]),
        "cpu_all": [r["cpu_s_per_1000_delivered"] for r in rows],
        "rss": median([r["rss_mib_per_1000_connections"] for r in rows]),
        "idle": median([r["server_cores_busy"] for r in rows]),
        "commits": [r.get("commits") for r in rows if r.get("commits")],
        "connect_seconds": median([r["connect_seconds"] for r in rows]),
        "phases": {
            phase: {
                q: median(
                    [r["phases_ms"][phase][q] for r in rows if phase in r.get("phases_ms", {})]
                )
                for q in ("p50", "p90")
            }
            for phase in ("handshake", "hello", "join")
            if any(phase in r.get("phases_ms", {}) for r in rows)
        },
        "cpu_ms_per_join": median([r.get("cpu_ms_per_join") for r in rows]),
        "storm_seconds": median([r.get("storm_seconds") for r in rows]),
        "storm_failures": sum(r.get("storm_failures") or 0 for r in rows),
        "in_doubt": sum(r.get("in_doubt") or 0 for r in rows),
        "duplicates": sum(r.get("duplicates") or 0 for r in rows),
        "history_rate": max(
            (r["history_queries_per_room_per_100ms"] for r in rows if "history_queries" in r),
            default=None,
        ),
        "history_queries": [r["history_queries"] for r in rows if "history_queries" in r],
    }


def paired_ratios(
    groups: dict[tuple[str, Any], list[dict[str, Any]]],
    s: dict[str, Any],
    relay: dict[str, Any] | None,
) -> list[tuple[float | None, float | None]]:
    """CPU per 1,000 delivered and p99 of each round of ``s`` over the relay's in the
    same round (empty for the relay itself, or without one)."""
    if relay is None or s is relay:
        return []
    mine = {r["round"]: r for r in groups[(s["server"], s.get("database"))]}
    theirs = {r["round"]: r for r in groups[(relay["server"], relay.get("database"))]}
    return [
        (
            ratio(a["cpu_s_per_1000_delivered"], b["cpu_s_per_1000_delivered"]),
            ratio(a["latency_ms"]["p99"], b["latency_ms"]["p99"]),
        )
        for a, b in ((mine[n], theirs[n]) for n in sorted(mine.keys() & theirs.keys()))
    ]


def ratio(value: float | None, base: float | None) -> float | None:
    """``value`` over ``base``, or None when either is missing or zero."""
    return value / base if value and base else None


def report(results: list[dict[str, Any]], disk: dict[str, Any] | None = None) -> None:
    print(
        f"\nscripts/bench/fanout — {time.strftime('%Y-%m-%d')} — {os.cpu_count()} cores — medians over rounds\n"
    )
    if disk:
        print(
            f"disk flush (fdatasync of 8 KiB in {disk['directory']}, every 10 ms): "
            f"{disk['flushes']} flushes, p50 {fmt(disk['p50_ms'], 2)} ms, p99 {fmt(disk['p99_ms'], 2)} ms, "
            f"p99.9 {fmt(disk['p999_ms'])} ms, max {fmt(disk['max_ms'])} ms, {disk['over_25_ms']} over 25 ms\n"
        )
    for name in SCENARIOS:
        rows = [r for r in results if r["scenario"] == name]
        if not rows:
            continue
        groups: dict[tuple[str, Any], list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault((r["server"], r.get("database")), []).append(r)
        summary = [summarise(g) for g in groups.values()]
        relay = next((s for s in summary if s["server"] == "relay"), None)
        about = SCENARIOS[name]["about"]
        if rows[0]["clients"] != SCENARIOS[name]["clients"]:
            about += f" (run with {rows[0]['clients']:,} clients)"
        print(f"({name}) {about}")
        print(
            f"{'server':<24}{'conn':>6}{'deliv/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'lost':>7}"
            f"{'CPU s/1k':>10}{'× relay':>9}{'p99 ×':>7}{'RSS/1k conn':>13}{'cores':>8}"
        )
        for s in summary:
            label = s["server"] + (f" ({s['database']})" if s.get("database") else "")
            cpu_ratio = ratio(s["cpu"], relay["cpu"]) if relay else None
            lat_ratio = ratio(s["p99"], relay["p99"]) if relay else None
            print(
                f"{label:<24}{s['connected']:>6}{fmt(s['delivered_per_second'], 0):>10}{fmt(s['p50']):>9}{fmt(s['p95']):>9}"
                f"{fmt(s['p99']):>9}{s['lost']:>7}{fmt(s['cpu'], 4):>10}{fmt(cpu_ratio, 2):>9}{fmt(lat_ratio, 2):>7}"
                f"{fmt(s['rss']):>13}{fmt(s['idle'], 3):>8}"
            )
            if name in ("j", "s"):
                key = "connect_seconds" if name == "j" else "storm_seconds"
                mine = {r["round"]: r for r in groups[(s["server"], s.get("database"))]}
                theirs = (
                    {r["round"]: r for r in groups[(relay["server"], relay.get("database"))]}
                    if relay
                    else {}
                )
                per_round = [
                    ratio(mine[n].get(key), theirs[n].get(key))
                    for n in sorted(mine.keys() & theirs.keys())
                ]
                what = "connect and join" if name == "j" else "storm (all back in)"
                print(
                    f"{'':<24}{what}: {fmt(s[key], 2)} s, server CPU "
                    f"{fmt(s['cpu_ms_per_join'], 2)} ms per join"
                    + (
                        f"; per round × relay {', '.join(fmt(x, 2) for x in per_round)}"
                        f" (median {fmt(median(per_round), 2)})"
                        if per_round and s is not relay
                        else ""
                    )
                )
                if name == "j" and s["phases"]:
                    print(
                        f"{'':<24}each client, ms (p50/p90, median of rounds): "
                        + "; ".join(
                            f"{phase} {fmt(q['p50'])}/{fmt(q['p90'])}"
                            for phase, q in s["phases"].items()
                        )
                    )
                if name == "s":
                    print(
                        f"{'':<24}failed to come back {s['storm_failures']}, in doubt {s['in_doubt']}, "
                        f"duplicates {s['duplicates']}"
                        + (
                            f", history queries per process {s['history_queries']}: at most "
                            f"{fmt(s['history_rate'], 3)} per room per process per 100 ms"
                            if s["history_queries"]
                            else ""
                        )
                    )
            if name == "d":
                print(
                    f"{'':<24}accepted {fmt(s['sent_per_second'], 0)}/s, ack p99 {fmt(s['ack_p99'])} ms, errors {s['errors']}"
                )
            paired = paired_ratios(groups, s, relay)
            if paired and s["delivered_per_second"]:
                # Each round's own ratio: the servers of a round ran minutes apart, so a
                # drift of the machine between rounds cancels out of these.
                print(
                    f"{'':<24}per round × relay: CPU "
                    + ", ".join(fmt(c, 2) for c, _ in paired)
                    + f" (median {fmt(median([c for c, _ in paired]), 2)}); p99 "
                    + ", ".join(fmt(p, 2) for _, p in paired)
                    + f" (median {fmt(median([p for _, p in paired]), 2)})"
                )
            commits = [c for c in s["commits"] if c.get("count")]
            if commits:
                # Per round: a slow flush to disk shows in p99 here before anywhere else.
                print(
                    f"{'':<24}commits per round: "
                    + "; ".join(
                        f"{c['count']}, p99 ≤ {fmt(c['p99_ms_at_most'])} ms, slowest ≤ "
                        f"{fmt(c['slowest_ms_at_most'])} ms, {c['over_25_ms']} over 25 ms"
                        for c in commits
                    )
                )
        print()


if __name__ == "__main__":
    sys.exit(main())
