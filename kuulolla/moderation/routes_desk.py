"""The duty desk's pages: the desk (``/orgs/<org>/desk``), its live stream of the
same list (server-sent events, the desk's items as rendered HTML with their keys, so
the page and the stream draw them with one template) and taking a crisis alert.

What a person sees is decided by moderation/desk.py from what they do now: a
coordinator every room of the organisation; others the rooms they are checked in on
and, while on duty in the queue, the one-to-one conversations; escalated alerts reach
professionals on duty too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kuulolla.accounts.organisations import get_organisation_by_id
from kuulolla.accounts.permissions import allows
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_, gettext
from kuulolla.moderation import desk, desk_actions, desk_presence
from kuulolla.moderation.actions import REASON_PRESETS
from kuulolla.moderation.desk_logic import Duty
from kuulolla.moderation.permissions import MODERATE_ANY_TIME, USE_DESK
from kuulolla.web.access import OrgFrom, csrf_token, principal_of, requires
from kuulolla.web.chat_strings import CLIENT_STRINGS, MODERATOR_STRINGS, strings_json
from kuulolla.web.forms import clock_of, db_of, form_data, see_other
from kuulolla.web.streams import polled
from kuulolla.web.templating import environment, render

ORG = OrgFrom.path_slug("slug")


# Words of the desk's script (static/js/desk.js, staff-notify.js).
DESK_STRINGS = {
    "new_crisis": N_("Crisis alert: {nick}"),
    "new_escalated": N_("Escalated crisis alert: nobody has taken it yet"),
    "new_report": N_("New report"),
    "new_held": N_("A message waits for a moderator"),
    "new_visitor": N_("A new visitor is waiting in the queue"),
    "title_count": N_("({n}) {title}"),
    "notifications_on": N_("Desktop notifications are on."),
    "notifications_blocked": N_("The browser blocks notifications from this site."),
    "stream_lost": N_("The desk is not up to date: connecting again…"),
    "stream_ok": N_("The desk is up to date."),
    "decided": N_("Done: the decision is in the moderation log."),
    "failed": N_("That did not work. Try again."),
}

# The moderation log's decisions on the desk's "handled lately" list.
HANDLED_WORDS = {
    "approve": N_("{name} let a held message through"),
    "reject": N_("{name} rejected a held message"),
    "report.action": N_("{name} acted on a report"),
    "report.dismissed": N_("{name} dismissed a report"),
}

CATEGORY_WORDS = {
    key[len("kind_") :]: value
    for key, value in MODERATOR_STRINGS.items()
    if key.startswith("kind_")
}
REASON_WORDS = {
    key[len("reason_") :]: value
    for key, value in MODERATOR_STRINGS.items()
    if key.startswith("reason_")
}


_MASK = re.compile(r"⟦(\w+)⟧")


def unmask(text: str, locale: str) -> str:
    """Masked spans (``⟦phone⟧``) in the reader's words, as the chat client shows them."""

    def word(match: re.Match[str]) -> str:
        msgid = CLIENT_STRINGS.get(f"mask_{match.group(1)}")
        return gettext(locale, msgid) if msgid else match.group(0)

    return _MASK.sub(word, text)


def _escalation(request: Request) -> timedelta:
    return timedelta(seconds=request.app.state.settings.alert_escalation_seconds)


@dataclass(frozen=True, slots=True)
class Drawn:
    """What the desk draws: the list, and the counts of what the person serves."""

    view: desk.DeskView
    presence: desk_presence.Presence
    handled: list[desk.Handled]


async def _duty(request: Request, now: datetime) -> Duty:
    principal = principal_of(request)
    org_id = int(request.state.organisation_id)
    return await desk.get_duty(
        db_of(request),
        organisation_id=org_id,
        user_id=principal.user_id,
        any_time=allows(principal, MODERATE_ANY_TIME, org_id),
        now=now,
    )


async def _view(request: Request) -> Drawn:
    principal = principal_of(request)
    org_id = int(request.state.organisation_id)
    db = db_of(request)
    now = clock_of(request).now()
    duty = await _duty(request, now)
    view = await desk.get_desk(
        db,
        organisation_id=org_id,
        user_id=principal.user_id,
        duty=duty,
        escalate_after=_escalation(request),
        now=now,
    )
    presence = await desk_presence.get_presence(
        db,
        organisation_id=org_id,
        room_ids=[room_id for room_id, _names, _slug in view.rooms],
        queue=view.queue,
        now=now,
    )
    handled = await desk.get_handled(db, organisation_id=org_id, duty=duty, now=now)
    return Drawn(view, presence, handled)


