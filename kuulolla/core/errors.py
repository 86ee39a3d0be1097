"""One exception hierarchy for domain errors.

::

    AppError                 code, HTTP status, WebSocket close code, message (translated later)
    ├── BadRequest           400 / error frame: malformed or invalid input
    │   ├── TooLong
    │   └── InvalidNick
    ├── NotFound             404
    ├── Forbidden            403
    ├── RateLimited          429
    ├── Conflict             409
    └── Unavailable          503: a dependency (database, broker) is down

Errors carry an English message id marked with ``N_`` plus parameters; web/ and the
socket endpoint translate them in exactly one place each. Codes are stable: clients
and tests depend on them (docs/protocol.md lists them).
"""

from __future__ import annotations

from typing import ClassVar

from kuulolla.core.i18n import N_, gettext


class AppError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    close_code: ClassVar[int | None] = None  # close the socket with this code, else an error frame
    default_message: ClassVar[str] = N_("Something went wrong.")

    def __init__(
        self, message: str | None = None, *, code: str | None = None, **params: object
    ) -> None:
        self.message_id = message or self.default_message
        self.params = params
        if code is not None:
            self.code = code  # type: ignore[misc]
        super().__init__(self.message_id)

    def translated(self, locale: str) -> str:
        return gettext(locale, self.message_id, **self.params)


class BadRequest(AppError):
    code = "bad_request"
    default_message = N_("The request was not understood.")


class TooLong(BadRequest):
    code = "too_long"
    default_message = N_("The message is too long.")


class InvalidNick(BadRequest):
    code = "invalid_nick"
    default_message = N_("Choose another nickname.")


class NotFound(AppError):
    code = "not_found"
    status = 404
    default_message = N_("Not found.")


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    default_message = N_("You are not allowed to do that.")


class RateLimited(AppError):
    code = "rate_limited"
    status = 429
    default_message = N_("You are sending messages too fast. Wait a moment.")


class Conflict(AppError):
    code = "conflict"
    status = 409
    default_message = N_("That was changed by someone else. Try again.")


class Unavailable(AppError):
    code = "unavailable"
    status = 503
    default_message = N_("The service is having trouble. Try again in a moment.")


class InternalError(AppError):
    code = "internal"
    status = 500
    default_message = N_("Something went wrong on our side. Try again in a moment.")
