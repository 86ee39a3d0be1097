"""The coordinators' page of visitors' feedback (queue/feedback.py reads it): shown
while the organisation's feedback retention period lasts (privacy/service.py)."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.service import get_organisation_or_raise
from kuulolla.privacy.service import get_periods
from kuulolla.queue.feedback import MAX_SHOWN, READ_FEEDBACK, list_feedback
from kuulolla.queue.retention import QUEUE_FEEDBACK
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import clock_of, db_of
from kuulolla.web.templating import render


@requires(READ_FEEDBACK, org=OrgFrom.path_slug("slug"))
async def feedback_page(request: Request) -> Response:
    db = db_of(request)
    org = await get_organisation_or_raise(db, slug=request.path_params["slug"])
    days = (await get_periods(db, organisation_id=org.id))[QUEUE_FEEDBACK.key]
    # Feedback keeps its day only: the whole first day of the period is shown.
    now = clock_of(request).now()
    since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = await list_feedback(db, organisation_id=org.id, since=since, locale=request.state.locale)
    return render(
        request,
        "queue/feedback.html",
        {"org": org, "rows": rows, "days": days, "limit": MAX_SHOWN},
    )


ROUTES = [Route("/orgs/{slug}/feedback", feedback_page, methods=["GET"], name="org_feedback")]
