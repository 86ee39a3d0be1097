"""Pure rules of the question-and-answer archive.

No I/O here: time is a parameter, and the service modules (asking.py, workflow.py,
votes.py) apply what these functions decide.

The workflow of one question::

    received ──accept──▶ accepted ──route──▶ routed ──draft──▶ drafted ──submit──▶ in_review
       │                    │                  │  ▲               │  ▲                 │
       └──refuse──▶ refused ◀──────refuse──────┘  └──route────────┘  └────return───────┘
                                                                  │                    │
                                                  publish (no review required) / approve
                                                                  ▼                    ▼
                                               published (public, with consent) or answered_private

``published`` can go back to ``answered_private`` when the asker withdraws consent.
Who may take each step is :func:`may`; :func:`transition` checks both and returns the
new state or raises :class:`WorkflowError` naming what was expected.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from kuulolla.core import calendar_fi
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest, Conflict, Forbidden
from kuulolla.core.i18n import N_
from kuulolla.moderation import logic as moderation
from kuulolla.moderation.links import LinkPolicy

# ------------------------------------------------------------------ vocabularies


class State(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    ROUTED = "routed"
    DRAFTED = "drafted"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ANSWERED_PRIVATE = "answered_private"


class Role(StrEnum):
    """Staff roles (the accounts domain owns them; the names are the contract)."""

    VOLUNTEER = "volunteer"
    PROFESSIONAL = "professional"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Action(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    ROUTE = "route"
    DRAFT = "draft"
    SUBMIT = "submit"  # send a draft for second-person review
    RETURN = "return"  # reviewer sends it back to drafting
    PUBLISH = "publish"  # publish (or answer privately) without review, or approve a review
    REDACT = "redact"  # edit the question to remove identifying details
    WITHDRAW = "withdraw"  # the asker withdraws consent: the answer leaves the archive


class Refusal(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"
    CRISIS = "crisis"


CATEGORIES: dict[str, str] = {
    "relationships": N_("Relationships"),
    "parenting": N_("Parenting"),
    "youth": N_("Youth"),
    "loneliness": N_("Loneliness"),
    "mental-health": N_("Mental health"),
    "carers": N_("Family carers"),
}

AGE_GROUPS: dict[str, str] = {
    "under-13": N_("Under 13"),
    "13-17": N_("13–17"),
    "18-29": N_("18–29"),
    "30-44": N_("30–44"),
    "45-64": N_("45–64"),
    "65-plus": N_("65 or over"),
}

GENDERS: dict[str, str] = {
    "woman": N_("Woman"),
    "man": N_("Man"),
    "other": N_("Other or non-binary"),
}

REFUSAL_REASONS: dict[str, str] = {
    Refusal.OUT_OF_SCOPE: N_(
        "Your question is outside what the organisations in this service answer."
    ),
    Refusal.DUPLICATE: N_(
        "A very similar question has been answered already. Read the answer below."
    ),
    Refusal.CRISIS: N_(
        "Your question sounds like you need help now, faster than an answer here can come."
    ),
}

LANGUAGES = ("fi", "sv", "en")
OPEN_STATES = frozenset(
    {State.RECEIVED, State.ACCEPTED, State.ROUTED, State.DRAFTED, State.IN_REVIEW}
)
ANSWERED_STATES = frozenset({State.PUBLISHED, State.ANSWERED_PRIVATE})

MAX_TITLE_CHARS = 120
MAX_BODY_CHARS = 4000
MIN_BODY_CHARS = 20
MAX_ANSWER_CHARS = 8000
MAX_TAGS = 8
DEFAULT_DEADLINE_WORKING_DAYS = 10


# ------------------------------------------------------------------ errors


class WorkflowError(Conflict):
    """A step that the question's current state does not allow."""

    code = "workflow"
    default_message = N_("The question is not in a state that allows this. Reload and try again.")


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


def clean_text(text: str) -> str:
    """NFC, no control characters except newlines, trimmed lines, at most one empty line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


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


# ------------------------------------------------------------------ who may do what


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting staff member: their user id, role and organisation."""

    user_id: int
    role: Role
    organisation_id: int | None  # None for platform admins


@dataclass(frozen=True, slots=True)
class Situation:
    """What the rules need to know about a question besides its state."""

    organisation_id: int | None  # the receiving organisation (None: not routed yet)
    assignee_id: int | None  # a named expert the question is routed to
    drafter_id: int | None  # who wrote the current draft
    review_required: bool  # the organisation's setting
    public: bool  # the asker wants a public answer and consented


TRIAGE_ROLES = frozenset({Role.PROFESSIONAL, Role.COORDINATOR, Role.ADMIN})
ANSWER_ROLES = frozenset({Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR, Role.ADMIN})
PUBLISH_ROLES = frozenset({Role.PROFESSIONAL, Role.COORDINATOR, Role.ADMIN})
LEAD_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})

