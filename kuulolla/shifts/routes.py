"""Shift pages: a member's shifts (``/orgs/{slug}/shifts``), the coordinators' roster
(``/orgs/{slug}/roster``), the personal calendar feed.

Every route declares its permission over the organisation in the path; every id in a
path is checked to belong to that organisation by the service (NotFound otherwise).
Actions redirect back with a notice, or show the page again with the translated
refusal (POST/redirect/GET).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import qualifications
from kuulolla.accounts import service as accounts
from kuulolla.accounts.permissions import OWN_ACCOUNT
from kuulolla.core import i18n, times
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError, BadRequest, NotFound
from kuulolla.core.i18n import N_
from kuulolla.shifts import coverage, describe, grid, notices, roster, service, views
from kuulolla.shifts import forms as template_forms
from kuulolla.shifts.model import PROFESSIONAL, VOLUNTEER
from kuulolla.shifts.permissions import MANAGE_SHIFTS, TAKE_SHIFTS
from kuulolla.shifts.recurrence import ShiftTemplate, check_template
from kuulolla.web.access import OrgFrom, public, requires
from kuulolla.web.forms import (
    FormErrors,
    clock_of,
    db_of,
    duty_events_of,
    errors,
    form_data,
    me,
    see_other,
    settings_of,
)
from kuulolla.web.params import parse_date, parse_month, query_date, query_int, query_month
from kuulolla.web.templating import render as render_page

ORG = OrgFrom.path_slug("slug")
ROLES = (VOLUNTEER, PROFESSIONAL)
ROLE_LABELS = {VOLUNTEER: N_("Volunteer"), PROFESSIONAL: N_("Professional")}
WEEKDAY_LABELS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

NOTICES = {
    "signed_up": N_("You are signed up for the shift."),
    "cancelled": N_("You are no longer on the shift."),
    "offered": N_("Your shift is offered for a swap."),
    "taken": N_("The shift is yours now."),
    "pending": N_("You took the shift. A coordinator will approve the swap."),
    "withdrawn": N_("The swap offer is withdrawn."),
    "checked_in": N_("You are checked in. Thank you!"),
    "checked_out": N_("You are checked out. Thank you for your shift!"),
    "debrief": N_("Thank you. Your coordinator will see your note."),
    "dismissed": N_("Notice dismissed."),
    "assigned": N_("The person is on the shift."),
    "unassigned": N_("The person is off the shift."),
    "called": N_("The call for volunteers went to {n} people."),
    "saved": N_("Saved."),
    "handled": N_("Marked as handled."),
    "approved": N_("Swap approved."),
    "rejected": N_("Swap rejected; the shift is on offer again."),
    "feed": N_("Your new calendar address is below. The earlier one no longer works."),
    "feed_revoked": N_("Your calendar address no longer works."),
}


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """The page with ``hm`` (a time of day in Helsinki) and ``hours`` (a duration in
    hours, "7,5"), in the page's language."""
    locale = request.state.locale

    def hm(value: datetime) -> str:
        return i18n.time_text(value, locale)

    def hours(value: timedelta) -> str:
        return str(
            format_decimal(
                value.total_seconds() / 3600, format="#,##0.#", locale=i18n.format_locale(locale)
            )
        )

    return render_page(
        request,
        name,
        {
            **context,
            "hm": hm,
            "hours": hours,
            "span": lambda sh: times.span_text(sh.start, sh.end, locale),
            "day_of": lambda sh: times.day_text(sh.start.astimezone(HELSINKI).date(), locale),
        },
        status_code=status_code,
    )


def _org_id(request: Request) -> int:
    return int(request.state.organisation_id)


def _int(request: Request, name: str) -> int:
    try:
        return int(request.path_params[name])
    except (KeyError, ValueError):
        raise NotFound() from None


def _me(request: Request) -> int:
    user_id = me(request).user_id
    if user_id is None:
        raise NotFound()
    return user_id


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done", "")
    if key not in NOTICES:
        return None
    n = request.query_params.get("n", "0")
    return i18n.gettext(request.state.locale, NOTICES[key], n=n if n.isdigit() else "0")


