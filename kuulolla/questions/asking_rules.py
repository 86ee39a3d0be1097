"""Pure rules of asking: a visitor's question checked field by field (:func:`check_ask`)
and screened for personal data and crisis signals (:func:`screen`) before it is stored
(asking.py stores it).

No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.moderation import logic as moderation
from kuulolla.moderation.links import LinkPolicy
from kuulolla.questions.logic import (
    AGE_GROUPS,
    CATEGORIES,
    GENDERS,
    LANGUAGES,
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    MIN_BODY_CHARS,
    clean_text,
)

# ------------------------------------------------------------------ asking


@dataclass(frozen=True, slots=True)
class Ask:
    """A visitor's question, checked and screened: what may be stored."""

    title: str | None
    body: str
    category: str
    language: str
    age_group: str | None
    gender: str | None
    wants_public: bool
    consent: bool
    masked: tuple[str, ...]  # kinds of personal data masked ("email", "phone", ...)
    crisis: str | None = None  # crisis category the screening found ("suicide", ...)


class AskInvalid(BadRequest):
    """Errors of the ask form, by field: ``errors`` maps a field name to a message id."""

    code = "invalid_question"
    default_message = N_("Check the fields marked below.")

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__()
        self.errors = errors


def check_ask(
    *,
    title: str,
    body: str,
    category: str,
    language: str,
    age_group: str = "",
    gender: str = "",
    visibility: str,
    consent: bool,
) -> Ask:
    """Validate a visitor's question and mask personal data in it.

    Raises :class:`AskInvalid` with every field's error at once. A public answer needs
    consent to publish: without it nothing can enter the archive, so the form asks the
    visitor to choose a private answer instead.
    """
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    body = clean_text(body)
    if len(title) > MAX_TITLE_CHARS:
        errors["title"] = N_("The title can have at most 120 characters.")
    if len(body) < MIN_BODY_CHARS:
        errors["body"] = N_("Write your question in a few sentences (at least 20 characters).")
    elif len(body) > MAX_BODY_CHARS:
        errors["body"] = N_("The question can have at most 4000 characters.")
    if category not in CATEGORIES:
        errors["category"] = N_("Choose a topic.")
    if age_group and age_group not in AGE_GROUPS:
        errors["age_group"] = N_("Choose an age group from the list, or leave it empty.")
    if gender and gender not in GENDERS:
        errors["gender"] = N_("Choose a gender from the list, or leave it empty.")
    if visibility not in ("public", "private"):
        errors["visibility"] = N_("Choose whether the answer may be public or only for you.")
    elif visibility == "public" and not consent:
        errors["consent"] = N_(
            "A public answer needs your consent to publish it. Give consent, or choose an answer only for you."
        )
    if errors:
        raise AskInvalid(errors)
    screened_title = screen(title)
    screened_body = screen(body)
    return Ask(
        title=screened_title.text or None,
        body=screened_body.text,
        category=category,
        language=language if language in LANGUAGES else "fi",
        age_group=age_group or None,
        gender=gender or None,
        wants_public=visibility == "public",
        consent=visibility == "public" and consent,
        masked=tuple(sorted(set(screened_title.masked) | set(screened_body.masked))),
        crisis=screened_body.crisis or screened_title.crisis,
    )


# ------------------------------------------------------------------ screening
#
# The seam to the moderation pipeline (moderation/logic.py): a question goes through the
# same personal-data masking and crisis detection as a chat message, under a policy of
# its own (no flood rules, no word list, links allowed: staff read every question
# before anything is published). Mask tokens become "[…]" here, so the stored text is
# the same in every language and a staff member never reads what was masked.


@dataclass(frozen=True, slots=True)
class Screened:
    text: str
    masked: tuple[str, ...]  # kinds of personal data masked, in the order found
    crisis: str | None = None  # the most severe crisis category found, if any


QUESTION_POLICY = moderation.Policy(
    links=LinkPolicy("allow"), flood=None, personal_data=True, crisis=True
)
MASK = "[…]"
_MASK_TOKEN = re.compile(r"⟦[a-z]+⟧")


def screen(text: str) -> Screened:
    """Mask personal data (identity codes, phone numbers, e-mail addresses, bank
    accounts, street addresses) before any staff member reads ``text``, and note crisis
    signals so staff are offered the crisis refusal at once."""
    if not text:
        return Screened(text, ())
    verdict = moderation.screen(text, policy=QUESTION_POLICY)
    kinds = tuple(
        dict.fromkeys(
            reason.split(".", 1)[1]
            for reason in verdict.reasons
            if reason.startswith("personal_data.")
        )
    )
    masked = _MASK_TOKEN.sub(MASK, verdict.text)
    return Screened(masked, kinds, verdict.crisis.category if verdict.crisis else None)
