"""Requests are bounded before anything parses them (issue 26, reproductions 3 and 8).

A review raised a process from 178 to 320 MiB with one 150 MiB form, had 300 MiB of
multipart spooled to disk and got a 200 for a 150 MiB chunked JSON body; it held 3,000
connections that never sent a request (3,028 descriptors). These tests speak raw
HTTP to a live server whose limits are set short, and check that it answers before
the body is sent, closes what stays silent and takes no more connections than its cap.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kuulolla.core.settings import Settings
from tests.accounts.helpers import anonymous_headers
from tests.conftest import make_settings
from tests.e2e.servers import ServerProcess, server_env
from tests.security.conftest import seed_staff

pytestmark = pytest.mark.e2e

HEADER_TIMEOUT = 1.0
MAX_CONNECTIONS = 40


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[ServerProcess]:
    from tests.conftest import make_database_url

    folder = tmp_path_factory.mktemp("requests")
    url, _ = make_database_url("sqlite", folder, sqlite_template, None)
    seed_staff(url, make_settings(url))
    env = server_env(
        url,
        KUULOLLA_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        KUULOLLA_BODY_TIMEOUT="2",
        KUULOLLA_MAX_CONNECTIONS=str(MAX_CONNECTIONS),
    )
    process = ServerProcess(env, folder / "server.log")
    try:
        yield process.start()
    finally:
        process.stop()


def connect(server: ServerProcess, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def response_of(sock: socket.socket) -> bytes:
    """What the server wrote until it closed or paused (empty: closed without a word)."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and b"connection: close" not in data.lower():
                break
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def status_of(data: bytes) -> int | None:
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None


def send_partly(sock: socket.socket, head: bytes, body: bytes) -> bool:
    """Send the head and as much of ``body`` as the server takes; False when it stopped
    taking it (answered and closed)."""
    sock.sendall(head)
    try:
        for i in range(0, len(body), 65536):
            sock.sendall(body[i : i + 65536])
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        return False
    return True


def head(path: str, content_type: str, **extra: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_form_declared_too_large_is_refused_before_it_is_read(server: ServerProcess) -> None:
    """A form whose Content-Length says 150 MiB gets 413 at once, its body unread."""
    with connect(server) as sock:
        sock.sendall(
            head(
                "/sign-in",
                "application/x-www-form-urlencoded",
                Content_Length=str(150 * 1024 * 1024),
            )
            + b"username="
            + b"a" * 65536
        )
        data = response_of(sock)
    assert status_of(data) == 413
    assert b"connection: close" in data.lower()


def test_a_chunked_json_body_is_counted_as_it_comes(server: ServerProcess) -> None:
    """A chunked JSON body is refused as soon as it passes 16 KiB, without its end."""
    chunk = b'{"text": "' + b"x" * 8000
    with connect(server) as sock:
        sock.sendall(
            head("/questions/similar", "application/json", Transfer_Encoding="chunked")
            + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4))
        )
        data = response_of(sock)  # the last chunk (0) is never sent
    assert status_of(data) == 413
    assert b'"code":"too_large"' in data.replace(b" ", b"")


def test_a_small_chunked_json_body_is_served(server: ServerProcess) -> None:
    """Under the limit a chunked body reaches the route as ever."""
    body = b'{"text": "parisuhde"}'
    cookie, token = anonymous_headers(make_settings(""))
    with connect(server) as sock:
        sock.sendall(
            head(
                "/questions/similar",
                "application/json",
                Transfer_Encoding="chunked",
                Connection="close",
                Cookie=cookie["cookie"],
                X_CSRF_Token=token,
            )
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        )
        data = response_of(sock)
    assert status_of(data) == 200 and b'"results"' in data


def test_multipart_is_refused_without_spooling(server: ServerProcess) -> None:
    """No page uploads files: multipart is refused at once, before a byte is spooled."""
    boundary = "raja"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    with connect(server) as sock:
        send_partly(
            sock,
            head(
                "/sign-in",
                f"multipart/form-data; boundary={boundary}",
                Content_Length=str(300 * 1024 * 1024),
            ),
            part + b"\0" * (4 * 1024 * 1024),
        )
        data = response_of(sock)
    assert status_of(data) == 415


def test_a_body_sent_a_byte_at_a_time_times_out(server: ServerProcess) -> None:
    """A body that trickles is cut off after the body timeout with 408."""
    with connect(server, timeout=10) as sock:
        sock.sendall(head("/sign-in", "application/x-www-form-urlencoded", Content_Length="100"))
        started = time.monotonic()
        data = b""
        for _ in range(40):
            try:
                sock.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.1)
            sock.setblocking(False)
            try:
                data += sock.recv(65536)
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
            if data:
                break
        data += response_of(sock)
    assert status_of(data) == 408
    assert time.monotonic() - started < 3.5


def open_fds(server: ServerProcess) -> int:
    assert server.proc is not None
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server ends the connection (EOF or reset) within ``within`` seconds,
    having written nothing."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_silent_and_slow_connections_are_closed(server: ServerProcess) -> None:
    """Connections that send nothing, or their headers a byte at a time, are closed by
    the server after the header timeout and give their descriptors back."""
    before = open_fds(server)
    silent = [connect(server) for _ in range(20)]
    slow = connect(server)
    time.sleep(0.3)
    assert open_fds(server) >= before + 20
    started = time.monotonic()
    try:
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100:
            slow.sendall(bytes([byte]))
            time.sleep(0.1)
            if time.monotonic() - started > HEADER_TIMEOUT + 1:
                break
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert closed_by_server(slow, 2.0)
    assert all(closed_by_server(sock, 2.0) for sock in silent)
    deadline = time.monotonic() + 3
    while open_fds(server) > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_fds(server) <= before  # while the clients still hold their ends
    for sock in [*silent, slow]:
        sock.close()


def test_headers_past_the_size_cap_are_refused(server: ServerProcess) -> None:
    """Headers larger than 32 KiB get 431 and the connection ends."""
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        data = response_of(sock)
    assert status_of(data) == 431


def test_connections_past_the_cap_are_closed_at_once(server: ServerProcess) -> None:
    """Over the per-process cap a new connection is closed before anything is read;
    once others close, connections are taken again."""
    held = [connect(server) for _ in range(MAX_CONNECTIONS)]
    time.sleep(0.2)
    extra = connect(server)
    assert closed_by_server(extra, 2.0)
    extra.close()
    for sock in held:
        sock.close()
    time.sleep(0.3)
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert status_of(response_of(sock)) == 200


def test_the_limits_are_settings() -> None:
    """Forms 64 KiB, JSON 16 KiB by default; each a setting."""
    settings = Settings()
    assert (settings.max_form_bytes, settings.max_json_bytes) == (65536, 16384)
    assert settings.header_timeout == 10 and settings.max_connections == 10_000


def test_the_open_file_limit_is_raised_to_fit_the_connections() -> None:
    """A process started with few descriptors raises its soft limit to the hard limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    code = (
        "import resource; from kuulolla.serve import raise_open_files; "
        "raise_open_files(5000); print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard)),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = 5000 + 1024 if hard == resource.RLIM_INFINITY else hard
    assert int(done.stdout) == expected
