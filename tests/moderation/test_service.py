"""Moderation services against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulolla.chat import store
from kuulolla.chat.models import KIND_REDACTION, Message
from kuulolla.chat.writers import Draft
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.moderation import holds, message_reports, restrictions, service
from kuulolla.rooms.models import Room
from tests.helpers import NOW, make_room

pytestmark = pytest.mark.asyncio

ALICE = b"a" * 16
BOB = b"b" * 16


async def org_of(db: Database, room_id: int) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(Room.organisation_id).where(Room.id == room_id)))


async def write(db: Database, room_id: int, texts: list[str], author: bytes = ALICE) -> list[int]:
    committer = store.Committer(db, clock=FrozenClock(), on_committed=lambda s: None)
    committer.start()
    try:
        seqs = []
        for i, text in enumerate(texts):
            stored = await committer.submit(
                Draft(room_id, author, "Liisa", "visitor", text, bytes([i]) * 16)
            )
            seqs.append(stored.seq)
        return seqs
    finally:
        await committer.stop()


async def audit_actions(db: Database, organisation_id: int) -> list[str]:
    return [row.action for row in await service.list_audit(db, organisation_id=organisation_id)]


async def test_settings_default_then_change_and_audit(db: Database) -> None:
    """A room without settings has the defaults; each change is stored and audited."""
    room = await make_room(db)
    org = await org_of(db, room)
    assert (await service.get_room_settings(db, room_id=room)).slow_mode == 0
    changed = await service.do_change_room_settings(
        db,
        organisation_id=org,
        room_id=room,
        actor_id=None,
        now=NOW,
        slow_mode=30,
        locked=True,
        pinned="Tervetuloa! Ole ystävällinen.",
        allowed_links="https://mieli.fi/apua, nuortenlinkki.fi",
    )
    assert changed.slow_mode == 30 and changed.locked and not changed.premoderated
    again = await service.get_room_settings(db, room_id=room)
    assert again == changed
    assert again.allowed_links == ("mieli.fi", "nuortenlinkki.fi")
    assert sorted(await audit_actions(db, org)) == [
        "settings.allowed_links",
        "settings.locked",
        "settings.pinned",
        "settings.slow_mode",
    ]


async def test_bad_settings_change_nothing(db: Database) -> None:
    """An out-of-range slow mode is refused and nothing is stored."""
    room = await make_room(db)
    org = await org_of(db, room)
    with pytest.raises(BadRequest):
        await service.do_change_room_settings(
            db, organisation_id=org, room_id=room, actor_id=None, now=NOW, slow_mode=-1, locked=True
        )
    assert not (await service.get_room_settings(db, room_id=room)).locked
    assert await audit_actions(db, org) == []


async def test_word_list_set_change_remove(db: Database) -> None:
    """Words are stored lowercased per organisation; setting again changes the action."""
    room = await make_room(db)
    org = await org_of(db, room)
    await service.do_set_word(
        db, organisation_id=org, phrase="Idiootti", action="mask", actor_id=None, now=NOW
    )
    await service.do_set_word(
        db, organisation_id=org, phrase="idiootti", action="hold", actor_id=None, now=NOW
    )
    assert await service.get_word_list(db, organisation_id=org) == [("idiootti", "hold")]
    assert await service.do_remove_word(
        db, organisation_id=org, phrase="IDIOOTTI", actor_id=None, now=NOW
    )
    assert await service.get_word_list(db, organisation_id=org) == []


async def test_mute_applies_in_its_room_only(db: Database) -> None:
    """A mute holds in its room until it expires, not in the organisation's other rooms."""
    room = await make_room(db, "yksi")
    other = await make_room(db, "kaksi")
    org = await org_of(db, room)
    await restrictions.do_restrict(
        db,
        organisation_id=org,
        room_id=room,
        kind="mute",
        author_key=ALICE,
        seconds=600,
        actor_id=None,
        now=NOW,
    )
    found = await restrictions.get_restriction(
        db, organisation_id=org, room_id=room, author_key=ALICE, now=NOW
    )
    assert found is not None and found.kind == "mute"
    assert found.expires_at == NOW + timedelta(seconds=600)
    assert (
        await restrictions.get_restriction(
            db, organisation_id=org, room_id=other, author_key=ALICE, now=NOW
        )
        is None
    )
    later = NOW + timedelta(seconds=601)
    assert (
        await restrictions.get_restriction(
            db, organisation_id=org, room_id=room, author_key=ALICE, now=later
        )
        is None
    )


