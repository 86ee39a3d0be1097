"""deploy/nginx.conf run for real in front of test servers.

The shipped configuration is used as it is, with only what ties it to docker-compose
replaced: the upstream servers (the test servers' ports), the listening address, and
where nginx keeps its pid, logs and temporary files (a folder of the test's own).
Debian's ``nginx`` package provides the binary (requirements/debian.txt).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import unavailable
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        unavailable("nginx (Debian package nginx)")
    assert found is not None
    return found


def adapted(config: str, *, upstreams: Sequence[int], port: int, folder: Path) -> str:
    """The shipped configuration pointed at local servers and files of the test's own."""
    servers = "".join(
        f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;\n" for p in upstreams
    )
    out, count = re.subn(r"(?m)^\s*server app\d+:8000[^;]*;\n", "", config)
    assert count >= 1, "the upstream block of deploy/nginx.conf changed shape"
    out = out.replace("    upstream kuulolla {\n", "    upstream kuulolla {\n" + servers, 1)
    out, count = re.subn(r"(?m)^(\s*)listen 80;", rf"\1listen 127.0.0.1:{port};", out)
    assert count == 1, "the listen line of deploy/nginx.conf changed shape"
    out = out.replace("error_log /dev/stderr warn;", f"error_log {folder}/error.log warn;")
    temp = "".join(
        f"    {name}_temp_path {folder}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    out = out.replace("http {\n", "http {\n" + temp, 1)
    return f"pid {folder}/nginx.pid;\n" + out


@dataclass
class Balancer:
    folder: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, upstreams: Sequence[int]) -> Balancer:
        binary = nginx_binary()
        self.folder.mkdir(parents=True, exist_ok=True)
        # Workers run as "nobody" when nginx starts as root; they must reach the folder.
        self.folder.chmod(0o777)
        path = self.folder / "nginx.conf"
        path.write_text(
            adapted(CONFIG.read_text(), upstreams=upstreams, port=self.port, folder=self.folder)
        )
        self.proc = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.folder),
                "-c",
                str(path),
                "-e",
                str(self.folder / "error.log"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.errors())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start: " + self.errors())

    def errors(self) -> str:
        log = self.folder / "error.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_balancer(folder: Path, upstreams: Sequence[int]) -> Balancer:
    return Balancer(folder, free_port()).start(upstreams)
