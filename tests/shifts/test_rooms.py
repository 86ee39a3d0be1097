"""The roster opens rooms: state from stored shifts and check-ins, queue capacity, the
closing notice, and visitors joining through the socket (both databases)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from html import unescape
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from starlette.testclient import TestClient

from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.shifts import checkins, rooms, roster, templates
from kuulolla.shifts.duty import RoomState
from kuulolla.shifts.models import ShiftAssignmentRow, ShiftRow
from kuulolla.web.app import create_app
from tests.conftest import make_settings
from tests.helpers import make_room, run_async
from tests.shifts.make import hki
from tests.shifts.world import NOW, ShiftWorld, build, weekly_template

START = hki(2026, 5, 4, 18)  # Monday's shift, 18–21 Helsinki time
END = hki(2026, 5, 4, 21)


@pytest_asyncio.fixture
async def world(db: Database) -> ShiftWorld:
    return await build(db)


async def monday_shift(db: Database) -> int:
    async with db.read_session() as session:
        return int(
            await session.scalar(select(ShiftRow.id).where(ShiftRow.starts_at == START)) or 0
        )


async def sign_up_and_check_in(db: Database, world: ShiftWorld, who: str, at: datetime) -> int:
    assignment = await roster.do_sign_up(
        db,
        organisation_id=world.org_id,
        shift_id=await monday_shift(db),
        person_id=world.people[who],
        role="volunteer",
        now=NOW,
    )
    await checkins.do_check_in(
        db,
        organisation_id=world.org_id,
        assignment_id=assignment,
        person_id=world.people[who],
        now=at,
    )
    return assignment


@pytest.mark.asyncio
async def test_room_without_roster_has_no_state(db: Database, world: ShiftWorld) -> None:
    """A room with no template keeps today's behaviour: no roster state, always open."""
    assert await rooms.room_state(db, room_id=world.room_id, now=START) is None


@pytest.mark.asyncio
async def test_room_opens_with_a_checked_in_host_and_closes_at_the_end(
    db: Database, world: ShiftWorld
) -> None:
    """Closed before the window, waiting without a host, open with one, closed after."""
    await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO")

    async def status(at: datetime) -> RoomState:
        state = await rooms.room_state(db, room_id=world.room_id, now=at)
        assert state is not None
        return state

    before = await status(START - timedelta(hours=1))
    # Nobody has signed up yet: the window is planned, not a confirmed opening.
    assert (before.status, before.next_opening, before.next_planned) == ("closed", None, START)
    assert (await status(START + timedelta(minutes=5))).status == "waiting_for_host"
    await sign_up_and_check_in(db, world, "host1", START + timedelta(minutes=10))
    during = await status(START + timedelta(minutes=11))
    assert (during.status, during.closes_at, during.closing_soon) == ("open", END, False)
    assert (await status(END - timedelta(minutes=10))).closing_soon
    after = await status(END)
    assert (after.status, after.next_planned) == ("closed", START + timedelta(days=7))


@pytest.mark.asyncio
async def test_unqualified_host_does_not_open_the_room(db: Database, world: ShiftWorld) -> None:
    """A checked-in host whose training no longer counts does not open the room."""
    await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO")
    from sqlalchemy import delete

    from kuulolla.accounts.models import StaffQualification

    await sign_up_and_check_in(db, world, "host1", START)
    async with db.session() as session:  # the training is withdrawn after sign-up
        await session.execute(
            delete(StaffQualification).where(StaffQualification.user_id == world.people["host1"])
        )
    state = await rooms.room_state(db, room_id=world.room_id, now=START + timedelta(minutes=1))
    assert state is not None and state.status == "waiting_for_host"


