"""Staff pages of the question archive: the organisation's inbox, one question's
working page (triage, routing, redaction, drafting, review, publishing) and the
organisation's answering settings.

Every route names the organisation in its path and declares a permission over it
(questions/permissions.py); the workflow rules (logic.py) then decide each step. A
question belongs to the organisation it was routed to; a question nobody has taken
yet is in every organisation's triage. A question of another organisation is "not
found" through these pages, for admins too, so ids cannot be used across them.

Staff read only the screened text: personal data was masked before the question was
stored (asking_rules.check_ask), and redactions replace the stored text itself.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import permissions as account_permissions
from kuulolla.core import i18n
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.questions import experts as staff_people
from kuulolla.questions import logic, reading, staff, workflow
from kuulolla.questions.logic import Action, Actor, State
from kuulolla.questions.permissions import (
    ANSWER_QUESTIONS,
    QUESTION_SETTINGS,
    TRIAGE_QUESTIONS,
)
from kuulolla.questions.routes import form_fields, labels
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import FormErrors, me, see_other
from kuulolla.web.templating import render

ORG = OrgFrom.path_slug("slug")

STATE_LABELS: dict[str, str] = {
    State.RECEIVED: N_("New"),
    State.ACCEPTED: N_("Accepted"),
    State.ROUTED: N_("Routed"),
    State.DRAFTED: N_("Draft written"),
    State.IN_REVIEW: N_("In review"),
    State.PUBLISHED: N_("Published"),
    State.ANSWERED_PRIVATE: N_("Answered privately"),
    State.REFUSED: N_("Refused"),
}

REFUSAL_LABELS: dict[str, str] = {
    logic.Refusal.OUT_OF_SCOPE: N_("Out of scope"),
    logic.Refusal.DUPLICATE: N_("Already answered (duplicate)"),
    logic.Refusal.CRISIS: N_("Crisis: the asker needs help at once"),
}

ACTION_LABELS: dict[str, str] = {
    "ask": N_("Asked"),
    Action.ACCEPT: N_("Accepted"),
    Action.REFUSE: N_("Refused"),
    Action.ROUTE: N_("Routed"),
    Action.DRAFT: N_("Draft saved"),
    Action.SUBMIT: N_("Sent for review"),
    Action.RETURN: N_("Returned to the drafter"),
    Action.PUBLISH: N_("Answered"),
    Action.REDACT: N_("Question edited"),
    Action.WITHDRAW: N_("Consent withdrawn"),
}

MASKED_LABELS: dict[str, str] = {
    "email": N_("e-mail addresses"),
    "phone": N_("phone numbers"),
    "hetu": N_("personal identity codes"),
    "iban": N_("bank account numbers"),
    "address": N_("street addresses"),
}

# The crisis categories of moderation/crisis.py, as staff read them.
CRISIS_LABELS: dict[str, str] = {
    "suicide": N_("suicidal thoughts"),
    "self_harm": N_("self-harm"),
    "violence": N_("violence"),
    "abuse": N_("abuse"),
    "overdose": N_("overdose or poisoning"),
    "eating": N_("disordered eating with danger signs"),
}

NOTICES: dict[str, str] = {
    "accepted": N_("The question is accepted for answering."),
    "refused": N_("The question is refused. The asker sees the reason with their code."),
    "routed": N_("The question is routed."),
    "drafted": N_("The draft is saved."),
    "submitted": N_("The draft is sent for review."),
    "returned": N_("The draft is returned to the drafter."),
    "published": N_("The answer is published in the archive."),
    "answered": N_("The answer is sent. The asker reads it with their code."),
    "redacted": N_("The question is edited. The audit trail records where text changed."),
    "saved": N_("Settings saved."),
}

# Which form field an error belongs to, so the message is shown next to it.
FIELD_OF_CODE = {
    "invalid_refusal": "reason",
    "invalid_duplicate": "duplicate_of",
    "organisation_not_found": "organisation",
    "invalid_assignee": "expert",
    "empty_answer": "answer",
    "too_long": "answer",
    "invalid_tag": "tags",
    "empty_question": "body",
    "invalid_deadline": "deadline_working_days",
}


# ------------------------------------------------------------------ helpers


def _actor(request: Request) -> Actor:
    """The signed-in person as the workflow sees them, acting for the path's organisation."""
    principal = me(request)
    org_id = int(request.state.organisation_id)
    assert principal.user_id is not None  # @requires let only signed-in people in
    if principal.is_admin:
        role = logic.Role.ADMIN
    else:
        role = logic.Role(str(principal.role_in(org_id)))
    return Actor(user_id=principal.user_id, role=role, organisation_id=org_id)


