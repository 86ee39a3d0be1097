"""The words of the browser chat client (static/js/chat-client.js and the pages built on
it), sent with each page that chats so the scripts need no catalog.

``CLIENT_STRINGS`` are the shared client's own: every page that chats sends them.
``ROOM_STRINGS`` are the group room's, ``MODERATOR_STRINGS`` the moderator tools'
(the room page for staff, and the helper console, where the helper moderates their
one-to-one conversations), ``REFERRAL_STRINGS`` the referral picker's (staff on both).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from kuulolla.core import i18n
from kuulolla.core.i18n import N_
from kuulolla.moderation.actions import REASON_PRESETS
from kuulolla.moderation.crisis_help import LABELS as CRISIS_LABELS

# The moderator's duration choices (moderation/actions.py: DURATION_PRESETS).
DURATION_LABELS = {
    600: N_("10 minutes"),
    3600: N_("1 hour"),
    86400: N_("24 hours"),
    604800: N_("7 days"),
}

CLIENT_STRINGS = {
    "connecting": N_("Connecting…"),
    "connected": N_("Connected"),
    "reconnecting": N_("Connection lost. Reconnecting…"),
    "offline": N_("You are offline. Messages will be sent when the connection returns."),
    "session_ended": N_("Your sign-in has ended. Sign in again to continue as staff."),
    "sending": N_("Sending…"),
    "queued": N_("Waiting to be sent"),
    "send_in": N_("Send ({n} s)"),
    "wait_help": N_(
        "You can send in {n} seconds. Write your message now: it is sent when the wait ends."
    ),
    "too_long": N_("The message is too long (at most {max} characters)."),
    "over_limit": N_(
        "Your message has {n} characters, {over} more than the {max} one message can hold. Nothing was cut: shorten it, or send it in parts."
    ),
    "char_count": N_("{n} / {max} characters"),
    "history_reset": N_("The conversation was reloaded."),
    "removed": N_("A moderator removed this message."),
    "held": N_("Waiting for a moderator"),
    "rejected": N_("Not approved"),
    "crisis_told": N_(
        "It sounds like things are hard right now. You are not alone: the help numbers are on this page, and the room's hosts have been told."
    ),
    "crisis_alone": N_(
        "It sounds like things are hard right now. You are not alone. No host is here at the moment, so please call one of the help numbers on this page."
    ),
    "open_now": N_("See what is open now"),
    "closing_soon": N_("The room closes at {time}."),
    "closed_now": N_("The room has closed. Thank you for being here."),
    "closed_next": N_("The room has closed. It opens next on {time}."),
    "locked": N_("The room is locked: only moderators can write now."),
    "slow_mode": N_("Slow mode: one message every {seconds} seconds."),
    "premoderated": N_("A moderator reads every message in this room before others see it."),
    "mask_phone": N_("[phone number hidden]"),
    "mask_email": N_("[e-mail address hidden]"),
    "mask_hetu": N_("[identity code hidden]"),
    "mask_iban": N_("[account number hidden]"),
    "mask_address": N_("[address hidden]"),
    "mask_word": N_("[word hidden]"),
    "role_volunteer": N_("Volunteer"),
    "role_professional": N_("Professional"),
    "role_coordinator": N_("Coordinator"),
    "role_admin": N_("Moderator"),
    "you": N_("you"),
    "private_from": N_("Private message from {nick}:"),
    "reported": N_("Thank you. The moderators will look at the message."),
    "sent_to_moderators": N_("Your message was sent to the moderators."),
    "new_one": N_("1 new message"),
    "new_many": N_("{n} new messages"),
    # A referral card (a service of the directory a helper sent).
    "referral_label": N_("{nick} suggests a service"),
    "referral_always": N_("Open around the clock"),
    "referral_open_until": N_("Open now, until {time}"),
    "referral_opens": N_("Closed now. Opens {time}"),
    "referral_no_times": N_("Ask the service when it is open."),
    "referral_phone": N_("Phone"),
    "referral_web": N_("Web"),
    "referral_email": N_("E-mail"),
    "referral_chat": N_("Open the chat"),
    "referral_more": N_("More about the service"),
    "new_tab": N_("(opens in a new tab)"),
}

ROOM_STRINGS = {
    "present_one": N_("{n} person here"),
    "present_many": N_("{n} people here"),
    "host_here": N_("A host is here"),
    "host_away": N_("No host here right now"),
    "joined": N_("You joined as {nick}."),
    # The browser's own validation messages are in the browser's language, not the page's.
    "nick_short": N_("The nickname must have at least 2 characters."),
    "report": N_("Report"),
    "report_send": N_("Send the report"),
    "report_reason": N_("Why are you reporting this message?"),
    "reason_abuse": N_("Abusive or hurtful"),
    "reason_personal_data": N_("Reveals someone's personal data"),
    "reason_spam": N_("Spam or advertising"),
    "reason_worry": N_("I am worried about the writer"),
    "reason_other": N_("Something else"),
    "you_label": N_("You"),
}

MODERATOR_STRINGS = {
    "moderate": N_("Moderate"),
    "action": N_("What to do"),
    "remove": N_("Remove the message"),
    "do_mute": N_("Mute the writer"),
    "do_kick": N_("Remove the writer from the room"),
    "do_ban": N_("Ban the writer from the organisation's rooms"),
    "duration": N_("For how long"),
    **{f"duration_{seconds}": label for seconds, label in DURATION_LABELS.items()},
    "duration_custom": N_("Another length…"),
    "duration_amount": N_("Length"),
    "duration_unit": N_("Unit"),
    "unit_minutes": N_("minutes"),
    "unit_hours": N_("hours"),
    "unit_days": N_("days"),
    "duration_bad": N_("Choose a duration between one minute and one year."),
    "reason": N_("Reason"),
    "reason_choose": N_("Choose a reason"),
    **{f"preset_{key}": label for key, label in REASON_PRESETS.items()},
    "reason_words": N_("In your own words (optional if you chose a reason)"),
    "reason_needed": N_("Choose a reason or write one."),
    "act": N_("Do it"),
    "lift": N_("Lift restrictions"),
    "whisper": N_("Private message"),
    "thread_with": N_("Private messages with {nick}"),
    "thread_with_count": N_("Private messages with {nick} ({n} received)"),
    "thread_reply": N_("Reply to {nick}"),
    "thread_send": N_("Send privately"),
    "thread_me": N_("You"),
    "member_mute": N_("muted until {time}"),
    "members_none": N_("Nobody else is here."),
    "alert": N_("{category}: crisis signal from {nick}."),
    "alert_possible": N_(
        "{category}: possible crisis from {nick} (found by the model, not a known expression)."
    ),
    # the kinds of crisis an alert names (moderation/crisis_help.py)
    **{f"kind_{kind}": label for kind, label in CRISIS_LABELS.items()},
    "alert_held": N_("The message waits for approval."),
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "report_at": N_("Report ({reason}): the message of {nick} at {time}: “{text}”"),
    "report_by": N_("Report ({reason}): the message of {nick}: “{text}”"),
    "report_gone": N_("Report ({reason}): the message is no longer in the room."),
    "report_show": N_("Show the message"),
    # The room's moderator notifications (static/js/staff-notify.js).
    "new_crisis": N_("Crisis alert: {nick}"),
    "new_report": N_("New report"),
    "title_count": N_("({n}) {title}"),
    "report_not_shown": N_("The message is not on this page any more."),
    "report_context": N_("The messages around it"),
    "reason_abuse": N_("Abusive or hurtful"),
    "reason_personal_data": N_("Reveals someone's personal data"),
    "reason_spam": N_("Spam or advertising"),
    "reason_worry": N_("I am worried about the writer"),
    "reason_other": N_("Something else"),
    "resolve_action": N_("Action taken"),
    "resolve_dismiss": N_("Dismiss"),
    "no_reports": N_("No open reports."),
    "done": N_("Done."),
    "done_approve": N_("The message was approved."),
    "done_reject": N_("The message was rejected."),
    "done_redact": N_("The message was removed."),
    "done_mute": N_("The person was muted."),
    "done_remove": N_("The person was removed from the room."),
    "done_ban": N_("The person was banned."),
    "done_lift": N_("The restrictions were lifted."),
    "done_room_settings": N_("The room settings were saved."),
    "done_whisper": N_("The private message was sent."),
}


# The referral picker (staff: the room page and the helper console).
REFERRAL_STRINGS = {
    "referral_searching": N_("Searching…"),
    "referral_failed": N_("The search did not work. Try again."),
    "referral_found": N_("Services found: {n}"),
    "referral_none": N_("Nothing was found. Try other words or a wider area."),
    "referral_open": N_("Open now"),
    "referral_send": N_("Send"),
    "referral_send_named": N_("Send {name} to the conversation"),
    "referral_sent": N_("Sent: {name}"),
    "referral_not_joined": N_("Join the conversation first."),
}


def strings_json(locale: str, *tables: Mapping[str, str]) -> str:
    """The tables' strings translated into ``locale``, as JSON for a
    ``<script type="application/json">`` element ("<" escaped, so no string can close it)."""
    merged = {key: i18n.gettext(locale, value) for table in tables for key, value in table.items()}
    return json.dumps(merged, ensure_ascii=False).replace("<", "\\u003c")
