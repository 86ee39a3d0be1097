"""Visitor pages: the front page with what is open, a room, and the pages that explain
the service (also in plain language)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import logic as accounts_logic
from kuulolla.accounts.access import principal_of, public
from kuulolla.accounts.permissions import ROLE_LABELS, chat_role
from kuulolla.accounts.service import get_organisation_by_id
from kuulolla.core import i18n
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_
from kuulolla.privacy import service as privacy_service
from kuulolla.privacy import words as privacy_words
from kuulolla.rooms import service as rooms
from kuulolla.web.templating import render

# Strings the room script shows; sent with the page so the script needs no catalog.
ROOM_SCRIPT_STRINGS = {
    "connecting": N_("Connecting…"),
    "connected": N_("Connected"),
    "reconnecting": N_("Connection lost. Reconnecting…"),
    "offline": N_("You are offline. Messages will be sent when the connection returns."),
    "sending": N_("Sending…"),
    "you": N_("you"),
    "present_one": N_("{n} person here"),
    "present_many": N_("{n} people here"),
    "joined": N_("You joined as {nick}."),
    "history_reset": N_("The conversation was reloaded."),
    "not_sent": N_("Not sent: {reason}"),
    "role_volunteer": N_("Volunteer"),
    "role_professional": N_("Professional"),
    "role_coordinator": N_("Coordinator"),
    "role_admin": N_("Moderator"),
    "new_messages": N_("{n} new messages"),
    "session_ended": N_("Your sign-in has ended. Sign in again to continue as staff."),
    "closing_soon": N_("The room closes at {time}."),
    "closed_now": N_("The room has closed. Thank you for being here."),
    "closed_next": N_("The room has closed. It opens next on {time}."),
}


@public
async def index(request: Request) -> Response:
    all_rooms = await rooms.list_rooms(request.state.db)
    return render(request, "index.html", {"rooms": all_rooms})


@public
async def room(request: Request) -> Response:
    slug = request.path_params["slug"]
    found = await rooms.get_room(request.state.db, slug=slug)
    if found is None or found.kind != "group":
        raise NotFound(N_("There is no such room."), code="room_not_found")
    locale = request.state.locale
    strings = {key: i18n.gettext(locale, value) for key, value in ROOM_SCRIPT_STRINGS.items()}
    settings = request.state.settings
    org = await get_organisation_by_id(request.state.db, organisation_id=found.organisation_id)
    crisis = [
        {
            "number": row["number"],
            "name": accounts_logic.localised(row.get("name", {}), locale),
            "description": accounts_logic.localised(row.get("description", {}), locale),
        }
        for row in (org.crisis_numbers if org else [])
    ]
    periods = await privacy_service.get_periods(
        request.state.db, organisation_id=found.organisation_id
    )
    principal = principal_of(request)
    staff_role = chat_role(principal, found.organisation_id) if principal.authenticated else None
    # A room with a roster is open only in a scheduled window with a host on duty.
    roster = await request.state.chat.room_states.get(found.id) if found.open else None
    return render(
        request,
        "room.html",
        {
            "room": found,
            # "<" escaped so no string can close the script element it is embedded in.
            "strings_json": json.dumps(strings, ensure_ascii=False).replace("<", "\\u003c"),
            "max_message_chars": settings.max_message_chars,
            "max_nick_chars": settings.max_nick_chars,
            "crisis_numbers": crisis,
            "staff_role": staff_role,
            "staff_role_label": ROLE_LABELS.get(staff_role or "", ""),
            "signed_in_elsewhere": principal.authenticated
            and staff_role is None
            and not principal.totp_setup_required,
            "second_factor_needed": principal.totp_setup_required,
            "roster_closed": roster if roster is not None and not roster.open else None,
            "retention_note": privacy_words.room_note(locale, periods["room_messages"]),
            "privacy_link": privacy_words.privacy_link(locale),
        },
    )


@public
async def about(request: Request) -> Response:
    return render(request, "about.html")


@public
async def about_plain(request: Request) -> Response:
    """The same in plain language (selkokieli, lättläst svenska, easy English): short
    sentences, everyday words, one thing at a time."""
    return render(request, "about_plain.html")


ROUTES = [
    Route("/", index, name="index"),
    Route("/about", about, name="about"),
    Route("/about/plain", about_plain, name="about_plain"),
    Route("/rooms/{slug}", room, name="room"),
]
