"""What every HTTP route shares: reading a submitted form, tying errors to its fields,
reaching the process's resources, POST then 303 (or the page again) and the notice
the redirect names."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import RedirectResponse

from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.permissions import Principal
from kuulolla.accounts.service import NoEvents, SessionEvents
from kuulolla.accounts.throttle import SignInThrottle
from kuulolla.core import i18n
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.core.settings import Settings
from kuulolla.shifts.checkins import DutyEvents, NoDutyEvents
from kuulolla.shifts.rooms import RoomOpenings
from kuulolla.web.access import principal_of

# Which form field an error code belongs to, so the message is shown next to it.
FIELD_OF_CODE = {
    "invalid_username": "username",
    "username_taken": "username",
    "invalid_display_name": "display_name",
    "invalid_role": "role",
    "weak_password": "password",
    "password_mismatch": "confirm",
    "wrong_password": "current_password",
    "wrong_code": "code",
    "invalid_slug": "slug",
    "slug_taken": "slug",
    "invalid_name": "name",
    "name_taken": "name",
    "invalid_validity": "valid_months",
    "invalid_date": "completed_on",
    "invalid_crisis_number": "crisis_numbers",
    "invalid_totp_rule": "require_totp",
    "too_long": "contact",
}


@dataclass(slots=True)
class FormErrors:
    """Errors by field name, translated; ``summary`` lists them for the top of the form."""

    locale: str
    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def add_error(self, exc: AppError, *, default_field: str) -> None:
        self.add(FIELD_OF_CODE.get(exc.code, default_field), exc.translated(self.locale))

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def __bool__(self) -> bool:
        return bool(self.fields)

    @property
    def summary(self) -> list[tuple[str, str]]:
        return list(self.fields.items())


def errors(request: Request) -> FormErrors:
    return FormErrors(request.state.locale)


async def form_data(request: Request) -> dict[str, str]:
    """Text fields of a submitted form (files are ignored)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def form_lists(request: Request, name: str) -> list[str]:
    form = await request.form()
    return [v for v in form.getlist(name) if isinstance(v, str)]


def db_of(request: Request) -> Database:
    return request.state.db


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def clock_of(request: Request) -> Clock:
    return request.state.clock


def passwords_of(request: Request) -> Passwords:
    return request.state.passwords


def throttle_of(request: Request) -> SignInThrottle:
    return request.state.throttle


def events_of(request: Request) -> SessionEvents:
    chat = getattr(request.state, "chat", None)
    return chat if chat is not None else NoEvents()


def duty_events_of(request: Request) -> DutyEvents:
    """The chat server, which hears check-ins and -outs of rooms' shifts."""
    chat = getattr(request.state, "chat", None)
    return chat if chat is not None else NoDutyEvents()


def room_openings_of(request: Request) -> RoomOpenings:
    """Whether rooms' rosters keep them open now (shifts.rooms.RoomOpenings; the chat
    server's per-process copy, handed over by the app factory)."""
    return request.state.room_openings


def me(request: Request) -> Principal:
    return principal_of(request)


def client_address(request: Request) -> str | None:
    """The client's address, for the throttle's keyed hash only; never stored or logged."""
    return request.client.host if request.client else None


def see_other(url: str) -> RedirectResponse:
    """After a successful POST: 303 so a reload does not resubmit (POST/redirect/GET)."""
    return RedirectResponse(url, status_code=303)


NOTICES = {
    "signed_out": N_("You have signed out."),
    "saved": N_("Saved."),
    "password_changed": N_("Your password was changed. Your other sessions have ended."),
    "password_set": N_("Your password is set and you are signed in."),
    "totp_off": N_("The second factor is off."),
    "sessions_ended": N_("Sessions ended."),
    "role_changed": N_("Role changed."),
    "removed": N_("Removed from the organisation."),
    "deactivated": N_("The account is deactivated and its sessions have ended."),
    "reactivated": N_("The account is active again."),
    "recorded": N_("Training recorded."),
    "second_factor_reset": N_("The second factor was removed and the sessions ended."),
    "created": N_("Created."),
    "deleted": N_("Deleted."),
    "word_missing": N_("That word was not on the list."),
    "expired": N_("Your session ended. Sign in again."),
    "erased": N_("The person's data was erased. What they wrote stays, signed “former volunteer”."),
}


def notice(request: Request) -> str | None:
    """The translated notice named by ``?done=`` (after a redirect)."""
    key = request.query_params.get("done")
    message = NOTICES.get(key or "")
    return i18n.gettext(request.state.locale, message) if message else None
