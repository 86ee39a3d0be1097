"""Privacy pages: retention settings (coordinators for their organisation, admins for
the platform), the privacy notice generated from the actual settings, a visitor's
"delete my question now", and staff data rights (own data as JSON, erasing a departed
person)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import permissions
from kuulolla.accounts.models import StaffUser
from kuulolla.accounts.organisations import (
    OrganisationNotFound,
    get_organisation_by_id,
    list_organisations,
)
from kuulolla.accounts.permissions import COORDINATORS
from kuulolla.core import i18n
from kuulolla.core import retention as registry
from kuulolla.core.errors import AppError, NotFound
from kuulolla.core.i18n import N_
from kuulolla.privacy import service, staff, words
from kuulolla.questions.retention import do_delete_by_claim
from kuulolla.web import seo
from kuulolla.web.access import DEVICE_MAX_AGE, OrgFrom, public, requires
from kuulolla.web.forms import (
    FormErrors,
    clock_of,
    db_of,
    errors,
    form_data,
    me,
    notice,
    see_other,
    settings_of,
)
from kuulolla.web.templating import render

MANAGE_RETENTION = permissions.define(
    "manage_retention",
    scope="organisation",
    roles=COORDINATORS,
    description="choose how long the organisation's data is kept",
)
MANAGE_PLATFORM_RETENTION = permissions.define(
    "manage_platform_retention",
    scope="platform",
    description="choose the platform's default retention periods",
)

ORG = OrgFrom.path_slug("slug")


def _page(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    return render(request, f"privacy/{name}", context, status_code=status_code)


# ------------------------------------------------------------------ retention settings


def _rows(periods: dict[str, int], defaults: dict[str, int], locale: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "days": periods[kind.key],
            "inherited": defaults.get(kind.key),
            "words": words.period(locale, periods[kind.key]),
        }
        for kind in registry.kinds()
    ]


async def _retention_page(
    request: Request,
    *,
    organisation_id: int | None,
    problems: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = db_of(request)
    org = None
    if organisation_id is not None:
        org = await get_organisation_by_id(db, organisation_id=organisation_id)
        if org is None:
            raise OrganisationNotFound()
    periods = await service.get_periods(db, organisation_id=organisation_id)
    platform = await service.get_periods(db, organisation_id=None)
    rows = _rows(periods, platform if org else {}, request.state.locale)
    return _page(
        request,
        "retention.html",
        {
            "org": org,
            "rows": rows,
            "values": values or {},
            "errors": problems or errors(request),
            "notice": notice(request),
            "action": f"/orgs/{org.slug}/retention" if org else "/admin/retention",
        },
        status_code=status,
    )


async def _save_periods(request: Request, organisation_id: int | None) -> Response:
    form = await form_data(request)
    values = {kind.key: form[kind.key] for kind in registry.kinds() if kind.key in form}
    problems = errors(request)
    for key, raw in values.items():
        kind = registry.get_kind(key)
        assert kind is not None  # values only holds registered keys
        try:
            service.check_period(kind, raw)
        except AppError as exc:
            problems.add(key, exc.translated(request.state.locale))
    if problems:
        return await _retention_page(
            request, organisation_id=organisation_id, problems=problems, values=values, status=400
        )
    await service.do_set_periods(
        db_of(request), organisation_id=organisation_id, values=values, now=clock_of(request).now()
    )
    return see_other(f"{request.url.path}?done=saved")


@requires(MANAGE_RETENTION, org=ORG)
async def organisation_retention(request: Request) -> Response:
    organisation_id = int(request.state.organisation_id)
    if request.method == "GET":
        return await _retention_page(request, organisation_id=organisation_id)
    return await _save_periods(request, organisation_id)


@requires(MANAGE_PLATFORM_RETENTION)
async def platform_retention(request: Request) -> Response:
    if request.method == "GET":
        return await _retention_page(request, organisation_id=None)
    return await _save_periods(request, None)


# ------------------------------------------------------------------ privacy notice


@public
async def privacy_notice(request: Request) -> Response:
    """The privacy notice (tietosuojaseloste), built from the registered data kinds and
    the periods in force, so it cannot drift from what the service does."""
    db = db_of(request)
    locale = request.state.locale
    everything = await service.get_all_periods(db)
    orgs = await list_organisations(db)
    platform = everything[None]
    kinds = registry.kinds()
    differing = [
        {
            "org": org,
            "periods": [
                (kind, words.period(locale, everything[org.id][kind.key]))
                for kind in kinds
                if everything[org.id][kind.key] != platform[kind.key]
            ],
        }
        for org in orgs
        if org.id in everything
    ]
    return _page(
        request,
        "notice.html",
        {
            "kinds": [(kind, words.period(locale, platform[kind.key])) for kind in kinds],
            "differing": [d for d in differing if d["periods"]],
            "orgs": orgs,
            "settings": settings_of(request),
            "device_days": DEVICE_MAX_AGE // (24 * 3600),
            "seo": seo.indexable(request, description=i18n.gettext(locale, NOTICE_DESCRIPTION)),
        },
    )


NOTICE_DESCRIPTION = N_(
    "This notice tells what this service stores, why, who sees it and for how long. It is generated from the service's current settings, so it always matches what the service actually does."
)


# ------------------------------------------------------------------ visitor control


@public
async def delete_question(request: Request) -> Response:
    """The asker deletes their question at once with the claim code."""

    # The code comes in the form's body, never in the address (questions/routes_ask.py).
    form = await request.form()
    code = form.get("code")
    await do_delete_by_claim(db_of(request), code=code if isinstance(code, str) else "")
    return _page(request, "question_deleted.html", {})


# ------------------------------------------------------------------ staff data rights


@requires(permissions.OWN_ACCOUNT)
async def own_data(request: Request) -> Response:
    """The signed-in person's own data as a JSON file."""
    data = await staff.get_export(
        db_of(request),
        user_id=int(me(request).user_id or 0),
        settings=settings_of(request),
        now=clock_of(request).now(),
    )
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "content-disposition": 'attachment; filename="kuulolla-my-data.json"',
            "cache-control": "no-store",
        },
    )


