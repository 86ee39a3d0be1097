"""Limits on every anonymous action (issue 26, reproductions 4, 5 and 7).

From one client a review queued 50 fake visitors in 2.9 s (a real visitor then saw
position 51 and 55 minutes), put 300 private messages on a coordinator's socket in
3.3 s, joined rooms 130 times a second on one socket, opened 1,000 sockets, and made
30 "helpful" votes count 30. Each is tried here against a live server, from loopback
addresses of the test's own (127.0.0.x), each test with addresses no other uses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import websockets

from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.questions import importing
from kuulolla.questions.staff import Answerer
from tests.accounts.helpers import SESSION_COOKIE, anonymous_headers
from tests.conftest import make_database_url, make_settings
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import NOW, run_async
from tests.queue.helpers import build
from tests.security.concurrency import at_once
from tests.security.conftest import seed_staff
from tests.security.test_proxies import client_from, coordinator_cookie

pytestmark = pytest.mark.e2e

DEFAULTS = Settings()


def seed(url: str) -> int:
    """Staff and a room (security/conftest.py), a queue topic open round the clock with
    a helper on duty (queue/helpers.py) and one published answer; returns its id."""
    seed_staff(url, make_settings(url))

    async def work() -> int:
        db = Database.from_url(url)
        try:
            await build(db)
            ids = await importing.do_import_published(
                db,
                items=[
                    importing.ImportItem(
                        category="parenting",
                        language="fi",
                        title="Murrosikä",
                        body="Miten puhun murrosikäisen kanssa?",
                        answer="Kuuntele ensin.",
                        answerer=Answerer("Vastaaja", "Ammattilainen", "Järjestö ry"),
                        organisation_id=None,
                        published_at=NOW,
                    )
                ],
            )
            return ids[0]
        finally:
            await db.dispose()

    return run_async(work)


class World:
    def __init__(self, server: ServerProcess, url: str, question: int) -> None:
        self.server = server
        self.url = url
        self.question = question


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("anonymous")
    url, _ = make_database_url("sqlite", folder, sqlite_template, None)
    question = seed(url)
    # Test clients write faster than people: the flood rules of rooms are not the point.
    server = ServerProcess(server_env(url, people_limits=True), folder / "server.log").start()
    try:
        yield World(server, url, question)
    finally:
        server.stop()


def form_headers() -> tuple[dict[str, str], str]:
    cookie, token = anonymous_headers(make_settings(""))
    return {**cookie, "accept-language": "en"}, token


async def enter(client: httpx.AsyncClient, token: str) -> httpx.Response:
    headers, csrf = form_headers()
    return await client.post(
        "/chat/nuorten-chat/enter",
        content=json.dumps({"token": token, "consent": True}),
        headers={
            **headers,
            "content-type": "application/json",
            "accept": "application/json",
            "x-csrf-token": csrf,
        },
    )


@pytest.mark.asyncio
async def test_fifty_fake_visitors_from_one_network_cannot_fill_the_queue(world: World) -> None:
    """Fifty tokens from one address enter at once: five get in, the others are told
    when they may; a visitor from elsewhere is then sixth, not fifty-first."""
    async with client_from("127.0.0.11", world.server.http) as flooder:
        replies = await at_once(50, lambda i: enter(flooder, f"fake-visitor-{i:04d}-xxxxxxxx"))
    admitted = [r for r in replies if r.status_code == 200]
    refused = [r for r in replies if r.status_code == 429]
    assert len(admitted) == DEFAULTS.queue_entries_per_network
    assert len(refused) == 50 - len(admitted)
    assert refused[0].json()["error"]["code"] == "too_many_entries"
    assert "within the hour" in refused[0].json()["error"]["message"]
    async with client_from("127.0.0.12", world.server.http) as visitor:
        mine = await enter(visitor, "real-visitor-token-000000000")
    assert mine.status_code == 200 and mine.json()["position"] == len(admitted) + 1


@pytest.mark.asyncio
async def test_one_token_enters_a_few_times_an_hour(world: World) -> None:
    """One token entering and leaving again and again is stopped after six entries,
    whatever address it comes from."""
    token = "restless-visitor-token-00000"
    statuses = []
    for i in range(DEFAULTS.queue_entries_per_token + 1):
        async with client_from(f"127.0.1.{i + 1}", world.server.http) as client:
            statuses.append((await enter(client, token)).status_code)
            headers, csrf = form_headers()
            await client.post(
                "/chat/leave",
                content=json.dumps({"token": token}),
                headers={**headers, "content-type": "application/json", "x-csrf-token": csrf},
            )
    assert statuses == [200] * DEFAULTS.queue_entries_per_token + [429]


@pytest.mark.asyncio
async def test_a_flood_of_messages_to_the_moderators_is_cut_short(world: World) -> None:
    """Three hundred private messages from one visitor: the coordinator gets five, the
    visitor a translated refusal; ten sockets of one network get thirty between them."""
    staff = await Client.connect(
        world.server.ws,
        local_addr=("127.0.0.21", 0),
        additional_headers={"cookie": f"{SESSION_COOKIE}={coordinator_cookie(world.url)}"},
    )
    assert (await staff.join("huone"))["type"] == "joined"
    visitor = await Client.connect(world.server.ws, local_addr=("127.0.0.22", 0))
    await visitor.join("huone", "Tulva")
    for i in range(300):
        await visitor.send(
            {"type": "to_moderators", "room": "huone", "text": f"viesti {i} " + "x" * 1900}
        )
    refusals = await visitor.collect("error", 295, timeout=20)
    assert {f["code"] for f in refusals} == {"too_many_to_moderators"}
    received = await drain(staff, "private")
    assert received == DEFAULTS.moderator_messages_per_socket

    sockets = [
        await Client.connect(world.server.ws, local_addr=("127.0.0.23", 0)) for _ in range(10)
    ]
    for n, client in enumerate(sockets):
        await client.join("huone", f"Toinen{n}")
        for i in range(10):
            await client.send({"type": "to_moderators", "room": "huone", "text": f"{n}-{i}"})
    assert await drain(staff, "private") == DEFAULTS.moderator_messages_per_network
    for client in [staff, visitor, *sockets]:
        await client.ws.close()


async def drain(client: Client, kind: str, quiet: float = 1.5) -> int:
    """How many frames of ``kind`` arrive until none has come for ``quiet`` seconds."""
    count = 0
    while True:
        try:
            frame = await client.recv(timeout=quiet)
        except TimeoutError:
            return count
        count += frame["type"] == kind


@pytest.mark.asyncio
async def test_joins_are_limited_per_socket_and_per_network(world: World) -> None:
    """A socket joining 130 times at once gets ten through; fifteen sockets of one
    network joining ten times each get the network's 120."""
    one = await Client.connect(world.server.ws, local_addr=("127.0.0.31", 0))
    for _ in range(130):
        await one.send({"type": "join", "room": "huone", "nick": "Hyppija"})
    joined = errors = 0
    while joined + errors < 130:
        frame = await one.recv()
        joined += frame["type"] == "joined"
        errors += frame["type"] == "error" and frame["code"] == "too_many_joins"
    assert joined <= DEFAULTS.joins_per_socket // 2 + 1 and errors >= 119
    await one.ws.close()

    many = [await Client.connect(world.server.ws, local_addr=("127.0.0.32", 0)) for _ in range(15)]

    async def joins(n: int, client: Client) -> int:
        count = 0
        for _ in range(10):
            count += (await client.join("huone", f"Monta{n}"))["type"] == "joined"
        return count

    total = sum(await asyncio.gather(*(joins(n, c) for n, c in enumerate(many))))
    assert total == DEFAULTS.joins_per_network  # every socket stays under its own limit
    for client in many:
        await client.ws.close()


