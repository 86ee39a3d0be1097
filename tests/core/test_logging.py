"""Structured logs: allow-listed fields, request ids, no addresses, no exception texts."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from kuulolla.core.logging import (
    REQUEST_ID,
    DropClientAddresses,
    JsonFormatter,
    Repeats,
    TextFormatter,
    find_addresses,
    scrub_addresses,
)


def record(
    msg: str, *args: object, name: str = "kuulolla.test", **extra: object
) -> logging.LogRecord:
    rec = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 192.168.10.20 at noon", "from [address] at noon"),
        ("('10.0.0.5', 51234) - x", "('[address]', 51234) - x"),
        ("peer 2001:db8::1 left", "peer [address] left"),
        ("peer [2001:db8:0:1::7]:443 left", "peer [address]:443 left"),
        ("loopback ::1 and ::ffff:10.1.2.3", "loopback [address] and [address]"),
        ("fe80::1%eth0 link-local", "[address] link-local"),
        ("version 1.2.3 at 12:30:45", "version 1.2.3 at 12:30:45"),
        ("ts 2026-11-23T06:37:14.123+00:00", "ts 2026-11-23T06:37:14.123+00:00"),
        ("999.1.1.1 is no address", "999.1.1.1 is no address"),
        ("cast 'x'::text and 'C'::\"char\"", "cast 'x'::text and 'C'::\"char\""),
    ],
)
def test_addresses_are_scrubbed(text: str, expected: str) -> None:
    """IPv4 and IPv6 addresses become [address]; versions, times and non-addresses stay."""
    assert scrub_addresses(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("client 203.0.113.9 left", ["203.0.113.9"]),
        ('"x-forwarded-for": "198.51.100.7, 10.0.0.1"', ["198.51.100.7", "10.0.0.1"]),
        ("peer 2001:db8::17 and [2001:db8::18]:443", ["2001:db8::17", "2001:db8::18"]),
        ("mapped ::ffff:192.0.2.1 and ::1", ["::ffff:192.0.2.1", "::1"]),
        (
            "full 2001:0db8:0000:0000:0000:ff00:0042:8329",
            ["2001:0db8:0000:0000:0000:ff00:0042:8329"],
        ),
        ("link fe80::1%eth0", ["fe80::1"]),
        ("tab\t192.0.2.44\tcopy row", ["192.0.2.44"]),
        # Not addresses: versions, times, dates, decimals, SQL casts, ids.
        ("uvicorn 0.34.0, Python 3.12.7, PostgreSQL 15.20", []),
        ("2026-11-23 09:41:48.123456+00 and 12:30:45", []),
        ("ts 2026-11-23T06:37:14.123+00:00", []),
        ("price 1.234.567,89 and 3.14159", []),
        ("999.1.1.1 and 1.2.3.256", []),
        ("DEFAULT 'x'::character varying, '1'::bigint, ::text", []),
        ("request 9f86d081884c7d65 room 12:34", []),
        ("std::vector and a::b::c", []),
    ],
)
def test_find_addresses(text: str, expected: list[str]) -> None:
    """Real IPv4 and IPv6 addresses are found; versions, times and casts are not."""
    assert find_addresses(text) == expected


def test_the_bind_address_is_kept() -> None:
    """The server's own listening address may appear (its start-up line)."""
    line = "Uvicorn running on http://10.1.1.1:8000 for 10.2.2.2"
    assert scrub_addresses(line, keep=frozenset({"10.1.1.1"})) == (
        "Uvicorn running on http://10.1.1.1:8000 for [address]"
    )


def test_json_lines_keep_only_allowed_fields() -> None:
    """Fields outside the allow-list (nickname, text, token) never reach the line."""
    line = JsonFormatter().format(
        record("chat.sent", event="chat.sent", room_id=4, nick="Salanimi", text="x", token="t")
    )
    data = json.loads(line)
    assert data["event"] == "chat.sent" and data["room_id"] == 4
    assert not {"nick", "text", "token"} & set(data)


def test_lines_carry_the_request_id_and_an_event() -> None:
    """Inside a request the id is on every line; a library line gets its logger as event."""
    token = REQUEST_ID.set("abc123")
    try:
        data = json.loads(JsonFormatter().format(record("Started", name="uvicorn.error")))
        text = TextFormatter().format(record("Started", name="uvicorn.error"))
    finally:
        REQUEST_ID.reset(token)
    assert data["request_id"] == "abc123" and data["event"] == "uvicorn.error"
    assert "request_id=abc123" in text


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_tracebacks_leave_out_the_exception_message(formatter: logging.Formatter) -> None:
    """An exception's message may quote input: the frames and type are logged, not it."""
    said = "".join(["sala", "inen"])
    try:
        raise ValueError(f"nick {said.title()} from {'.'.join(['10', '9', '8', '7'])} said {said}")
    except ValueError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = formatter.format(rec)
    assert "ValueError" in line and "test_logging.py" in line
    assert "Salainen" not in line and "salainen" not in line and "10.9.8.7" not in line


@pytest.mark.parametrize(
    "msg",
    [
        '%s - "WebSocket %s" [accepted]',
        '%s - "WebSocket %s" 403',
        "connection open",
        "connection closed",
        "Invalid HTTP request received.",
    ],
)
def test_uvicorn_connection_lines_are_dropped(msg: str) -> None:
    """uvicorn's per-connection lines (client address, query string) are not logged."""
    assert DropClientAddresses().filter(record(msg, name="uvicorn.error")) is False


def test_other_lines_pass_the_filter() -> None:
    """The filter lets ordinary lines through."""
    assert DropClientAddresses().filter(record("Application startup complete.")) is True


def failure(event: str, at: float, exc: type[BaseException] = RuntimeError) -> logging.LogRecord:
    try:
        raise exc("x")
    except exc:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    rec.event = event
    rec.created = at
    return rec


def test_repeated_failures_are_capped_per_window() -> None:
    """Past the limit, lines of one event and exception type are left out until the window ends."""
    repeats = Repeats(limit=3, window=60)
    passed = [repeats.filter(failure("chat.handler_failed", 100 + i)) for i in range(10)]
    assert passed == [True] * 3 + [False] * 7


def test_the_next_window_says_how_many_were_left_out() -> None:
    """The first line after the window carries the number of lines left out before it."""
    repeats = Repeats(limit=2, window=60)
    for i in range(5):
        repeats.filter(failure("chat.handler_failed", 100 + i))
    later = failure("chat.handler_failed", 170)
    assert repeats.filter(later)
    assert json.loads(JsonFormatter().format(later))["suppressed"] == 3


def test_other_events_and_exception_types_are_counted_apart() -> None:
    """A flood of one failure does not silence a different one."""
    repeats = Repeats(limit=1, window=60)
    repeats.filter(failure("chat.handler_failed", 100))
    assert not repeats.filter(failure("chat.handler_failed", 101))
    assert repeats.filter(failure("chat.handler_failed", 102, ValueError))
    assert repeats.filter(failure("store.ack_failed", 103))


def test_tracebacks_name_every_frame_without_source_lines() -> None:
    """A traceback lists file, line and function of each frame and no source text."""

    def inner() -> None:
        raise KeyError("k")

    try:
        inner()
    except KeyError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    trace = json.loads(JsonFormatter().format(rec))["traceback"]
    assert "in inner" in trace and "in test_tracebacks_name_every_frame" in trace
    assert "raise KeyError" not in trace
    assert trace.endswith("builtins.KeyError")
