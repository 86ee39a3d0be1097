"""Platform admins' pages: organisations, every staff account, the whole audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import labels, links, second_factor, service, sessions
from kuulolla.accounts.organisations import (
    do_create_organisation,
    get_organisation_or_raise,
    list_organisations,
)
from kuulolla.accounts.permissions import MANAGE_ORGANISATIONS, MANAGE_STAFF
from kuulolla.core.errors import AppError, NotFound
from kuulolla.core.i18n import N_
from kuulolla.web import params  # noqa: F401  (registers the {name:id} path convertor)
from kuulolla.web.access import requires
from kuulolla.web.forms import (
    FormErrors,
    clock_of,
    db_of,
    errors,
    events_of,
    form_data,
    me,
    notice,
    see_other,
    settings_of,
)
from kuulolla.web.templating import render


async def _orgs_page(
    request: Request,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "accounts/admin_organisations.html",
        {
            "organisations": await list_organisations(db_of(request)),
            "errors": problems or errors(request),
            "form": form or {"require_totp": "coordinators"},
            "rules": labels.TOTP_RULES,
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(MANAGE_ORGANISATIONS)
async def organisations(request: Request) -> Response:
    return await _orgs_page(request)


@requires(MANAGE_ORGANISATIONS)
async def create_organisation(request: Request) -> Response:
    form = await form_data(request)
    try:
        await do_create_organisation(
            db_of(request),
            actor_id=me(request).user_id,
            slug=form.get("slug", "").strip(),
            name=form.get("name", ""),
            contact=form.get("contact", ""),
            require_totp=form.get("require_totp", "coordinators"),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="name")
        return await _orgs_page(request, problems, form, status=exc.status)
    return see_other("/admin/organisations?done=created")


async def _staff_page(
    request: Request,
    problems: FormErrors | None = None,
    status: int = 200,
    issued: dict[str, object] | None = None,
) -> Response:
    db = db_of(request)
    orgs = await list_organisations(db)
    return render(
        request,
        "accounts/admin_staff.html",
        {
            "people": await service.list_staff(db),
            "organisations": orgs,
            "org_names": {o.id: o.name for o in orgs},
            "roles": labels.ROLES,
            "role_labels": labels.ROLE_LABELS,
            "errors": problems or errors(request),
            "notice": notice(request),
            "issued": issued,
        },
        status_code=status,
    )


@requires(MANAGE_STAFF)
async def staff(request: Request) -> Response:
    return await _staff_page(request)


def _target(request: Request) -> int:
    try:
        return int(request.path_params["user_id"])
    except ValueError:
        raise NotFound(N_("There is no such person."), code="person_not_found") from None


@requires(MANAGE_STAFF)
async def set_admin(request: Request) -> Response:
    form = await form_data(request)
    try:
        await service.do_set_admin(
            db_of(request),
            actor=me(request),
            user_id=_target(request),
            admin=form.get("admin") == "1",
            events=events_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field=f"person-{_target(request)}")
        return await _staff_page(request, problems, status=exc.status)
    return see_other("/admin/staff?done=saved")


@requires(MANAGE_STAFF)
async def add_membership(request: Request) -> Response:
    form = await form_data(request)
    db = db_of(request)
    try:
        org = await get_organisation_or_raise(db, slug=form.get("organisation", ""))
        await service.do_add_member(
            db,
            actor=me(request),
            organisation_id=org.id,
            user_id=_target(request),
            role=form.get("role", ""),
            events=events_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field=f"person-{_target(request)}")
        return await _staff_page(request, problems, status=exc.status)
    return see_other("/admin/staff?done=saved")


@requires(MANAGE_STAFF)
async def account_action(request: Request) -> Response:
    """Account actions for any person, members of no organisation (admins) included."""
    form = await form_data(request)
    action = form.get("action", "")
    db = db_of(request)
    user_id = _target(request)
    now = clock_of(request).now()
    actor = me(request)
    events = events_of(request)
    try:
        if action == "reset-link":
            link = await links.do_create_reset_link(
                db,
                actor=actor,
                user_id=user_id,
                organisation_id=None,
                settings=settings_of(request),
                now=now,
            )
            person = await service.get_person(db, user_id=user_id)
            settings = settings_of(request)
            base = (
                settings.public_url.rstrip("/")
                if settings.public_url
                else str(request.base_url).rstrip("/")
            )
            return await _staff_page(
                request,
                issued={
                    "name": person.display_name if person else "",
                    "url": f"{base}/welcome/{link.token}",
                    "expires_at": link.expires_at,
                },
            )
        if action in ("deactivate", "reactivate"):
            await service.do_set_active(
                db,
                actor=actor,
                user_id=user_id,
                active=action == "reactivate",
                organisation_id=None,
                events=events,
                now=now,
            )
        elif action == "end-sessions":
            await sessions.do_end_sessions(db, actor=actor, user_id=user_id, events=events, now=now)
        elif action == "reset-second-factor":
            await second_factor.do_reset_totp(
                db, actor=actor, user_id=user_id, organisation_id=None, events=events, now=now
            )
        else:
            from kuulolla.core.errors import BadRequest

            raise BadRequest(N_("Choose what to do."), code="invalid_action")
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field=f"person-{user_id}")
        return await _staff_page(request, problems, status=exc.status)
    return see_other("/admin/staff?done=saved")


ROUTES = [
    Route("/admin/organisations", organisations, methods=["GET"], name="admin_organisations"),
    Route(
        "/admin/organisations",
        create_organisation,
        methods=["POST"],
        name="admin_organisations_create",
    ),
    Route("/admin/staff", staff, methods=["GET"], name="admin_staff"),
    Route("/admin/staff/{user_id:id}/admin", set_admin, methods=["POST"], name="admin_staff_admin"),
    Route(
        "/admin/staff/{user_id:id}/memberships",
        add_membership,
        methods=["POST"],
        name="admin_staff_membership",
    ),
    Route(
        "/admin/staff/{user_id:id}/account",
        account_action,
        methods=["POST"],
        name="admin_staff_account",
    ),
]
