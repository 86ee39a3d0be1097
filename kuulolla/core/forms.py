"""A form's errors by field: pages check a form whole and show each problem by its
field (queue topics, rooms, shift templates). HTTP only; the chat socket never sends it."""

from __future__ import annotations

from collections.abc import Mapping

from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_


class InvalidForm(BadRequest):
    """One or more fields are wrong; ``errors`` maps each field's name to its error."""

    code = "invalid_form"
    default_message = N_("Check the form.")

    def __init__(self, errors: Mapping[str, AppError]) -> None:
        super().__init__()
        self.errors = dict(errors)
