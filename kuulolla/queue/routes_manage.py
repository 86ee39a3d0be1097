"""The coordinator's pages of the queue: the organisation's topics (names,
descriptions and consent texts in fi/sv/en, opening hours, pre-chat questions,
typical handling time, open or not), its canned responses and its helpers'
parallel-chat limits.

Every route needs ``manage_queue`` in the organisation of the path; topics and
canned responses are fetched with a check that they belong to it
(queue/manage.py). A form with problems is shown again with each error tied to its
field, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.organisations import get_organisation_or_raise
from kuulolla.accounts.permissions import COORDINATORS, define
from kuulolla.core.errors import AppError, NotFound
from kuulolla.core.i18n import N_
from kuulolla.queue import canned, console, forms, helpnow, logic, manage, service
from kuulolla.queue import topics as queue_topics
from kuulolla.queue.routes import QUESTION_LABELS
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import FormErrors, errors, form_data, notice, see_other
from kuulolla.web.templating import render

MANAGE_QUEUE = define(
    "manage_queue",
    scope="organisation",
    roles=COORDINATORS,
    description="create and edit the organisation's queue topics, canned responses and "
    "helpers' parallel-chat limits",
)

ORG = OrgFrom.path_slug("slug")
WEEKDAY_LABELS = dict(
    zip(
        logic.WEEKDAYS,
        (
            N_("Monday"),
            N_("Tuesday"),
            N_("Wednesday"),
            N_("Thursday"),
            N_("Friday"),
            N_("Saturday"),
            N_("Sunday"),
        ),
        strict=True,
    )
)
ROLE_LABELS = {
    "volunteer": N_("Volunteer"),
    "professional": N_("Professional"),
    "coordinator": N_("Coordinator"),
}


def _problems(request: Request, exc: AppError, *, default_field: str) -> FormErrors:
    found = errors(request)
    if isinstance(exc, forms.InvalidForm):
        for name, error in exc.errors.items():
            found.add(name, error.translated(request.state.locale))
    else:
        found.add(default_field, exc.translated(request.state.locale))
    return found


def _base(request: Request) -> str:
    return f"/orgs/{request.path_params['slug']}/queue"


# ------------------------------------------------------------------ overview


async def _overview(
    request: Request,
    *,
    problems: FormErrors | None = None,
    canned_values: dict[str, str] | None = None,
    limit_values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = request.state.db
    org_id = request.state.organisation_id
    org = await get_organisation_or_raise(db, slug=request.path_params["slug"])
    now = request.state.clock.now()
    topics = await queue_topics.list_topics(db, organisation_id=org_id)
    rows = [(t, await service.topic_status(db, topic=t, now=now)) for t in topics]
    helpers = await manage.list_helper_limits(db, organisation_id=org_id)
    return render(
        request,
        "queue/manage.html",
        {
            "org": org,
            "rows": rows,
            "minutes": logic.wait_minutes,
            "canned": await canned.list_canned(db, organisation_id=org_id),
            "helpers": helpers,
            "limit_values": limit_values or {},
            "role_labels": ROLE_LABELS,
            "max_limit": console.MAX_CHATS_LIMIT,
            "canned_values": canned_values or {"locale": request.state.locale},
            "canned_max": forms.MAX_CANNED_CHARS,
            "errors": problems or errors(request),
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(MANAGE_QUEUE, org=ORG)
async def overview(request: Request) -> Response:
    return await _overview(request)


# ------------------------------------------------------------------ topics


def _topic_input(form: dict[str, str], questions: list[str]) -> forms.TopicInput:
    by = lambda prefix: {loc: form.get(f"{prefix}_{loc}", "") for loc in forms.LOCALES}  # noqa: E731
    return forms.TopicInput(
        names=by("name"),
        descriptions=by("description"),
        consents=by("consent"),
        hours={day: form.get(f"hours_{day}", "") for day in logic.WEEKDAYS},
        questions=questions,
        handling_minutes=form.get("handling_minutes", ""),
        active=form.get("active") == "1",
        audience=form.get("audience", "all"),
    )


def _topic_values(topic: queue_topics.TopicInfo) -> dict[str, Any]:
    values: dict[str, Any] = {"slug": topic.slug}
    for kind in ("name", "description", "consent"):
        for loc in forms.LOCALES:
            values[f"{kind}_{loc}"] = topic.texts[kind].get(loc, "")
    for day, text in forms.hours_text(topic.hours).items():
        values[f"hours_{day}"] = text
    values["questions"] = list(topic.questions)
    values["handling_minutes"] = str(max(1, topic.default_handling // 60))
    values["active"] = topic.active
    values["audience"] = topic.audience
    return values


def _form_values(form: dict[str, str], questions: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = dict(form)
    values["questions"] = questions
    values["active"] = form.get("active") == "1"
    return values


NEW_TOPIC: dict[str, Any] = {
    "questions": list(logic.QUESTIONS),
    "handling_minutes": "15",
    "active": True,
    "audience": "all",
}


def _topic_page(
    request: Request,
    *,
    org: Any,
    values: dict[str, Any],
    new: bool,
    problems: FormErrors | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "queue/manage_topic.html",
        {
            "org": org,
            "values": values,
            "new": new,
            "weekdays": WEEKDAY_LABELS,
            "question_labels": QUESTION_LABELS,
            "audiences": helpnow.AUDIENCES,
            "text_max": forms.MAX_TOPIC_TEXT_CHARS,
            "handling_range": forms.HANDLING_MINUTES,
            "errors": problems or errors(request),
            "notice": notice(request),
        },
        status_code=status,
    )


async def _questions(request: Request) -> list[str]:
    form = await request.form()
    return [v for v in form.getlist("questions") if isinstance(v, str)]


def _queue_changed(request: Request) -> None:
    """The helpers' consoles draw the topics and their own limits, and the waiting
    visitors' pages whether the topic is open: wake their streams (queue/changes.py)."""
    request.state.queue_changes.changed(request.state.organisation_id)