async def test_ban_covers_organisation_and_network(db: Database) -> None:
    """A ban holds in every room of the organisation, and for a new token from the same network."""
    room = await make_room(db, "yksi")
    other = await make_room(db, "kaksi")
    org = await org_of(db, room)
    network = b"n" * 32
    await restrictions.do_restrict(
        db,
        organisation_id=org,
        room_id=room,
        kind="ban",
        author_key=ALICE,
        ban_key=network,
        seconds=3600,
        actor_id=None,
        reason="uhkailu",
        now=NOW,
    )
    by_token = await restrictions.get_restriction(
        db, organisation_id=org, room_id=other, author_key=ALICE, now=NOW
    )
    assert by_token is not None and by_token.kind == "ban"
    by_network = await restrictions.get_restriction(
        db, organisation_id=org, room_id=room, author_key=BOB, ban_keys=[network], now=NOW
    )
    assert by_network is not None and by_network.kind == "ban"
    assert (
        await restrictions.get_restriction(
            db, organisation_id=org, room_id=room, author_key=BOB, ban_keys=[b"x" * 32], now=NOW
        )
        is None
    )


async def test_restriction_records_its_length_and_reason_apart(db: Database) -> None:
    """A mute keeps its length, the chosen reason and the moderator's words in the audit
    log as separate values; an unknown reason choice is refused and records nothing."""
    room = await make_room(db)
    org = await org_of(db, room)
    await restrictions.do_restrict(
        db,
        organisation_id=org,
        room_id=room,
        kind="mute",
        author_key=ALICE,
        seconds=5400,
        actor_id=None,
        reason="toistaa samaa",
        preset="disruption",
        now=NOW,
    )
    with pytest.raises(BadRequest):
        await restrictions.do_restrict(
            db,
            organisation_id=org,
            room_id=room,
            kind="mute",
            author_key=BOB,
            seconds=600,
            actor_id=None,
            preset="because",
            now=NOW,
        )
    rows = await service.list_audit(db, organisation_id=org)
    assert [(r.action, r.seconds, r.preset, r.reason) for r in rows] == [
        ("mute", 5400, "disruption", "toistaa samaa")
    ]


async def test_mute_follows_the_network_too(db: Database) -> None:
    """A mute with a network digest holds for a new token from that network."""
    room = await make_room(db)
    org = await org_of(db, room)
    await restrictions.do_restrict(
        db,
        organisation_id=org,
        room_id=room,
        kind="mute",
        author_key=ALICE,
        ban_key=b"n" * 32,
        seconds=600,
        actor_id=None,
        now=NOW,
    )
    found = await restrictions.get_restriction(
        db, organisation_id=org, room_id=room, author_key=BOB, ban_keys=[b"n" * 32], now=NOW
    )
    assert found is not None and found.kind == "mute"


async def test_worst_restriction_wins_and_lift_ends_all(db: Database) -> None:
    """With a mute and a removal the removal decides; lifting ends both."""
    room = await make_room(db)
    org = await org_of(db, room)
    for kind in ("mute", "remove"):
        await restrictions.do_restrict(
            db,
            organisation_id=org,
            room_id=room,
            kind=kind,
            author_key=ALICE,
            seconds=600,
            actor_id=None,
            now=NOW,
        )
    found = await restrictions.get_restriction(
        db, organisation_id=org, room_id=room, author_key=ALICE, now=NOW
    )
    assert found is not None and found.kind == "remove"
    assert (
        await restrictions.do_lift(
            db, organisation_id=org, room_id=room, author_key=ALICE, actor_id=None, now=NOW
        )
        == 2
    )
    assert (
        await restrictions.get_restriction(
            db, organisation_id=org, room_id=room, author_key=ALICE, now=NOW
        )
        is None
    )
    assert sorted(await audit_actions(db, org)) == ["lift", "mute", "remove"]


async def test_bad_duration_is_refused(db: Database) -> None:
    """A restriction shorter than a minute is refused and nothing is audited."""
    room = await make_room(db)
    org = await org_of(db, room)
    with pytest.raises(BadRequest):
        await restrictions.do_restrict(
            db,
            organisation_id=org,
            room_id=room,
            kind="mute",
            author_key=ALICE,
            seconds=5,
            actor_id=None,
            now=NOW,
        )
    assert await audit_actions(db, org) == []


async def test_redact_removes_text_and_appends_tombstone(db: Database) -> None:
    """A redaction deletes the text, takes the next sequence and is read back after `since`."""
    room = await make_room(db)
    org = await org_of(db, room)
    seqs = await write(db, room, ["eka", "salaisuus", "kolmas"])
    redaction = await service.do_redact(
        db, organisation_id=org, room_id=room, seq=seqs[1], actor_id=None, now=NOW
    )
    assert redaction.seq == seqs[-1] + 1 and redaction.target == seqs[1]
    async with db.read_session() as session:
        row = await session.get(Message, (room, seqs[1]))
        assert row is not None and row.text is None and row.nick == ""
    last, _, tail = await store.read_history(db, room, since=None, limit=10)
    assert last == redaction.seq
    assert [s.text for s in tail] == ["eka", "kolmas"]
    _, _, after = await store.read_history(db, room, since=seqs[0], limit=10)
    assert [(s.seq, s.kind) for s in after] == [
        (seqs[2], 0),
        (redaction.seq, KIND_REDACTION),
    ]
    assert await restrictions.author_of(db, room_id=room, seq=seqs[1]) == ALICE


