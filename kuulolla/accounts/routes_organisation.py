"""A coordinator's page of their organisation's details: its name, contact details,
crisis numbers and the second-factor rule.

The route declares its permission over the organisation in the path.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import labels, logic, organisations
from kuulolla.accounts.permissions import EDIT_ORGANISATION
from kuulolla.accounts.routes_people import ORG, org_id_of, org_of
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import LOCALES
from kuulolla.moderation.crisis_help import LABELS as CRISIS_LABELS
from kuulolla.web.access import requires
from kuulolla.web.forms import FormErrors, clock_of, db_of, errors, form_data, me, notice, see_other
from kuulolla.web.templating import render

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
    org = await org_of(request)
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
            organisation_id=org_id_of(request),
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
        chat.moderation.words_changed(org_id_of(request))
    return see_other(f"{request.url.path}?done=saved")


ROUTES = [
    Route(
        "/orgs/{slug}/settings",
        organisation_settings,
        methods=["GET", "POST"],
        name="organisation_settings",
    ),
]
