"""A staff member's own e-mail notifications (``/account/notifications``): the address,
whether e-mail comes at once, as a digest or not at all, and of what (crisis
escalations, visitors waiting with no helper on the console, questions, calls for
volunteers, debriefs and swaps)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kuulolla.accounts.permissions import OWN_ACCOUNT
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.notify import centre, service
from kuulolla.web.access import principal_of, requires
from kuulolla.web.forms import clock_of, db_of, form_data, form_lists, see_other
from kuulolla.web.templating import render

MODE_LABELS = {
    "off": N_("No e-mail"),
    "immediate": N_("At once"),
    "digest": N_("As a digest, at most once an hour"),
}
EVENT_LABELS = {
    "escalation": N_("A crisis alert nobody has taken in time"),
    "queue": N_("A visitor waits in the chat queue and no helper has the console open"),
    "questions": N_("A question routed to you, or an answer waiting for your review"),
    "calls": N_("A call for volunteers sent to you"),
    "roster": N_("A debrief asked for, or a shift swap waiting for approval (coordinators)"),
}
FIELDS = {"bad_email": "email", "bad_mode": "mode", "bad_events": "events"}


async def _page(
    request: Request,
    choice: service.Choice,
    *,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "notify/settings.html",
        {
            "choice": choice,
            "modes": service.MODES,
            "mode_labels": MODE_LABELS,
            "events": service.EVENTS,
            "event_labels": EVENT_LABELS,
            "problems": problems or {},
            "smtp": bool(settings.smtp_url),
            "saved": request.query_params.get("done") == "saved",
        },
        status_code=status,
    )


@requires(OWN_ACCOUNT)
async def notifications(request: Request) -> Response:
    user_id = principal_of(request).user_id
    assert user_id is not None  # @requires let only signed-in people through
    db = db_of(request)
    if request.method == "GET":
        return await _page(request, await service.get_choice(db, user_id=user_id))
    form = await form_data(request)
    chosen = await form_lists(request, "events")
    try:
        await service.do_set_choice(
            db,
            user_id=user_id,
            email=form.get("email", ""),
            mode=form.get("mode", ""),
            events=chosen,
            now=clock_of(request).now(),
        )
    except AppError as exc:
        shown = service.Choice(
            form.get("email", ""),
            form.get("mode", "off"),
            frozenset(e for e in chosen if e in service.EVENTS),
        )
        problems = {FIELDS.get(exc.code, "email"): exc.translated(request.state.locale)}
        return await _page(request, shown, problems=problems, status=exc.status)
    return see_other("/account/notifications?done=saved")


@requires(OWN_ACCOUNT)
async def waiting(request: Request) -> Response:
    """What waits for the person (notify/centre.py): the page, or with ``Accept:
    application/json`` the keys for the header's count (static/js/staff-waiting.js)."""
    items = await centre.get_waiting(
        db_of(request),
        principal=principal_of(request),
        locale=request.state.locale,
        now=clock_of(request).now(),
    )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"keys": [i.key for i in items]})
    return render(request, "notify/waiting.html", {"items": items})


ROUTES = [
    Route("/staff/waiting", waiting, methods=["GET"], name="staff_waiting"),
    Route(
        "/account/notifications",
        notifications,
        methods=["GET", "POST"],
        name="account_notifications",
    ),
]