@requires(MANAGE_QUEUE, org=ORG)
async def topic_new(request: Request) -> Response:
    db = request.state.db
    org = await get_organisation_or_raise(db, slug=request.path_params["slug"])
    if request.method == "GET":
        return _topic_page(request, org=org, values=dict(NEW_TOPIC), new=True)
    form = await form_data(request)
    questions = await _questions(request)
    try:
        slug = await manage.do_create_topic(
            db,
            organisation_id=request.state.organisation_id,
            slug=form.get("slug", ""),
            given=_topic_input(form, questions),
            now=request.state.clock.now(),
        )
    except AppError as exc:
        return _topic_page(
            request,
            org=org,
            values=_form_values(form, questions),
            new=True,
            problems=_problems(request, exc, default_field="slug"),
            status=exc.status,
        )
    _queue_changed(request)
    return see_other(f"{_base(request)}/topics/{slug}?done=created")


@requires(MANAGE_QUEUE, org=ORG)
async def topic_edit(request: Request) -> Response:
    db = request.state.db
    org_id = request.state.organisation_id
    slug = request.path_params["topic"]
    await manage.access_topic(db, organisation_id=org_id, slug=slug)
    org = await get_organisation_or_raise(db, slug=request.path_params["slug"])
    if request.method == "GET":
        topic = await queue_topics.get_topic_or_raise(db, slug=slug)
        return _topic_page(request, org=org, values=_topic_values(topic), new=False)
    form = await form_data(request)
    questions = await _questions(request)
    try:
        await manage.do_update_topic(
            db, organisation_id=org_id, slug=slug, given=_topic_input(form, questions)
        )
    except AppError as exc:
        values = _form_values(form, questions)
        values["slug"] = slug
        return _topic_page(
            request,
            org=org,
            values=values,
            new=False,
            problems=_problems(request, exc, default_field="name_fi"),
            status=exc.status,
        )
    _queue_changed(request)
    return see_other(f"{_base(request)}/topics/{slug}?done=saved")


