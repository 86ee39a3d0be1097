"""What the service promises about data holds in the data itself.

A real server (production logging: JSON lines) is driven through chat, the question
form, the claim page, a failed sign-in and garbage; unique canary strings are planted in
nicknames, messages, questions and staff notes. Then:

- the canary test runs the purge with the clock past every retention period (a crisis
  alert among what is purged: it holds the nickname) and
  searches the SQLite file (with its WAL), a PostgreSQL dump (pg_dump), a Redis dump
  and the server's log for the canaries: zero hits;
- the address test searches the same log, dumps and Redis for IPv4 and IPv6 addresses:
  none, except the server's own bind line in the log.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import secrets
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kuulolla.core import retention as registry
from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.core.logging import scrub_addresses
from kuulolla.privacy.service import do_purge
from tests.conftest import REDIS_URL, make_settings
from tests.e2e.client import Client
from tests.e2e.conftest import seed_rooms
from tests.e2e.servers import ServerProcess, server_env

pytestmark = pytest.mark.e2e

CLAIM = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")


@dataclass
class Canaries:
    nick: str
    message: str
    question: str
    answer: str
    note: str
    chat: str
    helper_note: str
    prechat: str
    feedback: str

    @classmethod
    def new(cls) -> Canaries:
        tag = secrets.token_hex(5)
        return cls(
            # Letters only: a nickname with a run of digits is refused as a phone number.
            nick="Kanari" + tag[:6].translate(str.maketrans("0123456789", "ghijklmnop")),
            message=f"viestikanari{tag}",
            question=f"kysymyskanari{tag}",
            answer=f"vastauskanari{tag}",
            note=f"muistiinpanokanari{tag}",
            chat=f"keskustelukanari{tag}",
            helper_note=f"tukijakanari{tag}",
            prechat=f"esikysymyskanari{tag}",
            feedback=f"palautekanari{tag}",
        )

    def all(self) -> list[str]:
        return [
            self.nick,
            self.message,
            self.question,
            self.answer,
            self.note,
            self.chat,
            self.helper_note,
            self.prechat,
            self.feedback,
        ]


@dataclass
class Setup:
    kind: str
    url: str
    server: ServerProcess
    redis_db: str
    sqlite_path: Path | None = None
    pg_name: str | None = None


def redis_url_for(db_index: str) -> str:
    return REDIS_URL.rsplit("/", 1)[0] + "/" + db_index


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[Setup]:
    # A Redis database of this test's own, so its dump holds only what this server wrote.
    redis_db = "13"
    import redis

    redis.Redis.from_url(redis_url_for(redis_db)).flushdb()
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
        path = Path(url.split("///", 1)[1])
        pg_name = None
    else:
        url = request.getfixturevalue("postgres_url")
        path = None
        pg_name = url.rsplit("/", 1)[1]
    seed_rooms(url)
    env = server_env(
        url,
        redis_url=redis_url_for(redis_db),
        prefix="kanari",
        KUULOLLA_ENV="development",  # plain-http cookies, so the test's client can post forms
        KUULOLLA_LOG_LEVEL="INFO",
        KUULOLLA_PURGE_INTERVAL="0",
    )
    server = ServerProcess(env, tmp_path / "server.log")
    server.start()
    try:
        yield Setup(request.param, url, server, redis_db, path, pg_name)
    finally:
        server.stop()


class Browser:
    """Plain HTTP with cookies, as a browser without JavaScript."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post(self, path: str, form: dict[str, str], *, token_from: str) -> tuple[int, str]:
        _, page = self.get(token_from)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert found
        data = urllib.parse.urlencode({"csrf_token": found.group(1), **form}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"origin": self.base})
        try:
            with self.opener.open(request, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


async def exercise(server: ServerProcess, canaries: Canaries) -> str:
    """Drive the server as visitors do; returns the question's claim code."""
    client = await Client.connect(server.ws)
    joined = await client.join("huone", canaries.nick)
    assert joined["type"] == "joined", joined
    await client.say("huone", f"Hei, {canaries.message} tässä.", "k1")
    # A crisis signal: the alert for the duty desk holds the nickname. (A canary alone
    # raised one now and then: the crisis model found a signal in a few random tags.)
    await client.say("huone", "En halua enää elää.", "k2")
    await client.send({"type": "nonsense", "text": canaries.message})
    await client.close()
    web = Browser(server.http)
    status, page = await asyncio.to_thread(
        web.post,
        "/questions/ask",
        {
            "category": "relationships",
            "body": f"Miten toimia, kun {canaries.question} vaivaa joka päivä?",
            "visibility": "private",
            "seen_similar": "1",
            "seen_masking": "1",
        },
        token_from="/questions/ask",
    )
    assert status == 200, page[:500]
    found = CLAIM.search(page)
    assert found, page[:2000]
    code = found.group(0)
    assert (await asyncio.to_thread(web.get, f"/questions/claim/{code}?q={canaries.question}"))[
        0
    ] == 200
    await asyncio.to_thread(web.get, f"/ei-ole/{canaries.nick}?x={canaries.message}")
    status, _ = await asyncio.to_thread(
        web.post,
        "/sign-in",
        {"username": canaries.nick.lower(), "password": canaries.message},
        token_from="/sign-in",
    )
    assert status in (200, 400, 401, 429)
    return code


async def plant_notes(url: str, canaries: Canaries) -> None:
    """A staff member's draft answer and review note on the question."""
    from kuulolla.questions.models import Answer, Question

    db = Database.from_url(url)
    try:
        async with db.session() as session:
            question_id = await session.scalar(select(Question.id).order_by(Question.id.desc()))
            session.add(
                Answer(
                    question_id=question_id,
                    body=f"Luonnos: {canaries.answer}",
                    review_note=canaries.note,
                    updated_at=utcnow(),
                )
            )
            await session.execute(
                update(Question).where(Question.id == question_id).values(state="drafted")
            )
    finally:
        await db.dispose()


async def one_to_one(server: ServerProcess, url: str, canaries: Canaries) -> None:
    """A one-to-one conversation: the visitor answers a pre-chat question, writes in
    the conversation over the socket, the helper writes a note, the visitor gives
    feedback."""
    from kuulolla.accounts import crypto
    from kuulolla.accounts.organisations import do_create_organisation
    from kuulolla.core.ids import token_key
    from kuulolla.queue import accepting, console, conversation
    from kuulolla.queue import feedback as queue_feedback
    from kuulolla.queue import topics as queue_topics
    from kuulolla.queue import waiting as queue_waiting
    from tests.accounts.helpers import add_person
    from tests.conftest import TEST_SECRET
    from tests.queue.helpers import ALWAYS

    token = "kanarivieras-" + secrets.token_hex(16)
    now = utcnow()
    db = Database.from_url(url)
    try:
        org = await do_create_organisation(
            db, actor_id=None, slug="kanari-ry", name="Kanari ry", now=now
        )
        await queue_topics.do_create_topic(
            db,
            organisation_id=org,
            slug="kanari-chat",
            names={"fi": "Kanari"},
            hours=ALWAYS,
            now=now,
        )
        topic = await queue_topics.get_topic_or_raise(db, slug="kanari-chat")
        helper = await add_person(db, "kanari-tukija", org_id=org, role="volunteer")
        await console.do_set_duty(
            db, organisation_id=org, user_id=helper, available=True, max_chats=2, now=now
        )
        entry = await queue_waiting.do_enter(
            db,
            topic=topic,
            visitor_key=token_key(token),
            answers={"subject": canaries.prechat},
            consent=True,
            now=now,
        )
        taken = await accepting.do_accept(
            db,
            organisation_id=org,
            user_id=helper,
            staff_key=crypto.staff_author_key(TEST_SECRET, helper),
            topic_id=topic.id,
            now=now,
        )
        client = await Client.connect(server.ws, token=token)
        assert (await client.join(taken.room_slug, canaries.nick))["type"] == "joined"
        await client.say(taken.room_slug, f"Minulla on {canaries.chat} mielessä.", "o1")
        await client.close()
        await conversation.do_note(
            db,
            organisation_id=org,
            user_id=helper,
            entry_id=entry,
            text=f"Huom: {canaries.helper_note}",
            now=now,
        )
        await conversation.do_end(db, organisation_id=org, user_id=helper, entry_id=entry, now=now)
        await queue_feedback.do_feedback(
            db,
            visitor_key=token_key(token),
            entry_id=entry,
            helped="yes",
            rating="5",
            text=f"Kiitos, {canaries.feedback}",
            now=now,
        )
    finally:
        await db.dispose()


async def alert_nicks(url: str) -> list[str]:
    """The nicknames of the crisis alerts recorded, once the first is there (the chat
    server records an alert after its message, off the sender's path)."""
    from kuulolla.moderation.models import CrisisAlert

    db = Database.from_url(url)
    try:
        for _ in range(100):
            async with db.read_session() as session:
                nicks = list((await session.execute(select(CrisisAlert.nick))).scalars())
            if nicks:
                return nicks
            await asyncio.sleep(0.1)
        return []
    finally:
        await db.dispose()


async def purge_everything(setup: Setup) -> int:
    """The purge with the clock past the longest period in force."""
    from redis.asyncio import Redis

    days = max(kind.max_days for kind in registry.kinds())
    db = Database.from_url(setup.url)
    redis = Redis.from_url(redis_url_for(setup.redis_db))
    try:
        results = await do_purge(
            db,
            settings=make_settings(setup.url),
            now=utcnow() + timedelta(days=days + 1),
            redis=redis,
        )
    finally:
        await redis.aclose()
        await db.dispose()
    return sum(r.count for r in results)


def stored_bytes(setup: Setup) -> bytes:
    """The database as stored: the SQLite file with its WAL, or a PostgreSQL dump."""
    if setup.sqlite_path is not None:
        parts = [setup.sqlite_path, Path(f"{setup.sqlite_path}-wal")]
        return b"".join(p.read_bytes() for p in parts if p.exists())
    assert setup.pg_name is not None
    dsn = setup.url.replace("+asyncpg", "")
    return subprocess.run(
        ["pg_dump", "--no-owner", dsn], capture_output=True, check=True, timeout=60
    ).stdout


def redis_bytes(setup: Setup) -> bytes:
    """Every key and value in the test's Redis database (DUMP form)."""
    import redis

    client = redis.Redis.from_url(redis_url_for(setup.redis_db))
    out = []
    for key in client.scan_iter(count=1000):
        out.append(key)
        out.append(client.dump(key) or b"")
    return b"\n".join(out)


def addresses_in(text: str) -> list[str]:
    """Lines of ``text`` that hold an IPv4 or IPv6 address."""
    return [line for line in text.splitlines() if scrub_addresses(line) != line]


@pytest.mark.asyncio
async def test_canaries_are_gone_after_the_purge_and_no_addresses_are_kept(
    setup: Setup,
) -> None:
    """After the purge past every period no canary is left in the database, Redis or the
    log, and no address appears anywhere but the server's bind line."""
    canaries = Canaries.new()
    await exercise(setup.server, canaries)
    await plant_notes(setup.url, canaries)
    await one_to_one(setup.server, setup.url, canaries)
    # Planted: before the purge the canaries are in the database.
    before = stored_bytes(setup)
    for planted in (canaries.message, canaries.note, canaries.chat, canaries.helper_note):
        assert planted.encode() in before, planted
    for planted in (canaries.prechat, canaries.feedback):
        assert planted.encode() in before, planted
    assert set(await alert_nicks(setup.url)) == {canaries.nick}
    setup.server.stop()
    deleted = await purge_everything(setup)
    assert deleted >= 3
    stored = stored_bytes(setup)
    in_redis = redis_bytes(setup)
    log = setup.server.output()
    hits = {
        where: [c for c in canaries.all() if c.encode() in data or c.lower().encode() in data]
        for where, data in (("database", stored), ("redis", in_redis), ("log", log.encode()))
    }
    assert hits == {"database": [], "redis": [], "log": []}
    # Addresses: only the line announcing where the server listens.
    bind = f"127.0.0.1:{setup.server.port}"
    assert [line for line in addresses_in(log) if bind not in line] == []
    assert len([line for line in log.splitlines() if "127.0.0.1" in line]) == 1
    assert addresses_in(stored.decode("utf-8", "replace")) == []
    assert addresses_in(in_redis.decode("utf-8", "replace")) == []
    assert b"127.0.0.1" not in stored and b"127.0.0.1" not in in_redis
