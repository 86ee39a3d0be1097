"""A coordinator's moderation pages for their organisation: the audit log of moderator
actions (filtered by room, action and dates, a page at a time) and the word list
(masked, held and refused words, with the base forms they match).

Both pages are the organisation's in the path; word-list changes are audited by the
service and reach the running servers at once (moderation/live.py:
``LiveModeration.words_changed``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.organisations import OrganisationNotFound, OrgInfo, get_organisation_by_id
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.moderation import audit, service
from kuulolla.moderation.logic import describe_phrase
from kuulolla.moderation.permissions import MANAGE_WORD_LISTS, VIEW_MODERATION_AUDIT
from kuulolla.rooms.service import RoomInfo, list_rooms
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import (
    FormErrors,
    clock_of,
    db_of,
    errors,
    form_data,
    me,
    notice,
    see_other,
)
from kuulolla.web.templating import render

ORG = OrgFrom.path_slug("slug")

WORD_ACTIONS = ("mask", "hold", "refuse")
WORD_ACTION_LABELS = {
    "mask": N_("Mask the word"),
    "hold": N_("Hold the message for a moderator"),
    "refuse": N_("Refuse the message"),
}
# Error codes of the forms → the field they belong to.
AUDIT_FIELDS = {
    "bad_audit_room": "room",
    "bad_audit_action": "action",
    "bad_audit_from": "from",
    "bad_audit_to": "to",
    "bad_audit_page": "page",
}
WORD_FIELDS = {"bad_word": "phrase", "bad_word_action": "action"}


async def _org(request: Request) -> OrgInfo:
    org = await get_organisation_by_id(
        db_of(request), organisation_id=int(request.state.organisation_id)
    )
    if org is None:
        raise OrganisationNotFound()
    return org


async def _rooms(request: Request, organisation_id: int) -> dict[int, RoomInfo]:
    return {
        r.id: r for r in await list_rooms(db_of(request)) if r.organisation_id == organisation_id
    }


# ------------------------------------------------------------------ audit log


@requires(VIEW_MODERATION_AUDIT, org=ORG)
async def audit_log(request: Request) -> Response:
    org = await _org(request)
    rooms = await _rooms(request, org.id)
    params = {k: v for k, v in request.query_params.items()}
    problems = errors(request)
    query: audit.AuditQuery | None = None
    try:
        query = audit.check_query(params, rooms=rooms)
    except AppError as exc:
        problems.add(AUDIT_FIELDS.get(exc.code, "room"), exc.translated(problems.locale))
    entries: list[service.AuditView] = []
    newer = older = None
    if query is not None:
        entries, more = await service.find_audit(
            db_of(request), organisation_id=org.id, query=query
        )
        base = request.url.path
        if query.page > 1:
            newer = f"{base}?{urlencode(query.params(page=query.page - 1))}"
        if more:
            older = f"{base}?{urlencode(query.params(page=query.page + 1))}"

    return render(
        request,
        "moderation/audit.html",
        {
            "org": org,
            "rooms": sorted(rooms.values(), key=lambda r: r.name(request.state.locale)),
            "room_by_id": rooms,
            "groups": audit.ACTION_GROUPS,
            "label": audit.action_label,
            "target": lambda entry: audit.target_text(
                entry.action, entry.target, request.state.locale
            ),
            "duration": lambda entry: audit.duration_words(
                entry.action, entry.seconds, entry.reason, request.state.locale
            ),
            "reason": lambda entry: audit.reason_words(
                entry.action, entry.preset, entry.reason, request.state.locale
            ),
            "entries": entries,
            "query": query,
            "form": params,
            "errors": problems,
            "newer": newer,
            "older": older,
            "filtered": bool(
                query and (query.room_id or query.action or query.first or query.last)
            ),
        },
        status_code=400 if problems else 200,
    )


# ------------------------------------------------------------------ word list


async def _words_page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    org = await _org(request)
    words = await service.get_word_list(db_of(request), organisation_id=org.id)
    form = form or {}
    preview = None
    if problems and form.get("phrase", "").strip() and not problems.get("phrase"):
        preview = describe_phrase(" ".join(form["phrase"].casefold().split()))
    return render(
        request,
        "moderation/words.html",
        {
            "org": org,
            "words": [(phrase, action, describe_phrase(phrase)) for phrase, action in words],
            "actions": WORD_ACTIONS,
            "action_labels": WORD_ACTION_LABELS,
            "errors": problems or errors(request),
            "form": form,
            "preview": preview,
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(MANAGE_WORD_LISTS, org=ORG)
async def words(request: Request) -> Response:
    return await _words_page(request)


def _tell_servers(request: Request, organisation_id: int) -> None:
    chat = getattr(request.state, "chat", None)
    if chat is not None:
        chat.moderation.words_changed(organisation_id)


@requires(MANAGE_WORD_LISTS, org=ORG)
async def set_word(request: Request) -> Response:
    form = await form_data(request)
    organisation_id = int(request.state.organisation_id)
    try:
        await service.do_set_word(
            db_of(request),
            organisation_id=organisation_id,
            phrase=form.get("phrase", ""),
            action=form.get("action", ""),
            actor_id=me(request).user_id,
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add(WORD_FIELDS.get(exc.code, "phrase"), exc.translated(problems.locale))
        return await _words_page(request, problems=problems, form=form, status=exc.status)
    _tell_servers(request, organisation_id)
    return see_other(f"{request.url.path}?done=saved")


@requires(MANAGE_WORD_LISTS, org=ORG)
async def remove_word(request: Request) -> Response:
    form = await form_data(request)
    organisation_id = int(request.state.organisation_id)
    removed = await service.do_remove_word(
        db_of(request),
        organisation_id=organisation_id,
        phrase=form.get("phrase", ""),
        actor_id=me(request).user_id,
        now=clock_of(request).now(),
    )
    if removed:
        _tell_servers(request, organisation_id)
    base = request.url.path.removesuffix("/remove")
    return see_other(f"{base}?done={'deleted' if removed else 'word_missing'}")


ROUTES = [
    Route("/orgs/{slug}/moderation/audit", audit_log, methods=["GET"], name="moderation_audit"),
    Route("/orgs/{slug}/moderation/words", words, methods=["GET"], name="moderation_words"),
    Route("/orgs/{slug}/moderation/words", set_word, methods=["POST"], name="moderation_words_set"),
    Route(
        "/orgs/{slug}/moderation/words/remove",
        remove_word,
        methods=["POST"],
        name="moderation_words_remove",
    ),
]
