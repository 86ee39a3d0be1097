"""Pure rules of the question-and-answer archive's workflow: its vocabularies, who may
take which step from which state, answers and tags, the redaction audit, deadlines and
votes. A visitor's question is checked and screened in asking_rules.py, claim codes
are claim_codes.py.

No I/O here: time is a parameter, and the service modules (workflow.py, votes.py)
apply what these functions decide.

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

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from kuulolla.core import calendar_fi
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import BadRequest, Conflict, Forbidden
from kuulolla.core.i18n import N_

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


# ------------------------------------------------------------------ text


def clean_text(text: str) -> str:
    """NFC, no control characters except newlines, trimmed lines, at most one empty line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


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
