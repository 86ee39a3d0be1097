"""The address scan: after the end-to-end run no log, database or Redis key holds an
IPv4 or IPv6 address, except the line where a server says where it listens.

Every server process of the run registers what it writes (:class:`Artifacts`): its log
file (JSON lines, production level: tests/e2e/servers.py), its SQLite file, and the
PostgreSQL database and Redis prefix it used. PostgreSQL databases are dropped and
Redis keys expire when a test ends, so a ``pg_dump`` and a Redis dump (every key under
the test's prefix, read by type, written as text) are taken into the session's folder
just before; tests/e2e/conftest.py does that and scans everything once at the end.

The rule for what counts as an address is the log scrubber's own
(:func:`kuulolla.core.logging.address_spans`), tested with a table in
tests/core/test_logging.py, with one exception: a four-part version number in an
obvious version context ("version 1.2.3.4", "v 1.2.3.4", "package==1.2.3.4") is not
reported (:func:`is_version`), though the scrubber masks it in logs (masking a version
costs nothing; a false finding fails the run); and in a SQLite file, bytes of a binary
value that happen to read as one ("\\x8a3::\\x1a" inside a random 32-byte digest) are
not reported either (:func:`in_binary_value`). Candidates that are part of a longer
dotted sequence ("1.2.3.4.5", "v1.2.3.4") are never addresses to either. Raw files are
read as Latin-1 so a SQLite page's bytes, freed rows included, are searched as they
lie on disk.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kuulolla.core.logging import address_spans
from tests.conftest import IN_CI

BIND_LINE = "Uvicorn running on "


@dataclass(frozen=True, slots=True)
class Finding:
    source: str  # a file, "postgresql:<db>" or "redis:<prefix>"
    line: int
    address: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.address}"


def is_bind_line(line: str) -> bool:
    """uvicorn's start-up line naming the server's own listening address."""
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return (
        isinstance(record, dict)
        and record.get("logger") == "uvicorn.error"
        and str(record.get("msg", "")).startswith(BIND_LINE)
    )


# What may stand right before a version number: the word "version" or "v" with an
# optional ":" or "=" and quotes ('"version": "1.2.3.4"'), or a requirement's package
# name and operator ("kuulolla==1.2.3.4", "foo[bar] >= 1.2.3.4"). Not "ver": in a raw
# file read as Latin-1, the Swedish "över" before an address would end in one.
_VERSION_BEFORE = re.compile(
    r"""(?:\b(?:version|v)["']?\s*[:=]?\s*["']?"""
    r"""|[a-z0-9][\w.\-]*(?:\[[\w,\-]+\])?\s*(?:===|==|~=|>=|<=|!=)\s*)$""",
    re.IGNORECASE,
)
_VERSION_REACH = 100  # characters before a candidate that are looked at


def is_version(line: str, address: str, start: int) -> bool:
    """Whether the IPv4-looking ``address`` at ``start`` of ``line`` is a version number
    by what stands right before it. IPv6 addresses never are."""
    if ":" in address:
        return False
    before = line[max(0, start - _VERSION_REACH) : start]
    return _VERSION_BEFORE.search(before) is not None


def scan_text(text: str, source: str, *, log: bool = False) -> list[Finding]:
    """Addresses in ``text``; in a server log (``log``) the bind line is allowed."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        if log and is_bind_line(line):
            continue
        findings.extend(
            Finding(source, number, address)
            for address, start in address_spans(line)
            if not is_version(line, address, start)
        )
    return findings


def scan_file(path: Path, *, log: bool = False) -> list[Finding]:
    if not path.exists():
        return []
    return scan_text(path.read_bytes().decode("latin-1"), str(path), log=log)


def binary_values(path: Path) -> list[str]:
    """Every blob value of the live rows of the SQLite database at ``path`` that holds
    a byte no text holds (digests, keys), read as Latin-1 like the raw file."""
    if not path.exists():
        return []
    found: list[str] = []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                rows = conn.execute(
                    f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") = \'blob\''
                )
                found += [
                    text
                    for (value,) in rows
                    if not (text := bytes(value).decode("latin-1")).isprintable()
                ]
    finally:
        conn.close()
    return found


_REACH = 3  # bytes either side of a candidate that must lie in the same binary value


def in_binary_value(line: str, address: str, start: int, values: list[str]) -> bool:
    """Whether the candidate ``address`` at ``start`` of a raw SQLite ``line`` is bytes
    of a binary value: flanked by a byte that is no text's, and lying with
    :data:`_REACH` bytes either side inside one of ``values`` (:func:`binary_values`).
    An address written as text is flanked by text, and is found wherever it lies."""
    end = start + len(address)
    flanks = line[start - 1 : start] + line[end : end + 1]
    if flanks.isprintable():
        return False
    window = line[max(0, start - _REACH) : end + _REACH]
    return any(window in value for value in values)


def scan_sqlite(path: Path) -> list[Finding]:
    """Addresses in a SQLite file (or its write-ahead log, ``path`` being the database),
    freed pages included, bytes of binary values aside."""
    values = binary_values(path)
    findings = []
    for part in (path, path.with_name(path.name + "-wal")):
        if not part.exists():
            continue
        text = part.read_bytes().decode("latin-1")
        for number, line in enumerate(text.splitlines(), start=1):
            findings.extend(
                Finding(str(part), number, address)
                for address, start in address_spans(line)
                if not is_version(line, address, start)
                and not in_binary_value(line, address, start, values)
            )
    return findings


def sqlite_path(database_url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(database_url[len(prefix) :]) if database_url.startswith(prefix) else None


def dump_postgres(database_url: str, dest: Path) -> Path:
    """``pg_dump`` of the database (schema and rows, as text) into ``dest``."""
    dsn = database_url.replace("+asyncpg", "")
    with dest.open("wb") as out:
        subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", dsn],
            stdout=out,
            stderr=subprocess.PIPE,
            check=True,
            timeout=60,
        )
    return dest


def dump_redis(redis_url: str, prefix: str, dest: Path) -> Path:
    """Every key under ``prefix`` and its value, read by type (a DUMP's compressed
    form would hide a string), one ``key<TAB>value`` line per item."""
    import redis

    client = redis.Redis.from_url(redis_url)
    lines: list[bytes] = []
    try:
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            kind = client.type(key).decode()
            values: list[bytes]
            if kind == "string":
                values = [client.get(key) or b""]
            elif kind == "hash":
                values = [b"%s=%s" % kv for kv in client.hgetall(key).items()]
            elif kind == "list":
                values = list(client.lrange(key, 0, -1))
            elif kind == "set":
                values = list(client.smembers(key))
            elif kind == "zset":
                values = [m for m, _ in client.zrange(key, 0, -1, withscores=True)]
            elif kind == "stream":
                values = [b"%s=%s" % kv for _, entry in client.xrange(key) for kv in entry.items()]
            else:
                values = [client.dump(key) or b""]
            lines.extend(key + b"\t" + value for value in values or [b""])
    finally:
        client.close()
    dest.write_bytes(b"\n".join(lines))
    return dest


@dataclass
class Artifacts:
    """What the run's server processes wrote, gathered in one folder per session."""

    folder: Path
    logs: list[Path] = field(default_factory=list)
    database_urls: set[str] = field(default_factory=set)
    redis_prefixes: set[str] = field(default_factory=set)

    def log_file(self, name: str) -> Path:
        """A fresh log file for one server process."""
        path = self.folder / "logs" / f"{len(self.logs):04d}-{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.logs.append(path)
        return path

    def server_started(self, env: dict[str, str]) -> None:
        self.database_urls.add(env.get("KUULOLLA_DATABASE_URL", ""))
        if env.get("KUULOLLA_REDIS_URL"):
            self.redis_prefixes.add(env.get("KUULOLLA_BROKER_PREFIX", "kuulolla"))

    def keep_postgres(self, database_url: str) -> None:
        """Dump the database if a server used it (call before it is dropped)."""
        if database_url not in self.database_urls:
            return
        if shutil.which("pg_dump") is None and not IN_CI:
            return  # scripts/test installs it; without it only the databases go unscanned
        name = database_url.rsplit("/", 1)[-1]
        dump_postgres(database_url, self._dump_path(f"pg-{name}.sql"))

    def keep_redis(self, redis_url: str, prefix: str) -> None:
        """Dump the prefix's keys if a server used it (call before they are gone)."""
        if prefix in self.redis_prefixes:
            dump_redis(redis_url, prefix, self._dump_path(f"redis-{prefix}.txt"))

    def _dump_path(self, name: str) -> Path:
        folder = self.folder / "dumps"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        return path if not path.exists() else folder / f"{secrets.token_hex(3)}-{name}"

    def scan(self) -> list[Finding]:
        """Every address in the logs, SQLite files (and their write-ahead logs) and
        dumps, the bind lines of the logs aside."""
        findings: list[Finding] = []
        for path in self.logs:
            findings += scan_file(path, log=True)
        for url in sorted(self.database_urls):
            path = sqlite_path(url)
            if path is not None:
                findings += scan_sqlite(path)
        dumps = self.folder / "dumps"
        for path in sorted(dumps.iterdir()) if dumps.exists() else []:
            findings += scan_file(path)
        return findings


# Set by tests/e2e/conftest.py for the session; None outside the end-to-end run.
ARTIFACTS: Artifacts | None = None
