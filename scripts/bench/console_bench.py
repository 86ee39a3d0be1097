"""Database statements of open helper consoles (queue/routes_console.py).

An open console holds a server-sent event stream (``/staff/queue/<org>/stream``) and
posts a heartbeat every 10 s (static/js/console.js). This starts the application in this
process (uvicorn, SQLite, the in-process broker) with ``--consoles`` helpers of one
organisation on duty and two visitors waiting, opens each helper's stream, posts each
one's heartbeat every 10 s, and counts the SQL statements the engine executes for the
streams and for the heartbeats (a statement is told apart by the path of the request
that ran it). With ``--changes`` a visitor enters and leaves the queue that many times
a minute, as a busy queue does. Prints statements per open console per minute. With
``--desks`` the consoles are that many professionals' duty desks instead
(``/orgs/<org>/desk/stream``, which reads every second), for comparison.

    scripts/bench/console                      5 consoles, 60 s, a quiet queue
    scripts/bench/console --changes 6          a visitor in and out every 10 s
    scripts/bench/console --desks              duty desks instead of consoles
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import uvicorn
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.*

from kuulolla.accounts import crypto
from kuulolla.accounts.organisations import do_create_organisation
from kuulolla.core.db import Database
from kuulolla.core.ids import token_key
from kuulolla.migrations import upgrade
from kuulolla.queue import console, topics, waiting
from kuulolla.web.app import create_app
from tests.accounts.helpers import SESSION_COOKIE, add_person, anonymous_headers, make_session
from tests.conftest import make_settings
from tests.ports import free_port

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
HEARTBEAT_EVERY = 10.0  # static/js/console.js

path_of: contextvars.ContextVar[str] = contextvars.ContextVar("path_of", default="")


async def seed(db: Database, consoles: int, role: str) -> list[tuple[int, str]]:
    now = datetime.now(UTC)
    org = await do_create_organisation(db, actor_id=None, slug="bench", name="Bench", now=now)
    await topics.do_create_topic(
        db, organisation_id=org, slug="bench-chat", names={"fi": "Chat"}, hours=ALWAYS, now=now
    )
    topic = await topics.get_topic_or_raise(db, slug="bench-chat")
    helpers = []
    for i in range(consoles):
        user = await add_person(db, f"helper{i}", display_name=f"Helper {i}", org_id=org, role=role)
        await console.do_set_duty(
            db, organisation_id=org, user_id=user, available=True, max_chats=2, now=now
        )
        helpers.append((user, await make_session(db, user, now=now)))
    for n in range(2):
        await waiting.do_enter(
            db,
            topic=topic,
            visitor_key=token_key(f"bench-visitor-{n}"),
            answers={},
            consent=True,
            return_code=None,
            now=now,
        )
    return helpers


def by_path(app: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        path_of.set(scope.get("path", ""))
        await app(scope, receive, send)

    return wrapped


async def open_console(
    client: httpx.AsyncClient, session: str, csrf: str, ready: Any, *, desk: bool
) -> None:
    cookies = {"cookie": f"{SESSION_COOKIE}={session}"}
    path = "/orgs/bench/desk/stream" if desk else "/staff/queue/bench/stream"

    async def stream() -> None:
        headers = {**cookies, "accept": "text/event-stream"}
        while True:
            async with client.stream("GET", path, headers=headers) as r:
                async for line in r.aiter_lines():
                    if line.startswith("data:"):
                        ready.release()

    async def heartbeat() -> None:
        while True:
            await client.post(
                "/staff/queue/bench/heartbeat",
                headers={**cookies, "x-csrf-token": csrf, "accept": "application/json"},
            )
            await asyncio.sleep(HEARTBEAT_EVERY)

    await asyncio.gather(stream(), *([] if desk else [heartbeat()]))


async def visitor_traffic(client: httpx.AsyncClient, settings: Any, per_minute: float) -> None:
    headers, csrf = anonymous_headers(settings)
    body = {"token": "bench-visitor-token-" + "x" * 30, "answers": {}, "consent": True}
    common = {**headers, "content-type": "application/json", "x-csrf-token": csrf}
    while True:
        await asyncio.sleep(60.0 / per_minute / 2)
        await client.post("/chat/bench-chat/enter", content=json.dumps(body), headers=common)
        await asyncio.sleep(60.0 / per_minute / 2)
        await client.post("/chat/leave", content=json.dumps(body), headers=common)


async def measure(
    url: str, consoles: int, seconds: float, changes: float, desk: bool
) -> Counter[str]:
    db = Database.from_url(url)
    helpers = await seed(db, consoles, "professional" if desk else "volunteer")
    counted: Counter[str] = Counter()
    counting = False

    def count(*_args: Any) -> None:
        if counting:
            path = path_of.get()
            counted[
                "stream"
                if path.endswith("/stream")
                else "heartbeat"
                if path.endswith("/heartbeat")
                else "visitors"
                if path.startswith("/chat")
                else "other"
            ] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    settings = make_settings(url, queue_grace_seconds=600)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            by_path(create_app(settings, database=db)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn's flag has no event)
        await asyncio.sleep(0.05)
    ready = asyncio.Semaphore(0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=None) as client:
        tasks = [
            asyncio.create_task(
                open_console(
                    client,
                    session,
                    crypto.csrf_token(settings.secret_key, crypto.token_hash(session)),
                    ready,
                    desk=desk,
                )
            )
            for _user, session in helpers
        ]
        for _ in helpers:  # every stream has sent its first event
            await ready.acquire()
        if changes:
            tasks.append(asyncio.create_task(visitor_traffic(client, settings, changes)))
        counting = True
        await asyncio.sleep(seconds)
        counting = False
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    server.should_exit = True
    await serving
    await db.dispose()
    return counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consoles", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--changes", type=float, default=0.0, help="queue changes a minute")
    parser.add_argument("--desks", action="store_true", help="duty desks instead of consoles")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        upgrade(url)
        counted = asyncio.run(measure(url, args.consoles, args.seconds, args.changes, args.desks))
    per = 60.0 / args.seconds / args.consoles
    print(
        f"{args.consoles} {'desks' if args.desks else 'consoles'} open for {args.seconds:.0f} s, "
        f"{args.changes:g} queue changes a minute"
    )
    for kind in ("stream", "heartbeat", "visitors", "other"):
        print(f"  {kind:9} {counted[kind] * per:8.1f} statements per console per minute")


if __name__ == "__main__":
    main()
