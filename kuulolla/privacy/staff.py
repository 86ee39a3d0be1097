"""Staff data rights: a person's own data as JSON, and erasing a departed person.

Each domain contributes its part through :func:`registry.register_staff_data`
(accounts: profile, roles, trainings, sessions, account events; chat: the person's
messages; questions: answers they drafted, reviewed or signed). Erasing keeps the
organisation's records: what the person wrote stays, attributed to "former volunteer"
(in the service's default language), and nothing that names them is left.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from kuulolla.core import retention as registry
from kuulolla.core.db import Database, compact_sqlite
from kuulolla.core.errors import Conflict
from kuulolla.core.i18n import N_
from kuulolla.core.retention import StaffContext
from kuulolla.core.settings import Settings

log = logging.getLogger(__name__)

EXPORT_FORMAT = "kuulolla-staff-data/1"


class CannotEraseSelf(Conflict):
    code = "cannot_erase_self"
    default_message = N_("You cannot erase your own account. Ask another admin.")


async def get_export(
    db: Database, *, user_id: int, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Everything the service holds about the person, by domain, JSON-ready."""
    ctx = StaffContext(db=db, user_id=user_id, now=now, settings=settings)
    out: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": now.isoformat()}
    for part in registry.staff_data():
        out[part.key] = await part.export(ctx)
    return out


async def do_erase(
    db: Database, *, user_id: int, actor_id: int, settings: Settings, now: datetime
) -> int:
    """Erase a departed person (an admin's action). Returns how many records changed.
    Every domain's eraser runs; each is idempotent, so a failed run can be repeated."""
    if user_id == actor_id:
        raise CannotEraseSelf()
    ctx = StaffContext(db=db, user_id=user_id, now=now, settings=settings)
    changed = 0
    # Accounts last: its part removes the sign-in, and the others may still need the row.
    parts = sorted(registry.staff_data(), key=lambda p: p.key == "account")
    for part in parts:
        changed += await part.erase(ctx)
    if db.is_sqlite:
        await compact_sqlite(db, vacuum=False)  # the old pages out of the write-ahead log
    log.info("privacy.staff_erased", extra={"event": "privacy.staff_erased", "count": changed})
    return changed
