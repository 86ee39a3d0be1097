"""Report pages: an organisation's dashboard for its coordinators, the same across
organisations for admins, CSV of every table and a printable annual summary.

Periods come from ``?period=`` (``2026``, ``2026-Q1``, ``2026-03``; the current year
when absent); the annual summary takes ``?year=``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.organisations import OrganisationNotFound, get_organisation_by_id
from kuulolla.core.clock import HELSINKI
from kuulolla.core.db import Database
from kuulolla.core.errors import NotFound
from kuulolla.core.i18n import N_, format_locale, gettext
from kuulolla.reports import charts, logic, service, tables
from kuulolla.reports.export import table_csv
from kuulolla.reports.logic import FIRST_YEAR, Period
from kuulolla.reports.permissions import VIEW_ALL_REPORTS, VIEW_REPORTS
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.templating import render

ORG = OrgFrom.path_slug("slug")


class NoSuchTable(NotFound):
    code = "report_table_not_found"
    default_message = N_("There is no such report table.")


def _today(request: Request) -> date:
    return request.state.clock.now().astimezone(HELSINKI).date()


def _period(request: Request) -> Period:
    today = _today(request)
    given = request.query_params.get("period")
    if given is None or given == "":
        return Period.current("year", today=today)
    return Period.parse(given, today=today)


def _year(request: Request) -> Period:
    today = _today(request)
    given = request.query_params.get("year", "")
    if not given:
        return Period(today.year)
    period = Period.parse(given, today=today)
    if period.kind != "year":
        raise logic.PeriodInvalid()
    return period


async def _data(request: Request, period: Period, organisation_id: int | None) -> Any:
    db: Database = request.state.db
    return await service.get_report(
        db,
        period=period,
        organisation_id=organisation_id,
        threshold=request.app.state.settings.report_min_count,
        locale=request.state.locale,
        now=request.state.clock.now(),
    )


async def _org(request: Request) -> Any:
    org = await get_organisation_by_id(
        request.state.db, organisation_id=int(request.state.organisation_id)
    )
    if org is None:
        raise OrganisationNotFound()
    return org


def _choices(today: date, locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Period options grouped by year, newest first: the year, its quarters, its months."""
    groups = []
    for year in range(today.year, max(FIRST_YEAR, today.year - 3) - 1, -1):
        options = [(str(year), gettext(locale, N_("Whole year {year}"), year=year))]
        for q in range(1, 5):
            p = Period(year, "quarter", q)
            if p.start.date() <= today:
                options.append((p.key, tables.period_label(p, locale)))
        for m in range(1, 13):
            p = Period(year, "month", m)
            if date(year, m, 1) <= today:
                options.append((p.key, tables.period_label(p, locale)))
        groups.append((str(year), options))
    return groups


CHARTS = (
    # (title, unit, the trend table's columns drawn: (its index, the series' name))
    (N_("Room visits per month"), N_("number of visits"), ((1, N_("Room visits")),)),
    (
        N_("One-to-one chats per month"),
        N_("number of chats"),
        ((3, N_("Contact attempts")), (4, N_("Answered chats"))),
    ),
    (
        N_("Questions received per month"),
        N_("number of questions"),
        ((5, N_("Questions received")),),
    ),
)


def _charts(
    trend: tables.Table, months: list[logic.YearMonth], locale: str, threshold: int
) -> list[Any]:
    """The month-by-month table's main series as bar charts with titles, axes, units and
    legends. Bars are labelled with the short month name; the description and the table
    say the year."""
    full = [str(row[0]) for row in trend.rows]
    labels = [tables.short_month(m, locale) for m in months]
    out = []
    for number, (title, unit, columns) in enumerate(CHARTS, start=1):
        series = [
            charts.Series(
                gettext(locale, name),
                [v for v in (row[column] for row in trend.rows) if isinstance(v, logic.Count)],
            )
            for column, name in columns
        ]
        desc = gettext(
            locale,
            N_(
                "Bars by month for the last twelve months, {first} to {last}. The figures are in the table below."
            ),
            first=full[0] if full else "",
            last=full[-1] if full else "",
        )
        top = charts.highest(full, series[0].values, locale)
        if top is not None:
            desc += " " + gettext(
                locale, N_("Highest: {month}, {value}."), month=top[0], value=top[1]
            )
        out.append(
            charts.bar_chart(
                chart_id=f"chart-{number}",
                title=gettext(locale, title),
                desc=desc,
                labels=labels,
                series=series,
                unit=gettext(locale, unit),
                threshold=threshold,
                locale=locale,
            )
        )
    return out


