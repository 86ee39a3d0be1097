"""The admins' page of the directory: the shared topic vocabulary (names in three
languages, search words, whether it is offered) and the licence and publisher of the
open data. Every route needs ``curate_directory`` (platform admins)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.core.names import check_name
from kuulolla.directory import curation, vocabulary
from kuulolla.directory.permissions import CURATE_DIRECTORY
from kuulolla.web.access import requires
from kuulolla.web.forms import FormErrors, errors, notice, see_other
from kuulolla.web.templating import render

MAX_WORDS = 2000


def _check_topic(form: Any, problems: FormErrors, *, locale: str) -> tuple[dict[str, str], str]:
    names = {}
    for loc in vocabulary.LOCALES:
        value = form.get(f"name_{loc}")
        try:
            names[loc] = check_name(value if isinstance(value, str) else "")
        except AppError as exc:
            problems.add(f"name_{loc}", exc.translated(locale))
    words = form.get("words")
    words = " ".join(words.split()) if isinstance(words, str) else ""
    if len(words) > MAX_WORDS:
        problems.add(
            "words",
            BadRequest(N_("Write at most {max} characters."), max=MAX_WORDS).translated(locale),
        )
    return names, words


async def _page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    values: dict[str, str] | None = None,
    edit: str | None = None,
) -> Response:
    db = request.state.db
    return render(
        request,
        "directory/admin.html",
        {
            "rows": await curation.list_topic_rows(db),
            "platform": await curation.get_platform(db),
            "licences": vocabulary.LICENCES,
            "values": values or {},
            "edit": edit,
            "errors": problems or errors(request),
            "notice": notice(request),
        },
        status_code=400 if problems else 200,
    )


@requires(CURATE_DIRECTORY)
async def admin(request: Request) -> Response:
    return await _page(request)


@requires(CURATE_DIRECTORY)
async def licence(request: Request) -> Response:
    form = await request.form()
    problems = errors(request)
    value = form.get("licence")
    publisher = form.get("publisher")
    publisher = " ".join(publisher.split())[:200] if isinstance(publisher, str) else ""
    try:
        chosen = vocabulary.check_licence(value if isinstance(value, str) else "")
    except AppError as exc:
        problems.add("licence", exc.translated(request.state.locale))
        return await _page(request, problems=problems)
    await curation.do_set_platform(request.state.db, licence=chosen, publisher=publisher)
    return see_other("/admin/directory?done=saved")


@requires(CURATE_DIRECTORY)
async def new_topic(request: Request) -> Response:
    form = await request.form()
    problems = errors(request)
    locale = request.state.locale
    key = form.get("key")
    try:
        key = vocabulary.check_topic_key(key if isinstance(key, str) else "")
    except AppError as exc:
        problems.add("key", exc.translated(locale))
    names, words = _check_topic(form, problems, locale=locale)
    if not problems:
        try:
            await curation.do_save_topic(
                request.state.db, key=str(key), names=names, words=words, active=True, new=True
            )
        except AppError as exc:
            problems.add("key", exc.translated(locale))
    if problems:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return await _page(request, problems=problems, values=values)
    return see_other("/admin/directory?done=created")


@requires(CURATE_DIRECTORY)
async def topic(request: Request) -> Response:
    key = request.path_params["topic"]
    rows = {r.topic.key: r for r in await curation.list_topic_rows(request.state.db)}
    row = rows.get(key)
    if row is None:
        raise curation.TopicNotFound()
    if request.method != "POST":
        values = {f"name_{loc}": row.topic.names.get(loc, "") for loc in vocabulary.LOCALES}
        values["words"] = row.topic.words
        values["active"] = "1" if row.active else ""
        return await _page(request, values=values, edit=key)
    form = await request.form()
    problems = errors(request)
    names, words = _check_topic(form, problems, locale=request.state.locale)
    if problems:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return await _page(request, problems=problems, values=values, edit=key)
    await curation.do_save_topic(
        request.state.db,
        key=key,
        names=names,
        words=words,
        active=form.get("active") == "1",
        new=False,
    )
    return see_other("/admin/directory?done=saved")


ROUTES = [
    Route("/admin/directory", admin, name="admin_directory"),
    Route("/admin/directory/licence", licence, methods=["POST"], name="admin_directory_licence"),
    Route("/admin/directory/topics", new_topic, methods=["POST"], name="admin_directory_topic_new"),
    Route(
        "/admin/directory/topics/{topic}",
        topic,
        methods=["GET", "POST"],
        name="admin_directory_topic",
    ),
]
