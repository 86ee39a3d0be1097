"""The coordinators' page of visitors' feedback (queue/feedback.py reads it): shown
while the organisation's feedback retention period lasts (privacy/service.py), a
hundred at a time, newest first (``?page=2`` the next hundred)."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.organisations import get_organisation_or_raise
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_
from kuulolla.privacy.service import get_periods
from kuulolla.queue.feedback import PER_PAGE, READ_FEEDBACK, list_feedback
from kuulolla.queue.retention import QUEUE_FEEDBACK
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import clock_of, db_of
from kuulolla.web.templating import render

MAX_PAGE = 10_000


def page_of(request: Request) -> int:
    """The page asked for (1 without one), or a translated error."""
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(N_("There is no such page."), code="bad_page")
    return int(raw)


@requires(READ_FEEDBACK, org=OrgFrom.path_slug("slug"))
async def feedback_page(request: Request) -> Response:
    page = page_of(request)
    db = db_of(request)
    org = await get_organisation_or_raise(db, slug=request.path_params["slug"])
    days = (await get_periods(db, organisation_id=org.id))[QUEUE_FEEDBACK.key]
    # Feedback keeps its day only: the whole first day of the period is shown.
    now = clock_of(request).now()
    since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = await list_feedback(
        db,
        organisation_id=org.id,
        since=since,
        locale=request.state.locale,
        limit=PER_PAGE + 1,
        offset=(page - 1) * PER_PAGE,
    )
    base = f"/orgs/{org.slug}/feedback"
    return render(
        request,
        "queue/feedback.html",
        {
            "org": org,
            "rows": rows[:PER_PAGE],
            "days": days,
            "page": page,
            "newer": (base if page == 2 else f"{base}?page={page - 1}") if page > 1 else None,
            "older": f"{base}?page={page + 1}" if len(rows) > PER_PAGE else None,
        },
    )


ROUTES = [Route("/orgs/{slug}/feedback", feedback_page, methods=["GET"], name="org_feedback")]