def _can(request: Request, permission: account_permissions.Permission) -> bool:
    return account_permissions.allows(me(request), permission, int(request.state.organisation_id))


def _base(request: Request) -> str:
    return f"/orgs/{request.path_params['slug']}/questions"


def _question_id(request: Request) -> int:
    return int(request.path_params["question_id"])


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done") or ""
    message = NOTICES.get(key)
    return i18n.gettext(request.state.locale, message) if message else None


# The expert picker: professionals first, since answering is their work.
EXPERT_GROUPS = {
    "professional": N_("{organisation}: professionals"),
    "coordinator": N_("{organisation}: coordinators"),
    "volunteer": N_("{organisation}: volunteers"),
}


def expert_groups(
    experts: list[staff_people.Expert],
    *,
    first: int | None,
    org_names: dict[int, str],
    locale: str,
) -> list[tuple[str, list[staff_people.Expert]]]:
    """The picker's groups, one per organisation and role: the question's (or the
    reader's) organisation first, then the others by name; within one, professionals,
    coordinators, volunteers; people by name."""
    by_group: dict[tuple[int, str], list[staff_people.Expert]] = {}
    for expert in experts:
        if expert.role in EXPERT_GROUPS:
            by_group.setdefault((expert.organisation_id, expert.role), []).append(expert)
    roles = list(EXPERT_GROUPS)
    order = sorted(
        by_group,
        key=lambda k: (
            k[0] != first,
            org_names.get(k[0], "").casefold(),
            k[0],
            roles.index(k[1]),
        ),
    )
    return [
        (
            i18n.gettext(locale, EXPERT_GROUPS[role], organisation=org_names.get(org_id, "")),
            sorted(by_group[(org_id, role)], key=lambda e: e.display_name.casefold()),
        )
        for org_id, role in order
    ]


def _common(request: Request) -> dict[str, Any]:
    locale = request.state.locale
    return {
        "categories": labels(locale, logic.CATEGORIES),
        "age_groups": labels(locale, logic.AGE_GROUPS),
        "genders": labels(locale, logic.GENDERS),
        "state_labels": labels(locale, STATE_LABELS),
        "crisis_labels": labels(locale, CRISIS_LABELS),
        "helsinki": HELSINKI,
        "due_day": logic.due_day,
        "base": _base(request),
        "can_settings": _can(request, QUESTION_SETTINGS),
        "notice": _notice(request),
    }


async def _organisation(request: Request) -> dict[str, Any]:
    names = await staff.organisation_names(request.state.db)
    org_id = int(request.state.organisation_id)
    return {"id": org_id, "slug": request.path_params["slug"], "name": names.get(org_id, "")}


# ------------------------------------------------------------------ inbox

CLOSED_STATES = (State.PUBLISHED, State.ANSWERED_PRIVATE, State.REFUSED)


@requires(ANSWER_QUESTIONS, org=ORG)
async def inbox(request: Request) -> Response:
    """Open questions nearest deadline first, overdue ones marked; or the latest closed."""
    db = request.state.db
    now = request.state.clock.now()
    closed = request.query_params.get("view") == "closed"
    items = await staff.list_queue(
        db,
        actor=_actor(request),
        now=now,
        states=CLOSED_STATES if closed else tuple(logic.OPEN_STATES),
        latest_first=closed,
        limit=100 if closed else 200,
    )
    names = await staff_people.staff_names(
        db, user_ids=[i.assignee_user_id for i in items if i.assignee_user_id]
    )
    return render(
        request,
        "questions/staff/inbox.html",
        {
            **_common(request),
            "org": await _organisation(request),
            "items": items,
            "closed": closed,
            "overdue": sum(1 for i in items if i.overdue),
            "names": names,
            "org_names": await staff.organisation_names(db),
        },
    )


# ------------------------------------------------------------------ one question


