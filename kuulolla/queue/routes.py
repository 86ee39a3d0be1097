"""Visitor pages of the one-to-one queue: topics, entering, waiting, the
conversation and what comes after it.

The visitor is known by the anonymous chat token their tab keeps (the same one the
socket uses); the page's script sends it in the body of JSON POSTs, never in an
address, and the server uses only its hash. The waiting view's live position and
estimate come from ``/chat/status``: with ``Accept: text/event-stream`` it streams
server-sent events while the state changes; otherwise it answers once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from kuulolla.accounts.organisations import get_organisation_by_id
from kuulolla.core import i18n
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError, BadRequest, RateLimited
from kuulolla.core.i18n import N_
from kuulolla.core.ids import token_key
from kuulolla.core.limits import Rule
from kuulolla.questions import reading as questions
from kuulolla.queue import feedback as queue_feedback
from kuulolla.queue import helpnow, logic, return_codes, service, waiting
from kuulolla.queue import topics as queue_topics
from kuulolla.queue.changes import TICK, QueueChanges
from kuulolla.rooms import service as rooms
from kuulolla.shifts.availability import availability
from kuulolla.web import crisis, limits
from kuulolla.web.access import csrf_token, public
from kuulolla.web.chat_strings import CLIENT_STRINGS, strings_json
from kuulolla.web.forms import room_openings_of
from kuulolla.web.streams import stopping_of
from kuulolla.web.templating import render

STREAM_SECONDS = 55.0  # a stream ends after this; the page opens a new one
STREAM_TICK = 2.0  # only for a visitor with no entry yet

QUESTION_LABELS = {
    "age_group": N_("Your age group"),
    "subject": N_("What would you like to talk about?"),
    "first_time": N_("Is this your first time here?"),
}
AGE_LABELS = {
    "under_13": N_("under 13"),
    "13_17": N_("13–17"),
    "18_29": N_("18–29"),
    "30_64": N_("30–64"),
    "65_plus": N_("65 or over"),
}

# Strings the one-to-one pages add to the chat client's (web/chat_strings.py): the
# visitor's queue and conversation, and the helper's side of it. In a one-to-one chat
# the helper approves held messages and is the one told of a crisis.
SCRIPT_STRINGS = {
    "position": N_("You are number {n} in the queue."),
    "estimate": N_("Estimated wait: about {n} min."),
    "estimate_unknown": N_("We cannot estimate the wait right now."),
    "closed_answered": N_(
        "The chat closed at {time}. You keep your place: the helpers still on duty answer those who are waiting."
    ),
    "closed_unanswered": N_(
        "The chat closed at {time}, and no helper is taking visitors any more, so you will not get an answer today. We are sorry. The help that is open now is below, and the crisis numbers are at the top of the page."
    ),
    "returned": N_(
        "Your helper's connection was lost. You are first in the queue for the next helper."
    ),
    "active": N_("A helper has joined. You can write now."),
    "ended": N_("The conversation has ended."),
    "left": N_("You have left the queue."),
    "not_sent": N_("Not sent: {reason}"),
    "visitor_nick": N_("Visitor"),
    "helper_here": N_("Your helper is here"),
    "helper_away": N_("Your helper's connection is lost for now. Your messages wait for them."),
    "visitor_here": N_("The visitor is here"),
    "visitor_away": N_("The visitor's connection is lost for now."),
    "visitor_left": N_("The visitor left the conversation."),
    "held": N_("Waiting for the helper's approval"),
    "crisis_told": N_(
        "It sounds like things are hard right now. You are not alone: your helper sees your message, and the help numbers are on this page."
    ),
    "crisis_alone": N_(
        "It sounds like things are hard right now. You are not alone. Your helper is not connected at the moment, so please call one of the help numbers on this page."
    ),
    "code": N_("Your return code: {code}. Write it down; it is shown only once."),
    "deleted": N_("The conversation has been deleted."),
    "thanks": N_("Thank you for your feedback."),
    "error": N_("Something went wrong. Try again."),
    "answers_for_you": N_("Answers to questions like yours"),
}


class TooManyEntries(RateLimited):
    code = "too_many_entries"
    default_message = N_(
        "This chat has been started many times from your device or network within the hour. You can join the queue again in {minutes} min."
    )


def _grace(request: Request) -> timedelta:
    return timedelta(seconds=request.state.settings.queue_grace_seconds)


async def _payload(request: Request) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise BadRequest(N_("Send the form from the chat page."), code="bad_json")
    try:
        payload = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(N_("Send the form from the chat page."), code="bad_json") from None
    if not isinstance(payload, dict):
        raise BadRequest(N_("Send the form from the chat page."), code="bad_json")
    return payload


def _visitor_key(payload: dict[str, Any]) -> bytes:
    token = payload.get("token")
    if not isinstance(token, str) or not 16 <= len(token) <= 128:
        raise BadRequest(N_("Reload the page and try again."), code="token_required")
    return token_key(token)


def _str(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    return value if isinstance(value, str) else ""


def _entry_id(payload: dict[str, Any]) -> int:
    value = payload.get("entry")
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest(N_("Reload the page and try again."), code="entry_required")
    return value


# ------------------------------------------------------------------ pages


async def _topic_rows(
    db: Database, *, now: Any
) -> list[tuple[queue_topics.TopicInfo, logic.TopicStatus]]:
    topics = await queue_topics.list_topics(db)
    return [(t, await service.topic_status(db, topic=t, now=now)) for t in topics]


@public
async def topics_page(request: Request) -> Response:
    now = request.state.clock.now()
    rows = await _topic_rows(request.state.db, now=now)
    return render(
        request,
        "queue/topics.html",
        {"rows": rows, "minutes": logic.wait_minutes, **(await crisis.help_context(request))},
    )


ANSWER_CANDIDATES = 10  # archive answers looked at, of which helpnow.choose shows a few


async def _help_now(request: Request, topic: queue_topics.TopicInfo, *, now: Any) -> dict[str, Any]:
    """Help that exists now, chosen by queue/helpnow.py from the group rooms with their
    open state, the topics taking visitors and archive answers matching the topic. Once
    the visitor has written what they want to talk about, the page asks for answers
    matching their own words (queue.js)."""
    db: Database = request.state.db
    locale: str = request.state.locale
    openings = room_openings_of(request)
    rooms_now = [
        helpnow.Offer(
            room,
            frozenset(room.names),
            room.open and availability(await openings.get(room.id)).open,
            room.organisation_id,
        )
        for room in await rooms.list_rooms(db)
    ]
    topics_now = [
        helpnow.Offer((t, s), frozenset(t.texts["name"]), s.admits, t.organisation_id, t.audience)
        for t, s in await _topic_rows(db, now=now)
    ]
    answers = await questions.similar(
        db,
        text=f"{topic.name(locale)} {topic.text('description', locale)}",
        limit=ANSWER_CANDIDATES,
    )
    chosen = helpnow.choose(
        locale=locale,
        organisation_id=topic.organisation_id,
        rooms=rooms_now,
        topics=topics_now,
        answers=answers,
        answer_language=lambda answer: answer.language,
        audience=topic.audience,
    )
    return {"open_rooms": chosen.rooms, "other_topics": chosen.topics, "answers": chosen.answers}


@public
async def topic_page(request: Request) -> Response:
    db: Database = request.state.db
    topic = await queue_topics.get_topic_or_raise(db, slug=request.path_params["topic"])
    now = request.state.clock.now()
    status = await service.topic_status(db, topic=topic, now=now)
    locale = request.state.locale
    settings = request.state.settings
    org = await get_organisation_by_id(db, organisation_id=topic.organisation_id)
    return render(
        request,
        "queue/topic.html",
        {
            **(
                await crisis.help_context(
                    request,
                    organisation_numbers=org.crisis_numbers if org else (),
                    organisation_id=topic.organisation_id,
                    audience=topic.audience,
                )
            ),
            "topic": topic,
            "status": status,
            "minutes": logic.wait_minutes,
            "question_labels": QUESTION_LABELS,
            "age_labels": AGE_LABELS,
            "subject_max": logic.MAX_SUBJECT_CHARS,
            "feedback_max": logic.MAX_FEEDBACK_CHARS,
            "max_message_chars": settings.max_message_chars,
            "csrf": csrf_token(request),
            "strings_json": strings_json(locale, CLIENT_STRINGS, SCRIPT_STRINGS),
            **(await _help_now(request, topic, now=now)),
        },
    )


# ------------------------------------------------------------------ JSON actions


@public
async def enter(request: Request) -> Response:
    payload = await _payload(request)
    db: Database = request.state.db
    topic = await queue_topics.get_topic_or_raise(db, slug=request.path_params["topic"])
    answers = payload.get("answers")
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        answers = {}
    now = request.state.clock.now()
    visitor = _visitor_key(payload)
    held: limits.Held = []
    if await waiting.get_live_entry_id(db, visitor_key=visitor) is None:
        # A new entry: counted first, per token and per network (50 fake visitors from
        # one client once pushed a real one to 51st place).
        settings = request.state.settings
        held = await limits.reserve(
            request,
            [
                (Rule("queue.token", settings.queue_entries_per_token, 3600.0), visitor),
                (
                    Rule("queue.network", settings.queue_entries_per_network, 3600.0),
                    await limits.network_key(request),
                ),
            ],
            TooManyEntries,
        )
    try:
        await waiting.do_enter(
            db,
            topic=topic,
            visitor_key=visitor,
            answers=answers,
            consent=payload.get("consent") is True,
            return_code=_str(payload, "return_code").strip() or None,
            now=now,
        )
    except AppError:
        await limits.release(request, held)
        raise
    request.state.queue_changes.changed(topic.organisation_id)
    view = await waiting.visitor_status(
        db, visitor_key=_visitor_key(payload), grace=_grace(request), now=now
    )
    return JSONResponse(_view_json(view, request.state.locale))


def _view_json(view: waiting.VisitorView, locale: str) -> dict[str, Any]:
    closed = i18n.time_text(view.closed_at, locale) if view.closed_at else None
    return {**view.as_json(), "entry": view.entry_id, "closed_time": closed}


@public
async def status(request: Request) -> Response:
    payload = await _payload(request)
    key = _visitor_key(payload)
    db: Database = request.state.db
    clock = request.state.clock
    grace = _grace(request)
    changes: QueueChanges = request.state.queue_changes
    if "text/event-stream" not in request.headers.get("accept", ""):
        view = await waiting.visitor_status(db, visitor_key=key, grace=grace, now=clock.now())
        if view.swept:
            swept_in = await waiting.get_visitor_organisation(db, visitor_key=key)
            if swept_in is not None:
                changes.changed(swept_in)
        return JSONResponse(_view_json(view, request.state.locale))

    stopping = stopping_of(request)
    organisation_id = await waiting.get_visitor_organisation(db, visitor_key=key)

    async def events() -> AsyncIterator[str]:
        # Looked at again when the organisation's queues change (queue/changes.py), and
        # every TICK seconds besides, for the estimate that grows with time; never
        # polled per visitor every few seconds.
        last: dict[str, Any] | None = None
        loop = asyncio.get_running_loop()
        until = loop.time() + STREAM_SECONDS
        while loop.time() < until and not stopping:
            # A change while reading ends the next wait at once (queue/changes.py).
            mark = changes.mark(organisation_id) if organisation_id is not None else 0
            view = await waiting.visitor_status(db, visitor_key=key, grace=grace, now=clock.now())
            if view.swept and organisation_id is not None:
                changes.changed(organisation_id)
            body = _view_json(view, request.state.locale)
            if body != last:
                yield f"data: {json.dumps(body)}\n\n"
                last = body
            else:
                yield ": keep-alive\n\n"
            if view.state not in (logic.State.WAITING, logic.State.ACTIVE):
                return
            if organisation_id is None:
                await stopping.sleep(STREAM_TICK)
            else:
                await changes.wait(
                    organisation_id, timeout=min(TICK, until - loop.time()), since=mark
                )

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


@public
async def leave(request: Request) -> Response:
    payload = await _payload(request)
    organisation_id = await waiting.do_leave(
        request.state.db, visitor_key=_visitor_key(payload), now=request.state.clock.now()
    )
    if organisation_id is not None:
        request.state.queue_changes.changed(organisation_id)
    return JSONResponse({"state": "left"})


@public
async def feedback(request: Request) -> Response:
    payload = await _payload(request)
    helped = _str(payload, "helped") or None
    await queue_feedback.do_feedback(
        request.state.db,
        visitor_key=_visitor_key(payload),
        entry_id=_entry_id(payload),
        helped=helped,
        rating=_str(payload, "rating") or None,
        text=_str(payload, "text"),
        now=request.state.clock.now(),
    )
    return JSONResponse({"ok": True})


@public
async def return_code(request: Request) -> Response:
    payload = await _payload(request)
    code = await return_codes.do_take_return_code(
        request.state.db,
        visitor_key=_visitor_key(payload),
        entry_id=_entry_id(payload),
        now=request.state.clock.now(),
    )
    return JSONResponse({"code": code})


@public
async def delete_conversation(request: Request) -> Response:
    payload = await _payload(request)
    changed = await service.do_delete_conversation(
        request.state.db,
        visitor_key=_visitor_key(payload),
        entry_id=_entry_id(payload),
        now=request.state.clock.now(),
    )
    if changed is not None:
        request.state.queue_changes.changed(changed)
    return JSONResponse({"deleted": True})


ROUTES = [
    Route("/chat", topics_page, name="queue_topics"),
    Route("/chat/status", status, methods=["POST"], name="queue_status"),
    Route("/chat/leave", leave, methods=["POST"], name="queue_leave"),
    Route("/chat/feedback", feedback, methods=["POST"], name="queue_feedback"),
    Route("/chat/return-code", return_code, methods=["POST"], name="queue_return_code"),
    Route("/chat/delete", delete_conversation, methods=["POST"], name="queue_delete"),
    Route("/chat/{topic}", topic_page, name="queue_topic"),
    Route("/chat/{topic}/enter", enter, methods=["POST"], name="queue_enter"),
]
