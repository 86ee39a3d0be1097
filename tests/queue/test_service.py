"""Queue services on SQLite and PostgreSQL: entering, position, the atomic accept,
the helper's limit, transfers, disconnect grace and what happens after the chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulolla.chat.models import Message
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError, BadRequest, Conflict
from kuulolla.queue import (
    accepting,
    console,
    conversation,
    feedback,
    return_codes,
    service,
    waiting,
)
from kuulolla.queue.models import QueueEntry, QueueFeedback, QueueNote
from kuulolla.rooms import service as rooms_service
from kuulolla.rooms.models import Room
from tests.helpers import NOW
from tests.queue.helpers import accept, build, enter, visitor

GRACE = timedelta(seconds=60)
pytestmark = pytest.mark.asyncio


async def status(db: Database, n: int, *, when=NOW) -> waiting.VisitorView:  # type: ignore[no-untyped-def]
    return await waiting.visitor_status(db, visitor_key=visitor(n), grace=GRACE, now=when)


async def test_visitors_see_their_place_in_arrival_order(db: Database) -> None:
    """Positions follow arrival; the estimate grows with the place."""
    world = await build(db, max_chats=1)
    for n in range(3):
        await enter(db, world, n, when=NOW + timedelta(seconds=n))
    views = [await status(db, n) for n in range(3)]
    assert [v.position for v in views] == [1, 2, 3]
    assert views[0].estimate == 30.0  # a free slot: the helper's pick-up
    assert views[1].estimate == 960.0 and views[2].estimate == 1890.0


async def test_the_estimate_keeps_growing_when_a_second_slot_frees_untaken(
    db: Database,
) -> None:
    """A conversation ending while nobody takes does not restart the stall: the estimate
    counts from the first slot that freed after the last take."""
    world = await build(db, max_chats=2)
    first = await enter(db, world, 0)
    second = await enter(db, world, 1)
    await accept(db, world, "vol1", entry_id=first, when=NOW + timedelta(seconds=10))
    await accept(db, world, "vol1", entry_id=second, when=NOW + timedelta(seconds=10))
    await enter(db, world, 2, when=NOW + timedelta(seconds=20))
    for entry, ended in ((first, 100), (second, 400)):
        await conversation.do_end(
            db,
            organisation_id=world.org_id,
            user_id=world.helpers["vol1"],
            entry_id=entry,
            now=NOW + timedelta(seconds=ended),
        )
    view = await waiting.visitor_status(
        db, visitor_key=visitor(2), grace=timedelta(hours=1), now=NOW + timedelta(seconds=500)
    )
    assert view.estimate == 400.0  # free since the first end, 400 s ago


async def test_a_slot_freed_by_a_helper_who_left_does_not_start_the_stall(
    db: Database,
) -> None:
    """The stall counts from the first end of a conversation of a helper still on duty:
    a helper who ended one and went off duty freed no place anyone can take."""
    world = await build(db, on_duty=("vol1", "vol2"), max_chats=1)
    first = await enter(db, world, 0)
    second = await enter(db, world, 1)
    await accept(db, world, "vol1", entry_id=first, when=NOW + timedelta(seconds=10))
    await accept(db, world, "vol2", entry_id=second, when=NOW + timedelta(seconds=10))
    for name, entry, ended in (("vol1", first, 100), ("vol2", second, 400)):
        if name == "vol2":
            await enter(db, world, 2, when=NOW + timedelta(seconds=200))
        await conversation.do_end(
            db,
            organisation_id=world.org_id,
            user_id=world.helpers[name],
            entry_id=entry,
            now=NOW + timedelta(seconds=ended),
        )
        if name == "vol1":
            await console.do_set_duty(
                db,
                organisation_id=world.org_id,
                user_id=world.helpers["vol1"],
                available=False,
                max_chats=1,
                now=NOW + timedelta(seconds=150),
            )
    view = await waiting.visitor_status(
        db, visitor_key=visitor(2), grace=timedelta(hours=1), now=NOW + timedelta(seconds=500)
    )
    assert view.estimate == 100.0  # vol2's slot, free since 400 s


async def test_entering_twice_keeps_the_first_place(db: Database) -> None:
    """A visitor who enters again (a reload) keeps their entry and place."""
    world = await build(db)
    first = await enter(db, world, 1)
    assert await enter(db, world, 1, when=NOW + timedelta(minutes=5)) == first


async def test_consent_is_required_when_the_topic_has_terms(db: Database) -> None:
    """Without ticking the consent nothing is stored."""
    world = await build(db)
    with pytest.raises(BadRequest) as caught:
        await waiting.do_enter(
            db, topic=world.topic, visitor_key=visitor(1), answers={}, consent=False, now=NOW
        )
    assert caught.value.code == "consent_required"
    assert (await status(db, 1)).state == "none"


async def test_nobody_on_duty_admits_nobody(db: Database) -> None:
    """With no helper on duty, the topic does not take newcomers."""
    world = await build(db, on_duty=())
    with pytest.raises(Conflict) as caught:
        await enter(db, world, 1)
    assert caught.value.code == "not_admitting"


async def test_accept_gives_a_private_room_to_both(db: Database) -> None:
    """Taking the next visitor makes a private room only the two of them may join."""
    world = await build(db)
    entry = await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    assert taken.entry_id == entry
    view = await status(db, 1)
    assert (view.state, view.room) == ("active", taken.room_slug)
    async with db.read_session() as session:
        room = await session.scalar(select(Room).where(Room.slug == taken.room_slug))
    assert room is not None and room.kind == "private"
    assert await service.may_join(db, room_id=room.id, author_key=visitor(1))
    assert await service.may_join(db, room_id=room.id, author_key=world.key("vol1"))
    assert not await service.may_join(db, room_id=room.id, author_key=visitor(2))
    assert not await service.may_join(db, room_id=room.id, author_key=world.key("vol2"))


async def test_out_of_turn_needs_a_reason_which_is_recorded(db: Database) -> None:
    """Taking the second visitor needs a reason; it is stored on the entry."""
    world = await build(db)
    await enter(db, world, 1)
    second = await enter(db, world, 2, when=NOW + timedelta(seconds=1))
    with pytest.raises(BadRequest) as caught:
        await accept(db, world, "vol1", entry_id=second)
    assert caught.value.code == "reason_required"
    await accept(db, world, "vol1", entry_id=second, reason="Kriisi esitietojen perusteella")
    async with db.read_session() as session:
        entry = await session.get(QueueEntry, second)
    assert entry is not None and entry.out_of_order_reason == "Kriisi esitietojen perusteella"


async def test_a_helper_holds_chats_up_to_their_limit(db: Database) -> None:
    """With a limit of two, the third accept is refused."""
    world = await build(db, max_chats=2)
    for n in range(3):
        await enter(db, world, n, when=NOW + timedelta(seconds=n))
    await accept(db, world, "vol1")
    await accept(db, world, "vol1")
    with pytest.raises(Conflict) as caught:
        await accept(db, world, "vol1")
    assert caught.value.code == "chat_limit_reached"


async def test_helper_off_duty_cannot_take(db: Database) -> None:
    """Only helpers on duty take visitors."""
    world = await build(db)
    await enter(db, world, 1)
    with pytest.raises(AppError) as caught:
        await accept(db, world, "vol2")
    assert caught.value.code == "not_on_duty"


@pytest.mark.parametrize("chosen", [True, False])
async def test_simultaneous_accepts_give_the_visitor_to_exactly_one(
    db_url: str, db: Database, chosen: bool
) -> None:
    """Four helpers clicking at once on separate connections: one wins, three are told."""
    world = await build(db, on_duty=("vol1", "vol2", "pro1"), max_chats=10)
    names = ["vol1", "vol2", "pro1", "vol1"]
    databases = [Database.from_url(db_url, pool_size=2) for _ in names]
    try:
        for round_ in range(5):
            entry = await enter(db, world, round_, when=NOW + timedelta(seconds=round_))
            results = await asyncio.gather(
                *(
                    accept(d, world, name, entry_id=entry if chosen else None)
                    for d, name in zip(databases, names, strict=True)
                ),
                return_exceptions=True,
            )
            won = [r for r in results if isinstance(r, accepting.Accepted)]
            lost = [r for r in results if isinstance(r, AppError)]
            assert len(won) == 1, results
            assert {e.code for e in lost} <= {"taken", "queue_empty"}
            assert len(lost) == 3
    finally:
        for d in databases:
            await d.dispose()
    async with db.read_session() as session:
        rooms = await session.scalar(
            select(func.count()).select_from(Room).where(Room.kind == "private")
        )
    assert rooms == 5


async def test_helper_drop_returns_the_visitor_to_the_front(db: Database) -> None:
    """A helper silent past the grace: the visitor goes before everyone waiting, notes kept."""
    world = await build(db, on_duty=("vol1", "vol2"), max_chats=1)
    await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    await conversation.do_note(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        text="Koulukiusaamista",
        now=NOW,
    )
    await enter(db, world, 2, when=NOW + timedelta(seconds=10))
    await status(db, 1, when=NOW + timedelta(seconds=50))
    later = NOW + timedelta(seconds=70)
    await console.do_heartbeat(
        db, organisation_id=world.org_id, user_id=world.helpers["vol2"], now=later
    )
    await status(db, 2, when=later)
    view = await status(db, 1, when=later)
    assert (view.state, view.position, view.returned) == ("waiting", 1, True)
    room = await service.get_room_id(db, slug=taken.room_slug)
    assert not await service.may_join(db, room_id=room, author_key=world.key("vol1"))
    again = await accept(db, world, "vol2", when=later)
    assert again == accepting.Accepted(taken.entry_id, taken.room_slug)  # same conversation
    shown = await console.get_console(
        db, organisation_id=world.org_id, user_id=world.helpers["vol2"], now=later
    )
    assert [n for n in shown.chats[0].notes if n[0] == "note"] == [("note", "Koulukiusaamista")]


async def test_visitor_drop_past_grace_leaves_the_queue(db: Database) -> None:
    """A visitor silent past the grace leaves; within it they keep their place."""
    world = await build(db, max_chats=1)
    await enter(db, world, 1)
    await enter(db, world, 2, when=NOW + timedelta(seconds=1))
    assert (await status(db, 1, when=NOW + timedelta(seconds=50))).position == 1
    await waiting.do_sweep(
        db, organisation_id=world.org_id, grace=GRACE, now=NOW + timedelta(seconds=100)
    )
    assert (await status(db, 1, when=NOW + timedelta(seconds=100))).state == "waiting"
    assert (await status(db, 2, when=NOW + timedelta(seconds=100))).state == "left"


async def test_the_grace_says_what_it_changed_so_the_streams_are_told(db: Database) -> None:
    """A visitor's status says when the grace just changed their entry (their helper's
    console went silent), and a console's touch counts the entries it changed; reading
    again with nothing changed says so too."""
    world = await build(db, on_duty=("vol1", "vol2"), max_chats=1)
    await enter(db, world, 1)
    await accept(db, world, "vol1")
    assert (await status(db, 1, when=NOW + timedelta(seconds=50))).swept is False
    later = NOW + timedelta(seconds=70)
    first = await status(db, 1, when=later)
    assert (first.state, first.swept) == ("waiting", True)
    assert (await status(db, 1, when=later)).swept is False
    await enter(db, world, 2, when=later)
    touched = dict(organisation_id=world.org_id, user_id=world.helpers["vol2"], grace=GRACE)
    assert await console.do_touch(db, **touched, now=later + timedelta(seconds=30)) == 0
    assert await console.do_touch(db, **touched, now=later + timedelta(seconds=90)) == 2


async def test_a_consoles_touch_returns_only_the_silent_helpers_conversation(
    db: Database,
) -> None:
    """The grace applied from one helper's console returns a silent colleague's
    conversation to the front of the queue and leaves its own conversation alone."""
    world = await build(db, on_duty=("vol1", "vol2"), max_chats=1)
    await enter(db, world, 1)
    await enter(db, world, 2)
    await accept(db, world, "vol1")
    await accept(db, world, "vol2")
    seen = NOW + timedelta(seconds=50)
    await console.do_heartbeat(
        db, organisation_id=world.org_id, user_id=world.helpers["vol2"], now=seen
    )
    await status(db, 1, when=seen)
    await status(db, 2, when=seen)
    later = NOW + timedelta(seconds=70)
    touched = await console.do_touch(
        db, organisation_id=world.org_id, user_id=world.helpers["vol2"], grace=GRACE, now=later
    )
    first, second = await status(db, 1, when=later), await status(db, 2, when=later)
    assert touched == 1
    assert (first.state, first.returned, second.state) == ("waiting", True, "active")


async def test_transfer_to_a_helper_and_to_another_organisations_topic(db: Database) -> None:
    """A transfer hands the room to the colleague, or to the front of another queue."""
    world = await build(db, on_duty=("vol1", "vol2", "other1"))
    await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    await conversation.do_transfer(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        to_user_id=world.helpers["vol2"],
        note="Jatka tästä",
        staff_key=world.key("vol2"),
        now=NOW,
    )
    room = await service.get_room_id(db, slug=taken.room_slug)
    assert await service.may_join(db, room_id=room, author_key=world.key("vol2"))
    assert not await service.may_join(db, room_id=room, author_key=world.key("vol1"))
    await conversation.do_transfer(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol2"],
        entry_id=taken.entry_id,
        to_topic="parisuhde",
        note="Parisuhdeasia",
        staff_key=world.key("vol2"),
        now=NOW,
    )
    view = await status(db, 1)
    assert (view.state, view.topic_slug, view.position) == ("waiting", "parisuhde", 1)
    other = await accepting.do_accept(
        db,
        organisation_id=world.other_org_id,
        user_id=world.helpers["other1"],
        staff_key=world.key("other1"),
        topic_id=world.other_topic.id,
        now=NOW,
    )
    assert other.room_slug == taken.room_slug


async def test_a_conversation_taken_in_another_organisation_moves_its_room_there(
    db: Database,
) -> None:
    """Taken from another organisation's topic, the conversation's room is that organisation's."""
    world = await build(db, on_duty=("vol1", "other1"))
    await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    await conversation.do_transfer(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        to_topic="parisuhde",
        note="",
        staff_key=world.key("vol1"),
        now=NOW,
    )
    await accepting.do_accept(
        db,
        organisation_id=world.other_org_id,
        user_id=world.helpers["other1"],
        staff_key=world.key("other1"),
        topic_id=world.other_topic.id,
        now=NOW,
    )
    room = await rooms_service.get_room(db, slug=taken.room_slug)
    assert room is not None and room.organisation_id == world.other_org_id