async def _org(request: Request) -> accounts.OrgInfo:
    org = await accounts.get_organisation_by_id(db_of(request), organisation_id=_org_id(request))
    if org is None:
        raise accounts.OrganisationNotFound()
    return org


# ------------------------------------------------------------------ a member's page


async def _my_page(
    request: Request, *, problem: str | None = None, status: int = 200, feed_url: str | None = None
) -> Response:
    org = await _org(request)
    person_id = _me(request)
    db = db_of(request)
    now = clock_of(request).now()
    data = await views.my_page(
        db,
        organisation_id=org.id,
        person_id=person_id,
        locale=request.state.locale,
        now=now,
    )
    return render(
        request,
        "shifts/mine.html",
        {
            "org": org,
            "data": data,
            "notices": [
                n
                for n in await notices.list_notices(db, person_id=person_id, now=now)
                if n.organisation_id == org.id
            ],
            "has_feed": await notices.has_feed(db, person_id=person_id),
            "feed_url": feed_url,
            "notice": _notice(request),
            "problem": problem,
            "role_labels": ROLE_LABELS,
            "is_coordinator": me(request).role_in(org.id) == "coordinator" or me(request).is_admin,
            "now": now,
        },
        status_code=status,
    )


@requires(TAKE_SHIFTS, org=ORG)
async def mine(request: Request) -> Response:
    return await _my_page(request)


async def _member_action(request: Request, work: Any, done: str) -> Response:
    try:
        extra = await work()
    except AppError as exc:
        return await _my_page(
            request, problem=exc.translated(request.state.locale), status=exc.status
        )
    suffix = f"&n={extra}" if isinstance(extra, int) and not isinstance(extra, bool) else ""
    return see_other(f"/orgs/{request.path_params['slug']}/shifts?done={done}{suffix}")


@requires(TAKE_SHIFTS, org=ORG)
async def sign_up(request: Request) -> Response:
    shift_id = _int(request, "shift_id")
    form = await form_data(request)

    async def work() -> None:
        await roster.do_sign_up(
            db_of(request),
            organisation_id=_org_id(request),
            shift_id=shift_id,
            person_id=_me(request),
            role=form.get("role", VOLUNTEER),
            now=clock_of(request).now(),
        )

    return await _member_action(request, work, "signed_up")


def _assignment_action(verb: str, done: str) -> Any:
    @requires(TAKE_SHIFTS, org=ORG)
    async def endpoint(request: Request) -> Response:
        assignment_id = _int(request, "assignment_id")
        kwargs: dict[str, Any] = {
            "organisation_id": _org_id(request),
            "assignment_id": assignment_id,
            "person_id": _me(request),
            "now": clock_of(request).now(),
        }

        async def work() -> None:
            db = db_of(request)
            if verb == "cancel":
                await roster.do_cancel(db, **kwargs)
            elif verb == "swap":
                await roster.do_offer_swap(db, **kwargs)
            elif verb == "check_in":
                await roster.do_check_in(db, events=duty_events_of(request), **kwargs)
            elif verb == "check_out":
                await roster.do_check_out(db, events=duty_events_of(request), **kwargs)
            elif verb == "debrief":
                form = await form_data(request)
                await notices.do_debrief(
                    db, text=form.get("text", ""), wants_talk=form.get("talk") == "1", **kwargs
                )

        return await _member_action(request, work, done)

    endpoint.__name__ = f"assignment_{verb}"
    return endpoint


@requires(TAKE_SHIFTS, org=ORG)
async def take_swap(request: Request) -> Response:
    swap_id = _int(request, "swap_id")
    status: list[str] = []

    async def work() -> None:
        status.append(
            await roster.do_take_swap(
                db_of(request),
                organisation_id=_org_id(request),
                swap_id=swap_id,
                person_id=_me(request),
                now=clock_of(request).now(),
            )
        )

    response = await _member_action(request, work, "taken")
    if status == ["pending"]:
        return see_other(f"/orgs/{request.path_params['slug']}/shifts?done=pending")
    return response


