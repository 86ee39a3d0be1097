"""Workflow, deadlines, claim codes, screening and votes: pure rules as tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kuulolla.core.errors import Forbidden
from kuulolla.questions import asking_rules, claim_codes, logic
from kuulolla.questions.logic import Action, Actor, Role, Situation, State, WorkflowError

ORG = 1
OTHER_ORG = 2


def actor(role: Role, *, user: int = 10, org: int | None = ORG) -> Actor:
    return Actor(user_id=user, role=role, organisation_id=org)


def situation(**changes: object) -> Situation:
    values: dict[str, object] = {
        "organisation_id": ORG,
        "assignee_id": None,
        "drafter_id": None,
        "review_required": False,
        "public": True,
    }
    values.update(changes)
    return Situation(**values)  # type: ignore[arg-type]


V, P, C, A = Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR, Role.ADMIN


@pytest.mark.parametrize(
    ("action", "state", "allowed"),
    [
        (Action.ACCEPT, State.RECEIVED, {P, C, A}),
        (Action.REFUSE, State.RECEIVED, {P, C, A}),
        (Action.REFUSE, State.ROUTED, {P, C, A}),
        (Action.ROUTE, State.ACCEPTED, {P, C, A}),
        (Action.ROUTE, State.DRAFTED, {C, A}),
        (Action.DRAFT, State.ROUTED, {V, P, C, A}),
        (Action.DRAFT, State.DRAFTED, {V, P, C, A}),
        (Action.SUBMIT, State.DRAFTED, {V, P, C, A}),
        (Action.PUBLISH, State.DRAFTED, {P, C, A}),
        (Action.PUBLISH, State.IN_REVIEW, {P, C, A}),
        (Action.RETURN, State.IN_REVIEW, {P, C, A}),
        (Action.REDACT, State.RECEIVED, {P, C, A}),
        (Action.REDACT, State.DRAFTED, {V, P, C, A}),
        # Nothing moves a finished question but the asker's withdrawal.
        (Action.ACCEPT, State.REFUSED, set()),
        (Action.DRAFT, State.PUBLISHED, set()),
        (Action.REDACT, State.PUBLISHED, set()),
        (Action.PUBLISH, State.PUBLISHED, set()),
        (Action.PUBLISH, State.RECEIVED, set()),
        (Action.ACCEPT, State.ACCEPTED, set()),
        (Action.SUBMIT, State.ROUTED, set()),
    ],
)
def test_role_table(action: Action, state: State, allowed: set[Role]) -> None:
    """Each step is open to exactly the roles the workflow table names."""
    got = {role for role in Role if logic.may(action, state, actor(role), situation())}
    assert got == allowed


@pytest.mark.parametrize(
    ("action", "state", "public", "expected"),
    [
        (Action.ACCEPT, State.RECEIVED, True, State.ACCEPTED),
        (Action.REFUSE, State.ACCEPTED, True, State.REFUSED),
        (Action.ROUTE, State.ACCEPTED, True, State.ROUTED),
        (Action.ROUTE, State.ROUTED, True, State.ROUTED),
        (Action.DRAFT, State.ROUTED, True, State.DRAFTED),
        (Action.SUBMIT, State.DRAFTED, True, State.IN_REVIEW),
        (Action.RETURN, State.IN_REVIEW, True, State.DRAFTED),
        (Action.PUBLISH, State.DRAFTED, True, State.PUBLISHED),
        (Action.PUBLISH, State.DRAFTED, False, State.ANSWERED_PRIVATE),
        (Action.PUBLISH, State.IN_REVIEW, False, State.ANSWERED_PRIVATE),
        (Action.REDACT, State.ROUTED, True, State.ROUTED),
    ],
)
def test_transitions(action: Action, state: State, public: bool, expected: State) -> None:
    """Allowed steps lead to the state the workflow names; publishing needs consent."""
    result = logic.transition(action, state, actor(Role.COORDINATOR), situation(public=public))
    assert result is expected


def test_illegal_step_is_a_workflow_error() -> None:
    """A step the state does not allow is a conflict, not a permission error."""
    with pytest.raises(WorkflowError):
        logic.transition(Action.PUBLISH, State.RECEIVED, actor(Role.ADMIN), situation())


def test_other_organisation_may_not_act() -> None:
    """Staff of another organisation cannot touch a routed question; admins can."""
    s = situation(organisation_id=OTHER_ORG)
    with pytest.raises(Forbidden):
        logic.transition(Action.DRAFT, State.ROUTED, actor(Role.COORDINATOR), s)
    assert logic.may(Action.DRAFT, State.ROUTED, actor(Role.ADMIN, org=None), s)


def test_unrouted_question_is_open_to_every_organisations_triage() -> None:
    """A question nobody has routed yet can be triaged by any organisation's staff."""
    s = situation(organisation_id=None)
    assert logic.may(Action.ACCEPT, State.RECEIVED, actor(Role.PROFESSIONAL, org=OTHER_ORG), s)


