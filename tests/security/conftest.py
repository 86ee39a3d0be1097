"""Fixtures of the abuse suite: a live server with staff to sign in as, and the anonymous
form token every POST needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kuulolla.accounts import crypto, totp
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from tests.accounts.helpers import add_person, anonymous_headers
from tests.conftest import make_settings
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, make_room, run_async

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass
class Live:
    """A server process on SQLite with a room (``huone``), a volunteer (``uhri``), a
    volunteer with a second factor (``kaksi``, :data:`TOTP_SECRET`) and a coordinator
    (``koordi``), all with the shared password."""

    server: ServerProcess
    settings: Settings
    database_url: str

    def form_token(self) -> tuple[dict[str, str], str]:
        """The cookie header and form token of a browser without a session."""
        return anonymous_headers(self.settings)


def seed_staff(database_url: str, settings: Settings) -> None:
    async def work() -> None:
        from sqlalchemy import select, update

        from kuulolla.accounts.models import Organisation, StaffUser

        db = Database.from_url(database_url)
        try:
            await make_room(db, "huone")
            async with db.session() as session:
                org = await session.scalar(
                    select(Organisation).where(Organisation.slug == "jarjesto")
                )
                assert org is not None
                org.require_totp = "none"
                org_id = org.id
            await add_person(db, "uhri", org_id=org_id, role="volunteer")
            await add_person(
                db, "koordi", display_name="Koordinaattori", org_id=org_id, role="coordinator"
            )
            user_id = await add_person(db, "kaksi", org_id=org_id, role="volunteer")
            async with db.session() as session:
                await session.execute(
                    update(StaffUser)
                    .where(StaffUser.id == user_id)
                    .values(
                        totp_secret=crypto.encrypt_totp_secret(
                            settings.secret_key, user_id, TOTP_SECRET
                        ),
                        totp_enabled_at=NOW,
                        totp_last_step=totp.step_at(NOW),
                    )
                )
        finally:
            await db.dispose()

    run_async(work)


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path) -> Iterator[Live]:
    settings = make_settings(sqlite_url)
    seed_staff(sqlite_url, settings)
    server = ServerProcess(server_env(sqlite_url), tmp_path / "server.log")
    try:
        yield Live(server.start(), settings, sqlite_url)
    finally:
        server.stop()


# The accounts' world behind Starlette's TestClient (two organisations, people in every role).
from tests.accounts.conftest import env  # noqa: E402, F401
