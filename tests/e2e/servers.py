"""Real server processes for end-to-end tests: `python -m kuulolla serve` on free ports.

They log as in production, whatever the environment of the test run says: JSON lines at
the production level, each process to a file of its own. During the end-to-end run the
files are in the session's folder and the address scan reads them at the end
(tests/e2e/addresses.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kuulolla.core.settings import Settings
from tests.conftest import TEST_SECRET
from tests.e2e import addresses
from tests.ports import free_port

# Production logging (the Settings defaults); a test cannot ask for other logging.
PRODUCTION_LOGGING = {
    "KUULOLLA_LOG_FORMAT": Settings().log_format,
    "KUULOLLA_LOG_LEVEL": Settings().log_level,
}


@dataclass
class ServerProcess:
    """One `kuulolla serve` process. Its output goes to ``log_path``, or during the
    end-to-end run to a file of that name in the session's folder."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        if addresses.ARTIFACTS is not None:
            self.log_path = addresses.ARTIFACTS.log_file(self.log_path.name)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, *args: str, wait: bool = True) -> ServerProcess:
        env = {
            **os.environ,
            **self.env,
            "KUULOLLA_PORT": str(self.port),
            "KUULOLLA_HOST": "127.0.0.1",
            **PRODUCTION_LOGGING,
        }
        if addresses.ARTIFACTS is not None:
            addresses.ARTIFACTS.server_started(env)
        previous = getattr(self, "log", None)
        if previous is not None and not previous.closed:
            previous.close()  # a restart after a kill
        self.log = self.log_path.open("ab")
        self.log_start = self.log.tell()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kuulolla", "serve", *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}: {self.output()[-2000:]}"
                )
            # Ready once this process says it listens on its port (until then, a
            # server of another process on that port could answer), and answers.
            if not self.listening():
                time.sleep(0.1)
                continue
            try:
                with urllib.request.urlopen(self.http + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not become ready: " + self.output()[-2000:])

    def listening(self) -> bool:
        """Whether this start's log has uvicorn's line naming this server's port."""
        if not self.log_path.exists():
            return False
        with self.log_path.open("rb") as f:
            f.seek(getattr(self, "log_start", 0))
            written = f.read().decode("utf-8", "replace")
        return f"{addresses.BIND_LINE}http://127.0.0.1:{self.port} " in written

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def start_all(servers: Sequence[ServerProcess]) -> None:
    """Start the processes side by side and wait until every one is ready (each spends
    its start-up importing and connecting; one after another, a pair took twice as long)."""
    for server in servers:
        server.start(wait=False)
    for server in servers:
        server.wait_ready()


def stop_all(servers: Sequence[ServerProcess]) -> None:
    """Stop the processes side by side (each may take a moment to close its sockets)."""
    if len(servers) < 2:
        for server in servers:
            server.stop()
        return
    with ThreadPoolExecutor(len(servers)) as pool:
        for done in [pool.submit(server.stop) for server in servers]:
            done.result()


# Every test client connects from 127.0.0.1, one network to the server: the limits per
# network and per socket are raised out of the way (tests/security tests them, with
# ``people_limits=True``).
LOAD_LIMITS = {
    "KUULOLLA_SOCKETS_PER_NETWORK": "100000",
    "KUULOLLA_HELLOS_PER_NETWORK": "100000",
    "KUULOLLA_JOINS_PER_SOCKET": "100000",
    "KUULOLLA_JOINS_PER_NETWORK": "100000",
    "KUULOLLA_MODERATOR_MESSAGES_PER_SOCKET": "100000",
    "KUULOLLA_MODERATOR_MESSAGES_PER_NETWORK": "100000",
    "KUULOLLA_QUEUE_ENTRIES_PER_TOKEN": "100000",
    "KUULOLLA_QUEUE_ENTRIES_PER_NETWORK": "100000",
    "KUULOLLA_QUESTIONS_PER_NETWORK": "100000",
}


def server_env(
    database_url: str,
    *,
    redis_url: str = "",
    prefix: str = "kuulolla",
    people_limits: bool = False,
    **extra: str,
) -> dict[str, str]:
    env = {
        "KUULOLLA_ENV": "test",
        "KUULOLLA_SECRET_KEY": TEST_SECRET,
        "KUULOLLA_DATABASE_URL": database_url,
        "KUULOLLA_REDIS_URL": redis_url,
        "KUULOLLA_BROKER_PREFIX": prefix,
        "KUULOLLA_QUICK_EXIT_URL": "about:blank",
        # Test clients send faster than people; the limit itself has tests of its own.
        "KUULOLLA_SEND_BURST": "1000",
        "KUULOLLA_FLOOD_RULES": "false",
        **({} if people_limits else LOAD_LIMITS),
    }
    env.update(extra)
    return env
