"""The address scan of the end-to-end run can fail, takes no version number for an
address, and client addresses a proxy passes on reach neither error pages nor the logs."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import unavailable
from tests.e2e import addresses
from tests.e2e.servers import ServerProcess, server_env

PLANTED = "198.51.100.23"
PLANTED_V6 = "2001:db8::23"


def log_line(logger: str, msg: str) -> str:
    return json.dumps({"level": "info", "logger": logger, "event": logger, "msg": msg})


@pytest.fixture
def artifacts(tmp_path: Path) -> addresses.Artifacts:
    """A scan of its own, apart from the session's."""
    return addresses.Artifacts(tmp_path / "artifacts")


def test_bind_line_is_allowed_and_nothing_else(artifacts: addresses.Artifacts) -> None:
    """The server's start-up line may name its address; the same address elsewhere is found."""
    log = artifacts.log_file("server.log")
    log.write_text(
        log_line("uvicorn.error", "Uvicorn running on http://127.0.0.1:8123 (Press CTRL+C)")
        + "\n"
        + log_line("kuulolla.http", "client 127.0.0.1 and " + PLANTED_V6)
        + "\n"
    )
    assert [(f.line, f.address) for f in artifacts.scan()] == [
        (2, "127.0.0.1"),
        (2, PLANTED_V6),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "kuulolla version 1.2.3.4 started",
        "Version: 10.0.0.1",
        log_line("kuulolla.app", "build") + ' "version": "2.0.1.3"',
        "client v 4.3.2.1",
        "requirement kuulolla==1.2.3.4 and foo[bar] >= 10.20.30.40",
        "pip install Somepkg~=3.0.0.1",
        "a longer dotted sequence 1.2.3.4.5 and v1.2.3.4",
    ],
)
def test_version_numbers_are_not_addresses(line: str) -> None:
    """A four-part version number in an obvious version context is not reported."""
    assert addresses.scan_text(line, "versions") == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("client 198.51.100.23 left", ["198.51.100.23"]),
        ("version 2 from 198.51.100.23", ["198.51.100.23"]),
        ("server 198.51.100.23 and driver=198.51.100.24", ["198.51.100.23", "198.51.100.24"]),
        ("ip=198.51.100.23, over 198.51.100.24", ["198.51.100.23", "198.51.100.24"]),
        ("198.51.100.23 version", ["198.51.100.23"]),
        ("version 1.2.3.4 from 198.51.100.23", ["198.51.100.23"]),
        ("version: 2001:db8::23", ["2001:db8::23"]),
        ("Ã¶ver 198.51.100.23", ["198.51.100.23"]),  # "över" read as Latin-1
    ],
)
def test_addresses_near_version_words_are_still_found(line: str, found: list[str]) -> None:
    """An address is reported unless a version word or requirement stands right before it."""
    assert [f.address for f in addresses.scan_text(line, "log")] == found


def test_scan_of_a_log_skips_a_version_and_finds_the_address(
    artifacts: addresses.Artifacts,
) -> None:
    """In a server log, a line naming a four-part version passes and an address is found."""
    log = artifacts.log_file("server.log")
    log.write_text(
        log_line("kuulolla.app", "running kuulolla version 1.2.3.4 (kuulolla==1.2.3.4)")
        + "\n"
        + log_line("kuulolla.http", f"client {PLANTED}")
        + "\n"
    )
    assert [(f.line, f.address) for f in artifacts.scan()] == [(2, PLANTED)]


def test_scan_finds_an_address_in_a_sqlite_file(
    artifacts: addresses.Artifacts, sqlite_url: str
) -> None:
    """An address in a row of a server's SQLite database is found in the file."""
    path = addresses.sqlite_path(sqlite_url)
    assert path is not None
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE planted (value TEXT)")
        conn.execute("INSERT INTO planted VALUES (?)", (f"from {PLANTED}",))
    conn.close()
    artifacts.server_started({"KUULOLLA_DATABASE_URL": sqlite_url})
    assert [(f.source, f.address) for f in artifacts.scan()] == [(str(path), PLANTED)]


def test_scan_skips_a_digest_that_reads_as_an_address_in_a_sqlite_file(
    artifacts: addresses.Artifacts, sqlite_url: str
) -> None:
    """Bytes of a binary value that read as an address ("3::" inside a digest) are not
    reported; an address written as text beside it is."""
    path = addresses.sqlite_path(sqlite_url)
    assert path is not None
    digest = b"\tl\xca\xc6\x8a3::\x1a\xa3\xf5\xd8\xd4%\x01\xffrZG\x07\xb5!\x194\x85A,\x07\xb9"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE planted (key BLOB, value TEXT)")
        conn.execute("INSERT INTO planted VALUES (?, ?)", (digest, f"from {PLANTED_V6}"))
    conn.close()
    artifacts.server_started({"KUULOLLA_DATABASE_URL": sqlite_url})
    assert [(f.source, f.address) for f in artifacts.scan()] == [(str(path), PLANTED_V6)]


