"""The demo seeds staff with printed passwords that work."""

from __future__ import annotations

import pytest

from kuulolla import demo
from kuulolla.accounts import organisations, service, signin
from kuulolla.accounts.passwords import Passwords
from kuulolla.core.db import Database
from tests.accounts.helpers import make_throttle
from tests.conftest import make_settings
from tests.helpers import NOW


@pytest.mark.asyncio
async def test_demo_staff_sign_in_with_the_printed_passwords(sqlite_url: str) -> None:
    """Each run gives the demo staff new passwords; the printed ones are the ones that work."""
    settings = make_settings(sqlite_url)
    db = Database.from_url(sqlite_url)
    try:
        first = await demo.seed(db, now=NOW, settings=settings)
        second = await demo.seed(db, now=NOW, settings=settings)
        assert [u for u, _, _ in first] == [u for u, _, _ in second] == [s[0] for s in demo.STAFF]
        assert all(a[1] != b[1] for a, b in zip(first, second, strict=True))
        printed = demo.format_sign_ins(second)
        assert all(password in printed for _, password, _ in second)
        staff = await service.list_staff(db)
        assert len(staff) == len(demo.STAFF) and sum(p.is_admin for p in staff) == 1
        throttle = make_throttle(free=50, client_free=50)
        for username, password, _ in (second[0], second[2]):
            result = await signin.do_sign_in(
                db,
                passwords=Passwords(),
                throttle=throttle,
                settings=settings,
                username=username,
                password=password,
                client_address=None,
                device_cookie=None,
                previous_token=None,
                now=NOW,
            )
            assert result.status == "signed_in"
        assert (await organisations.get_organisation(db, slug="arjen-tuki")).require_totp == "none"  # type: ignore[union-attr]
    finally:
        await db.dispose()