async def _question_page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = request.state.db
    actor = _actor(request)
    now = request.state.clock.now()
    question = await staff.access_question(
        db, question_id=_question_id(request), actor=actor, now=now
    )
    history = await staff.get_history(db, question_id=question.id, actor=actor)
    people = [e.actor_user_id for e in history if e.actor_user_id is not None]
    people += [i for i in (question.assignee_user_id, question.drafter_user_id) if i is not None]
    names = await staff_people.staff_names(db, user_ids=people)
    org_names = await staff.organisation_names(db)
    signature = None
    if Action.PUBLISH in question.allowed and question.draft is not None:
        signature = await staff_people.get_answerer(
            db,
            question_id=question.id,
            fallback_user_id=actor.user_id,
            organisation_id=actor.organisation_id or 0,
        )
    experts = (
        expert_groups(
            await staff_people.list_experts(db),
            first=question.organisation_id or actor.organisation_id,
            org_names=org_names,
            locale=request.state.locale,
        )
        if Action.ROUTE in question.allowed
        else []
    )
    duplicate = None
    if question.duplicate_of_id is not None:
        found = await reading.get_archive_items(db, ids=[question.duplicate_of_id])
        duplicate = found[0] if found else None
    locale = request.state.locale
    values = form or {}
    return render(
        request,
        "questions/staff/question.html",
        {
            **_common(request),
            "org": await _organisation(request),
            "q": question,
            "Action": Action,
            "history": [
                (event, _event_details(event, locale, names, org_names)) for event in history
            ],
            "names": names,
            "org_names": org_names,
            "experts": experts,
            "signature": signature,
            "duplicate": duplicate,
            "errors": problems or FormErrors(locale),
            "form": values,
            "refusal_labels": labels(locale, REFUSAL_LABELS),
            "action_labels": labels(locale, ACTION_LABELS),
            "masked_kinds": [
                i18n.gettext(locale, MASKED_LABELS.get(kind, kind)) for kind in question.masked
            ],
            "role_labels": labels(locale, account_permissions.ROLE_LABELS),
            "draft": values.get("answer", question.draft or ""),
            "tags": values.get("tags", ", ".join(question.tags)),
            "deadline_text": _deadline_text(locale, question.deadline_at, now, question.state),
        },
        status_code=status,
    )


def _event_details(
    event: staff.Event, locale: str, names: dict[int, str], org_names: dict[int, str]
) -> list[str]:
    """What the audit trail says about one step, in words. Redactions show where text
    was replaced and with what; the removed text was never stored."""
    detail = event.detail
    out: list[str] = []
    if event.action == Action.REFUSE and isinstance(detail.get("reason"), str):
        label = REFUSAL_LABELS.get(str(detail["reason"]))
        if label:
            out.append(i18n.gettext(locale, label))
    if event.action == Action.ROUTE:
        org = detail.get("organisation_id")
        who = detail.get("assignee_user_id")
        if isinstance(org, int):
            out.append(org_names.get(org, str(org)))
        if isinstance(who, int):
            out.append(names.get(who, str(who)))
    if event.action == Action.REDACT:
        for part, label in (("title", N_("Title")), ("body", N_("Question"))):
            changes = detail.get(part)
            if not isinstance(changes, list):
                continue
            for change in changes:
                if not isinstance(change, dict):
                    continue
                out.append(
                    i18n.gettext(
                        locale,
                        N_("{part}: {removed} characters at {start} replaced with “{inserted}”"),
                        part=i18n.gettext(locale, label),
                        removed=change.get("removed_chars", 0),
                        start=change.get("start", 0),
                        inserted=change.get("inserted", ""),
                    )
                )
    return out


def _deadline_text(locale: str, deadline_at: Any, now: Any, state: State) -> str:
    if state not in logic.OPEN_STATES:
        return ""
    left = logic.working_days_left(deadline_at=deadline_at, now=now)
    if logic.is_overdue(state=state, deadline_at=deadline_at, now=now):
        return i18n.gettext(locale, N_("Overdue by working days: {n}"), n=max(1, -left))
    return i18n.gettext(locale, N_("Working days left: {n}"), n=left)


@requires(ANSWER_QUESTIONS, org=ORG)
async def question_page(request: Request) -> Response:
    return await _question_page(request)