def test_named_expert_owns_the_draft() -> None:
    """A question routed to a named expert is drafted by them or by a lead."""
    s = situation(assignee_id=99)
    assert not logic.may(Action.DRAFT, State.ROUTED, actor(Role.PROFESSIONAL, user=10), s)
    assert logic.may(Action.DRAFT, State.ROUTED, actor(Role.PROFESSIONAL, user=99), s)
    assert logic.may(Action.DRAFT, State.ROUTED, actor(Role.COORDINATOR, user=10), s)


def test_review_required_blocks_direct_publishing() -> None:
    """With review on, a draft must go through a second person."""
    s = situation(review_required=True, drafter_id=10)
    assert not logic.may(Action.PUBLISH, State.DRAFTED, actor(Role.COORDINATOR, user=10), s)
    assert logic.may(Action.SUBMIT, State.DRAFTED, actor(Role.COORDINATOR, user=10), s)
    # The drafter cannot approve their own draft; someone else can.
    assert not logic.may(Action.PUBLISH, State.IN_REVIEW, actor(Role.COORDINATOR, user=10), s)
    assert logic.may(Action.PUBLISH, State.IN_REVIEW, actor(Role.PROFESSIONAL, user=11), s)
    assert not logic.may(Action.RETURN, State.IN_REVIEW, actor(Role.PROFESSIONAL, user=10), s)


def test_volunteer_cannot_publish_even_without_review() -> None:
    """Volunteers draft; a professional or lead publishes."""
    assert not logic.may(Action.PUBLISH, State.DRAFTED, actor(Role.VOLUNTEER), situation())


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (State.PUBLISHED, State.ANSWERED_PRIVATE),
        (State.ANSWERED_PRIVATE, State.ANSWERED_PRIVATE),
        (State.DRAFTED, State.DRAFTED),
    ],
)
def test_withdrawing_consent(state: State, expected: State) -> None:
    """Withdrawing consent takes a published answer out of the archive."""
    assert logic.withdraw(state) is expected


# ------------------------------------------------------------------ asking


def ask(**changes: object) -> asking_rules.Ask:
    values: dict[str, object] = {
        "title": "Riitely",
        "body": "Riitelemme puolisoni kanssa joka ilta. Mitä voisin tehdä?",
        "category": "relationships",
        "language": "fi",
        "visibility": "public",
        "consent": True,
    }
    values.update(changes)
    return asking_rules.check_ask(**values)  # type: ignore[arg-type]


def test_public_answer_needs_consent() -> None:
    """Nothing can be public without consent: the form says so on the consent field."""
    with pytest.raises(asking_rules.AskInvalid) as info:
        ask(visibility="public", consent=False)
    assert set(info.value.errors) == {"consent"}
    private = ask(visibility="private", consent=True)
    assert (private.wants_public, private.consent) == (False, False)


