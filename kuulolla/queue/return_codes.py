"""Return codes: a code the visitor keeps after a conversation to continue with the
same organisation later, whose helper then sees the earlier conversation's notes. Only
the code's hash is stored (``QueueEntry.return_key``); entering with a code is in
queue/waiting.py.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from kuulolla.core.db import Database
from kuulolla.queue.service import ended_entry


def return_key(code: str) -> bytes | None:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 12:
        return None
    return hashlib.sha256(b"kuulolla-return:" + cleaned.encode()).digest()


def new_return_code() -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


async def do_take_return_code(
    db: Database, *, visitor_key: bytes, entry_id: int, now: datetime
) -> str:
    """A code the visitor keeps to continue with the same organisation later; the
    helper then sees this conversation's notes. Only its hash is stored."""
    code = new_return_code()
    async with db.session() as session:
        entry = await ended_entry(session, visitor_key, entry_id)
        entry.return_key = return_key(code)
    return code