@requires(TAKE_SHIFTS, org=ORG)
async def withdraw_swap(request: Request) -> Response:
    swap_id = _int(request, "swap_id")

    async def work() -> None:
        await roster.do_withdraw_swap(
            db_of(request),
            organisation_id=_org_id(request),
            swap_id=swap_id,
            person_id=_me(request),
            now=clock_of(request).now(),
        )

    return await _member_action(request, work, "withdrawn")


@requires(TAKE_SHIFTS, org=ORG)
async def dismiss_notice(request: Request) -> Response:
    call_id = _int(request, "call_id")

    async def work() -> None:
        await notices.do_dismiss_notice(
            db_of(request),
            organisation_id=_org_id(request),
            person_id=_me(request),
            call_id=call_id,
            now=clock_of(request).now(),
        )

    return await _member_action(request, work, "dismissed")


# ------------------------------------------------------------------ calendar feed


def _feed_url(request: Request, token: str) -> str:
    settings = settings_of(request)
    base = (
        settings.public_url.rstrip("/")
        if settings.public_url
        else str(request.base_url).rstrip("/")
    )
    return f"{base}/calendar/{token}.ics"


@requires(OWN_ACCOUNT)
async def new_feed(request: Request) -> Response:
    token = await notices.do_new_feed_token(
        db_of(request), person_id=_me(request), now=clock_of(request).now()
    )
    return render(
        request,
        "shifts/feed.html",
        {"feed_url": _feed_url(request, token), "revoked": False},
    )


@requires(OWN_ACCOUNT)
async def revoke_feed(request: Request) -> Response:
    await notices.do_revoke_feed(db_of(request), person_id=_me(request))
    return render(request, "shifts/feed.html", {"feed_url": None, "revoked": True})


@public
async def feed(request: Request) -> Response:
    token = request.path_params["token"]
    host = settings_of(request).public_url or str(request.base_url)
    domain = host.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "kuulolla"
    body = await notices.get_feed(
        db_of(request), token=token, domain=domain, now=clock_of(request).now()
    )
    if body is None:
        raise NotFound(N_("There is no such calendar."), code="feed_not_found")
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"cache-control": "no-store", "x-robots-tag": "noindex"},
    )


# ------------------------------------------------------------------ coordinators


def _back(request: Request) -> str:
    """The calendar period to return to (``week=`` or ``month=``), as a query string."""
    week = parse_date(request.query_params.get("week"))
    if week is not None:
        return f"week={week.isoformat()}"
    month = parse_month(request.query_params.get("month"))
    if month is not None:
        return f"month={month[0]:04d}-{month[1]:02d}"
    return ""


def _calendar_helpers(request: Request) -> dict[str, Any]:
    """How the calendar and a shift's page write shifts, in the reader's language."""
    locale = request.state.locale

    def missing(cov: coverage.Coverage) -> str:
        return describe.needs_text({r.role: r.missing for r in cov.roles}, locale)

    return {
        "state_of": grid.coverage_state,
        "missing": missing,
        "day_name": lambda d: times.day_text(d, locale),
        "hour_label": lambda h: times.clock_text(h * 60, locale),
        "marks": {"full": "✓", "short": "!", "empty": "!!", "cancelled": "×"},
    }