def small_counts(locale: str, threshold: int) -> str:
    """How small counts and totals over them are shown, in the reader's words."""
    return gettext(
        locale,
        N_(
            "Counts from 1 to {limit} are shown as “{fewer}”. A total that includes such "
            "counts is an estimate, “{about}”: each hidden count is taken as {half} and the "
            "sum is rounded to two digits, so that no single visitor can be singled out."
        ),
        limit=threshold - 1,
        fewer=gettext(locale, logic.FEWER_THAN, n=threshold),
        about=gettext(locale, logic.ABOUT, n="430"),
        half=str(format_decimal(threshold / 2, locale=format_locale(locale))),
    )


def _dashboard(request: Request, *, org: Any, data: Any, base: str) -> Response:
    locale = request.state.locale
    built = tables.build(data, locale)
    trend = next(t for t in built if t.key == "trend")
    return render(
        request,
        "reports/dashboard.html",
        {
            "org": org,
            "period": data.period,
            "period_label": tables.period_label(data.period, locale),
            "choices": _choices(_today(request), locale),
            "tables": built,
            "charts": _charts(
                trend, data.period.trailing_months(today=data.today), locale, data.grid.threshold
            ),
            "text": lambda cell: tables.text(cell, locale),
            "threshold": data.grid.threshold,
            "small_counts": small_counts(locale, data.grid.threshold),
            "base": base,
            "year": data.period.year,
        },
    )


def _csv(request: Request, *, data: Any, name: str) -> Response:
    locale = request.state.locale
    key = request.query_params.get("table", "")
    table = next((t for t in tables.build(data, locale) if t.key == key), None)
    if table is None:
        raise NoSuchTable()
    filename = f"kuulolla-{name}-{data.period.key}-{table.key}.csv"
    return Response(
        table_csv(table, locale=locale),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


# ------------------------------------------------------------------ organisation


@requires(VIEW_REPORTS, org=ORG)
async def dashboard(request: Request) -> Response:
    org = await _org(request)
    data = await _data(request, _period(request), org.id)
    return _dashboard(request, org=org, data=data, base=f"/orgs/{org.slug}/reports")


@requires(VIEW_REPORTS, org=ORG)
async def csv_table(request: Request) -> Response:
    org = await _org(request)
    data = await _data(request, _period(request), org.id)
    return _csv(request, data=data, name=org.slug)


@requires(VIEW_REPORTS, org=ORG)
async def summary(request: Request) -> Response:
    org = await _org(request)
    data = await _data(request, _year(request), org.id)
    return _summary(request, org=org, data=data, base=f"/orgs/{org.slug}/reports")


# ------------------------------------------------------------------ all organisations


@requires(VIEW_ALL_REPORTS)
async def admin_dashboard(request: Request) -> Response:
    data = await _data(request, _period(request), None)
    return _dashboard(request, org=None, data=data, base="/admin/reports")


@requires(VIEW_ALL_REPORTS)
async def admin_csv_table(request: Request) -> Response:
    data = await _data(request, _period(request), None)
    return _csv(request, data=data, name="all")


@requires(VIEW_ALL_REPORTS)
async def admin_summary(request: Request) -> Response:
    data = await _data(request, _year(request), None)
    return _summary(request, org=None, data=data, base="/admin/reports")


# ------------------------------------------------------------------ annual summary


def _summary(request: Request, *, org: Any, data: Any, base: str) -> Response:
    locale = request.state.locale
    summary = tables.annual_summary(data, locale)
    return render(
        request,
        "reports/summary.html",
        {
            "org": org,
            "year": data.period.year,
            "summary": summary,
            "text": lambda cell: tables.text(cell, locale),
            "threshold": data.grid.threshold,
            "small_counts": small_counts(locale, data.grid.threshold),
            "base": base,
            "today": _today(request),
        },
    )


ROUTES = [
    Route("/orgs/{slug}/reports", dashboard, methods=["GET"], name="reports"),
    Route("/orgs/{slug}/reports.csv", csv_table, methods=["GET"], name="reports_csv"),
    Route("/orgs/{slug}/reports/summary", summary, methods=["GET"], name="reports_summary"),
    Route("/admin/reports", admin_dashboard, methods=["GET"], name="admin_reports"),
    Route("/admin/reports.csv", admin_csv_table, methods=["GET"], name="admin_reports_csv"),
    Route("/admin/reports/summary", admin_summary, methods=["GET"], name="admin_reports_summary"),
]
