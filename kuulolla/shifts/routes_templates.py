"""The coordinators' shift templates and the organisation's shift rules
(``/orgs/{slug}/roster/templates``, ``/orgs/{slug}/roster/settings``): a template's
form with a preview of its coming shifts, and the rules every sign-up is checked
against. A form with problems is shown again with each error by its field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import qualifications
from kuulolla.core import times
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError, BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.shifts import describe, service, views
from kuulolla.shifts import forms as template_forms
from kuulolla.shifts import templates as shift_templates
from kuulolla.shifts.permissions import MANAGE_SHIFTS
from kuulolla.shifts.recurrence import ShiftTemplate, check_template
from kuulolla.shifts.routes import (
    ORG,
    ROLE_LABELS,
    _int,
    _notice,
    _org,
    _org_id,
    render,
)
from kuulolla.web.access import requires
from kuulolla.web.forms import (
    FormErrors,
    clock_of,
    db_of,
    errors,
    form_data,
    room_openings_of,
    see_other,
)


def _problems(request: Request, exc: AppError) -> FormErrors:
    found = errors(request)
    fields = getattr(exc, "errors", None)
    if isinstance(fields, dict):
        for name, error in fields.items():
            found.add(name, error.translated(request.state.locale))
    else:
        found.add(
            "times" if exc.code != "invalid_qualification" else "qualification_id",
            exc.translated(request.state.locale),
        )
    return found


def _preview(template: ShiftTemplate, *, locale: str, today: date) -> dict[str, Any]:
    """A template in words with its next dates (the list and the form's preview)."""
    return {
        "words": describe.describe_template(template, locale),
        "worded": describe.describe_rule(template.rule, locale, first=template.valid_from)
        is not None,
        "dates": [times.day_text(d, locale) for d in describe.next_dates(template, today=today)],
        "ended": template.valid_until is not None and template.valid_until < today,
    }


async def _templates_page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    days: list[str] | None = None,
    editing: int | None = None,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    org = await _org(request)
    db = db_of(request)
    locale = request.state.locale
    today = clock_of(request).now().astimezone(HELSINKI).date()
    templates = await shift_templates.list_templates(db, organisation_id=org.id)
    rooms = await service.rooms_of(db, organisation_id=org.id)
    topics = await service.topics_of(db, organisation_id=org.id)
    quals = await qualifications.list_qualifications(db, organisation_id=org.id)
    async with db.read_session() as session:
        names = await views.target_names(session, org.id, locale)
    if form is None and editing is not None:
        template = next((t for t in templates if t.id == editing), None)
        if template is None:
            raise shift_templates.TemplateNotFound()
        form, days = template_forms.template_form_values(template)
    return render(
        request,
        "shifts/templates.html",
        {
            "org": org,
            "templates": [(t, _preview(t, locale=locale, today=today)) for t in templates],
            "names": names,
            "rooms": rooms,
            "topics": topics,
            "qualifications": quals,
            "qual_names": {str(q.id): q.name for q in quals},
            "form": form
            or {
                "times": "18–21",
                "repeat": "weekly",
                "interval": "1",
                "volunteers": "2",
                "professionals": "0",
                "valid_from": today.isoformat(),
            },
            "days": days or [],
            "weekdays": template_forms.WEEKDAY_LABELS,
            "intervals": template_forms.INTERVAL_LABELS,
            "positions": template_forms.POSITION_LABELS,
            "editing": editing,
            "preview": preview,
            "errors": problems or errors(request),
            "notice": _notice(request),
            "role_labels": ROLE_LABELS,
        },
        status_code=status,
    )


@requires(MANAGE_SHIFTS, org=ORG)
async def templates(request: Request) -> Response:
    return await _templates_page(request)


async def _save(request: Request, template_id: int | None) -> Response:
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    days = [v for v in raw.getlist("days") if isinstance(v, str)]
    db = db_of(request)
    org_id = _org_id(request)
    rooms = await service.rooms_of(db, organisation_id=org_id)
    topics = await service.topics_of(db, organisation_id=org_id)
    quals = await qualifications.list_qualifications(db, organisation_id=org_id)
    now = clock_of(request).now()
    try:
        fields = template_forms.check_template_form(
            form,
            days,
            targets={("room", r.id) for r in rooms} | {("topic", t.id) for t in topics},
            qualifications={q.id for q in quals},
        )
        data = shift_templates.template_input(fields)
        if "preview" in form:
            checked = check_template(shift_templates.template_from(data, template_id=template_id))
            preview = _preview(
                checked, locale=request.state.locale, today=now.astimezone(HELSINKI).date()
            )
            return await _templates_page(
                request, form=form, days=days, editing=template_id, preview=preview
            )
        await shift_templates.do_save_template(
            db, organisation_id=org_id, data=data, template_id=template_id, now=now
        )
    except AppError as exc:
        if isinstance(exc, NotFound):
            raise
        return await _templates_page(
            request,
            problems=_problems(request, exc),
            form=form,
            days=days,
            editing=template_id,
            status=exc.status,
        )
    if data.room_id is not None:
        room_openings_of(request).forget(data.room_id)
    return see_other(f"/orgs/{request.path_params['slug']}/roster/templates?done=saved")


@requires(MANAGE_SHIFTS, org=ORG)
async def create_template(request: Request) -> Response:
    return await _save(request, None)


@requires(MANAGE_SHIFTS, org=ORG)
async def edit_template(request: Request) -> Response:
    template_id = _int(request, "template_id")
    await shift_templates.get_template(
        db_of(request), organisation_id=_org_id(request), template_id=template_id
    )
    if request.method == "POST":
        return await _save(request, template_id)
    return await _templates_page(request, editing=template_id)


# ------------------------------------------------------------------ settings


@requires(MANAGE_SHIFTS, org=ORG)
async def shift_settings(request: Request) -> Response:
    org = await _org(request)
    db = db_of(request)
    problem = None
    status = 200
    form: dict[str, str] = {}
    if request.method == "POST":
        form = await form_data(request)
        try:
            await service.do_update_settings(db, organisation_id=org.id, form=_settings_form(form))
        except AppError as exc:
            problem, status = exc.translated(request.state.locale), exc.status
        else:
            return see_other(f"/orgs/{org.slug}/roster/settings?done=saved")
    current = await service.get_settings(db, organisation_id=org.id)
    chats = await service.get_parallel_chats(db, organisation_id=org.id)
    if not form:
        form = {
            "max_week_hours": _num(current.max_week.total_seconds() / 3600)
            if current.max_week
            else "",
            "min_rest_hours": _num(current.min_rest.total_seconds() / 3600),
            "signup_days": str(current.signup_days),
            "cancel_before_hours": _num(current.cancel_before.total_seconds() / 3600),
            "swap_approval": "1" if current.swap_approval else "",
            "parallel_chats": str(chats),
        }
    return render(
        request,
        "shifts/settings.html",
        {"org": org, "form": form, "problem": problem, "notice": _notice(request)},
        status_code=status,
    )


def _num(value: float) -> str:
    return f"{value:g}"


def _settings_form(form: dict[str, str]) -> service.SettingsForm:
    def number(name: str, *, optional: bool = False) -> float | None:
        value = form.get(name, "").strip().replace(",", ".")
        if not value and optional:
            return None
        try:
            return float(value)
        except ValueError:
            raise BadRequest(N_("Give a number."), code=f"invalid_{name}") from None

    def whole(name: str) -> int:
        value = number(name)
        if value is None or value != int(value):
            raise BadRequest(N_("Give a whole number."), code=f"invalid_{name}")
        return int(value)

    return service.SettingsForm(
        max_week_hours=number("max_week_hours", optional=True),
        min_rest_hours=number("min_rest_hours") or 0.0,
        signup_days=whole("signup_days"),
        cancel_before_hours=number("cancel_before_hours") or 0.0,
        swap_approval=form.get("swap_approval") == "1",
        parallel_chats=whole("parallel_chats"),
    )


R = "/orgs/{slug}/roster"
ROUTES = [
    Route(R + "/templates", templates, methods=["GET"], name="roster_templates"),
    Route(R + "/templates", create_template, methods=["POST"], name="roster_templates_create"),
    Route(
        R + "/templates/{template_id:id}",
        edit_template,
        methods=["GET", "POST"],
        name="roster_template",
    ),
    Route(R + "/settings", shift_settings, methods=["GET", "POST"], name="roster_settings"),
]
