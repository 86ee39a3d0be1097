"""Strategies and checks of the property-based fuzzer (hypothesis).

Inputs are what an attacker sends: values of the wrong type, numbers no column or
clock holds, deep nesting, long and strange Unicode, and now and then a value that is
right (a real room, a real id), so the fuzzer gets past the first check into the code
behind it. The properties are the same for every input: no 500, no 1011, no
traceback in a response or the server's error log, and nothing changed in the
database when the answer was a refusal.

How many inputs: ``KUULOLLA_FUZZ=long`` (scripts/abuse) runs thousands; otherwise the
short profile keeps the fuzzer to seconds in scripts/test.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LONG = os.environ.get("KUULOLLA_FUZZ") == "long"

settings.register_profile(
    "kuulolla-short",
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same inputs on every run of scripts/test
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
settings.register_profile(
    "kuulolla-long",
    max_examples=int(os.environ.get("KUULOLLA_FUZZ_EXAMPLES", "3000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
PROFILE = settings.get_profile("kuulolla-long" if LONG else "kuulolla-short")

# ------------------------------------------------------------------ values

HUGE = [2**31, 2**53, 2**63, 2**64, 10**30, -(2**63) - 1]
EDGE_INTS = st.sampled_from([0, -1, 1, 2**31 - 1, *HUGE])
STRANGE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e\u200b",
        "🙂" * 300,
        "a" * 70_000,
        "<script>alert(1)</script>",
        "'; DROP TABLE messages; --",
        "%00%ff",
        "../../etc/passwd",
        "NaN",
        "9" * 40,
        "-1",
        "1e309",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "ä" * 5000,
        "\ud800",
    ]
)
TEXT = st.one_of(st.text(max_size=40), STRANGE_TEXT)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    EDGE_INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)


def nested(depth: int = 60) -> st.SearchStrategy[Any]:
    """A value nested ``depth`` deep (lists and objects)."""

    def wrap(value: Any) -> Any:
        for i in range(depth):
            value = [value] if i % 2 else {"a": value}
        return value

    return SCALARS.map(wrap)


JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)
ANY = st.one_of(JSON, nested(), nested(400))


def sometimes(real: list[Any], junk: st.SearchStrategy[Any] = ANY) -> st.SearchStrategy[Any]:
    """Now and then a real value (so the input reaches deeper code), else junk."""
    return st.one_of(st.sampled_from(real), junk) if real else junk


# ------------------------------------------------------------------ checks


class ErrorLog(logging.Handler):
    """Collects ERROR records of the service's loggers (unhandled errors, tracebacks)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [f"{r.name}: {r.getMessage()} {getattr(r, 'event', '')}" for r in self.records]
        self.records.clear()
        return found


@contextmanager
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logger = logging.getLogger("kuulolla")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


# Tables that change on their own (sessions touched on use, statistics, counters of
# the limits, nickname claims renewed while a socket holds them) are left out of
# "nothing changed".
VOLATILE = {"staff_sessions", "report_events", "rate_counters", "room_nicks", "alembic_version"}


def snapshot(path: Path) -> dict[str, str]:
    """A digest of every table's rows of a SQLite database, read on a connection of its
    own: equal snapshots mean nothing was written."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE '%fts%'"
            )
            if name not in VOLATILE
        ]
        out = {}
        for table in tables:
            digest = hashlib.sha256()
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()[:16]
        return out
    finally:
        conn.close()


# A refused sign-in is written to the staff audit log by design (a failure is an
# event worth keeping): a refusal may add to it, and to nothing else.
AUDIT = {"audit_events"}


def changed(
    before: dict[str, str],
    after: dict[str, str],
    *,
    ignore: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    return sorted(
        t for t in before.keys() | after.keys() if t not in ignore and before.get(t) != after.get(t)
    )


TRACEBACK = "Traceback (most recent call last)"