@pytest.mark.asyncio
async def test_topic_capacity_sums_parallel_chats_of_checked_in_helpers(
    db: Database, world: ShiftWorld
) -> None:
    """Two helpers on duty with two chats each make a capacity of four; None without a roster."""
    from kuulolla.queue.models import QueueTopic

    async with db.session() as session:
        topic = QueueTopic(
            organisation_id=world.org_id,
            slug="nuorten-chat",
            name_fi="Nuorten chat",
            created_at=NOW,
        )
        session.add(topic)
        await session.flush()
        topic_id = topic.id
    assert await rooms.topic_capacity(db, topic_id=topic_id, now=START) is None
    await templates.do_save_template(
        db,
        organisation_id=world.org_id,
        data=templates.TemplateInput(
            topic_id=topic_id,
            start_time=time(18),
            end_time=time(21),
            rule="FREQ=WEEKLY;BYDAY=MO",
            valid_from=NOW.date(),
            needs={"volunteer": 3},
            qualification_id=world.qualification_id,
        ),
        now=NOW,
    )
    assert await rooms.topic_capacity(db, topic_id=topic_id, now=START) == 0
    for who in ("host1", "host2"):
        await sign_up_and_check_in(db, world, who, START)
    assert await rooms.topic_capacity(db, topic_id=topic_id, now=START + timedelta(minutes=1)) == 4


@pytest.mark.asyncio
async def test_closing_notice_is_told_once_per_window(db: Database, world: ShiftWorld) -> None:
    """The watcher tells a room once when it is about to close and once when it closed."""
    await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO")
    await sign_up_and_check_in(db, world, "host1", START)
    clock = FrozenClock(START + timedelta(hours=1))
    states = rooms.RoomStates(db, clock)
    told: list[str] = []

    def tell(room_id: int, state: RoomState) -> None:
        told.append(state.status + (" soon" if state.closing_soon else ""))

    for minutes in (170, 172, 175, 181, 185):  # 21:00 is 180 minutes after the start
        clock.set(START + timedelta(minutes=minutes))
        await states.check([world.room_id], tell)
    assert told == ["open soon", "closed"]


@pytest.mark.asyncio
async def test_rostered_rooms_are_those_with_a_template_or_a_shift(
    db: Database, world: ShiftWorld
) -> None:
    """The watcher's one query tells rooms with a roster from rooms without one."""
    bare = await make_room(db, "ilman-vuoroja", org="jarjesto")
    assert await rooms.rostered_rooms(db, [world.room_id, bare]) == set()
    await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO")
    assert await rooms.rostered_rooms(db, [world.room_id, bare]) == {world.room_id}


# ------------------------------------------------------------------ through the socket


def hello_join(client: TestClient, room: str) -> dict[str, Any]:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "hello", "v": 1}))
        ws.receive_json()
        ws.send_text(json.dumps({"type": "join", "room": room, "nick": "Vieras"}))
        for _ in range(20):
            reply = ws.receive_json()
            if reply["type"] in ("joined", "error"):
                return reply  # type: ignore[no-any-return]
    raise AssertionError("no reply to join")


@pytest.fixture
def roster_app(db_url: str) -> Iterator[tuple[TestClient, FrozenClock, ShiftWorld, str]]:
    async def seed() -> ShiftWorld:
        db = Database.from_url(db_url)
        try:
            world = await build(db)
            await make_room(db, "vapaa")  # a room without a roster
            await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO")
            return world
        finally:
            await db.dispose()

    world = run_async(seed)
    clock = FrozenClock(START + timedelta(minutes=5))
    with TestClient(create_app(make_settings(db_url), clock=clock)) as client:
        yield client, clock, world, db_url


def test_visitor_joins_only_while_a_qualified_host_is_checked_in(
    roster_app: tuple[TestClient, FrozenClock, ShiftWorld, str],
) -> None:
    """Joining is refused before the host checks in, works after, and is refused after the end."""
    client, clock, world, url = roster_app
    refused = hello_join(client, "huone")
    assert refused["code"] == "room_not_open"
    assert "Aukeaa heti, kun ohjaaja saapuu" in client.get("/rooms/huone").text
    assert hello_join(client, "vapaa")["type"] == "joined"
    assert 'id="roster-state"' not in client.get("/rooms/vapaa").text

    async def check_in() -> None:
        db = Database.from_url(url)
        try:
            await sign_up_and_check_in(db, world, "host1", clock.now())
        finally:
            await db.dispose()

    run_async(check_in)
    clock.advance(seconds=30)  # past the per-process cache
    assert hello_join(client, "huone")["type"] == "joined"
    clock.set(END + timedelta(seconds=1))
    closed = hello_join(client, "huone")
    assert closed["code"] == "room_not_open" and "11.5." in closed["message"]


