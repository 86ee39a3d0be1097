"""A staff member's own e-mail notifications (``/account/notifications``): the address
and whether crisis escalations come at once, as a digest or not at all."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kuulolla.accounts.permissions import OWN_ACCOUNT
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.notify import centre, service
from kuulolla.web.access import principal_of, requires
from kuulolla.web.forms import clock_of, db_of, form_data, see_other
from kuulolla.web.templating import render

MODE_LABELS = {
    "off": N_("No e-mail"),
    "immediate": N_("At once"),
    "digest": N_("As a digest, at most once an hour"),
}
FIELDS = {"bad_email": "email", "bad_mode": "mode"}


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
    try:
        await service.do_set_choice(
            db,
            user_id=user_id,
            email=form.get("email", ""),
            mode=form.get("mode", ""),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        shown = service.Choice(form.get("email", ""), form.get("mode", "off"))
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