async def _step(
    request: Request,
    work: Any,
    *,
    done: str,
    default_field: str,
    form: dict[str, str],
) -> Response:
    """Run one workflow step. ``work`` returns None, or the notice to show instead of
    ``done``, or ``(notice, True)`` when the question has left the actor's sight (then
    the inbox is shown). A refused step shows the page again with the error."""
    db, actor, now, qid = _env(request)
    try:
        # A question out of the actor's sight is "not found" before anything else.
        await staff.access_question(db, question_id=qid, actor=actor, now=now)
        result = await work()
    except AppError as exc:
        if exc.status == 404:
            raise
        locale = request.state.locale
        problems = FormErrors(locale)
        problems.add(FIELD_OF_CODE.get(exc.code, default_field), exc.translated(locale))
        return await _question_page(request, problems=problems, form=form, status=exc.status)
    gone = False
    if isinstance(result, tuple):
        done, gone = result
    elif isinstance(result, str):
        done = result
    if gone:
        return see_other(f"{_base(request)}?done={done}")
    return see_other(f"{_base(request)}/{_question_id(request)}?done={done}")


def _env(request: Request) -> tuple[Any, Actor, Any, int]:
    return request.state.db, _actor(request), request.state.clock.now(), _question_id(request)


@requires(TRIAGE_QUESTIONS, org=ORG)
async def accept(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)
    days = request.app.state.settings.question_deadline_days

    async def work() -> object:
        await workflow.do_accept(db, question_id=qid, actor=actor, default_days=days, now=now)
        return None

    return await _step(request, work, done="accepted", default_field="accept", form=form)


DUPLICATE_ID = re.compile(r"(?:^|/questions/)(\d{1,12})/?(?:[?#].*)?$")


def _duplicate_id(value: str) -> int | None:
    """A published question's number, or its address in the archive."""
    match = DUPLICATE_ID.search(value.strip())
    return int(match.group(1)) if match else None


@requires(TRIAGE_QUESTIONS, org=ORG)
async def refuse(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)
    reason_value = form.get("reason", "")

    async def work() -> object:
        try:
            reason = logic.Refusal(reason_value)
        except ValueError:
            raise BadRequest(
                N_("Choose the reason for refusing."), code="invalid_refusal"
            ) from None
        duplicate = _duplicate_id(form.get("duplicate_of", ""))
        if reason is logic.Refusal.DUPLICATE and duplicate is None:
            raise BadRequest(
                N_("A duplicate must point to a published question."), code="invalid_duplicate"
            )
        await workflow.do_refuse(
            db, question_id=qid, actor=actor, reason=reason, duplicate_of=duplicate, now=now
        )
        return None

    return await _step(request, work, done="refused", default_field="reason", form=form)