async def test_redact_twice_is_not_found(db: Database) -> None:
    """Removing a removed (or missing) message fails and takes no sequence."""
    room = await make_room(db)
    org = await org_of(db, room)
    seqs = await write(db, room, ["eka"])
    await service.do_redact(
        db, organisation_id=org, room_id=room, seq=seqs[0], actor_id=None, now=NOW
    )
    with pytest.raises(NotFound):
        await service.do_redact(
            db, organisation_id=org, room_id=room, seq=seqs[0], actor_id=None, now=NOW
        )
    last, _, _ = await store.read_history(db, room, since=None, limit=10)
    assert last == seqs[0] + 1


async def test_held_message_taken_once(db: Database) -> None:
    """A held message is listed until one moderator takes it; a resent ref is held once."""
    room = await make_room(db)
    org = await org_of(db, room)
    first = await holds.do_hold(
        db,
        room_id=room,
        author_key=ALICE,
        nick="Liisa",
        role="visitor",
        text="katso www.example.com",
        ref_key=b"r" * 16,
        reasons=["link.held"],
        now=NOW,
    )
    again = await holds.do_hold(
        db,
        room_id=room,
        author_key=ALICE,
        nick="Liisa",
        role="visitor",
        text="katso www.example.com",
        ref_key=b"r" * 16,
        reasons=["link.held"],
        now=NOW,
    )
    assert again.id == first.id
    assert [h.reasons for h in await holds.list_held(db, room_id=room)] == [("link.held",)]
    taken = await holds.do_take_held(
        db,
        organisation_id=org,
        room_id=room,
        held_id=first.id,
        approve=True,
        actor_id=None,
        now=NOW,
    )
    assert taken.text == "katso www.example.com"
    with pytest.raises(NotFound):
        await holds.do_take_held(
            db,
            organisation_id=org,
            room_id=room,
            held_id=first.id,
            approve=False,
            actor_id=None,
            now=NOW,
        )
    assert await audit_actions(db, org) == ["approve"]


async def test_reports_queue_and_resolve(db: Database) -> None:
    """A report is queued once per reporter, shows context, and leaves the queue when resolved."""
    room = await make_room(db)
    org = await org_of(db, room)
    seqs = await write(db, room, ["hei", "ilkeä viesti", "moi"])
    report = await message_reports.do_report(
        db, room_id=room, seq=seqs[1], reason="abuse", reporter_key=BOB, now=NOW
    )
    assert (
        await message_reports.do_report(
            db, room_id=room, seq=seqs[1], reason="abuse", reporter_key=BOB, now=NOW
        )
        == report
    )
    queue = await message_reports.list_reports(db, room_id=room)
    assert [(r.id, r.seq, r.reason) for r in queue] == [(report, seqs[1], "abuse")]
    context = await message_reports.read_context(db, room_id=room, seq=seqs[1])
    assert [text for _, _, text in context] == ["hei", "ilkeä viesti", "moi"]
    await message_reports.do_resolve_report(
        db,
        organisation_id=org,
        room_id=room,
        report_id=report,
        resolution="dismissed",
        actor_id=None,
        now=NOW,
    )
    assert await message_reports.list_reports(db, room_id=room) == []
    assert (await message_reports.list_reports(db, room_id=room, open_only=False))[
        0
    ].resolution == ("dismissed")
    with pytest.raises(NotFound):
        await message_reports.do_resolve_report(
            db,
            organisation_id=org,
            room_id=room,
            report_id=report,
            resolution="action",
            actor_id=None,
            now=NOW,
        )


async def test_report_needs_a_known_reason(db: Database) -> None:
    """A report with an unknown reason is refused and nothing is queued."""
    room = await make_room(db)
    seqs = await write(db, room, ["hei"])
    with pytest.raises(BadRequest):
        await message_reports.do_report(
            db, room_id=room, seq=seqs[0], reason="boring", reporter_key=BOB, now=NOW
        )
    assert await message_reports.list_reports(db, room_id=room) == []


async def test_retention_purges_old_audit_only(db: Database) -> None:
    """The retention purge deletes the organisation's audit entries before the cut-off."""
    from kuulolla.core.retention import PurgeContext
    from kuulolla.moderation.retention import purge_audit
    from tests.conftest import make_settings

    room = await make_room(db)
    org = await org_of(db, room)
    for when, seconds in ((NOW - timedelta(days=400), 10), (NOW, 20)):
        await service.do_change_room_settings(
            db, organisation_id=org, room_id=room, actor_id=None, now=when, slow_mode=seconds
        )
    ctx = PurgeContext(
        db=db,
        organisation_id=org,
        before=NOW - timedelta(days=365),
        now=NOW,
        dry_run=False,
        settings=make_settings("sqlite://"),
    )
    assert await purge_audit(ctx) == 1
    assert [r.created_at for r in await service.list_audit(db, organisation_id=org)] == [NOW]
