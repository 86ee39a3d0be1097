"""Event records: the spec refuses what would identify a visitor, and what the
service records holds no text or identifiers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import String, Text, select
from starlette.testclient import TestClient

from kuulolla.core import events
from kuulolla.core.db import Database
from kuulolla.core.events import SPECS, Kind, Tally
from kuulolla.core.models import ReportEvent
from kuulolla.web.app import create_app
from tests.chat.test_endpoint import hello, join, prepare, receive_until, send
from tests.conftest import make_settings
from tests.helpers import NOW, run_async

# ------------------------------------------------------------------ the spec

ORG = 1

GOOD: list[tuple[Kind, dict[str, Any]]] = [
    (Kind.ROOM_VISIT, {"room_id": 3, "label": "new"}),
    (Kind.ROOM_MESSAGES, {"room_id": 3, "label": "visitor", "count": 40}),
    (Kind.QUEUE_ANSWERED, {"topic_id": 2, "value": 125.0}),
    (Kind.FEEDBACK, {"topic_id": 2, "value": 5}),
    (Kind.QUESTION_ASKED, {"label": "parenting", "organisation_id": None}),
    (Kind.MODERATION_ACTION, {"room_id": 3, "label": "remove"}),
    (Kind.CRISIS_ALERT, {"room_id": 3, "label": "self_harm"}),
    (Kind.SHIFT_HOURS, {"staff_id": 7, "room_id": 3, "value": 2.5}),
]

BAD: list[tuple[str, Kind, dict[str, Any]]] = [
    ("free text as a label", Kind.ROOM_MESSAGES, {"room_id": 3, "label": "hei kaikki"}),
    ("a nickname as a label", Kind.MODERATION_ACTION, {"label": "Aino"}),
    ("a long code", Kind.MODERATION_ACTION, {"label": "a" * 33}),
    ("an unknown category", Kind.QUESTION_ASKED, {"label": "other"}),
    ("a value where none belongs", Kind.QUEUE_ENTERED, {"value": 3.0}),
    ("a missing value", Kind.QUEUE_ANSWERED, {}),
    ("a negative wait", Kind.QUEUE_ANSWERED, {"value": -1.0}),
    ("an infinite wait", Kind.QUEUE_ANSWERED, {"value": float("inf")}),
    ("a score of 6", Kind.FEEDBACK, {"value": 6}),
    ("a staff id on a visit", Kind.ROOM_VISIT, {"room_id": 3, "label": "new", "staff_id": 4}),
    ("shift hours without a person", Kind.SHIFT_HOURS, {"value": 2.0}),
    ("a room on a queue event", Kind.QUEUE_ENTERED, {"room_id": 3}),
    ("a topic on a room event", Kind.ROOM_VISIT, {"topic_id": 3, "label": "new"}),
    ("no organisation on a chat event", Kind.ROOM_VISIT, {"label": "new", "organisation_id": None}),
    ("a count on a valued event", Kind.QUEUE_ANSWERED, {"value": 1.0, "count": 2}),
]


@pytest.mark.parametrize(("kind", "fields"), GOOD, ids=[k for k, _ in GOOD])
def test_events_within_the_spec_are_accepted(kind: Kind, fields: dict[str, Any]) -> None:
    """Each kind accepts its allowed place, label and value, at hour resolution."""
    fields = {"organisation_id": ORG, **fields}
    row = events.row(kind, at=NOW + timedelta(minutes=37, seconds=5), **fields)
    assert row["hour"] == NOW and row["kind"] == kind


@pytest.mark.parametrize(("why", "kind", "fields"), BAD, ids=[w for w, _, _ in BAD])
def test_events_outside_the_spec_are_refused(why: str, kind: Kind, fields: dict[str, Any]) -> None:
    """Text, identifiers and out-of-range numbers never reach a row."""
    fields = {"organisation_id": ORG, **fields}
    with pytest.raises(ValueError):
        events.row(kind, at=NOW, **fields)


def test_every_kind_has_a_spec() -> None:
    """No kind can be recorded without a spec saying what it may hold."""
    assert set(SPECS) == set(Kind)


def test_copied_categories_agree_with_their_domains() -> None:
    """The allow-listed question and crisis categories are those of their domains."""
    from kuulolla.moderation.crisis_lexicon import CATEGORIES as CRISIS
    from kuulolla.questions.logic import CATEGORIES as QUESTIONS

    assert set(QUESTIONS) == events.QUESTION_CATEGORIES
    assert set(CRISIS) == events.CRISIS_CATEGORIES


def test_naive_times_are_refused() -> None:
    """An event time without a zone is a bug, not a guess."""
    with pytest.raises(ValueError):
        events.hour_of(datetime(2026, 1, 1, 12, 30))


def test_tally_sums_counts_per_hour_and_keeps_values() -> None:
    """Counts of one key and hour become one row; valued events stay one row each."""
    tally = Tally()
    for minute in (1, 20, 59):
        tally.count(
            Kind.ROOM_MESSAGES,
            organisation_id=1,
            room_id=3,
            label="visitor",
            at=NOW + timedelta(minutes=minute),
        )
    tally.count(
        Kind.ROOM_MESSAGES,
        organisation_id=1,
        room_id=3,
        label="visitor",
        at=NOW + timedelta(hours=1),
    )
    tally.record(Kind.FEEDBACK, organisation_id=1, topic_id=2, at=NOW, value=4)
    tally.record(Kind.FEEDBACK, organisation_id=1, topic_id=2, at=NOW, value=5)
    rows = tally.drain()
    counts = sorted((r["hour"], r["count"]) for r in rows if r["kind"] == Kind.ROOM_MESSAGES)
    assert counts == [(NOW, 3), (NOW + timedelta(hours=1), 1)]
    assert sorted(r["value"] for r in rows if r["kind"] == Kind.FEEDBACK) == [4.0, 5.0]
    assert tally.pending == 0


def test_tally_refuses_bad_events_where_they_are_made() -> None:
    """A label off the allow-list fails at the call, not at the flush."""
    with pytest.raises(ValueError):
        Tally().count(Kind.ROOM_MESSAGES, organisation_id=1, room_id=3, label="Aino", at=NOW)


# ------------------------------------------------------------------ the table


ALLOWED_COLUMNS = {
    "id",
    "organisation_id",
    "kind",
    "hour",
    "room_id",
    "topic_id",
    "staff_id",
    "label",
    "count",
    "value",
}


def test_the_table_has_no_room_for_text_or_visitor_identifiers() -> None:
    """report_events has only the allow-listed columns; its only strings are short codes."""
    table = ReportEvent.__table__
    assert {c.name for c in table.columns} == ALLOWED_COLUMNS
    strings = {c.name: c.type.length for c in table.columns if isinstance(c.type, String)}
    assert strings == {"kind": 32, "label": 32}
    assert not any(isinstance(c.type, Text) for c in table.columns)
    targets = {fk.column.table.name for c in table.columns for fk in c.foreign_keys}
    assert targets == {"organisations", "rooms", "staff_users"}


@pytest.mark.asyncio
async def test_tally_flush_writes_rows(db: Database) -> None:
    """A flush writes pending counts in one go and leaves nothing pending."""
    from kuulolla.rooms.models import Room
    from tests.helpers import make_room

    room_id = await make_room(db, "huone")
    async with db.read_session() as session:
        room = await session.get(Room, room_id)
    assert room is not None
    tally = Tally()
    tally.count(
        Kind.ROOM_VISIT,
        organisation_id=room.organisation_id,
        room_id=room_id,
        label="new",
        at=NOW,
        n=2,
    )
    assert await tally.flush(db) == 1
    async with db.read_session() as session:
        rows = (await session.scalars(select(ReportEvent))).all()
    assert [(r.kind, r.count, r.hour, r.room_id) for r in rows] == [("room.visit", 2, NOW, room_id)]
    assert tally.pending == 0


# ------------------------------------------------------------------ what gets recorded


SECRET_TEXT = "Salainen viesti 0401234567"
NICK = "Tuntematon"


def all_rows(db_url: str) -> list[dict[str, Any]]:
    async def work() -> list[dict[str, Any]]:
        db = Database.from_url(db_url)
        async with db.read() as conn:
            result = await conn.execute(select(ReportEvent.__table__))
            rows = [dict(r._mapping) for r in result]
        await db.dispose()
        return rows

    return run_async(work)


def test_chat_and_questions_record_counts_but_no_text(db_url: str) -> None:
    """Visits, messages and questions are counted; no row holds a text, nick, token or id
    of a visitor, and every label is on its kind's allow-list."""
    prepare(db_url, ("huone", 30))
    with TestClient(create_app(make_settings(db_url))) as client:
        with client.websocket_connect("/ws") as ws:
            token = hello(ws)["token"]
            assert join(ws, nick=NICK)["type"] == "joined"
            for i in range(3):
                send(ws, f"{SECRET_TEXT} {i}", ref=f"r{i}")
                receive_until(ws, "ack", ref=f"r{i}")
        with client.websocket_connect("/ws") as ws:
            hello(ws, token)
            assert join(ws, nick=NICK)["type"] == "joined"
        client.get("/questions/ask")  # the app is live; questions go through the service

        async def ask_and_answer() -> None:
            from kuulolla.questions import asking, asking_rules, workflow
            from tests.questions.conftest import SIGNATURE, coordinator

            db = Database.from_url(db_url)
            from kuulolla.accounts.models import Organisation

            async with db.read_session() as session:
                org = await session.scalar(select(Organisation.id))
            assert org is not None
            checked = asking_rules.check_ask(
                title="",
                body=f"{SECRET_TEXT}, mitä teen?",
                category="parenting",
                language="fi",
                visibility="public",
                consent=True,
            )
            receipt = await asking.do_ask(db, ask=checked, deadline_days=10, now=NOW)
            actor = coordinator(org)
            later = NOW + timedelta(days=30)
            await workflow.do_accept(
                db, question_id=receipt.question_id, actor=actor, default_days=10, now=later
            )
            await workflow.do_save_draft(
                db, question_id=receipt.question_id, actor=actor, text="Vastaus", tags=(), now=later
            )
            await workflow.do_publish(
                db, question_id=receipt.question_id, actor=actor, answerer=SIGNATURE, now=later
            )
            await db.dispose()

        run_async(ask_and_answer)
    rows = all_rows(db_url)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + r["count"]
    assert kinds == {
        "room.visit": 2,
        "room.messages": 3,
        "question.asked": 1,
        "question.received": 1,
        "question.answered": 1,
        "question.published": 1,
        "question.late": 1,
    }
    assert {r["label"] for r in rows if r["kind"] == "room.visit"} == {"new", "return"}
    answered = next(r for r in rows if r["kind"] == "question.answered")
    assert answered["value"] == 30 * 24 * 3600.0
    dump = json.dumps(rows, default=str)
    for secret in (SECRET_TEXT, "Salainen", "0401234567", NICK, token):
        assert secret not in dump
    for r in rows:
        spec = SPECS[Kind(r["kind"])]
        assert spec.labels is None or r["label"] in spec.labels
        assert set(r) == ALLOWED_COLUMNS
        assert r["hour"].minute == r["hour"].second == r["hour"].microsecond == 0
        assert r["hour"].tzinfo == UTC or r["hour"].utcoffset() == timedelta(0)


def test_a_one_to_one_conversation_is_never_counted_per_room(db_url: str) -> None:
    """Joining and writing in a private conversation records no room visit or message
    count (its room id would identify the conversation); the queue counts it instead."""
    from kuulolla.core.ids import token_key
    from kuulolla.queue import waiting as queue_waiting
    from tests.queue.helpers import accept, build

    token = "oma-tunnus-" + "x" * 40

    async def work() -> str:
        db = Database.from_url(db_url)
        world = await build(db)
        await queue_waiting.do_enter(
            db,
            topic=world.topic,
            visitor_key=token_key(token),
            answers={},
            consent=True,
            now=NOW,
        )
        taken = await accept(db, world, "vol1")
        await db.dispose()
        return taken.room_slug

    slug = run_async(work)
    with (
        TestClient(create_app(make_settings(db_url))) as client,
        client.websocket_connect("/ws") as ws,
    ):
        hello(ws, token)
        assert join(ws, slug, nick="Vierailija")["type"] == "joined"
        send(ws, SECRET_TEXT, "r1", room=slug)
        receive_until(ws, "ack", ref="r1")
    kinds = sorted(r["kind"] for r in all_rows(db_url))
    assert kinds == ["queue.answered", "queue.entered"]
