"""The helper console: the organisation's queues, taking visitors, the conversation
page with notes, canned responses, transfers, a professional asked in, and ending.

Every route needs ``answer_queue`` in the organisation of the path. Objects named in
a form (an entry, a colleague, a topic) are fetched with a check that they belong to
that organisation (queue/accepting.py, queue/conversation.py), so one organisation's ids do nothing through
another's addresses.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from kuulolla.accounts import crypto
from kuulolla.accounts.permissions import STAFF_ROLES, define
from kuulolla.core.errors import BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue import accepting, canned, console, conversation, logic
from kuulolla.queue import changes as queue_changes
from kuulolla.queue import topics as queue_topics
from kuulolla.queue.routes import AGE_LABELS, QUESTION_LABELS, SCRIPT_STRINGS
from kuulolla.web.access import OrgFrom, csrf_token, principal_of, requires
from kuulolla.web.chat_strings import (
    CLIENT_STRINGS,
    MODERATOR_STRINGS,
    REFERRAL_STRINGS,
    strings_json,
)
from kuulolla.web.params import query_int
from kuulolla.web.streams import polled
from kuulolla.web.templating import environment, render

ANSWER_QUEUE = define(
    "answer_queue",
    scope="organisation",
    roles=STAFF_ROLES,
    description="be on duty in the organisation's one-to-one queues and answer visitors",
)

ORG = OrgFrom.path_slug("slug")


# Words of the console's script (static/js/console.js, staff-notify.js).
CONSOLE_STRINGS = {
    "new_visitor": N_("A new visitor is waiting in the queue"),
    "new_message": N_("New message in conversation {id}"),
    "unread_one": N_("1 new message"),
    "unread_many": N_("{n} new messages"),
    "crisis_alert": N_("Crisis alert in conversation {id}"),
    "title_count": N_("({n}) {title}"),
    "notifications_on": N_("Desktop notifications are on."),
    "notifications_blocked": N_("The browser blocks notifications from this site."),
}


def _grace(request: Request) -> timedelta:
    return timedelta(seconds=request.state.settings.queue_grace_seconds)


def _user(request: Request) -> int:
    user_id = principal_of(request).user_id
    assert user_id is not None  # @requires let only signed-in people through
    return user_id


def _staff_key(request: Request, user_id: int) -> bytes:
    return crypto.staff_author_key(request.state.settings.secret_key, user_id)


def _int(form: FormData, name: str) -> int | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(N_("Reload the page and try again."), code="bad_form") from None


def _required(form: FormData, name: str) -> int:
    value = _int(form, name)
    if value is None:
        raise BadRequest(N_("Reload the page and try again."), code="bad_form")
    return value


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _queue_changed(request: Request) -> None:
    """Wake the organisation's streams: the waiting visitors' status and the helpers'
    consoles (queue/changes.py)."""
    request.state.queue_changes.changed(request.state.organisation_id)


async def _touch(request: Request) -> None:
    """The console is open: the helper's sign of life, and the disconnect grace applied
    to the organisation's entries (a visitor gone or a helper's conversation back in
    the queue is a change every console is told of)."""
    swept = await console.do_touch(
        request.state.db,
        organisation_id=request.state.organisation_id,
        user_id=_user(request),
        grace=_grace(request),
        now=request.state.clock.now(),
    )
    if swept:
        _queue_changed(request)


def _back(request: Request, entry_id: int | None = None) -> Response:
    slug = request.path_params["slug"]
    target = f"/staff/queue/{slug}/chat?c={entry_id}" if entry_id else f"/staff/queue/{slug}"
    return RedirectResponse(target, status_code=303)


async def _live(request: Request, *, touch: bool = True) -> dict[str, Any]:
    """What the console's live part (queue/_console_live.html) and the conversation
    tabs (queue/_conversation_tabs.html) are drawn from."""
    org_id = request.state.organisation_id
    user_id = _user(request)
    db = request.state.db
    if touch:
        await _touch(request)
    shown = await console.get_console(
        db,
        organisation_id=org_id,
        user_id=user_id,
        now=request.state.clock.now(),
    )
    return {
        "slug": request.path_params["slug"],
        "console": shown,
        "topics": {t.id: t for t in await queue_topics.list_topics(db, organisation_id=org_id)},
        "invitations": await conversation.list_invitations(
            db, user_id=user_id, organisation_id=org_id
        ),
        "question_labels": QUESTION_LABELS,
        "age_labels": AGE_LABELS,
        "csrf": csrf_token(request),
    }


async def _console_page(request: Request, *, problem: str = "", status: int = 200) -> Response:
    return render(
        request,
        "queue/console.html",
        {
            **await _live(request),
            "max_limit": console.MAX_CHATS_LIMIT,
            "problem": problem,
            "strings_json": strings_json(request.state.locale, CONSOLE_STRINGS),
        },
        status_code=status,
    )


@requires(ANSWER_QUEUE, org=ORG)
async def console_page(request: Request) -> Response:
    return await _console_page(request)


def _state(request: Request, live: dict[str, Any], entry_id: int | None) -> dict[str, Any]:
    """The stream's event: the live part as the page draws it (the queue on the console,
    the tabs on a conversation page), and what the script needs to tell the helper of
    news: the waiting visitors and the helper's conversations."""
    locale = request.state.locale
    shown: console.Console = live["console"]
    name = "queue/_conversation_tabs.html" if entry_id else "queue/_console_live.html"
    html = (
        environment(locale)
        .get_template(name)
        .render({"locale": locale, "entry_id": entry_id, **live})
    )
    return {
        "html": html,
        "waiting": sorted(row.entry_id for _, _, rows in shown.topics for row in rows),
        "chats": [{"id": c.entry_id, "room": c.room_slug} for c in shown.chats],
    }


