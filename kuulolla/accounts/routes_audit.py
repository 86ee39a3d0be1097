"""The account events log: an organisation's (its coordinators) and the whole
platform's (admins), filtered by person, kind of event and dates, paged both ways."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import audit, audit_filter, labels, organisations, service
from kuulolla.accounts.permissions import VIEW_ALL_AUDIT, VIEW_AUDIT
from kuulolla.core.errors import AppError
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import db_of, errors
from kuulolla.web.templating import render

# Error codes of the filter → the field they belong to.
FIELDS = {
    "bad_audit_person": "person",
    "bad_audit_event": "event",
    "bad_audit_from": "from",
    "bad_audit_to": "to",
    "bad_audit_page": "page",
}


async def _log(
    request: Request, *, org: organisations.OrgInfo | None, people: list[service.Person]
) -> Response:
    params = dict(request.query_params.items())
    problems = errors(request)
    found = audit.AuditPage([])
    wanted: audit_filter.AuditFilter | None = None
    try:
        wanted = audit_filter.check_filter(params, people={p.id for p in people})
    except AppError as exc:
        problems.add(FIELDS.get(exc.code, "person"), exc.translated(problems.locale))
    if wanted is not None:
        found = await audit.list_audit(
            db_of(request), organisation_id=org.id if org else None, filter=wanted
        )
    base = request.url.path
    older = newer = newest = None
    if wanted is not None:
        if found.older is not None:
            older = f"{base}?{urlencode(wanted.params(before=found.older))}"
        if found.newer is not None:
            newer = f"{base}?{urlencode(wanted.params(after=found.newer))}"
        if wanted.before is not None or wanted.after is not None:
            newest = f"{base}?{urlencode(wanted.params())}"
    return render(
        request,
        "accounts/audit.html",
        {
            "org": org,
            "entries": found.entries,
            "labels": labels.AUDIT_LABELS,
            "role_labels": labels.ROLE_LABELS,
            "groups": audit_filter.EVENT_GROUPS,
            "people": sorted(people, key=lambda p: (p.display_name.casefold(), p.id)),
            "form": params,
            "errors": problems,
            "filtered": wanted is not None and wanted.filtered,
            "older": older,
            "newer": newer,
            "newest": newest,
        },
        status_code=400 if problems else 200,
    )


@requires(VIEW_AUDIT, org=OrgFrom.path_slug("slug"))
async def organisation_log(request: Request) -> Response:
    db = db_of(request)
    org = await organisations.get_organisation_by_id(
        db, organisation_id=int(request.state.organisation_id)
    )
    if org is None:
        raise organisations.OrganisationNotFound()
    people = await service.list_members(db, organisation_id=org.id)
    return await _log(request, org=org, people=people)


@requires(VIEW_ALL_AUDIT)
async def platform_log(request: Request) -> Response:
    return await _log(request, org=None, people=await service.list_staff(db_of(request)))


ROUTES = [
    Route("/orgs/{slug}/audit", organisation_log, methods=["GET"], name="organisation_audit"),
    Route("/admin/audit", platform_log, methods=["GET"], name="admin_audit"),
]