def test_scan_finds_an_address_written_into_a_blob(
    artifacts: addresses.Artifacts, sqlite_url: str
) -> None:
    """An address stored as text in a blob column is still found."""
    path = addresses.sqlite_path(sqlite_url)
    assert path is not None
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE planted (key BLOB)")
        conn.execute("INSERT INTO planted VALUES (?)", (f"\x01from {PLANTED}".encode(),))
    conn.close()
    artifacts.server_started({"KUULOLLA_DATABASE_URL": sqlite_url})
    assert [(f.source, f.address) for f in artifacts.scan()] == [(str(path), PLANTED)]


def test_scan_finds_an_address_in_a_postgres_dump(
    artifacts: addresses.Artifacts, postgres_url: str
) -> None:
    """An address in a row of a server's PostgreSQL database is found in its pg_dump."""
    if shutil.which("pg_dump") is None:
        unavailable("pg_dump")
    name = postgres_url.rsplit("/", 1)[-1]
    dsn = postgres_url.replace("+asyncpg", "")
    _run_sql(dsn, "CREATE TABLE planted (value TEXT)", f"INSERT INTO planted VALUES ('{PLANTED}')")
    artifacts.server_started({"KUULOLLA_DATABASE_URL": postgres_url})
    artifacts.keep_postgres(postgres_url)
    found = artifacts.scan()
    assert [(Path(f.source).name, f.address) for f in found] == [(f"pg-{name}.sql", PLANTED)]


def test_scan_finds_an_address_in_redis(
    artifacts: addresses.Artifacts, redis_url: str, broker_prefix: str
) -> None:
    """An address in a Redis value or hash field under a server's prefix is found."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.set(f"{broker_prefix}:plain", f"client={PLANTED}", ex=60)
        client.hset(f"{broker_prefix}:hash", mapping={"peer": PLANTED_V6})
        client.expire(f"{broker_prefix}:hash", 60)
        artifacts.server_started(
            {"KUULOLLA_REDIS_URL": redis_url, "KUULOLLA_BROKER_PREFIX": broker_prefix}
        )
        artifacts.keep_redis(redis_url, broker_prefix)
    finally:
        client.delete(f"{broker_prefix}:plain", f"{broker_prefix}:hash")
        client.close()
    assert sorted(f.address for f in artifacts.scan()) == sorted([PLANTED, PLANTED_V6])


def _run_sql(dsn: str, *statements: str) -> None:
    import asyncpg

    from tests.helpers import run_async

    async def work() -> None:
        conn = await asyncpg.connect(dsn, timeout=3)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    run_async(work)


# ------------------------------------------------------------------ behind a proxy


@pytest.fixture
def proxied(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server that trusts X-Forwarded-For from 127.0.0.1, as behind a balancer."""
    env = server_env(sqlite_url, KUULOLLA_FORWARDED_ALLOW_IPS="127.0.0.1")
    server = ServerProcess(env, tmp_path / "proxied.log")
    try:
        yield server.start()
    finally:
        server.stop()


def _get(url: str, headers: dict[str, str], method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(data)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_forwarded_client_addresses_reach_no_error_page_and_no_log(
    proxied: ServerProcess,
) -> None:
    """Error pages answer a proxied client without its address, and the log never names
    it, not even scrubbed (uvicorn's connection and access lines are off)."""
    forwarded = {
        "X-Forwarded-For": f"{PLANTED}, {PLANTED_V6}",
        "X-Forwarded-Proto": "https",
        "X-Real-IP": PLANTED,
        "Forwarded": f'for="[{PLANTED_V6}]"',
    }
    pages = [
        _get(proxied.http + "/no-such-page?from=x", forwarded),
        _get(proxied.http + "/healthz", forwarded, method="DELETE"),
        _get(proxied.http + "/sign-in", forwarded, method="POST"),
    ]
    statuses = [status for status, _ in pages]
    assert statuses == [404, 404, 403]
    bodies = "\n".join(body for _, body in pages)
    bad_request = _raw(
        proxied.port,
        f"GARBAGE / HTTP/1.1\r\nX-Forwarded-For: {PLANTED}\r\n\r\n".encode(),
    )
    upgrade = _raw(
        proxied.port,
        (
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nOrigin: https://elsewhere.example\r\n"
            f"X-Forwarded-For: {PLANTED}\r\n\r\n"
        ).encode(),
    )
    answers = bodies + bad_request.decode("latin-1") + upgrade.decode("latin-1")
    proxied.stop()
    log = proxied.output()
    assert "http.request" in log  # the requests were logged, by our own access line
    assert [a for a in (PLANTED, PLANTED_V6, "[address]") if a in answers + log] == []
    assert addresses.scan_text(answers, "answers") == []