@requires(ANSWER_QUEUE, org=ORG)
async def queue_stream(request: Request) -> Response:
    """The console's live part as server-sent events, one whenever it changes (with
    ``Accept: text/event-stream``); otherwise once, as JSON. ``c`` (a conversation of
    the helper) asks for the tabs of that conversation's page instead of the queue.
    Read again when the organisation's queues change (queue/changes.py) and every
    ``TICK`` seconds besides (the minutes waited, a lost wake-up), never polled.
    Reading only: the page's heartbeat keeps the helper's chats theirs."""
    entry_id = query_int(request, "c", lo=1)

    async def read() -> dict[str, Any]:
        live = await _live(request, touch=False)
        state = _state(request, live, entry_id)
        if entry_id is not None and all(c.entry_id != entry_id for c in live["console"].chats):
            # The conversation in view ended: the page says whether the visitor left.
            state["ended"] = await conversation.get_end_reason(
                request.state.db, entry_id=entry_id, helper_id=_user(request)
            )
        return state

    return await polled(
        request,
        read,
        tick=queue_changes.TICK,
        changes=request.state.queue_changes.of(request.state.organisation_id),
    )


@requires(ANSWER_QUEUE, org=ORG)
async def duty(request: Request) -> Response:
    form = await request.form()
    await console.do_set_duty(
        request.state.db,
        organisation_id=request.state.organisation_id,
        user_id=_user(request),
        available=_text(form, "available") == "yes",
        max_chats=_int(form, "max_chats") or 2,
        now=request.state.clock.now(),
    )
    _queue_changed(request)
    return _back(request)


@requires(ANSWER_QUEUE, org=ORG)
async def take(request: Request) -> Response:
    form = await request.form()
    entry_id = _int(form, "entry")
    topic_id = _int(form, "topic")
    if entry_id is None and topic_id is None:
        raise BadRequest(N_("Reload the page and try again."), code="bad_form")
    user_id = _user(request)
    try:
        taken = await accepting.do_accept(
            request.state.db,
            organisation_id=request.state.organisation_id,
            user_id=user_id,
            staff_key=_staff_key(request, user_id),
            topic_id=topic_id,
            entry_id=entry_id,
            reason=_text(form, "reason"),
            now=request.state.clock.now(),
        )
    except (logic.LimitReached, accepting.NoVisitors, accepting.Taken, accepting.NotOnDuty) as exc:
        # Said on the console, above the queue as it is now, not on an error page.
        return await _console_page(
            request, problem=exc.translated(request.state.locale), status=exc.status
        )
    _queue_changed(request)
    stay = _int(form, "stay")
    if stay is not None:
        # Taken from the tabs of a conversation: the helper stays in it, and the new
        # conversation is a tab of its own (its messages marked unread there).
        slug = request.path_params["slug"]
        return RedirectResponse(
            f"/staff/queue/{slug}/chat?c={stay}&taken={taken.entry_id}", status_code=303
        )
    return _back(request, taken.entry_id)