# (action, from state) -> allowed roles. The state machine and the role table in one
# place; :func:`may` adds the rules about organisations, assignees and reviewers.
TRANSITIONS: dict[tuple[Action, State], frozenset[Role]] = {
    (Action.ACCEPT, State.RECEIVED): TRIAGE_ROLES,
    (Action.REFUSE, State.RECEIVED): TRIAGE_ROLES,
    (Action.REFUSE, State.ACCEPTED): TRIAGE_ROLES,
    (Action.REFUSE, State.ROUTED): TRIAGE_ROLES,
    (Action.ROUTE, State.ACCEPTED): TRIAGE_ROLES,
    (Action.ROUTE, State.ROUTED): TRIAGE_ROLES,
    (Action.ROUTE, State.DRAFTED): LEAD_ROLES,
    (Action.DRAFT, State.ACCEPTED): ANSWER_ROLES,
    (Action.DRAFT, State.ROUTED): ANSWER_ROLES,
    (Action.DRAFT, State.DRAFTED): ANSWER_ROLES,
    (Action.SUBMIT, State.DRAFTED): ANSWER_ROLES,
    (Action.RETURN, State.IN_REVIEW): PUBLISH_ROLES,
    (Action.PUBLISH, State.DRAFTED): PUBLISH_ROLES,
    (Action.PUBLISH, State.IN_REVIEW): PUBLISH_ROLES,
    (Action.REDACT, State.RECEIVED): TRIAGE_ROLES,
    (Action.REDACT, State.ACCEPTED): ANSWER_ROLES,
    (Action.REDACT, State.ROUTED): ANSWER_ROLES,
    (Action.REDACT, State.DRAFTED): ANSWER_ROLES,
    (Action.REDACT, State.IN_REVIEW): PUBLISH_ROLES,
}

# Steps that leave the state unchanged are edits within it.
_TARGETS: dict[Action, State | None] = {
    Action.ACCEPT: State.ACCEPTED,
    Action.REFUSE: State.REFUSED,
    Action.ROUTE: State.ROUTED,
    Action.DRAFT: State.DRAFTED,
    Action.SUBMIT: State.IN_REVIEW,
    Action.RETURN: State.DRAFTED,
    Action.PUBLISH: None,  # published or answered_private: see :func:`transition`
    Action.REDACT: None,  # unchanged
}


def may(action: Action, state: State, actor: Actor, situation: Situation) -> bool:
    """Whether ``actor`` may take ``action`` on a question in ``state``."""
    roles = TRANSITIONS.get((action, state))
    if roles is None or actor.role not in roles:
        return False
    # Staff act only on questions of their own organisation; a question not yet routed
    # belongs to every organisation's triage. Admins act on every question.
    other_org = (
        situation.organisation_id is not None and actor.organisation_id != situation.organisation_id
    )
    if actor.role is not Role.ADMIN and other_org:
        return False
    # A question routed to a named expert is theirs to answer; leads may step in.
    if (
        action in (Action.DRAFT, Action.SUBMIT)
        and situation.assignee_id is not None
        and actor.user_id != situation.assignee_id
        and actor.role not in LEAD_ROLES
    ):
        return False
    # The organisation wants a second person to read answers before they go out.
    if action is Action.PUBLISH and state is State.DRAFTED and situation.review_required:
        return False
    # The reviewer must be a second person.
    reviewing = action in (Action.PUBLISH, Action.RETURN) and state is State.IN_REVIEW
    return not (reviewing and actor.user_id == situation.drafter_id)


def transition(action: Action, state: State, actor: Actor, situation: Situation) -> State:
    """The state after ``action``, or an error saying why it is not allowed."""
    if (action, state) not in TRANSITIONS:
        raise WorkflowError()
    if not may(action, state, actor, situation):
        raise Forbidden(N_("Your role does not allow this step."), code="workflow_forbidden")
    if action is Action.PUBLISH:
        return State.PUBLISHED if situation.public else State.ANSWERED_PRIVATE
    target = _TARGETS[action]
    return state if target is None else target


def withdraw(state: State) -> State:
    """The asker withdraws consent: a published answer becomes private to them."""
    if state is State.PUBLISHED:
        return State.ANSWERED_PRIVATE
    if state in OPEN_STATES or state is State.ANSWERED_PRIVATE:
        return state  # nothing published yet; consent is simply gone
    raise WorkflowError()


def check_answer(text: str) -> str:
    text = clean_text(text)
    if not text:
        raise BadRequest(N_("Write the answer first."), code="empty_answer")
    if len(text) > MAX_ANSWER_CHARS:
        raise BadRequest(N_("The answer can have at most 8000 characters."), code="too_long")
    return text


TAG = re.compile(r"^[^\W_](?:[\w -]{0,30}[^\W_])?$")