async def _calendar_page(
    request: Request, *, problem: str | None = None, status: int = 200
) -> Response:
    org = await _org(request)
    now = clock_of(request).now()
    locale = request.state.locale
    today = now.astimezone(HELSINKI).date()
    month = query_month(request, "month")
    week_of = query_date(request, "week") or today
    data = await views.calendar(
        db_of(request),
        organisation_id=org.id,
        locale=locale,
        week_of=week_of,
        month=month,
    )
    swaps = await roster.list_swaps(
        db_of(request), organisation_id=org.id, now=now, statuses=("pending",)
    )
    first = data.view.weeks[0].days[0].day
    last = data.view.weeks[-1].days[-1].day
    in_period = [d for w in data.view.weeks for d in w.days if d.in_period]
    return render(
        request,
        "shifts/roster.html",
        {
            **_calendar_helpers(request),
            "org": org,
            "data": data,
            "month": month,
            "first": first,
            "last": last,
            "today": today,
            "week_number": first.isocalendar().week,
            "period_title": format_date(
                date(*month, 1), "LLLL yyyy", locale=i18n.format_locale(locale)
            )
            if month
            else "",
            "grid": grid.week_grid(data.view.weeks[0]) if month is None else None,
            "needs": grid.needs_people(in_period, now=now),
            "weekday_names": [
                times.day_text(first + timedelta(days=i), locale).split()[0] for i in range(7)
            ],
            "prev_link": _nav_link(month, first, -1),
            "next_link": _nav_link(month, last, +1),
            "today_link": f"?month={today:%Y-%m}" if month else "?",
            "week_of": week_of,
            "back": _back(request),
            "csv_month": f"{month[0]:04d}-{month[1]:02d}" if month else week_of.strftime("%Y-%m"),
            "pending": swaps,
            "notice": _notice(request),
            "problem": problem,
            "role_labels": ROLE_LABELS,
            "now": now,
        },
        status_code=status,
    )


def _nav_link(month: tuple[int, int] | None, edge: date, step: int) -> str:
    if month is not None:
        year, m = month
        m += step
        if m == 0:
            year, m = year - 1, 12
        elif m == 13:
            year, m = year + 1, 1
        return f"?month={year:04d}-{m:02d}"
    return f"?week={(edge + timedelta(days=step)).isoformat()}"


@requires(MANAGE_SHIFTS, org=ORG)
async def roster_page(request: Request) -> Response:
    return await _calendar_page(request)


async def _coordinator_action(request: Request, work: Any, done: str) -> Response:
    """Do ``work``; then back to the shift's page (``?to=shift``) or the calendar, in
    the period the coordinator was looking at. A refusal is shown on that page."""
    shift_id = request.path_params.get("shift_id") or query_int(request, "shift", lo=1)
    to_shift = request.query_params.get("to") == "shift" and shift_id is not None
    try:
        extra = await work()
    except AppError as exc:
        if to_shift:
            return await _shift_page(
                request,
                shift_id=int(shift_id or 0),
                problem=exc.translated(request.state.locale),
                status=exc.status,
            )
        return await _calendar_page(
            request, problem=exc.translated(request.state.locale), status=exc.status
        )
    suffix = f"&n={extra}" if isinstance(extra, int) and not isinstance(extra, bool) else ""
    back = _back(request)
    keep = f"&{back}" if back else ""
    base = f"/orgs/{request.path_params['slug']}/roster"
    if to_shift:
        return see_other(f"{base}/shifts/{shift_id}?done={done}{suffix}{keep}")
    return see_other(f"{base}?done={done}{suffix}{keep}")


async def _shift_page(
    request: Request, *, shift_id: int, problem: str | None = None, status: int = 200
) -> Response:
    org = await _org(request)
    now = clock_of(request).now()
    page = await views.shift_page(
        db_of(request),
        organisation_id=org.id,
        shift_id=shift_id,
        locale=request.state.locale,
        now=now,
    )
    return render(
        request,
        "shifts/shift.html",
        {
            **_calendar_helpers(request),
            "org": org,
            "page": page,
            "back": _back(request),
            "notice": _notice(request),
            "problem": problem,
            "role_labels": ROLE_LABELS,
            "now": now,
        },
        status_code=status,
    )


@requires(MANAGE_SHIFTS, org=ORG)
async def shift_detail(request: Request) -> Response:
    return await _shift_page(request, shift_id=_int(request, "shift_id"))


