"""Staff accounts benchmark: argon2id cost, sign-ins under the hashing bound, and the
per-request cost of resolving a session cookie.

    .venv/bin/python scripts/bench/accounts.py [--signins 16] [--requests 2000]

Runs against a temporary SQLite database. Timings depend on the machine; they belong
here, not in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kuulolla.accounts import sessions, signin
from kuulolla.accounts.links import do_create_staff
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.throttle import MemoryThrottleStore, SignInThrottle
from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.migrations import upgrade

PASSWORD = "benchmark passphrase of some length"


async def main(signins: int, requests: int) -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(env="test", secret_key="b" * 40, database_url=url)
    db = Database.from_url(url)
    now = utcnow()
    passwords = Passwords.from_settings(settings)

    times = []
    for _ in range(5):
        start = time.perf_counter()
        await passwords.hash(PASSWORD)
        times.append(time.perf_counter() - start)
    print(f"argon2id hash (t=3, m=64 MiB, p=4): median {statistics.median(times) * 1000:.0f} ms")

    await do_create_organisation(db, actor_id=None, slug="bench", name="Bench", now=now)
    for i in range(signins):
        await do_create_staff(
            db,
            passwords=passwords,
            username=f"user{i}",
            display_name=f"User {i}",
            password=PASSWORD,
            is_admin=False,
            organisation="bench",
            role="volunteer",
            now=now,
        )
    throttle = SignInThrottle(
        MemoryThrottleStore(max_delay=900),
        secret=settings.secret_key,
        free=100,
        client_free=1000,
        max_delay=900,
    )
    for concurrency in (1, 2, 4):
        bounded = Passwords(concurrency=concurrency, queue=1000)
        start = time.perf_counter()
        results = await asyncio.gather(
            *(
                signin.do_sign_in(
                    db,
                    passwords=bounded,
                    throttle=throttle,
                    settings=settings,
                    username=f"user{i}",
                    password=PASSWORD,
                    client_address=None,
                    device_cookie=None,
                    previous_token=None,
                    now=now,
                )
                for i in range(signins)
            )
        )
        elapsed = time.perf_counter() - start
        assert all(r.status == "signed_in" for r in results)
        print(
            f"{signins} sign-ins at once, {concurrency} hash(es) at a time: {elapsed:.2f} s "
            f"({signins / elapsed:.1f}/s, peak {bounded.peak} running)"
        )

    token = results[0].token
    start = time.perf_counter()
    for _ in range(requests):
        resolved = await sessions.resolve_session(db, token=token, now=now, settings=settings)
        assert resolved.principal.authenticated
    elapsed = time.perf_counter() - start
    print(
        f"session cookie resolved {requests} times: {elapsed / requests * 1e6:.0f} µs each (SQLite)"
    )
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signins", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.signins, args.requests))
