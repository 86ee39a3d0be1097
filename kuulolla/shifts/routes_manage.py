"""The coordinators' shift pages (``/orgs/{slug}/roster``): the calendar with
coverage, a shift's people and calls for volunteers, swaps to approve, hours and
debriefs (shift templates and the organisation's shift rules: routes_templates.py).

Every route declares its permission over the organisation in the path; every id in a
path is checked to belong to that organisation by the service (NotFound otherwise).
Actions redirect back with a notice, or show the page again with the translated
refusal (POST/redirect/GET).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.core import i18n, times
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError
from kuulolla.shifts import coverage, describe, grid, notices, roster, views
from kuulolla.shifts.permissions import MANAGE_SHIFTS
from kuulolla.shifts.routes import (
    ORG,
    ROLE_LABELS,
    _int,
    _me,
    _notice,
    _org,
    _org_id,
    render,
)
from kuulolla.shifts.values import VOLUNTEER
from kuulolla.web.access import requires
from kuulolla.web.forms import (
    clock_of,
    db_of,
    form_data,
    see_other,
)
from kuulolla.web.params import parse_date, parse_month, query_date, query_int, query_month

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


R = "/orgs/{slug}/roster"
ROUTES = [
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
]