def test_ask_reports_every_field_error() -> None:
    """Every invalid field gets its own error at once."""
    with pytest.raises(asking_rules.AskInvalid) as info:
        ask(body="lyhyt", category="x", age_group="100", gender="?", title="x" * 200)
    assert set(info.value.errors) == {"body", "category", "age_group", "gender", "title"}


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        ("soita 040 123 4567 kiitos", "soita […] kiitos", ("phone",)),
        ("numeroni on +358 40 1234567.", "numeroni on […].", ("phone",)),
        ("050-1234567", "[…]", ("phone",)),
        ("maija.meikalainen@example.fi kirjoitti", "[…] kirjoitti", ("email",)),
        ("olen 15-vuotias ja luokalla 9", "olen 15-vuotias ja luokalla 9", ()),
        ("vuonna 2024 muutin", "vuonna 2024 muutin", ()),
        ("hetuni on 131052-308T", "hetuni on […]", ("hetu",)),
    ],
)
def test_screening_masks_personal_data(text: str, expected: str, kinds: tuple[str, ...]) -> None:
    """Personal data (the moderation pipeline's rules) is masked; ages and years are not."""
    result = asking_rules.screen(text)
    assert (result.text, result.masked) == (expected, kinds)


def test_screening_uses_the_moderation_pipeline() -> None:
    """Identity codes and street addresses are masked as in chat, and crisis signs are noted."""
    result = asking_rules.screen("Asun osoitteessa Mannerheimintie 12 B 5, hetu 131052-308T.")
    assert "131052-308T" not in result.text and "Mannerheimintie" not in result.text
    assert set(result.masked) == {"address", "hetu"} and result.crisis is None
    crisis = asking_rules.screen("En halua enää elää. Mietin itsemurhaa joka päivä.")
    assert crisis.crisis == "suicide" and crisis.text.startswith("En halua enää elää.")
    assert asking_rules.screen("Riitelemme joka ilta puolisoni kanssa.").crisis is None


def test_crisis_signs_travel_with_the_question() -> None:
    """A question with crisis signs carries the category to be stored for staff."""
    result = ask(body="Olen niin väsynyt kaikkeen. En halua enää elää, mietin itsemurhaa.")
    assert result.crisis == "suicide"
    assert ask().crisis is None


def test_question_is_masked_before_storing() -> None:
    """The checked question holds the masked text only."""
    result = ask(body="Voisiko joku soittaa minulle numeroon 0401234567? Olen tosi yksin.")
    assert "0401234567" not in result.body
    assert result.masked == ("phone",)


# ------------------------------------------------------------------ redaction


def test_redaction_changes_do_not_keep_removed_text() -> None:
    """The audit trail says where and how much was removed, not what."""
    changes = logic.redaction_changes(
        "Asun Kuopiossa ja olen 15.", "Asun [paikkakunta] ja olen 15."
    )
    assert len(changes) == 1
    assert changes[0].start == 5
    assert (changes[0].removed_chars, changes[0].inserted) == (9, "[paikkakunta]")
    assert "Kuopio" not in changes[0].inserted


# ------------------------------------------------------------------ deadlines


