"""A coordinator's pages of their organisation's people: the list, invitations, a
person's page with their roles and trainings, password resets, ending sessions and
second factors. Trainings are in routes_qualifications.py, the organisation's details
in routes_organisation.py, its audit log in routes_audit.py.

Every route declares its permission over the organisation in the path; every route
that names a person or a record also checks that it belongs to that organisation
(``service.access_*``), so one organisation's ids cannot be used through another's
pages.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import (
    labels,
    links,
    organisations,
    permissions,
    second_factor,
    service,
    sessions,
)
from kuulolla.accounts import qualifications as trainings
from kuulolla.accounts.permissions import (
    EDIT_ORGANISATION,
    MANAGE_PEOPLE,
    MANAGE_QUALIFICATIONS,
    VIEW_AUDIT,
    VIEW_PEOPLE,
)
from kuulolla.core.errors import AppError
from kuulolla.web import params  # noqa: F401  (registers the {name:id} path convertor)
from kuulolla.web.access import OrgFrom, requires
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

ORG = OrgFrom.path_slug("slug")


def org_id_of(request: Request) -> int:
    return int(request.state.organisation_id)


def user_id_of(request: Request) -> int:
    try:
        return int(request.path_params["user_id"])
    except ValueError:
        raise service.NotMember() from None


async def org_of(request: Request) -> organisations.OrgInfo:
    org = await organisations.get_organisation_by_id(
        db_of(request), organisation_id=org_id_of(request)
    )
    if org is None:
        raise organisations.OrganisationNotFound()
    return org


def _link_url(request: Request, token: str) -> str:
    settings = settings_of(request)
    base = (
        settings.public_url.rstrip("/")
        if settings.public_url
        else str(request.base_url).rstrip("/")
    )
    return f"{base}/welcome/{token}"


def _can(request: Request, permission: permissions.Permission) -> bool:
    return permissions.allows(me(request), permission, org_id_of(request))


# ------------------------------------------------------------------ people


async def _people_page(
    request: Request,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = db_of(request)
    org = await org_of(request)
    members = await service.list_members(db, organisation_id=org.id)
    return render(
        request,
        "accounts/people.html",
        {
            "org": org,
            "members": members,
            "errors": problems or errors(request),
            "form": form or {},
            "roles": labels.ROLES,
            "role_labels": labels.ROLE_LABELS,
            "can_manage": _can(request, MANAGE_PEOPLE),
            "can_qualifications": _can(request, MANAGE_QUALIFICATIONS),
            "can_edit": _can(request, EDIT_ORGANISATION),
            "can_audit": _can(request, VIEW_AUDIT),
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(VIEW_PEOPLE, org=ORG)
async def people(request: Request) -> Response:
    return await _people_page(request)


@requires(MANAGE_PEOPLE, org=ORG)
async def invite(request: Request) -> Response:
    form = await form_data(request)
    try:
        link = await links.do_invite(
            db_of(request),
            actor=me(request),
            organisation_id=org_id_of(request),
            username=form.get("username", ""),
            display_name=form.get("display_name", ""),
            role=form.get("role", ""),
            settings=settings_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="username")
        return await _people_page(request, problems, form, status=exc.status)
    chat = getattr(request.state, "chat", None)
    if chat is not None:
        chat.staff_names.forget()
    return await _link_page(request, link, form.get("display_name", ""))


async def _link_page(request: Request, link: links.IssuedLink, name: str) -> Response:
    org = await org_of(request)
    return render(
        request,
        "accounts/link_issued.html",
        {"org": org, "url": _link_url(request, link.token), "link": link, "name": name},
    )


async def person_page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    status: int = 200,
    person: service.Person | None = None,
) -> Response:
    db = db_of(request)
    org = await org_of(request)
    person = person or await service.access_member(
        db, organisation_id=org.id, user_id=user_id_of(request)
    )
    now = clock_of(request).now()
    actor = me(request)
    return render(
        request,
        "accounts/person.html",
        {
            "org": org,
            "person": person,
            "role": person.roles.get(org.id),
            "roles": labels.ROLES,
            "role_labels": labels.ROLE_LABELS,
            "records": await trainings.list_person_qualifications(
                db, user_id=person.id, organisation_id=org.id
            ),
            "qualifications": await trainings.list_qualifications(db, organisation_id=org.id),
            "today": now.date(),
            "link": await links.latest_link(db, user_id=person.id, now=now),
            "link_states": labels.LINK_STATES,
            "errors": problems or errors(request),
            "can_manage": _can(request, MANAGE_PEOPLE),
            "can_qualifications": _can(request, MANAGE_QUALIFICATIONS),
            "can_account": permissions.may_manage_account(
                actor,
                target_id=person.id,
                target_roles=person.roles,
                target_is_admin=person.is_admin,
            ),
            "is_me": person.id == actor.user_id,
            "other_orgs": len(person.roles) > 1,
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(VIEW_PEOPLE, org=ORG)
async def person(request: Request) -> Response:
    return await person_page(request)


async def _person_action(
    request: Request, action: Any, done: str, default_field: str = "action"
) -> Response:
    """Check the person belongs to the organisation, run ``action``, redirect back to
    their page with a notice, or show the page again with the error."""
    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=org_id_of(request), user_id=user_id_of(request)
    )
    try:
        await action(member)
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field=default_field)
        return await person_page(request, problems=problems, status=exc.status)
    return see_other(f"{request.url.path.rsplit('/', 1)[0]}?done={done}")


@requires(MANAGE_PEOPLE, org=ORG)
async def change_role(request: Request) -> Response:
    form = await form_data(request)

    async def act(member: service.Person) -> None:
        await service.do_change_role(
            db_of(request),
            actor=me(request),
            organisation_id=org_id_of(request),
            user_id=member.id,
            role=form.get("role", ""),
            events=events_of(request),
            now=clock_of(request).now(),
        )

    return await _person_action(request, act, "role_changed", "role")


@requires(MANAGE_PEOPLE, org=ORG)
async def remove_member(request: Request) -> Response:
    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=org_id_of(request), user_id=user_id_of(request)
    )
    try:
        await service.do_remove_member(
            db,
            actor=me(request),
            organisation_id=org_id_of(request),
            user_id=member.id,
            events=events_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="action")
        return await person_page(request, problems=problems, status=exc.status)
    slug = request.path_params["slug"]
    return see_other(f"/orgs/{slug}/people?done=removed")


def _set_active(active: bool) -> Any:
    @requires(MANAGE_PEOPLE, org=ORG)
    async def endpoint(request: Request) -> Response:
        async def act(member: service.Person) -> None:
            await service.do_set_active(
                db_of(request),
                actor=me(request),
                user_id=member.id,
                active=active,
                organisation_id=org_id_of(request),
                events=events_of(request),
                now=clock_of(request).now(),
            )

        return await _person_action(request, act, "reactivated" if active else "deactivated")

    endpoint.__name__ = "reactivate" if active else "deactivate"
    return endpoint


deactivate = _set_active(False)
reactivate = _set_active(True)


@requires(MANAGE_PEOPLE, org=ORG)
async def reset_link(request: Request) -> Response:
    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=org_id_of(request), user_id=user_id_of(request)
    )
    try:
        link = await links.do_create_reset_link(
            db,
            actor=me(request),
            user_id=member.id,
            organisation_id=org_id_of(request),
            settings=settings_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="action")
        return await person_page(request, problems=problems, status=exc.status)
    return await _link_page(request, link, member.display_name)


@requires(MANAGE_PEOPLE, org=ORG)
async def end_sessions(request: Request) -> Response:
    async def act(member: service.Person) -> None:
        await sessions.do_end_sessions(
            db_of(request),
            actor=me(request),
            user_id=member.id,
            events=events_of(request),
            now=clock_of(request).now(),
            organisation_id=org_id_of(request),
        )

    return await _person_action(request, act, "sessions_ended")


@requires(MANAGE_PEOPLE, org=ORG)
async def reset_second_factor(request: Request) -> Response:
    async def act(member: service.Person) -> None:
        await second_factor.do_reset_totp(
            db_of(request),
            actor=me(request),
            user_id=member.id,
            organisation_id=org_id_of(request),
            events=events_of(request),
            now=clock_of(request).now(),
        )

    return await _person_action(request, act, "second_factor_reset")


P = "/orgs/{slug}/people/{user_id:id}"
ROUTES = [
    Route("/orgs/{slug}/people", people, methods=["GET"], name="people"),
    Route("/orgs/{slug}/people", invite, methods=["POST"], name="people_invite"),
    Route(P, person, methods=["GET"], name="person"),
    Route(f"{P}/role", change_role, methods=["POST"], name="person_role"),
    Route(f"{P}/remove", remove_member, methods=["POST"], name="person_remove"),
    Route(f"{P}/deactivate", deactivate, methods=["POST"], name="person_deactivate"),
    Route(f"{P}/reactivate", reactivate, methods=["POST"], name="person_reactivate"),
    Route(f"{P}/reset-link", reset_link, methods=["POST"], name="person_reset_link"),
    Route(f"{P}/end-sessions", end_sessions, methods=["POST"], name="person_end_sessions"),
    Route(
        f"{P}/reset-second-factor",
        reset_second_factor,
        methods=["POST"],
        name="person_reset_second_factor",
    ),
]