@requires(MANAGE_SHIFTS, org=ORG)
async def assign(request: Request) -> Response:
    shift_id = _int(request, "shift_id")
    form = await form_data(request)

    async def work() -> None:
        # An unparsable id is nobody: the shift is checked first (404 for another
        # organisation's), then the person ("not a member").
        value = form.get("person_id", "")
        person_id = int(value) if value.isdigit() and len(value) < 10 else 0
        await roster.do_sign_up(
            db_of(request),
            organisation_id=_org_id(request),
            shift_id=shift_id,
            person_id=person_id,
            role=form.get("role", VOLUNTEER),
            now=clock_of(request).now(),
            by_coordinator=True,
        )

    return await _coordinator_action(request, work, "assigned")


@requires(MANAGE_SHIFTS, org=ORG)
async def unassign(request: Request) -> Response:
    assignment_id = _int(request, "assignment_id")

    async def work() -> None:
        await roster.do_unassign(
            db_of(request),
            organisation_id=_org_id(request),
            assignment_id=assignment_id,
            now=clock_of(request).now(),
        )

    return await _coordinator_action(request, work, "unassigned")


@requires(MANAGE_SHIFTS, org=ORG)
async def post_call(request: Request) -> Response:
    shift_id = _int(request, "shift_id")
    form = await form_data(request)

    async def work() -> int:
        return await notices.do_post_call(
            db_of(request),
            organisation_id=_org_id(request),
            shift_id=shift_id,
            coordinator_id=_me(request),
            message=form.get("message", ""),
            now=clock_of(request).now(),
        )

    return await _coordinator_action(request, work, "called")


def _decide(approve: bool) -> Any:
    @requires(MANAGE_SHIFTS, org=ORG)
    async def endpoint(request: Request) -> Response:
        swap_id = _int(request, "swap_id")

        async def work() -> None:
            await roster.do_decide_swap(
                db_of(request),
                organisation_id=_org_id(request),
                swap_id=swap_id,
                approve=approve,
                coordinator_id=_me(request),
                now=clock_of(request).now(),
            )

        return await _coordinator_action(request, work, "approved" if approve else "rejected")

    endpoint.__name__ = "approve_swap" if approve else "reject_swap"
    return endpoint


@requires(MANAGE_SHIFTS, org=ORG)
async def hours(request: Request) -> Response:
    now = clock_of(request).now()
    month = query_month(request, "month") or (now.year, now.month)
    by = "person" if request.query_params.get("by", "person") == "person" else "room"
    text = await views.hours_csv(
        db_of(request),
        organisation_id=_org_id(request),
        by=by,
        year=month[0],
        month=month[1],
        locale=request.state.locale,
    )
    name = f"hours-{by}-{month[0]:04d}-{month[1]:02d}.csv"
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )


@requires(MANAGE_SHIFTS, org=ORG)
async def debriefs(request: Request) -> Response:
    org = await _org(request)
    return render(
        request,
        "shifts/debriefs.html",
        {
            "org": org,
            "debriefs": await notices.list_debriefs(db_of(request), organisation_id=org.id),
            "notice": _notice(request),
        },
    )


@requires(MANAGE_SHIFTS, org=ORG)
async def debrief_handled(request: Request) -> Response:
    debrief_id = _int(request, "debrief_id")
    await notices.do_handle_debrief(
        db_of(request),
        organisation_id=_org_id(request),
        debrief_id=debrief_id,
        now=clock_of(request).now(),
    )
    return see_other(f"/orgs/{request.path_params['slug']}/roster/debriefs?done=handled")


