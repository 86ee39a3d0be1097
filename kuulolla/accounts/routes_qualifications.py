"""A coordinator's pages of their organisation's trainings: the trainings themselves
(created, deleted) and who has completed which until when (recorded and deleted on a
person's page, which routes_people.py shows).

Every route declares its permission over the organisation in the path, and every id
in a path is checked to belong to that organisation.
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import qualifications as trainings
from kuulolla.accounts import service
from kuulolla.accounts.permissions import MANAGE_QUALIFICATIONS
from kuulolla.accounts.routes_people import ORG, P, org_id_of, org_of, person_page, user_id_of
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.web.access import requires
from kuulolla.web.forms import FormErrors, clock_of, db_of, errors, form_data, me, notice, see_other
from kuulolla.web.templating import render


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
            organisation_id=org_id_of(request),
            user_id=member.id,
            qualification_id=qualification_id,
            completed_on=completed,
            expires_on=_date(form.get("expires_on", ""), field="expires_on"),
            now=clock_of(request).now(),
        )

    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=org_id_of(request), user_id=user_id_of(request)
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
        return await person_page(request, problems=problems, status=exc.status)
    return see_other(f"{request.url.path.rsplit('/', 1)[0]}?done=recorded")


@requires(MANAGE_QUALIFICATIONS, org=ORG)
async def delete_qualification_record(request: Request) -> Response:
    db = db_of(request)
    member = await service.access_member(
        db, organisation_id=org_id_of(request), user_id=user_id_of(request)
    )
    try:
        record_id = int(request.path_params["record_id"])
    except ValueError:
        record_id = -1
    await trainings.do_delete_qualification_record(
        db,
        actor=me(request),
        organisation_id=org_id_of(request),
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
    org = await org_of(request)
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
            organisation_id=org_id_of(request),
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
        organisation_id=org_id_of(request),
        qualification_id=qualification_id,
        now=clock_of(request).now(),
    )
    slug = request.path_params["slug"]
    return see_other(f"/orgs/{slug}/qualifications?done=deleted")


ROUTES = [
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
]