def _context(request: Request, drawn: Drawn) -> dict[str, Any]:
    return {
        "slug": request.path_params["slug"],
        "view": drawn.view,
        "presence": drawn.presence,
        "handled": drawn.handled,
        "presets": REASON_PRESETS,
        "handled_words": HANDLED_WORDS,
        "csrf": csrf_token(request),
        "category_words": CATEGORY_WORDS,
        "reason_words": REASON_WORDS,
        "unmask": lambda text: unmask(text or "", request.state.locale),
    }


def _fragment(request: Request, drawn: Drawn) -> dict[str, Any]:
    """The stream's event: the list as the page draws it, and what the script needs to
    tell the person about new items (their keys and kinds)."""
    locale = request.state.locale
    env = environment(locale)
    context = {"locale": locale, **_context(request, drawn)}
    view = drawn.view
    return {
        "html": env.get_template("moderation/_desk_items.html").render(context),
        "serving": env.get_template("moderation/_desk_serving.html").render(context),
        "items": [
            {
                "key": i.key,
                "kind": i.kind,
                "nick": i.nick,
                "acked": i.acked_at is not None,
                "escalated": i.escalated,
            }
            for i in view.items
        ],
        "unacknowledged": view.unacknowledged,
        "waiting": drawn.presence.waiting,
    }


@requires(USE_DESK, org=ORG)
async def desk_page(request: Request) -> Response:
    drawn = await _view(request)
    org = await get_organisation_by_id(
        db_of(request), organisation_id=int(request.state.organisation_id)
    )
    locale = request.state.locale
    return render(
        request,
        "moderation/desk.html",
        {
            **_context(request, drawn),
            "org": org,
            "first": json.dumps(_fragment(request, drawn)["items"]),
            "strings_json": strings_json(locale, DESK_STRINGS),
        },
    )


@requires(USE_DESK, org=ORG)
async def desk_stream(request: Request) -> Response:
    """The desk's list as server-sent events, one whenever it changes (with ``Accept:
    text/event-stream``, as a browser's EventSource asks); otherwise the list once."""

    async def read() -> dict[str, Any]:
        return _fragment(request, await _view(request))

    return await polled(request, read)


@requires(USE_DESK, org=ORG)
async def acknowledge(request: Request) -> Response:
    """Take a crisis alert ("I'm on it"): the others on duty see who has it."""
    form = await form_data(request)
    try:
        alert_id = int(form.get("alert", ""))
    except ValueError:
        raise BadRequest(N_("Reload the page and try again."), code="bad_form") from None
    principal = principal_of(request)
    org_id = int(request.state.organisation_id)
    db = db_of(request)
    now = clock_of(request).now()
    duty = await _duty(request, now)
    who = await desk.do_acknowledge(
        db,
        organisation_id=org_id,
        alert_id=alert_id,
        user_id=principal.user_id,
        duty=duty,
        escalate_after=_escalation(request),
        now=now,
    )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"alert": alert_id, "acked_by": who})
    return see_other(f"/orgs/{request.path_params['slug']}/desk#alert-{alert_id}")


@requires(USE_DESK, org=ORG)
async def decide(request: Request) -> Response:
    """Decide a report (dismiss it, or remove the message) or a held message (let it
    through, or reject it) from the desk; the outcome is in the moderation log and on
    every desk. A script gets JSON (a refusal as the error's words); a plain form
    comes back to the desk (a refusal: the service's error page)."""
    form = await form_data(request)
    slug = request.path_params["slug"]
    wants_json = "application/json" in request.headers.get("accept", "")
    now = clock_of(request).now()
    try:
        decision = desk_actions.check_decision(
            item=form.get("item", ""),
            decision=form.get("decision", ""),
            reason=form.get("reason", ""),
            preset=form.get("preset", ""),
        )
        chat = request.state.chat
        await desk_actions.do_decide(
            chat.moderation,
            organisation_id=int(request.state.organisation_id),
            decision=decision,
            duty=await _duty(request, now),
            actor_id=principal_of(request).user_id,
            locale=request.state.locale,
            now=now,
            remember_room=chat.slugs.setdefault,
        )
    except AppError as exc:
        if wants_json:
            return JSONResponse(
                {"error": exc.code, "message": exc.translated(request.state.locale)},
                status_code=exc.status,
            )
        raise
    if wants_json:
        return JSONResponse({"item": form.get("item", ""), "done": decision.decision})
    return see_other(f"/orgs/{slug}/desk")


ROUTES = [
    Route("/orgs/{slug}/desk", desk_page, methods=["GET"], name="desk"),
    Route("/orgs/{slug}/desk/stream", desk_stream, methods=["GET"], name="desk_stream"),
    Route("/orgs/{slug}/desk/ack", acknowledge, methods=["POST"], name="desk_ack"),
    Route("/orgs/{slug}/desk/decide", decide, methods=["POST"], name="desk_decide"),
]
