"""A real local Redis Cluster for tests: three masters and three replicas of Debian's
``redis-server`` on loopback ports, made with ``redis-cli --cluster create``."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from redis.crc import key_slot

from tests.ports import free_port


def _cli(port: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=10
    ).stdout


@dataclass
class LocalCluster:
    directory: Path
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        port = next(p for p, proc in self.procs.items() if proc.poll() is None)
        return f"redis://127.0.0.1:{port}/0?cluster=yes"

    def start(self, nodes: int = 6) -> None:
        while len(self.procs) < nodes:
            port = free_port()
            proc = subprocess.Popen(
                [
                    "redis-server",
                    "--port", str(port),
                    "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", f"nodes-{port}.conf",
                    "--cluster-node-timeout", "1000",
                    # A replica takes over however long ago it last heard its master.
                    "--cluster-replica-validity-factor", "0",
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", str(self.directory),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            # A port taken meanwhile ends the server at once: another port then.
            self._wait(lambda p=proc, n=port: p.poll() is not None or "PONG" in _cli(n, "PING"), 30)
            if proc.poll() is None:
                self.procs[port] = proc
        subprocess.run(
            ["redis-cli", "--cluster", "create"]
            + [f"127.0.0.1:{p}" for p in self.procs]
            + ["--cluster-replicas", "1", "--cluster-yes"],
            capture_output=True,
            check=True,
            timeout=60,
        )
        self.wait_ok()
        # Replicas take over only once they have followed their masters.
        for port in self.procs:
            self._wait(
                lambda n=port: (
                    "role:master" in (info := _cli(n, "INFO", "replication"))
                    or "master_link_status:up" in info
                ),
                within=30,
            )

    def wait_ok(self) -> None:
        """Until every live node says the cluster is whole and three masters serve it."""

        def ok() -> bool:
            live = [p for p, proc in self.procs.items() if proc.poll() is None]
            return all("cluster_state:ok" in _cli(p, "CLUSTER", "INFO") for p in live) and (
                len(self.masters()) == 3
            )

        self._wait(ok, within=30)

    def wait_failover(self, killed: int) -> None:
        """Until a replica serves the slots of the killed master ``killed``."""
        self._wait(lambda: killed not in self.masters(), within=30)
        self.wait_ok()

    def masters(self) -> dict[int, tuple[int, int]]:
        """Live masters serving slots: port -> (first slot, last slot) of a range."""
        live = [p for p, proc in self.procs.items() if proc.poll() is None]
        out: dict[int, tuple[int, int]] = {}
        for line in _cli(live[0], "CLUSTER", "NODES").splitlines():
            parts = line.split()
            if len(parts) > 8 and "master" in parts[2] and "fail" not in parts[2]:
                port = int(parts[1].split("@")[0].rsplit(":", 1)[1])
                start, _, end = parts[8].partition("-")
                out[port] = (int(start), int(end or start))
        return out

    def master_of(self, channel: str) -> int:
        slot = key_slot(channel.encode())
        return next(p for p, (a, b) in self.masters().items() if a <= slot <= b)

    def kill(self, port: int) -> None:
        self.procs[port].kill()
        self.procs[port].wait()

    def shard_channels(self, port: int) -> set[str]:
        return set(_cli(port, "PUBSUB", "SHARDCHANNELS").split())

    def channels(self, port: int) -> set[str]:
        return set(_cli(port, "PUBSUB", "CHANNELS").split())

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    @staticmethod
    def _wait(predicate: object, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not predicate():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise RuntimeError("the local Redis Cluster did not come up")
            time.sleep(0.1)


def cluster_available() -> bool:
    return bool(shutil.which("redis-server") and shutil.which("redis-cli"))


@contextmanager
def local_cluster(directory: Path) -> Iterator[LocalCluster]:
    cluster = LocalCluster(directory)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