async def test_ending_a_conversation_closes_its_room(db: Database) -> None:
    """The helper ending a conversation closes its room."""
    world = await build(db)
    await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    await conversation.do_end(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        now=NOW + timedelta(minutes=5),
    )
    room = await rooms_service.get_room(db, slug=taken.room_slug)
    assert room is not None and not room.open


async def test_professional_joins_on_request(db: Database) -> None:
    """A professional asked in joins and sees the invitation on that organisation's console only."""
    world = await build(db, on_duty=("vol1", "pro1"))
    await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    with pytest.raises(Conflict):
        await conversation.do_invite_professional(
            db,
            organisation_id=world.org_id,
            user_id=world.helpers["vol1"],
            entry_id=taken.entry_id,
            professional_id=world.helpers["vol2"],
            professional_key=world.key("vol2"),
            note="",
            now=NOW,
        )
    await conversation.do_invite_professional(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=taken.entry_id,
        professional_id=world.helpers["pro1"],
        professional_key=world.key("pro1"),
        note="Lääkitys",
        now=NOW,
    )
    room = await service.get_room_id(db, slug=taken.room_slug)
    assert await service.may_join(db, room_id=room, author_key=world.key("pro1"))
    invited = dict(user_id=world.helpers["pro1"])
    assert await conversation.list_invitations(db, **invited, organisation_id=world.org_id) == [
        (taken.entry_id, taken.room_slug)
    ]
    # Not on the console of another organisation the professional may also serve.
    assert (
        await conversation.list_invitations(db, **invited, organisation_id=world.other_org_id) == []
    )


