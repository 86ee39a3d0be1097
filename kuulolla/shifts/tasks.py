"""Periodic shift work the server runs (web/app.py's housekeeping task).

Every process runs it; each step is idempotent and safe to run at once in several
processes (horizon inserts skip existing ``(template, day)`` rows; forgotten
check-outs are set only where still empty).
"""

from __future__ import annotations

import logging
from datetime import datetime

from kuulolla.core.db import Database
from kuulolla.shifts import checkins, horizon_runs

log = logging.getLogger(__name__)


async def do_shift_housekeeping(db: Database, *, now: datetime) -> None:
    """Extend every organisation's horizon and close forgotten check-outs."""
    result = await horizon_runs.do_plan_horizon(db, now=now)
    closed = await checkins.do_close_forgotten(db, now=now)
    log.info("shifts.horizon", extra={"event": "shifts.horizon", "count": result.created})
    if closed:
        log.info(
            "shifts.check_outs_closed", extra={"event": "shifts.check_outs_closed", "count": closed}
        )