@pytest.mark.parametrize(
    ("received", "days", "last_day"),
    [
        # Thursday 15 Jan 2026 + 10 working days: Thursday 29 Jan.
        (datetime(2026, 1, 15, 10, 0, tzinfo=UTC), 10, date(2026, 1, 29)),
        # Late on Friday in UTC is already Saturday in Helsinki.
        (datetime(2026, 1, 16, 22, 30, tzinfo=UTC), 1, date(2026, 1, 19)),
        # Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr are not working days.
        (datetime(2026, 4, 1, 9, 0, tzinfo=UTC), 2, date(2026, 4, 7)),
        # Christmas Eve to Boxing Day 2025 (Wed–Fri), New Year and Epiphany (Tue 6 Jan).
        (datetime(2025, 12, 23, 9, 0, tzinfo=UTC), 6, date(2026, 1, 7)),
        # Midsummer Eve 2026 is Friday 19 June; Independence Day 2025 is a Saturday.
        (datetime(2026, 6, 18, 9, 0, tzinfo=UTC), 1, date(2026, 6, 22)),
        # Ascension Day 2026 is Thursday 14 May; May Day 2026 is a Friday.
        (datetime(2026, 4, 30, 9, 0, tzinfo=UTC), 10, date(2026, 5, 18)),
    ],
)
def test_deadline_in_working_days(received: datetime, days: int, last_day: date) -> None:
    """Deadlines count Finnish working days in Helsinki time and end at local midnight."""
    from kuulolla.core.clock import HELSINKI

    result = logic.deadline(received, days)
    local = result.astimezone(HELSINKI)
    assert (local.hour, local.minute) == (0, 0)
    assert (local.date() - last_day).days == 1


def test_overdue() -> None:
    """Open questions past their deadline are overdue; answered ones never."""
    due = datetime(2026, 1, 29, 22, 0, tzinfo=UTC)
    before = datetime(2026, 1, 29, 21, 59, tzinfo=UTC)
    assert not logic.is_overdue(state=State.ROUTED, deadline_at=due, now=before)
    assert logic.is_overdue(state=State.ROUTED, deadline_at=due, now=due)
    assert not logic.is_overdue(state=State.PUBLISHED, deadline_at=due, now=due)


def test_working_days_left() -> None:
    """Days left count working days; overdue counts go negative."""
    due = logic.deadline(datetime(2026, 1, 15, 10, 0, tzinfo=UTC), 10)
    assert logic.working_days_left(deadline_at=due, now=datetime(2026, 1, 15, 10, tzinfo=UTC)) == 10
    assert logic.working_days_left(deadline_at=due, now=datetime(2026, 2, 2, 10, tzinfo=UTC)) == -2


# ------------------------------------------------------------------ claim codes


def test_claim_codes_are_long_random_and_grouped() -> None:
    """Codes carry 160 random bits in groups of four and never repeat."""
    codes = {claim_codes.new_claim_code() for _ in range(1000)}
    assert len(codes) == 1000
    code = next(iter(codes))
    groups = code.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert len("".join(groups)) * 5 >= 128


def test_claim_code_typing_is_forgiving_but_exact() -> None:
    """Case, spaces, hyphens and 0/1/8 typos are forgiven; other changes give another key."""
    code = claim_codes.new_claim_code()
    key = claim_codes.claim_key(code)
    assert key is not None and len(key) == 32
    assert claim_codes.claim_key(code.lower().replace("-", " ")) == key
    plain = code.replace("-", "")
    typo = plain.replace("O", "0").replace("I", "1").replace("B", "8")
    assert claim_codes.claim_key(typo) == key
    other = ("A" if plain[0] != "A" else "C") + plain[1:]
    assert claim_codes.claim_key(other) != key
    assert claim_codes.claim_key("ABCD") is None
    assert claim_codes.claim_key(code + "A") is None


# ------------------------------------------------------------------ votes


def test_vote_rules() -> None:
    """One vote per visitor, on published answers only."""
    assert logic.may_vote(state=State.PUBLISHED, already_voted=False)
    assert not logic.may_vote(state=State.PUBLISHED, already_voted=True)
    assert not logic.may_vote(state=State.ANSWERED_PRIVATE, already_voted=False)


def test_helpfulness_prefers_many_votes() -> None:
    """40 of 45 helpful ranks above 1 of 1; no votes score zero."""
    assert logic.helpfulness(helpful=40, not_helpful=5) > logic.helpfulness(
        helpful=1, not_helpful=0
    )
    assert logic.helpfulness(helpful=0, not_helpful=0) == 0.0
