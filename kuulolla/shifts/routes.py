"""Shift pages: a member's shifts (``/orgs/{slug}/shifts``) and the personal calendar
feed (the coordinators' roster: routes_manage.py).

Every route declares its permission over the organisation in the path; every id in a
path is checked to belong to that organisation by the service (NotFound otherwise).
Actions redirect back with a notice, or show the page again with the translated
refusal (POST/redirect/GET).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import organisations
from kuulolla.accounts.permissions import OWN_ACCOUNT
from kuulolla.core import i18n, times
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError, NotFound
from kuulolla.core.i18n import N_
from kuulolla.shifts import checkins, notices, roster, views
from kuulolla.shifts.permissions import TAKE_SHIFTS
from kuulolla.shifts.values import PROFESSIONAL, VOLUNTEER
from kuulolla.web.access import OrgFrom, public, requires
from kuulolla.web.forms import (
    clock_of,
    db_of,
    duty_events_of,
    form_data,
    me,
    see_other,
    settings_of,
)
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


async def _org(request: Request) -> organisations.OrgInfo:
    org = await organisations.get_organisation_by_id(
        db_of(request), organisation_id=_org_id(request)
    )
    if org is None:
        raise organisations.OrganisationNotFound()
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
                await checkins.do_check_in(db, events=duty_events_of(request), **kwargs)
            elif verb == "check_out":
                await checkins.do_check_out(db, events=duty_events_of(request), **kwargs)
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


S = "/orgs/{slug}/shifts"
A = S + "/assignments/{assignment_id:id}"
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
]