@requires(ANSWER_QUEUE, org=ORG)
async def chat_page(request: Request) -> Response:
    org_id = request.state.organisation_id
    user_id = _user(request)
    db = request.state.db
    entry_id = query_int(request, "c", lo=1)
    if entry_id is None:
        raise NotFound(N_("This conversation is not yours or has ended."), code="not_your_chat")
    await _touch(request)
    shown = await console.get_console(
        db,
        organisation_id=org_id,
        user_id=user_id,
        now=request.state.clock.now(),
    )
    chat = next((c for c in shown.chats if c.entry_id == entry_id), None)
    invited = dict(await conversation.list_invitations(db, user_id=user_id, organisation_id=org_id))
    if chat is None and entry_id not in invited:
        raise NotFound(N_("This conversation is not yours or has ended."), code="not_your_chat")
    locale = request.state.locale
    topics = await queue_topics.list_topics(db)
    return render(
        request,
        "queue/chat.html",
        {
            "slug": request.path_params["slug"],
            "chat": chat,
            "entry_id": entry_id,
            "taken": query_int(request, "taken", lo=1),
            "room": chat.room_slug if chat else invited[entry_id],
            "canned": await canned.list_canned(db, organisation_id=org_id),
            "colleagues": [
                c
                for c in await conversation.list_colleagues(db, organisation_id=org_id)
                if c.user_id != user_id
            ],
            "topics": [t for t in topics if t.active],
            "question_labels": QUESTION_LABELS,
            "age_labels": AGE_LABELS,
            "max_message_chars": request.state.settings.max_message_chars,
            "note_max": logic.MAX_NOTE_CHARS,
            "csrf": csrf_token(request),
            "strings_json": strings_json(
                locale,
                CLIENT_STRINGS,
                SCRIPT_STRINGS,
                MODERATOR_STRINGS,
                REFERRAL_STRINGS,
                CONSOLE_STRINGS,
            ),
            "live": await _live(request, touch=False),
        },
    )


@requires(ANSWER_QUEUE, org=ORG)
async def note(request: Request) -> Response:
    form = await request.form()
    entry_id = _required(form, "entry")
    await conversation.do_note(
        request.state.db,
        organisation_id=request.state.organisation_id,
        user_id=_user(request),
        entry_id=entry_id,
        text=_text(form, "text"),
        now=request.state.clock.now(),
    )
    return _back(request, entry_id)


@requires(ANSWER_QUEUE, org=ORG)
async def transfer(request: Request) -> Response:
    form = await request.form()
    entry_id = _required(form, "entry")
    target = _text(form, "to")  # "user:<id>" or "topic:<slug>"
    kind, _, value = target.partition(":")
    to_user = None
    if kind == "user":
        try:
            to_user = int(value)
        except ValueError:
            raise BadRequest(N_("Choose a helper or a topic."), code="invalid_transfer") from None
    elif kind != "topic":
        raise BadRequest(N_("Choose a helper or a topic."), code="invalid_transfer")
    await conversation.do_transfer(
        request.state.db,
        organisation_id=request.state.organisation_id,
        user_id=_user(request),
        entry_id=entry_id,
        to_user_id=to_user,
        to_topic=value if kind == "topic" else None,
        note=_text(form, "note"),
        staff_key=_staff_key(request, to_user) if to_user is not None else b"",
        now=request.state.clock.now(),
    )
    _queue_changed(request)
    return _back(request)


@requires(ANSWER_QUEUE, org=ORG)
async def professional(request: Request) -> Response:
    form = await request.form()
    entry_id = _required(form, "entry")
    pro = _required(form, "professional")
    await conversation.do_invite_professional(
        request.state.db,
        organisation_id=request.state.organisation_id,
        user_id=_user(request),
        entry_id=entry_id,
        professional_id=pro,
        professional_key=_staff_key(request, pro),
        note=_text(form, "note"),
        now=request.state.clock.now(),
    )
    _queue_changed(request)  # the professional's console lists the invitation
    return _back(request, entry_id)


@requires(ANSWER_QUEUE, org=ORG)
async def end(request: Request) -> Response:
    form = await request.form()
    await conversation.do_end(
        request.state.db,
        organisation_id=request.state.organisation_id,
        user_id=_user(request),
        entry_id=_required(form, "entry"),
        now=request.state.clock.now(),
    )
    _queue_changed(request)
    return _back(request)


@requires(ANSWER_QUEUE, org=ORG)
async def heartbeat(request: Request) -> Response:
    """The console is open: keeps the helper's chats theirs (every 10 s from each open
    console, so it reads nothing else: the page's stream shows what changed)."""
    await _touch(request)
    return JSONResponse({"ok": True})


ROUTES = [
    Route("/staff/queue/{slug}", console_page, name="queue_console"),
    Route("/staff/queue/{slug}/duty", duty, methods=["POST"], name="queue_duty"),
    Route("/staff/queue/{slug}/take", take, methods=["POST"], name="queue_take"),
    Route("/staff/queue/{slug}/chat", chat_page, name="queue_chat"),
    Route("/staff/queue/{slug}/note", note, methods=["POST"], name="queue_note"),
    Route("/staff/queue/{slug}/transfer", transfer, methods=["POST"], name="queue_transfer"),
    Route(
        "/staff/queue/{slug}/professional",
        professional,
        methods=["POST"],
        name="queue_professional",
    ),
    Route("/staff/queue/{slug}/end", end, methods=["POST"], name="queue_end"),
    Route("/staff/queue/{slug}/heartbeat", heartbeat, methods=["POST"], name="queue_heartbeat"),
    Route("/staff/queue/{slug}/stream", queue_stream, methods=["GET"], name="queue_stream"),
]