def check_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags are lowercase words or short phrases of at most 32 characters, at most eight."""
    out: dict[str, None] = {}
    for tag in tags:
        tag = unicodedata.normalize("NFC", " ".join(tag.split()).lower())
        if not tag:
            continue
        if not TAG.match(tag):
            raise BadRequest(
                N_("A tag is a word or a short phrase of at most 32 letters."), code="invalid_tag"
            )
        out.setdefault(tag, None)
    if len(out) > MAX_TAGS:
        raise BadRequest(N_("A question can have at most 8 tags."), code="invalid_tag")
    return tuple(out)


# ------------------------------------------------------------------ redaction audit


@dataclass(frozen=True, slots=True)
class Change:
    """One replaced span of a redacted text: where, how long the removed text was and
    what replaced it. The removed text itself is not kept: the point of the edit is
    that the identifying detail is gone, so the audit trail must not hold it either."""

    start: int
    removed_chars: int
    inserted: str


def redaction_changes(before: str, after: str) -> list[Change]:
    """The spans that changed between ``before`` and ``after``, word by word
    (positions in ``before``)."""
    import difflib

    a = re.findall(r"\w+|\W", before)
    b = re.findall(r"\w+|\W", after)
    offsets = [0]
    for piece in a:
        offsets.append(offsets[-1] + len(piece))
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "equal":
            start, end = offsets[a0], offsets[a1]
            out.append(Change(start=start, removed_chars=end - start, inserted="".join(b[b0:b1])))
    return out


# ------------------------------------------------------------------ deadlines
#
# Working days and Finnish holidays come from core.calendar_fi (shared with shifts).


def deadline(received_at: datetime, working_days: int) -> datetime:
    """The answer deadline: the end of the ``working_days``-th working day after the day
    the question came in, in Helsinki time, returned in UTC."""
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    local_day = received_at.astimezone(HELSINKI).date()
    last = calendar_fi.add_working_days(local_day, working_days)
    end = datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=HELSINKI)
    return end.astimezone(UTC)


def due_day(deadline_at: datetime) -> date:
    """The last day (Helsinki) for answering: the deadline is the midnight after it."""
    return (deadline_at.astimezone(HELSINKI) - timedelta(microseconds=1)).date()


def is_overdue(*, state: State, deadline_at: datetime, now: datetime) -> bool:
    return state in OPEN_STATES and now >= deadline_at


def working_days_left(*, deadline_at: datetime, now: datetime) -> int:
    """Working days from today (Helsinki) to the deadline day; negative when overdue."""
    today = now.astimezone(HELSINKI).date()
    return calendar_fi.working_days_between(today, due_day(deadline_at))


# ------------------------------------------------------------------ claim codes

# 160 random bits in RFC 4648 base32: 32 letters and digits, shown in eight groups of
# four. Base32 has no 0/1/8/9 and one case, so a code read aloud or copied by hand
# survives; 0, 1 and 8 typed by mistake are read as O, I and B.
CLAIM_BYTES = 20
CLAIM_GROUP = 4
_CLAIM_CHARS = re.compile(r"^[A-Z2-7]{32}$")
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_claim_code() -> str:
    """A new claim code, grouped for reading: ``ABCD-EFGH-…`` (39 characters)."""
    raw = base64.b32encode(secrets.token_bytes(CLAIM_BYTES)).decode()
    return "-".join(raw[i : i + CLAIM_GROUP] for i in range(0, len(raw), CLAIM_GROUP))


def new_claim() -> tuple[str, bytes]:
    """A new claim code and the key to store for it."""
    code = new_claim_code()
    key = claim_key(code)
    if key is None:  # pragma: no cover - a fresh code always normalises
        raise RuntimeError("claim code does not normalise")
    return code, key


def normalise_claim_code(code: str) -> str | None:
    """The 32 code characters of what a visitor typed, or None when it cannot be a code."""
    cleaned = re.sub(r"[\s-]", "", code).upper().translate(_CONFUSABLE)
    return cleaned if _CLAIM_CHARS.match(cleaned) else None


def claim_key(code: str) -> bytes | None:
    """The key stored for a code (SHA-256 of its normalised form). The code carries 160
    random bits, so a plain hash is enough: it cannot be guessed back."""
    cleaned = normalise_claim_code(code)
    if cleaned is None:
        return None
    return hashlib.sha256(b"kuulolla-claim:" + cleaned.encode()).digest()


# ------------------------------------------------------------------ votes


def may_vote(*, state: State, already_voted: bool) -> bool:
    """A visitor votes once per published answer."""
    return state is State.PUBLISHED and not already_voted


def helpfulness(*, helpful: int, not_helpful: int) -> float:
    """A score for "most helpful" ordering: the lower bound of the Wilson interval
    (95 %) of the share of helpful votes, so one vote of one does not beat 40 of 45."""
    n = helpful + not_helpful
    if n == 0:
        return 0.0
    z = 1.96
    p = helpful / n
    centre = p + z * z / (2 * n)
    margin = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return (centre - margin) / (1 + z * z / n)