def _int_or_none(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None


@requires(TRIAGE_QUESTIONS, org=ORG)
async def route(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)
    days = request.app.state.settings.question_deadline_days

    async def work() -> object:
        organisation = _int_or_none(form.get("organisation", ""))
        expert_value = form.get("expert", "").strip()
        expert = _int_or_none(expert_value)
        if organisation is None:
            raise BadRequest(N_("Choose an organisation."), code="organisation_not_found")
        if expert_value and expert is None:
            raise BadRequest(
                N_("The expert is not an active member of that organisation."),
                code="invalid_assignee",
            )
        await workflow.do_route(
            db,
            question_id=qid,
            actor=actor,
            organisation_id=organisation,
            assignee_user_id=expert,
            default_days=days,
            now=now,
        )
        # Routed to another organisation, the question leaves this inbox.
        return ("routed", organisation != actor.organisation_id)

    return await _step(request, work, done="routed", default_field="organisation", form=form)


@requires(ANSWER_QUESTIONS, org=ORG)
async def draft(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)

    async def work() -> object:
        tags = [t for t in re.split(r"[,;\n]", form.get("tags", ""))]
        await workflow.do_save_draft(
            db, question_id=qid, actor=actor, text=form.get("answer", ""), tags=tags, now=now
        )
        return None

    return await _step(request, work, done="drafted", default_field="answer", form=form)


@requires(ANSWER_QUESTIONS, org=ORG)
async def submit(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)

    async def work() -> object:
        await workflow.do_submit_for_review(db, question_id=qid, actor=actor, now=now)
        return None

    return await _step(request, work, done="submitted", default_field="submit", form=form)


@requires(TRIAGE_QUESTIONS, org=ORG)
async def return_draft(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)

    async def work() -> object:
        await workflow.do_return_draft(
            db, question_id=qid, actor=actor, note=form.get("note", ""), now=now
        )
        return None

    return await _step(request, work, done="returned", default_field="note", form=form)


@requires(TRIAGE_QUESTIONS, org=ORG)
async def publish(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)

    async def work() -> object:
        signature = await staff_people.get_answerer(
            db,
            question_id=qid,
            fallback_user_id=actor.user_id,
            organisation_id=actor.organisation_id or 0,
        )
        state = await workflow.do_publish(
            db, question_id=qid, actor=actor, answerer=signature, now=now
        )
        return "published" if state is State.PUBLISHED else "answered"

    return await _step(request, work, done="published", default_field="publish", form=form)


@requires(ANSWER_QUESTIONS, org=ORG)
async def redact(request: Request) -> Response:
    form = await form_fields(request)
    db, actor, now, qid = _env(request)

    async def work() -> object:
        body = form.get("body", "")
        if not logic.clean_text(body):
            raise BadRequest(N_("The question cannot be empty."), code="empty_question")
        if len(body) > logic.MAX_BODY_CHARS * 2:
            raise BadRequest(N_("The question can have at most 4000 characters."), code="too_long")
        await workflow.do_redact(
            db, question_id=qid, actor=actor, title=form.get("title"), body=body, now=now
        )
        return None

    return await _step(request, work, done="redacted", default_field="body", form=form)


# ------------------------------------------------------------------ settings


@requires(QUESTION_SETTINGS, org=ORG)
async def settings_page(request: Request) -> Response:
    db = request.state.db
    org_id = int(request.state.organisation_id)
    default_days = request.app.state.settings.question_deadline_days
    problems = FormErrors(request.state.locale)
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await form_fields(request)
        try:
            days_text = form.get("deadline_working_days", "").strip()
            if not days_text.isdigit() or len(days_text) > 3:
                raise BadRequest(
                    N_("The deadline must be 1–60 working days."), code="invalid_deadline"
                )
            await staff.do_set_settings(
                db,
                actor=_actor(request),
                organisation_id=org_id,
                deadline_working_days=int(days_text),
                review_required=form.get("review_required") == "yes",
            )
        except AppError as exc:
            problems.add(
                FIELD_OF_CODE.get(exc.code, "deadline_working_days"),
                exc.translated(request.state.locale),
            )
            status = exc.status
        else:
            return see_other(f"{_base(request)}/settings?done=saved")
    async with db.read_session() as session:
        current = await staff.get_settings(
            session, organisation_id=org_id, default_days=default_days
        )
    return render(
        request,
        "questions/staff/settings.html",
        {
            **_common(request),
            "org": await _organisation(request),
            "current": current,
            "form": form,
            "errors": problems,
            "default_days": default_days,
        },
        status_code=status,
    )


Q = "/orgs/{slug}/questions/{question_id:id}"

ROUTES = [
    Route("/orgs/{slug}/questions", inbox, methods=["GET"], name="staff_questions"),
    Route(
        "/orgs/{slug}/questions/settings",
        settings_page,
        methods=["GET", "POST"],
        name="staff_question_settings",
    ),
    Route(Q, question_page, methods=["GET"], name="staff_question"),
    Route(f"{Q}/accept", accept, methods=["POST"], name="staff_question_accept"),
    Route(f"{Q}/refuse", refuse, methods=["POST"], name="staff_question_refuse"),
    Route(f"{Q}/route", route, methods=["POST"], name="staff_question_route"),
    Route(f"{Q}/draft", draft, methods=["POST"], name="staff_question_draft"),
    Route(f"{Q}/submit", submit, methods=["POST"], name="staff_question_submit"),
    Route(f"{Q}/return", return_draft, methods=["POST"], name="staff_question_return"),
    Route(f"{Q}/publish", publish, methods=["POST"], name="staff_question_publish"),
    Route(f"{Q}/redact", redact, methods=["POST"], name="staff_question_redact"),
]
