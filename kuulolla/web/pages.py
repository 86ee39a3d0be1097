"""Visitor pages: the front page with what is open, a room, and the pages that explain
the service (also in plain language)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

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
from kuulolla.queue import logic as queue_logic
from kuulolla.queue import service as queue_service
from kuulolla.rooms import service as rooms
from kuulolla.rooms.service import RoomInfo
from kuulolla.web import statement
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
    # The browser's own validation messages are in the browser's language, not the page's.
    "nick_short": N_("The nickname must have at least 2 characters."),
    "too_long": N_("The message is too long (at most {max} characters)."),
    "removed": N_("A moderator removed this message."),
    "held": N_("Waiting for a moderator"),
    "crisis_note": N_(
        "It sounds like things are hard right now. You are not alone: the help numbers are on this page, and the moderators have been told."
    ),
    "locked": N_("The room is locked: only moderators can write now."),
    "slow_mode": N_("Slow mode: one message every {seconds} seconds."),
    "premoderated": N_("A moderator reads every message in this room before others see it."),
    "mask_phone": N_("[phone number hidden]"),
    "mask_email": N_("[e-mail address hidden]"),
    "mask_hetu": N_("[identity code hidden]"),
    "mask_iban": N_("[account number hidden]"),
    "mask_address": N_("[address hidden]"),
    "mask_word": N_("[word hidden]"),
    "report": N_("Report"),
    "report_send": N_("Send the report"),
    "report_reason": N_("Why are you reporting this message?"),
    "reason_abuse": N_("Abusive or hurtful"),
    "reason_personal_data": N_("Reveals someone's personal data"),
    "reason_spam": N_("Spam or advertising"),
    "reason_worry": N_("I am worried about the writer"),
    "reason_other": N_("Something else"),
    "reported": N_("Thank you. The moderators will look at the message."),
    "sent_to_moderators": N_("Your message was sent to the moderators."),
    "private_from": N_("Private message from {nick}:"),
}

# Strings of the moderator tools (moderate.js), sent only to staff.
MODERATOR_SCRIPT_STRINGS = {
    "moderate": N_("Moderate"),
    "remove": N_("Remove message"),
    "mute": N_("Mute 10 min"),
    "kick": N_("Remove from room 1 h"),
    "ban": N_("Ban 24 h"),
    "lift": N_("Lift restrictions"),
    "whisper": N_("Private message"),
    "whisper_prompt": N_("Private message to this person:"),
    "alert": N_("Crisis signal from {nick}."),
    "alert_possible": N_(
        "Possible crisis from {nick} (found by the model, not a known expression)."
    ),
    "alert_seq": N_("Message {seq}."),
    "alert_held": N_("The message waits for approval."),
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "report": N_("Report of message {seq}: {reason}"),
    "reason_abuse": N_("Abusive or hurtful"),
    "reason_personal_data": N_("Reveals someone's personal data"),
    "reason_spam": N_("Spam or advertising"),
    "reason_worry": N_("I am worried about the writer"),
    "reason_other": N_("Something else"),
    "resolve_action": N_("Action taken"),
    "resolve_dismiss": N_("Dismiss"),
    "no_reports": N_("No open reports."),
    "done": N_("Done."),
    "done_redact": N_("The message was removed."),
    "done_mute": N_("The person was muted."),
    "done_remove": N_("The person was removed from the room."),
    "done_ban": N_("The person was banned."),
    "done_lift": N_("The restrictions were lifted."),
    "done_room_settings": N_("The room settings were saved."),
    "done_whisper": N_("The private message was sent."),
}


@dataclass(frozen=True, slots=True)
class RoomCard:
    """A room on the front page with what its roster says now: ``status`` is "open",
    "waiting_for_host" (scheduled, no host yet) or "closed"."""

    room: RoomInfo
    status: str
    closes_at: datetime | None = None
    opens_at: datetime | None = None


async def _topic_cards(
    request: Request,
) -> list[tuple[queue_service.TopicInfo, queue_logic.TopicStatus]]:
    """The one-to-one chat topics a coordinator has not closed, each with its status
    now: admitting with the wait a newcomer can expect, or when it opens next."""
    db = request.state.db
    now = request.state.clock.now()
    return [
        (topic, await queue_service.topic_status(db, topic=topic, now=now))
        for topic in await queue_service.list_topics(db)
        if topic.active
    ]


@public
async def index(request: Request) -> Response:
    chat = request.state.chat
    cards = []
    for found in await rooms.list_rooms(request.state.db):
        if not found.open:
            continue  # archived: closed for good
        # A room without a roster is open whenever the service is.
        state = await chat.room_states.get(found.id)
        if state is None:
            cards.append(RoomCard(found, "open"))
        else:
            cards.append(RoomCard(found, state.status, state.closes_at, state.next_opening))
    topics = await _topic_cards(request)
    return render(
        request,
        "index.html",
        {
            "open_topics": [t for t in topics if t[1].admits],
            # Closed topics opening soonest first; those open but not admitting (nobody
            # on duty, full for today) say so, and topics with no opening ahead come last.
            "later_topics": sorted(
                (t for t in topics if not t[1].admits),
                key=lambda t: (t[1].opens_at is None, t[1].opens_at, t[0].name("fi")),
            ),
            "minutes": queue_logic.wait_minutes,
            "open_rooms": [c for c in cards if c.status == "open"],
            # Those opening soonest first; rooms with no opening ahead last.
            "closed_rooms": sorted(
                (c for c in cards if c.status != "open"),
                key=lambda c: (c.status != "waiting_for_host", c.opens_at is None, c.opens_at),
            ),
        },
    )


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
            "moderator_strings_json": json.dumps(
                {k: i18n.gettext(locale, v) for k, v in MODERATOR_SCRIPT_STRINGS.items()},
                ensure_ascii=False,
            ).replace("<", "\\u003c")
            if staff_role
            else "",
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


@public
async def accessibility_statement(request: Request) -> Response:
    found = statement.results()
    checks = found.get("checks", {})
    axe_runs = [run for key, run in checks.items() if key.startswith("axe ")]
    summary: dict[str, Any] = {
        name: checks[name] for name in ("keyboard", "reflow", "weight") if name in checks
    }
    if axe_runs:
        summary["axe"] = {
            "stops": max(run["stops"] for run in axe_runs),
            "problems": sum(run["problems"] for run in axe_runs),
        }
    checked_on = found.get("checked_on")
    return render(
        request,
        "accessibility.html",
        {
            "checks": summary,
            "axe_core": found.get("axe_core", ""),
            "checked_on": date.fromisoformat(checked_on) if checked_on else None,
            "problems": sum(int(check.get("problems", 0)) for check in summary.values()),
            "limitations": statement.KNOWN_LIMITATIONS,
            "contact": request.state.settings.accessibility_contact,
        },
    )


ROUTES = [
    Route("/", index, name="index"),
    Route("/about", about, name="about"),
    Route("/about/plain", about_plain, name="about_plain"),
    Route("/accessibility", accessibility_statement, name="accessibility_statement"),
    Route("/rooms/{slug}", room, name="room"),
]