async def test_after_the_chat_feedback_return_code_and_delete(db: Database) -> None:
    """Feedback is stored unlinked; a return code continues with the notes; delete removes everything."""
    world = await build(db)
    entry = await enter(db, world, 1)
    taken = await accept(db, world, "vol1")
    await conversation.do_note(
        db,
        organisation_id=world.org_id,
        user_id=world.helpers["vol1"],
        entry_id=entry,
        text="Muistiinpano",
        now=NOW,
    )
    await conversation.do_end(
        db, organisation_id=world.org_id, user_id=world.helpers["vol1"], entry_id=entry, now=NOW
    )
    assert (await status(db, 1)).state == "ended"
    await feedback.do_feedback(
        db, visitor_key=visitor(1), entry_id=entry, helped="yes", rating="4", text="Kiitos", now=NOW
    )
    with pytest.raises(BadRequest):
        await feedback.do_feedback(
            db, visitor_key=visitor(1), entry_id=entry, helped="yes", rating="9", text="", now=NOW
        )
    code = await return_codes.do_take_return_code(
        db, visitor_key=visitor(1), entry_id=entry, now=NOW
    )
    # Later, with a new token, the visitor continues with the same organisation.
    again = await waiting.do_enter(
        db,
        topic=world.topic,
        visitor_key=visitor(9),
        answers={},
        consent=True,
        return_code=code.lower(),
        now=NOW,
    )
    shown = await console.get_console(
        db, organisation_id=world.org_id, user_id=world.helpers["vol1"], now=NOW
    )
    row = shown.topics[0][2][0]
    assert (row.entry_id, row.previous, row.notes) == (again, True, [("note", "Muistiinpano")])
    with pytest.raises(BadRequest):
        await waiting.do_enter(
            db,
            topic=world.other_topic,
            visitor_key=visitor(8),
            answers={},
            consent=True,
            return_code=code,
            now=NOW,
        )
    await service.do_delete_conversation(db, visitor_key=visitor(1), entry_id=entry, now=NOW)
    async with db.read_session() as session:
        assert await session.get(QueueEntry, entry) is None
        assert (
            await session.scalar(
                select(func.count()).select_from(QueueNote).where(QueueNote.entry_id == entry)
            )
            == 0
        )
        assert await session.scalar(select(Room.id).where(Room.slug == taken.room_slug)) is None
        assert await session.scalar(select(func.count()).select_from(Message)) == 0
        assert await session.scalar(select(func.count()).select_from(QueueFeedback)) == 1


async def test_deleting_an_entry_still_waiting_says_whose_queue_changed(db: Database) -> None:
    """A conversation deleted after it ended changes no queue; an entry deleted while
    still waiting names its organisation, so the consoles are told."""
    world = await build(db)
    ended = await enter(db, world, 1)
    await waiting.do_leave(db, visitor_key=visitor(1), now=NOW)
    waiting_id = await enter(db, world, 2)
    delete = service.do_delete_conversation
    assert await delete(db, visitor_key=visitor(1), entry_id=ended, now=NOW) is None
    assert await delete(db, visitor_key=visitor(2), entry_id=waiting_id, now=NOW) == world.org_id


async def test_another_visitor_cannot_touch_a_conversation(db: Database) -> None:
    """Feedback, codes and deletion need the conversation's own visitor."""
    world = await build(db)
    entry = await enter(db, world, 1)
    with pytest.raises(AppError) as caught:
        await service.do_delete_conversation(db, visitor_key=visitor(2), entry_id=entry, now=NOW)
    assert caught.value.code == "not_found"