# ------------------------------------------------------------------ templates


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
    templates = await service.list_templates(db, organisation_id=org.id)
    rooms = await service.rooms_of(db, organisation_id=org.id)
    topics = await service.topics_of(db, organisation_id=org.id)
    quals = await qualifications.list_qualifications(db, organisation_id=org.id)
    async with db.read_session() as session:
        names = await views.target_names(session, org.id, locale)
    if form is None and editing is not None:
        template = next((t for t in templates if t.id == editing), None)
        if template is None:
            raise service.TemplateNotFound()
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
        data = service.template_input(fields)
        if "preview" in form:
            checked = check_template(service.template_from(data, template_id=template_id))
            preview = _preview(
                checked, locale=request.state.locale, today=now.astimezone(HELSINKI).date()
            )
            return await _templates_page(
                request, form=form, days=days, editing=template_id, preview=preview
            )
        await service.do_save_template(
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
        chat = getattr(request.state, "chat", None)
        if chat is not None:
            chat.room_states.forget(data.room_id)
    return see_other(f"/orgs/{request.path_params['slug']}/roster/templates?done=saved")


@requires(MANAGE_SHIFTS, org=ORG)
async def create_template(request: Request) -> Response:
    return await _save(request, None)


@requires(MANAGE_SHIFTS, org=ORG)
async def edit_template(request: Request) -> Response:
    template_id = _int(request, "template_id")
    await service.get_template(
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


S = "/orgs/{slug}/shifts"
A = S + "/assignments/{assignment_id:id}"
R = "/orgs/{slug}/roster"
ROUTES = [
    Route(S, mine, methods=["GET"], name="shifts_mine"),
    Route(S + "/{shift_id:id}/sign-up", sign_up, methods=["POST"], name="shifts_sign_up"),
    Route(
        A + "/cancel",
        _assignment_action("cancel", "cancelled"),
        methods=["POST"],
        name="shifts_cancel",
    ),
    Route(
        A + "/swap",
        _assignment_action("swap", "offered"),
        methods=["POST"],
        name="shifts_offer_swap",
    ),
    Route(
        A + "/check-in",
        _assignment_action("check_in", "checked_in"),
        methods=["POST"],
        name="shifts_check_in",
    ),
    Route(
        A + "/check-out",
        _assignment_action("check_out", "checked_out"),
        methods=["POST"],
        name="shifts_check_out",
    ),
    Route(
        A + "/debrief",
        _assignment_action("debrief", "debrief"),
        methods=["POST"],
        name="shifts_debrief",
    ),
    Route(S + "/swaps/{swap_id:id}/take", take_swap, methods=["POST"], name="shifts_take_swap"),
    Route(
        S + "/swaps/{swap_id:id}/withdraw",
        withdraw_swap,
        methods=["POST"],
        name="shifts_withdraw_swap",
    ),
    Route(
        S + "/notices/{call_id:id}/dismiss",
        dismiss_notice,
        methods=["POST"],
        name="shifts_dismiss_notice",
    ),
    Route("/account/calendar-feed", new_feed, methods=["POST"], name="calendar_feed_new"),
    Route(
        "/account/calendar-feed/revoke", revoke_feed, methods=["POST"], name="calendar_feed_revoke"
    ),
    Route("/calendar/{token}.ics", feed, methods=["GET"], name="calendar_feed"),
    Route(R, roster_page, methods=["GET"], name="roster"),
    Route(R + "/shifts/{shift_id:id}", shift_detail, methods=["GET"], name="roster_shift"),
    Route(R + "/shifts/{shift_id:id}/assign", assign, methods=["POST"], name="roster_assign"),
    Route(R + "/shifts/{shift_id:id}/call", post_call, methods=["POST"], name="roster_call"),
    Route(
        R + "/assignments/{assignment_id:id}/unassign",
        unassign,
        methods=["POST"],
        name="roster_unassign",
    ),
    Route(
        R + "/swaps/{swap_id:id}/approve",
        _decide(True),
        methods=["POST"],
        name="roster_swap_approve",
    ),
    Route(
        R + "/swaps/{swap_id:id}/reject",
        _decide(False),
        methods=["POST"],
        name="roster_swap_reject",
    ),
    Route(R + "/hours.csv", hours, methods=["GET"], name="roster_hours"),
    Route(R + "/debriefs", debriefs, methods=["GET"], name="roster_debriefs"),
    Route(
        R + "/debriefs/{debrief_id:id}/handled",
        debrief_handled,
        methods=["POST"],
        name="roster_debrief_handled",
    ),
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
