"""Structured logging: one JSON object per line, no personal data.

Log records name an ``event`` (``extra={"event": "chat.handler_failed"}``) and carry
only fields from :data:`ALLOWED_FIELDS`; anything else passed in ``extra`` is dropped,
so a careless call cannot put a message text, nickname, token or address in the log.
uvicorn's access log is off and its per-connection lines, which name the client's
address, are filtered out.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from kuulolla.core.settings import Settings

ALLOWED_FIELDS = frozenset(
    {"event", "room_id", "path", "status", "count", "seconds", "code", "request_id", "worker"}
)

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in ALLOWED_FIELDS and key not in _STANDARD:
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            out["exc_type"] = record.exc_info[0].__name__
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")


class DropClientAddresses(logging.Filter):
    """Drops uvicorn's per-connection lines; they carry the client's address and the
    request's query string (https://github.com/encode/uvicorn: protocols/*)."""

    MARKERS = ('"WebSocket ', "connection open", "connection closed", "Invalid HTTP request")

    def filter(self, record: logging.LogRecord) -> bool:
        msg = str(record.msg)
        return not any(marker in msg for marker in self.MARKERS)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(DropClientAddresses())
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
