"""The coordinators' import page: an organisation's services from a JSON or CSV file
(docs/operations.md, "Service directory open data"), first as a plan of what would
change, then, confirmed, applied. Needs ``manage_directory`` in the organisation of
the path; the file is for that organisation only.
"""

from __future__ import annotations

import re

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.core import i18n
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.directory import importing, planning
from kuulolla.directory.permissions import MANAGE_DIRECTORY
from kuulolla.directory.routes_manage import ORG, page
from kuulolla.web.access import principal_of, requires
from kuulolla.web.forms import FormErrors, errors

MAX_IMPORT_BYTES = 4 * 1024 * 1024
# The one page that takes a file: the body limit (web/bodies.py) lets its uploads and
# the confirming form that carries the file's text again be this large.
UPLOADS = ((re.compile(r"/orgs/[a-z0-9-]+/directory/import"), MAX_IMPORT_BYTES + 64 * 1024),)


async def _import_page(
    request: Request,
    *,
    result: planning.Plan | None = None,
    content: str = "",
    applied: bool = False,
    remove_missing: bool = False,
    problems: FormErrors | None = None,
) -> Response:
    locale = request.state.locale
    return await page(
        request,
        "import.html",
        {
            "result": result,
            "content": content,
            "applied": applied,
            "remove_missing": remove_missing,
            "field_labels": _field_labels(locale),
            "translated": lambda e: e.translated(locale),
        },
        problems=problems,
    )


def _field_labels(locale: str) -> dict[str, str]:
    labels = {
        "kind": N_("kind"),
        "names": N_("name"),
        "summaries": N_("summary"),
        "descriptions": N_("description"),
        "topics": N_("topics"),
        "ages": N_("age groups"),
        "relatives": N_("relatives"),
        "languages": N_("languages"),
        "nationwide": N_("whole country"),
        "areas": N_("area"),
        "online": N_("by phone or online"),
        "address": N_("address"),
        "hours": N_("opening hours"),
        "hours_notes": N_("note on opening hours"),
        "contact": N_("contact details"),
        "free": N_("free of charge"),
        "costs": N_("cost"),
        "accessibility": N_("accessibility"),
        "crisis": N_("crisis service"),
        "published": N_("published"),
        "checked": N_("checked"),
    }
    return {k: i18n.gettext(locale, v) for k, v in labels.items()}


@requires(MANAGE_DIRECTORY, org=ORG)
async def import_page(request: Request) -> Response:
    if request.method != "POST":
        return await _import_page(request)
    if int(request.headers.get("content-length") or 0) > MAX_IMPORT_BYTES:
        raise BadRequest(N_("The file is too large: at most 4 MB."), code="too_long")
    # The form is closed (its temporary files deleted) as soon as it has been read.
    async with request.form() as form:
        upload = form.get("file")
        data = b""
        if isinstance(upload, UploadFile):
            data = await upload.read(MAX_IMPORT_BYTES + 1)
        if not data.strip():
            pasted = form.get("content")
            data = pasted.encode("utf-8") if isinstance(pasted, str) else b""
        apply = form.get("apply") == "1"
        remove_missing = form.get("remove_missing") == "1"
    if not data.strip() or len(data) > MAX_IMPORT_BYTES:
        problems = errors(request)
        problems.add(
            "file",
            i18n.gettext(request.state.locale, N_("Choose a JSON or CSV file of at most 4 MB.")),
        )
        return await _import_page(request, problems=problems)
    try:
        result = await importing.do_import(
            request.state.db,
            data=data,
            now=request.state.clock.now(),
            actor_id=principal_of(request).user_id,
            organisation=request.path_params["slug"],
            dry_run=not apply,
            remove_missing=remove_missing,
        )
    except AppError as exc:
        problems = errors(request)
        problems.add("file", exc.translated(request.state.locale))
        return await _import_page(request, problems=problems)
    return await _import_page(
        request,
        result=result,
        content=data.decode("utf-8-sig", errors="replace") if not apply else "",
        applied=apply,
        remove_missing=remove_missing,
    )


ROUTES = [
    Route(
        "/orgs/{slug}/directory/import",
        import_page,
        methods=["GET", "POST"],
        name="directory_import",
    ),
]
