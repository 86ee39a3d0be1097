"""A coordinator's pages for their organisation: people and roles, invitations and
password resets, trainings, the organisation's details and its audit log.

Every route declares its permission over the organisation in the path; every route
that names a person or a record also checks that it belongs to that organisation
(``service.access_*``), so one organisation's ids cannot be used through another's
pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import (
    labels,
    links,
    logic,
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
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import LOCALES, N_
from kuulolla.moderation.crisis_help import LABELS as CRISIS_LABELS
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


def _org_id(request: Request) -> int:
    return int(request.state.organisation_id)


def _user_id(request: Request) -> int:
    try:
        return int(request.path_params["user_id"])
    except ValueError:
        raise service.NotMember() from None


async def _org(request: Request) -> organisations.OrgInfo:
    org = await organisations.get_organisation_by_id(
        db_of(request), organisation_id=_org_id(request)
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
    return permissions.allows(me(request), permission, _org_id(request))


# ------------------------------------------------------------------ people


async def _people_page(
    request: Request,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = db_of(request)
    org = await _org(request)
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
            organisation_id=_org_id(request),
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
    org = await _org(request)
    return render(
        request,
        "accounts/link_issued.html",
        {"org": org, "url": _link_url(request, link.token), "link": link, "name": name},
    )


async def _person_page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    status: int = 200,
    person: service.Person | None = None,
) -> Response:
    db = db_of(request)
    org = await _org(request)
    person = person or await service.access_member(
        db, organisation_id=org.id, user_id=_user_id(request)
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
    return await _person_page(request)


async def _person_action(
    request: Request, action: Any, done: str, default_field: str = "action"
) -> Response:
    """Check the person belongs to the organisation, run ``action``, redirect back to
    their page with a notice, or show the page again with the error."""
    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=_org_id(request), user_id=_user_id(request)
    )
    try:
        await action(member)
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field=default_field)
        return await _person_page(request, problems=problems, status=exc.status)
    return see_other(f"{request.url.path.rsplit('/', 1)[0]}?done={done}")


@requires(MANAGE_PEOPLE, org=ORG)
async def change_role(request: Request) -> Response:
    form = await form_data(request)

    async def act(member: service.Person) -> None:
        await service.do_change_role(
            db_of(request),
            actor=me(request),
            organisation_id=_org_id(request),
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
        db, organisation_id=_org_id(request), user_id=_user_id(request)
    )
    try:
        await service.do_remove_member(
            db,
            actor=me(request),
            organisation_id=_org_id(request),
            user_id=member.id,
            events=events_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="action")
        return await _person_page(request, problems=problems, status=exc.status)
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
                organisation_id=_org_id(request),
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
        db, organisation_id=_org_id(request), user_id=_user_id(request)
    )
    try:
        link = await links.do_create_reset_link(
            db,
            actor=me(request),
            user_id=member.id,
            organisation_id=_org_id(request),
            settings=settings_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="action")
        return await _person_page(request, problems=problems, status=exc.status)
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
            organisation_id=_org_id(request),
        )

    return await _person_action(request, act, "sessions_ended")


@requires(MANAGE_PEOPLE, org=ORG)
async def reset_second_factor(request: Request) -> Response:
    async def act(member: service.Person) -> None:
        await second_factor.do_reset_totp(
            db_of(request),
            actor=me(request),
            user_id=member.id,
            organisation_id=_org_id(request),
            events=events_of(request),
            now=clock_of(request).now(),
        )

    return await _person_action(request, act, "second_factor_reset")


# ------------------------------------------------------------------ qualifications


def _date(value: str, *, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            N_("Give the date as year-month-day, for example 2026-03-31."),
            code="invalid_date",
            field=field,
        ) from None


@requires(MANAGE_QUALIFICATIONS, org=ORG)
async def record_qualification(request: Request) -> Response:
    form = await form_data(request)

    async def act(member: service.Person) -> None:
        completed = _date(form.get("completed_on", ""), field="completed_on")
        if completed is None:
            raise BadRequest(N_("Give the date the training was completed."), code="invalid_date")
        try:
            qualification_id = int(form.get("qualification_id", ""))
        except ValueError:
            raise BadRequest(N_("Choose a training."), code="invalid_qualification") from None
        await trainings.do_record_qualification(
            db_of(request),
            actor=me(request),
            organisation_id=_org_id(request),
            user_id=member.id,
            qualification_id=qualification_id,
            completed_on=completed,
            expires_on=_date(form.get("expires_on", ""), field="expires_on"),
            now=clock_of(request).now(),
        )

    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=_org_id(request), user_id=_user_id(request)
    )
    try:
        await act(member)
    except AppError as exc:
        problems = errors(request)
        field = str(exc.params.get("field") or "")
        problems.add(
            field
            or {
                "invalid_qualification": "qualification_id",
                "qualification_not_found": "qualification_id",
            }.get(exc.code, "completed_on"),
            exc.translated(request.state.locale),
        )
        return await _person_page(request, problems=problems, status=exc.status)
    return see_other(f"{request.url.path.rsplit('/', 1)[0]}?done=recorded")


@requires(MANAGE_QUALIFICATIONS, org=ORG)
async def delete_qualification_record(request: Request) -> Response:
    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=_org_id(request), user_id=_user_id(request)
    )
    try:
        record_id = int(request.path_params["record_id"])
    except ValueError:
        record_id = -1
    await trainings.do_delete_qualification_record(
        db,
        actor=me(request),
        organisation_id=_org_id(request),
        user_id=member.id,
        record_id=record_id,
        now=clock_of(request).now(),
    )
    slug = request.path_params["slug"]
    return see_other(f"/orgs/{slug}/people/{member.id}?done=deleted")


async def _qualifications_page(
    request: Request,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    org = await _org(request)
    return render(
        request,
        "accounts/qualifications.html",
        {
            "org": org,
            "qualifications": await trainings.list_qualifications(
                db_of(request), organisation_id=org.id
            ),
            "errors": problems or errors(request),
            "form": form or {},
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(MANAGE_QUALIFICATIONS, org=ORG)
async def qualifications(request: Request) -> Response:
    return await _qualifications_page(request)


@requires(MANAGE_QUALIFICATIONS, org=ORG)
async def create_qualification(request: Request) -> Response:
    form = await form_data(request)
    problems = errors(request)
    raw = form.get("valid_months", "").strip()
    try:
        months = int(raw) if raw else None
    except ValueError:
        problems.add("valid_months", _months_error(request))
        return await _qualifications_page(request, problems, form, status=400)
    try:
        await trainings.do_create_qualification(
            db_of(request),
            actor=me(request),
            organisation_id=_org_id(request),
            name=form.get("name", ""),
            valid_months=months,
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems.add_error(exc, default_field="name")
        return await _qualifications_page(request, problems, form, status=exc.status)
    return see_other(f"{request.url.path}?done=created")


def _months_error(request: Request) -> str:
    from kuulolla.core import i18n

    return i18n.gettext(
        request.state.locale, N_("Validity must be 1–240 months, or empty when it does not expire.")
    )


@requires(MANAGE_QUALIFICATIONS, org=ORG)
async def delete_qualification(request: Request) -> Response:
    try:
        qualification_id = int(request.path_params["qualification_id"])
    except ValueError:
        qualification_id = -1
    await trainings.do_delete_qualification(
        db_of(request),
        actor=me(request),
        organisation_id=_org_id(request),
        qualification_id=qualification_id,
        now=clock_of(request).now(),
    )
    slug = request.path_params["slug"]
    return see_other(f"/orgs/{slug}/qualifications?done=deleted")


# ------------------------------------------------------------------ organisation


CRISIS_ROWS_EXTRA = 2


def _crisis_rows(form: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    index = 0
    while f"crisis-{index}-number" in form and index < 50:
        rows.append(
            {
                "number": form.get(f"crisis-{index}-number", ""),
                "name": {loc: form.get(f"crisis-{index}-name-{loc}", "") for loc in LOCALES},
                "description": {
                    loc: form.get(f"crisis-{index}-description-{loc}", "") for loc in LOCALES
                },
                "categories": [
                    c for c in logic.CRISIS_CATEGORIES if form.get(f"crisis-{index}-for-{c}")
                ],
            }
        )
        index += 1
    return rows


async def _settings_page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    org = await _org(request)
    if values is None:
        values = {
            "name": org.name,
            "contact": org.contact,
            "require_totp": org.require_totp,
            "crisis_numbers": org.crisis_numbers,
        }
    empty = {"number": "", "name": {}, "description": {}}
    rows = list(values["crisis_numbers"]) + [empty] * CRISIS_ROWS_EXTRA
    return render(
        request,
        "accounts/org_settings.html",
        {
            "org": org,
            "values": values,
            "rows": rows,
            "rules": labels.TOTP_RULES,
            "crisis_kinds": CRISIS_LABELS,
            "errors": problems or errors(request),
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(EDIT_ORGANISATION, org=ORG)
async def organisation_settings(request: Request) -> Response:
    if request.method == "GET":
        return await _settings_page(request)
    form = await form_data(request)
    values: dict[str, Any] = {
        "name": form.get("name", ""),
        "contact": form.get("contact", ""),
        "require_totp": form.get("require_totp", ""),
        "crisis_numbers": [
            r
            for r in _crisis_rows(form)
            if r["number"].strip() or any(v.strip() for v in r["name"].values())
        ],
    }
    try:
        await organisations.do_update_organisation(
            db_of(request),
            actor=me(request),
            organisation_id=_org_id(request),
            name=values["name"],
            contact=values["contact"],
            crisis_numbers=values["crisis_numbers"],
            require_totp=values["require_totp"],
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="name")
        return await _settings_page(request, problems=problems, values=values, status=exc.status)
    chat = getattr(request.state, "chat", None)
    if chat is not None:  # crisis numbers are part of every room's screening policy
        chat.moderation.words_changed(_org_id(request))
    return see_other(f"{request.url.path}?done=saved")


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
    Route(
        f"{P}/qualifications", record_qualification, methods=["POST"], name="person_qualification"
    ),
    Route(
        f"{P}/qualifications/{{record_id:id}}/delete",
        delete_qualification_record,
        methods=["POST"],
        name="person_qualification_delete",
    ),
    Route("/orgs/{slug}/qualifications", qualifications, methods=["GET"], name="qualifications"),
    Route(
        "/orgs/{slug}/qualifications",
        create_qualification,
        methods=["POST"],
        name="qualifications_create",
    ),
    Route(
        "/orgs/{slug}/qualifications/{qualification_id:id}/delete",
        delete_qualification,
        methods=["POST"],
        name="qualification_delete",
    ),
    Route(
        "/orgs/{slug}/settings",
        organisation_settings,
        methods=["GET", "POST"],
        name="organisation_settings",
    ),
]