@pytest.mark.asyncio
async def test_one_network_cannot_hold_a_thousand_sockets(world: World) -> None:
    """Past fifty open sockets of one network a new one is told why and closed with
    1013; another network connects as ever."""
    held: list[Any] = []
    for _ in range(DEFAULTS.sockets_per_network):
        held.append(await Client.connect(world.server.ws, local_addr=("127.0.0.41", 0)))
    extra = await websockets.connect(
        world.server.ws, compression=None, local_addr=("127.0.0.41", 0)
    )
    frame = json.loads(await asyncio.wait_for(extra.recv(), 5))
    assert frame["type"] == "error" and frame["code"] == "too_many_connections"
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(extra.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    other = await Client.connect(world.server.ws, local_addr=("127.0.0.42", 0))
    await other.ws.close()
    for client in held:
        await client.ws.close()


async def helpful_votes(world: World, address: str, n: int) -> None:
    async def vote(i: int) -> httpx.Response:
        headers, csrf = form_headers()
        async with client_from(address, world.server.http) as client:  # no cookies kept
            return await client.post(
                f"/questions/{world.question}/vote",
                data={"helpful": "yes", "csrf_token": csrf},
                headers=headers,
            )

    replies = await at_once(n, vote)
    assert all(r.status_code == 303 for r in replies)


def helpful_count(world: World) -> int:
    async def work() -> int:
        from sqlalchemy import select

        from kuulolla.questions.models import Question

        db = Database.from_url(world.url)
        try:
            async with db.read_session() as session:
                return int(
                    await session.scalar(
                        select(Question.helpful).where(Question.id == world.question)
                    )
                    or 0
                )
        finally:
            await db.dispose()

    return run_async(work)


@pytest.mark.asyncio
async def test_thirty_fresh_browsers_on_one_network_vote_once(world: World) -> None:
    """Thirty cookie-less "helpful" votes at once from one network count one; another
    network's vote counts too; the page says a vote from the network was counted."""
    await helpful_votes(world, "127.0.0.51", 30)
    assert helpful_count(world) == 1
    await helpful_votes(world, "127.0.0.52", 1)
    assert helpful_count(world) == 2
    async with client_from("127.0.0.51", world.server.http) as client:
        headers, csrf = form_headers()
        again = await client.post(
            f"/questions/{world.question}/vote",
            data={"helpful": "no", "csrf_token": csrf},
            headers=headers,
            follow_redirects=True,
        )
    assert "A vote from your network has been counted for this answer today" in again.text


@pytest.mark.asyncio
async def test_questions_from_one_network_are_limited_per_hour(world: World) -> None:
    """Five questions an hour from one network; the sixth is refused with its text kept."""
    body = "Olen huolissani ystävästäni, joka ei enää vastaa viesteihin. Mitä voin tehdä?"
    async with client_from("127.0.0.61", world.server.http) as client:
        statuses = []
        for i in range(DEFAULTS.questions_per_network + 1):
            headers, csrf = form_headers()
            reply = await client.post(
                "/questions/ask",
                data={
                    "csrf_token": csrf,
                    "title": f"Ystävä {i}",
                    "body": body,
                    "category": "relationships",
                    "visibility": "private",
                    "consent": "yes",
                    "seen_similar": "1",
                    "seen_masking": "1",
                },
                headers=headers,
            )
            statuses.append(reply.status_code)
    assert statuses == [200] * DEFAULTS.questions_per_network + [429]
    assert "Many questions have been sent from your network" in reply.text
    assert body in reply.text
