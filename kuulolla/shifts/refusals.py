"""Why a shift action is refused: a stable code and a translated explanation.

Rules return a :class:`Refusal` (or None) instead of raising, so lists can show the
reason next to each shift; a service that must stop raises ``refusal.error()``, an
:class:`~kuulolla.core.errors.AppError` with the same code. :data:`MESSAGES` is the
one list of codes; docs/architecture.md describes them.

Parameters are formatted for the reader's language when translated: durations as
hours with a decimal comma where that is the custom, instants as Helsinki time, both
as the service writes them everywhere (``core.i18n.format_locale``: English on a
24-hour clock, day first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.numbers import format_decimal

from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_, date_text, datetime_text, format_locale, gettext

MESSAGES: dict[str, str] = {
    # the shift itself
    "shift_cancelled": N_("This shift has been cancelled."),
    "shift_started": N_("This shift has already started."),
    "shift_ended": N_("This shift has already ended."),
    "outside_signup_horizon": N_("Sign-up for this shift opens on {opens}."),
    # the person
    "already_signed_up": N_("You are already signed up for this shift."),
    "wrong_role": N_("This shift has no places for the role you chose."),
    "not_qualified": N_("This shift needs a qualification you do not have."),
    "qualification_not_valid": N_(
        "Your qualification for this shift is not valid on the day of the shift."
    ),
    "shift_full": N_("This shift is full."),
    # wellbeing limits
    "overlapping_shift": N_("You already have a shift at the same time."),
    "rest_too_short": N_(
        "You need at least {rest} h of rest between shifts. Here you would have {gap} h."
    ),
    "weekly_hours_exceeded": N_(
        "In week {week} you would have {total} h of shifts. The limit is {limit} h."
    ),
    # cancelling and swapping
    "not_signed_up": N_("You are not signed up for this shift."),
    "cancel_deadline_passed": N_(
        "You could cancel this shift until {deadline}. You can still offer it for a swap."
    ),
    "swap_already_offered": N_("You have already offered this shift for a swap."),
    "swap_not_open": N_("This swap is no longer available."),
    "swap_own_shift": N_("You cannot take over your own shift."),
    "swap_not_pending": N_("This swap is not waiting for approval."),
    # on duty
    "check_in_too_early": N_("You can check in from {opens}."),
    "already_checked_in": N_("You have already checked in."),
    "not_checked_in": N_("You have not checked in to this shift."),
    "already_checked_out": N_("You have already checked out."),
    # after the shift
    "debrief_too_early": N_("You can write a debrief once your shift has started."),
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused action: ``code`` from :data:`MESSAGES` and the message's parameters."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """The English message id (translate with :meth:`translated`)."""
        return MESSAGES[self.code]

    def translated(self, locale: str) -> str:
        return gettext(locale, self.message, **format_params(locale, self.params))

    def error(self) -> ShiftRefused:
        """An AppError to raise from a service."""
        return ShiftRefused(self.message, code=self.code, **self.params)


def refuse(code: str, **params: object) -> Refusal:
    if code not in MESSAGES:
        raise KeyError(code)
    return Refusal(code, params)


class ShiftRefused(AppError):
    """A shift rule refused the action (409); ``code`` is one of :data:`MESSAGES`."""

    code = "shift_refused"
    status = 409

    def translated(self, locale: str) -> str:
        return gettext(locale, self.message_id, **format_params(locale, self.params))


def format_params(locale: str, params: Mapping[str, object]) -> dict[str, object]:
    """Parameters as the reader expects them: ``timedelta`` as hours ("7,5"),
    ``datetime`` as Helsinki date and time, ``date`` and ``float`` per locale, the way
    the pages write them (core/i18n.py)."""
    out: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, timedelta):
            out[name] = format_decimal(
                value.total_seconds() / 3600, format="#,##0.##", locale=format_locale(locale)
            )
        elif isinstance(value, datetime):
            out[name] = datetime_text(value, locale)
        elif isinstance(value, date):
            out[name] = date_text(value, locale)
        elif isinstance(value, float):
            out[name] = format_decimal(value, format="#,##0.##", locale=format_locale(locale))
        else:
            out[name] = value
    return out