async def _person(request: Request) -> Any:

    try:
        user_id = int(request.path_params["user_id"])
    except ValueError:
        raise NotFound() from None
    async with db_of(request).read_session() as session:
        person = await session.get(StaffUser, user_id)
    if person is None:
        raise NotFound()
    return person


@requires(permissions.MANAGE_STAFF)
async def erase_person(request: Request) -> Response:
    """An admin erases a departed person, after confirming."""
    person = await _person(request)
    problems = errors(request)
    if request.method == "POST":
        form = await form_data(request)
        if form.get("confirm") != "yes":
            problems.add("confirm", i18n.gettext(request.state.locale, CONFIRM_ERASE))
        else:
            await staff.do_erase(
                db_of(request),
                user_id=person.id,
                actor_id=int(me(request).user_id or 0),
                settings=settings_of(request),
                now=clock_of(request).now(),
            )
            return see_other("/admin/staff?done=erased")
    return _page(
        request,
        "erase.html",
        {"person": person, "errors": problems},
        status_code=400 if problems else 200,
    )


CONFIRM_ERASE = N_("Tick the box to confirm that the person's data is to be erased.")


ROUTES = [
    Route("/privacy", privacy_notice, methods=["GET"], name="privacy_notice"),
    Route(
        "/orgs/{slug}/retention",
        organisation_retention,
        methods=["GET", "POST"],
        name="organisation_retention",
    ),
    Route(
        "/admin/retention", platform_retention, methods=["GET", "POST"], name="platform_retention"
    ),
    Route("/account/data", own_data, methods=["GET"], name="account_data"),
    Route(
        "/admin/staff/{user_id:id}/erase",
        erase_person,
        methods=["GET", "POST"],
        name="admin_staff_erase",
    ),
    Route(
        "/questions/claim/delete",
        delete_question,
        methods=["POST"],
        name="questions_claim_delete",
    ),
]
