"""Structured logging: one JSON object per line, no personal data.

Every line names an ``event`` (``extra={"event": "chat.handler_failed"}``; lines from
libraries get their logger's name) and, inside a request or socket, the
``request_id`` of it (:data:`REQUEST_ID`, set by web/request_ids.py and the socket
entry in web/app.py). Only fields from :data:`ALLOWED_FIELDS` are written; anything
else passed in ``extra`` is dropped, so a careless call cannot put a message text,
nickname, token or address in the log.

Three more guards, because libraries log too:

- uvicorn's access log is off and its per-connection lines, which name the client's
  address and the query string, are dropped (:class:`DropClientAddresses`);
- anything that looks like an IPv4 or IPv6 address is replaced by ``[address]`` in
  every line, except the address the server itself listens on (its start-up line);
- a traceback keeps its frames and the exception's type but never the exception's
  message, which may quote input (a nickname, a message, a token).
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from kuulolla.core.settings import Settings

ALLOWED_FIELDS = frozenset(
    {
        "event",
        "room_id",
        "organisation_id",
        "path",
        "method",
        "status",
        "count",
        "seconds",
        "code",
        "kind",
        "request_id",
        "worker",
        "suppressed",
    }
)

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kuulolla_request_id", default=None
)

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {
    "message",
    "asctime",
}

# Candidates only: each match is confirmed with the ipaddress module before it is
# replaced, so version numbers and times are left alone.
_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
_IPV6 = (
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4})(?:%\w+)?(?![\w:.])"
)
_CANDIDATE = re.compile(f"{_IPV4}|\\[?{_IPV6}\\]?")


def _address_of(candidate: str) -> str | None:
    """The address a candidate match names ("[::1]" -> "::1"), or None when it is no
    address after all (a time, a version number, a SQL cast)."""
    bare = candidate.strip("[]").split("%", 1)[0]
    if not any(c.isalnum() for c in bare):
        return None  # "::" alone, as in SQL casts ('x'::text)
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return None
    return bare


def address_spans(text: str) -> Iterator[tuple[str, int]]:
    """Every IPv4 or IPv6 address written in ``text``, in order, with the index where
    its match starts (the test suite's address scan of logs and dumps uses the same
    rule as :func:`scrub_addresses`)."""
    for match in _CANDIDATE.finditer(text):
        address = _address_of(match.group(0))
        if address is not None:
            yield address, match.start()


def find_addresses(text: str) -> list[str]:
    """Every IPv4 or IPv6 address written in ``text``, in order."""
    return [address for address, _ in address_spans(text)]


def scrub_addresses(text: str, *, keep: frozenset[str] = frozenset()) -> str:
    """``text`` with every IPv4/IPv6 address replaced by ``[address]``, except those in
    ``keep`` (the server's own bind address)."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        bare = _address_of(found)
        return found if bare is None or bare in keep else "[address]"

    return _CANDIDATE.sub(replace, text)


def format_traceback(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """The frames (file, line, function) and the exception's type, without its message.

    No source lines: reading them and working out the caret marks (Python 3.11 parses
    each line) cost a millisecond a frame, which turned a burst of failures under load
    into a burst of CPU for the log alone.
    """
    frames = "".join(
        f'  File "{frame.f_code.co_filename}", line {lineno}, in {frame.f_code.co_name}\n'
        for frame, lineno in traceback.walk_tb(tb)
    )
    return (
        f"Traceback (most recent call last):\n{frames}{exc_type.__module__}.{exc_type.__qualname__}"
    )


class Repeats(logging.Filter):
    """Lets through at most ``limit`` lines of one event and exception type every
    ``window`` seconds; the next line that passes says how many were left out
    (``suppressed``). A failure that hits every message under load then costs a few lines a
    minute instead of a traceback per message."""

    def __init__(self, *, limit: int = 10, window: float = 60.0) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self._seen: dict[
            tuple[str, str], list[float]
        ] = {}  # key -> [window start, lines, left out]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        exc = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (str(getattr(record, "event", record.name)), exc)
        state = self._seen.get(key)
        if state is None or record.created - state[0] >= self.window:
            if state is not None and state[2]:
                record.suppressed = int(state[2])  # left out in the window before
            if len(self._seen) > 1000:
                self._seen.clear()
            self._seen[key] = [record.created, 1.0, 0.0]
            return True
        state[1] += 1
        if state[1] > self.limit:
            state[2] += 1
            return False
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, *, keep_addresses: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.keep = keep_addresses

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.name,
            "msg": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key in ALLOWED_FIELDS and key not in _STANDARD:
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            out["exc_type"] = record.exc_info[0].__name__
            out["traceback"] = format_traceback(record.exc_info[0], record.exc_info[2])
        return scrub_addresses(json.dumps(out, ensure_ascii=False, default=str), keep=self.keep)


class TextFormatter(logging.Formatter):
    def __init__(self, *, keep_addresses: frozenset[str] = frozenset()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.keep = keep_addresses

    def formatException(self, ei: Any) -> str:
        return format_traceback(ei[0], ei[2])

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = REQUEST_ID.get()
        if request_id is not None:
            line += f" request_id={request_id}"
        return scrub_addresses(line, keep=self.keep)


class DropClientAddresses(logging.Filter):
    """Drops uvicorn's per-connection lines; they carry the client's address and the
    request's query string (https://github.com/encode/uvicorn: protocols/*)."""

    MARKERS = ('"WebSocket ', "connection open", "connection closed", "Invalid HTTP request")

    def filter(self, record: logging.LogRecord) -> bool:
        msg = str(record.msg)
        return not any(marker in msg for marker in self.MARKERS)


def configure_logging(settings: Settings) -> None:
    keep = frozenset({settings.host})
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(keep_addresses=keep)
        if settings.log_format == "json"
        else TextFormatter(keep_addresses=keep)
    )
    handler.addFilter(DropClientAddresses())
    handler.addFilter(Repeats())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
