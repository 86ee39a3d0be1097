"""The coordinators' pages of the directory: the organisation's services (with those
that need checking first), adding and editing one, marking it checked, removing it,
how long a check lasts (importing open data is :mod:`.routes_import`).

Every route needs ``manage_directory`` in the organisation of the path; a service is
fetched with a check that it belongs to that organisation (service.access_service),
so another organisation's ids answer 404. A form with problems is shown again with
each error beside its field, and nothing is stored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.organisations import get_organisation_or_raise
from kuulolla.core import i18n
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.directory import (
    curation,
    hours_words,
    listing,
    logic,
    regions,
    service,
    vocabulary,
)
from kuulolla.directory.permissions import MANAGE_DIRECTORY
from kuulolla.web.access import OrgFrom, principal_of, requires
from kuulolla.web.forms import FormErrors, errors, notice, see_other
from kuulolla.web.templating import render

ORG = OrgFrom.path_slug("slug")
TEXT_FIELDS = ("name", "summary", "description", "hours_note", "cost", "accessibility")
MAXES = {
    "name": logic.MAX_NAME,
    "summary": logic.MAX_SUMMARY,
    "description": logic.MAX_DESCRIPTION,
    "hours_note": logic.MAX_SHORT_TEXT,
    "cost": logic.MAX_SHORT_TEXT,
    "accessibility": logic.MAX_ACCESSIBILITY,
}
NOTICES = {
    "saved": N_("Saved. The service is checked as of today."),
    "checked": N_("Marked as checked today."),
    "deleted": N_("The service was removed from the directory."),
    "imported": N_("Imported."),
    "settings": N_("Saved."),
}


def _base(request: Request) -> str:
    return f"/orgs/{request.path_params['slug']}/directory"


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done") or ""
    return i18n.gettext(request.state.locale, NOTICES[key]) if key in NOTICES else notice(request)


async def _form(request: Request) -> Any:
    # Its size was bounded before the route (web/bodies.py).
    return await request.form()


def _service_id(request: Request) -> int:
    return int(request.path_params["service_id"])


async def page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    problems: FormErrors | None = None,
) -> Response:
    """One of the organisation's directory pages, with the form's problems (400) or the
    notice of what was just done."""
    org = await get_organisation_or_raise(request.state.db, slug=request.path_params["slug"])
    return render(
        request,
        f"directory/{template}",
        {
            "org": org,
            "errors": problems or errors(request),
            "notice": _notice(request),
            **context,
        },
        status_code=400 if problems else 200,
    )


# ------------------------------------------------------------------ the list


async def _overview(
    request: Request, *, problems: FormErrors | None = None, stale_value: str | None = None
) -> Response:
    db = request.state.db
    org_id = request.state.organisation_id
    now = request.state.clock.now()
    views = await listing.list_organisation_services(db, organisation_id=org_id)
    to_check = [v for v in views if v.needs_check(now)]
    to_check.sort(key=lambda v: v.stale_at)
    days = await curation.get_stale_days(db, organisation_id=org_id)
    return await page(
        request,
        "manage.html",
        {
            "helsinki_zone": HELSINKI,
            "views": views,
            "to_check": to_check,
            "stale": [v for v in to_check if v.stale(now)],
            "now": now,
            "kinds": {
                k: i18n.gettext(request.state.locale, v) for k, v in vocabulary.KINDS.items()
            },
            "stale_days": stale_value if stale_value is not None else str(days),
            "stale_range": logic.STALE_DAYS,
        },
        problems=problems,
    )


@requires(MANAGE_DIRECTORY, org=ORG)
async def manage(request: Request) -> Response:
    return await _overview(request)


@requires(MANAGE_DIRECTORY, org=ORG)
async def settings(request: Request) -> Response:
    form = await _form(request)
    value = str(form.get("stale_days") or "")
    try:
        days = logic.check_stale_days(value)
    except AppError as exc:
        found = errors(request)
        found.add("stale_days", exc.translated(request.state.locale))
        return await _overview(request, problems=found, stale_value=value)
    await curation.do_set_stale_days(
        request.state.db, organisation_id=request.state.organisation_id, days=days
    )
    return see_other(f"{_base(request)}?done=settings")


# ------------------------------------------------------------------ one service


def _input(form: Any) -> logic.ServiceInput:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    def texts(prefix: str) -> dict[str, str]:
        return {loc: text(f"{prefix}_{loc}") for loc in vocabulary.LOCALES}

    def flag(name: str) -> bool:
        return text(name) == "1"

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str)]

    return logic.ServiceInput(
        key=text("key"),
        kind=text("kind"),
        names=texts("name"),
        summaries=texts("summary"),
        descriptions=texts("description"),
        topics=many("topics"),
        ages=many("ages"),
        relatives=flag("relatives"),
        languages=many("languages"),
        nationwide=flag("nationwide"),
        areas=[],  # resolved from the names below
        online=flag("online"),
        street=text("street"),
        postal_code=text("postal_code"),
        post_office=text("post_office"),
        hours_text=text("hours"),
        holidays_closed=flag("holidays_closed"),
        hours_notes=texts("hours_note"),
        phone=text("phone"),
        web=text("web"),
        email=text("email"),
        chat=text("chat"),
        free=flag("free"),
        costs=texts("cost"),
        accessibility=texts("accessibility"),
        crisis=flag("crisis"),
        published=flag("published"),
    )


def _areas(text: str) -> tuple[list[str], list[str]]:
    """Region codes of the names typed, and the names not recognised."""
    codes, unknown = [], []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        if not part.strip():
            continue
        code = regions.lookup(part)
        if code is None:
            unknown.append(part.strip())
        else:
            codes.append(code)
    return codes, unknown


def _values(view: service.ServiceView, locale: str) -> dict[str, Any]:
    f = view.fields
    values: dict[str, Any] = {
        "key": f.key,
        "kind": f.kind,
        "topics": list(f.topics),
        "ages": list(f.ages),
        "relatives": f.relatives,
        "languages": list(f.languages),
        "nationwide": f.nationwide,
        "areas": regions.edit_names(f.areas, locale),
        "online": f.online,
        "street": f.address.street,
        "postal_code": f.address.postal_code,
        "post_office": f.address.post_office,
        "hours": hours_words.edit_text(f.hours, locale),
        "holidays_closed": f.hours.holidays_closed,
        "phone": f.contact.phone,
        "web": f.contact.web,
        "email": f.contact.email,
        "chat": f.contact.chat,
        "free": f.free,
        "crisis": f.crisis,
        "published": f.published,
    }
    for prefix, source in (
        ("name", f.names),
        ("summary", f.summaries),
        ("description", f.descriptions),
        ("hours_note", f.hours_notes),
        ("cost", f.costs),
        ("accessibility", f.accessibility),
    ):
        for loc in vocabulary.LOCALES:
            values[f"{prefix}_{loc}"] = source.get(loc, "")
    return values


def _posted_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"
    }
    for name in ("topics", "ages", "languages"):
        values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    for name in (
        "relatives",
        "nationwide",
        "online",
        "holidays_closed",
        "free",
        "crisis",
        "published",
    ):
        values[name] = values.get(name) == "1"
    return values


async def _edit_page(
    request: Request,
    *,
    values: dict[str, Any],
    view: service.ServiceView | None,
    problems: FormErrors | None = None,
) -> Response:
    db = request.state.db
    locale = request.state.locale
    return await page(
        request,
        "edit.html",
        {
            "view": view,
            "new": view is None,
            "values": values,
            "topics": await curation.list_topics(db),
            "kinds": {k: i18n.gettext(locale, v) for k, v in vocabulary.KINDS.items()},
            "age_groups": {k: i18n.gettext(locale, v) for k, v in vocabulary.AGE_GROUPS.items()},
            "languages": {k: i18n.gettext(locale, v) for k, v in vocabulary.LANGUAGES.items()},
            "maxes": MAXES,
            "now": request.state.clock.now(),
        },
        problems=problems,
    )


NEW_DEFAULTS: dict[str, Any] = {
    "languages": ["fi"],
    "holidays_closed": True,
    "free": True,
    "published": True,
}


async def _save(request: Request, *, view: service.ServiceView | None) -> Response:
    db = request.state.db
    form = await _form(request)
    given = _input(form)
    codes, unknown = _areas(str(form.get("areas") or ""))
    given = replace(given, areas=codes, key=view.key if view else given.key)
    problems = errors(request)
    locale = request.state.locale
    topics = [t.key for t in await curation.list_topics(db, active_only=False)]
    try:
        fields = logic.check_service(given, topics=topics, new=view is None)
        if unknown:
            raise logic.InvalidService({})
    except logic.InvalidService as exc:
        for name, error in exc.errors.items():
            problems.add(name, error.translated(locale))
        if unknown:
            problems.add(
                "areas",
                i18n.gettext(
                    locale,
                    N_("Not a municipality or a wellbeing services county: {names}."),
                    names=", ".join(unknown),
                ),
            )
        return await _edit_page(request, values=_posted_values(form), view=view, problems=problems)
    actor = principal_of(request).user_id
    now = request.state.clock.now()
    try:
        async with db.session() as session:
            service_id = await service.do_save_service(
                session,
                organisation_id=request.state.organisation_id,
                fields=fields,
                actor_id=actor,
                now=now,
                service_id=view.id if view else None,
            )
    except logic.InvalidService as exc:
        for name, error in exc.errors.items():
            problems.add(name, error.translated(locale))
        return await _edit_page(request, values=_posted_values(form), view=view, problems=problems)
    return see_other(f"{_base(request)}/services/{service_id}?done=saved")


@requires(MANAGE_DIRECTORY, org=ORG)
async def new_service(request: Request) -> Response:
    if request.method == "POST":
        return await _save(request, view=None)
    return await _edit_page(request, values=dict(NEW_DEFAULTS), view=None)


@requires(MANAGE_DIRECTORY, org=ORG)
async def edit_service(request: Request) -> Response:
    view = await service.access_service(
        request.state.db,
        organisation_id=request.state.organisation_id,
        service_id=_service_id(request),
    )
    if request.method == "POST":
        return await _save(request, view=view)
    return await _edit_page(request, values=_values(view, request.state.locale), view=view)


@requires(MANAGE_DIRECTORY, org=ORG)
async def mark_checked(request: Request) -> Response:
    await service.do_mark_checked(
        request.state.db,
        organisation_id=request.state.organisation_id,
        service_id=_service_id(request),
        actor_id=principal_of(request).user_id,
        now=request.state.clock.now(),
    )
    return see_other(f"{_base(request)}?done=checked")


@requires(MANAGE_DIRECTORY, org=ORG)
async def delete_service(request: Request) -> Response:
    await service.do_delete_service(
        request.state.db,
        organisation_id=request.state.organisation_id,
        service_id=_service_id(request),
    )
    return see_other(f"{_base(request)}?done=deleted")


ROUTES = [
    Route("/orgs/{slug}/directory", manage, name="directory_manage"),
    Route(
        "/orgs/{slug}/directory/settings",
        settings,
        methods=["POST"],
        name="directory_settings",
    ),
    Route(
        "/orgs/{slug}/directory/new",
        new_service,
        methods=["GET", "POST"],
        name="directory_service_new",
    ),
    Route(
        "/orgs/{slug}/directory/services/{service_id:id}",
        edit_service,
        methods=["GET", "POST"],
        name="directory_service_edit",
    ),
    Route(
        "/orgs/{slug}/directory/services/{service_id:id}/checked",
        mark_checked,
        methods=["POST"],
        name="directory_service_checked",
    ),
    Route(
        "/orgs/{slug}/directory/services/{service_id:id}/delete",
        delete_service,
        methods=["POST"],
        name="directory_service_delete",
    ),
]
