"""Canned responses: an organisation's ready texts by language, which a helper picks
in a conversation. Coordinators edit and remove them in queue/manage.py.
"""

from __future__ import annotations

from sqlalchemy import select

from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.queue import logic
from kuulolla.queue.models import CannedResponse


async def list_canned(
    db: Database, *, organisation_id: int, locale: str | None = None
) -> list[CannedResponse]:
    async with db.read_session() as session:
        query = select(CannedResponse).where(CannedResponse.organisation_id == organisation_id)
        if locale:
            query = query.where(CannedResponse.locale == locale)
        return list(await session.scalars(query.order_by(CannedResponse.title)))


async def do_add_canned(
    db: Database, *, organisation_id: int, locale: str, title: str, text: str
) -> int:
    title = check_name(title)
    text = logic.check_text(text, max_chars=logic.MAX_NOTE_CHARS)
    if locale not in ("fi", "sv", "en"):
        raise BadRequest(N_("Choose a language."), code="invalid_locale")
    async with db.session() as session:
        row = CannedResponse(organisation_id=organisation_id, locale=locale, title=title, text=text)
        session.add(row)
        await session.flush()
        return row.id