def front_page_text(client: TestClient, slug: str) -> str:
    """The status line of a room's card on the front page."""
    html = client.get("/").text
    card = html[html.index(f'href="/rooms/{slug}"') :]
    return unescape(re.search(r'<p class="status[^"]*">([^<]*)</p>', card)[1])  # type: ignore[index]


def room_page_text(client: TestClient, slug: str) -> str:
    """The opening line of the room's page."""
    html = client.get(f"/rooms/{slug}").text
    return unescape(re.search(r'id="roster-state">([^<]*?)\s*(?:<a|</p>)', html)[1]).strip()  # type: ignore[index]


@pytest.fixture
def two_shift_room(db_url: str) -> Iterator[tuple[TestClient, FrozenClock, ShiftWorld, str]]:
    """Monday 18–20 (host1 signed up) and 20–21 (nobody yet) make one window 18–21."""

    async def seed() -> ShiftWorld:
        db = Database.from_url(db_url)
        try:
            world = await build(db)
            await weekly_template(db, world, rule="FREQ=WEEKLY;BYDAY=MO", end=time(20))
            await weekly_template(
                db, world, rule="FREQ=WEEKLY;BYDAY=MO", start=time(20), end=time(21)
            )
            await roster.do_sign_up(
                db,
                organisation_id=world.org_id,
                shift_id=await monday_shift(db),
                person_id=world.people["host1"],
                role="volunteer",
                now=NOW,
            )
            return world
        finally:
            await db.dispose()

    world = run_async(seed)
    clock = FrozenClock(START - timedelta(hours=1))
    with TestClient(create_app(make_settings(db_url), clock=clock)) as client:
        yield client, clock, world, db_url


def test_front_page_room_page_and_join_agree_through_a_shift_end(
    two_shift_room: tuple[TestClient, FrozenClock, ShiftWorld, str],
) -> None:
    """Before, during and after the host's shift the three say the same; the host's end closes the room."""
    client, clock, world, url = two_shift_room

    def said() -> tuple[str, str, str]:
        join = hello_join(client, "huone")
        joined = "joined" if join["type"] == "joined" else join["message"]
        return front_page_text(client, "huone"), room_page_text(client, "huone"), joined

    before = said()
    assert before == ("Suljettu nyt. Aukeaa seuraavaksi klo 18.00.",) * 3

    async def check_in() -> None:
        db = Database.from_url(url)
        try:
            async with db.read_session() as session:
                assignment = await session.scalar(
                    select(ShiftAssignmentRow.id).where(
                        ShiftAssignmentRow.person_id == world.people["host1"]
                    )
                )
            await checkins.do_check_in(
                db,
                organisation_id=world.org_id,
                assignment_id=int(assignment or 0),
                person_id=world.people["host1"],
                now=clock.now(),
            )
        finally:
            await db.dispose()

    clock.set(START + timedelta(minutes=5))
    run_async(check_in)
    clock.advance(seconds=30)  # past the per-process cache
    front, page, joined = said()
    # Open until the host's shift ends at 20, not until the window's end at 21.
    assert (front, page, joined) == ("Auki nyt, klo 20.00 asti.",) * 2 + ("joined",)

    clock.set(START + timedelta(hours=2, seconds=1))  # 20.00: the host's shift is over
    clock.advance(seconds=30)
    after = said()
    assert after == ("Aukeaa heti, kun ohjaaja saapuu (aikataulun mukaan klo 21.00 asti).",) * 3

    clock.set(END + timedelta(seconds=30))
    closed = said()
    assert closed[0] == closed[1] == closed[2]
    assert closed[0].startswith("Suljettu nyt. Seuraava suunniteltu aukeaminen maanantaina 11.5.")