# ------------------------------------------------------------------ canned responses


def _canned_id(request: Request) -> int:
    try:
        return int(request.path_params["canned_id"])
    except ValueError:
        raise manage.CannedNotFound() from None


@requires(MANAGE_QUEUE, org=ORG)
async def canned_add(request: Request) -> Response:
    form = await form_data(request)
    values = {k: form.get(k, "") for k in ("locale", "title", "text")}
    try:
        await manage.do_add_canned(
            request.state.db, organisation_id=request.state.organisation_id, **values
        )
    except AppError as exc:
        return await _overview(
            request,
            problems=_problems(request, exc, default_field="title"),
            canned_values=values,
            status=exc.status,
        )
    return see_other(f"{_base(request)}?done=created#canned-heading")


@requires(MANAGE_QUEUE, org=ORG)
async def canned_edit(request: Request) -> Response:
    db = request.state.db
    org_id = request.state.organisation_id
    canned_id = _canned_id(request)
    row = await manage.access_canned(db, organisation_id=org_id, canned_id=canned_id)
    org = await get_organisation_or_raise(db, slug=request.path_params["slug"])
    values = {"locale": row.locale, "title": row.title, "text": row.text}
    problems, status = None, 200
    if request.method == "POST":
        form = await form_data(request)
        values = {k: form.get(k, "") for k in ("locale", "title", "text")}
        try:
            await manage.do_update_canned(db, organisation_id=org_id, canned_id=canned_id, **values)
        except AppError as exc:
            problems, status = _problems(request, exc, default_field="title"), exc.status
        else:
            return see_other(f"{_base(request)}?done=saved#canned-heading")
    return render(
        request,
        "queue/manage_canned.html",
        {
            "org": org,
            "canned_id": canned_id,
            "values": values,
            "canned_max": forms.MAX_CANNED_CHARS,
            "errors": problems or errors(request),
        },
        status_code=status,
    )


@requires(MANAGE_QUEUE, org=ORG)
async def canned_delete(request: Request) -> Response:
    await manage.do_delete_canned(
        request.state.db,
        organisation_id=request.state.organisation_id,
        canned_id=_canned_id(request),
    )
    return see_other(f"{_base(request)}?done=deleted#canned-heading")


# ------------------------------------------------------------------ helpers' limits


@requires(MANAGE_QUEUE, org=ORG)
async def helper_limits(request: Request) -> Response:
    form = await form_data(request)
    limits: dict[int, str] = {}
    for name, value in form.items():
        if name.startswith("limit-"):
            try:
                limits[int(name.removeprefix("limit-"))] = value
            except ValueError:
                raise NotFound(
                    N_("There is no such person in the organisation."), code="not_found"
                ) from None
    try:
        await manage.do_set_helper_limits(
            request.state.db, organisation_id=request.state.organisation_id, limits=limits
        )
    except forms.InvalidForm as exc:
        return await _overview(
            request,
            problems=_problems(request, exc, default_field="limits"),
            limit_values={k: v for k, v in form.items() if k.startswith("limit-")},
            status=exc.status,
        )
    _queue_changed(request)
    return see_other(f"{_base(request)}?done=saved#limits-heading")


Q = "/orgs/{slug}/queue"
ROUTES = [
    Route(Q, overview, methods=["GET"], name="queue_manage"),
    Route(Q + "/topics/new", topic_new, methods=["GET", "POST"], name="queue_topic_new"),
    Route(Q + "/topics/{topic}", topic_edit, methods=["GET", "POST"], name="queue_topic_edit"),
    Route(Q + "/canned", canned_add, methods=["POST"], name="queue_canned_add"),
    Route(
        Q + "/canned/{canned_id:id}", canned_edit, methods=["GET", "POST"], name="queue_canned_edit"
    ),
    Route(
        Q + "/canned/{canned_id:id}/delete",
        canned_delete,
        methods=["POST"],
        name="queue_canned_delete",
    ),
    Route(Q + "/helpers", helper_limits, methods=["POST"], name="queue_helper_limits"),
]
