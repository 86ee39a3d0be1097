"""The chat on an organisation's own site.

Coordinators list the sites (origins) allowed to embed their organisation's queue topics
and rooms, and copy a snippet: a script that puts the chat in a frame or opens it in a
new window (``/embed.js``), or a plain ``<iframe>`` or link for sites that allow no
scripts.

The embedded pages (``/embed/chat/<topic>``, ``/embed/rooms/<slug>``) are the same
pages as ``/chat/<topic>`` and ``/rooms/<slug>``, rendered in the frame's layout
(templates/embed/base.html), with ``Content-Security-Policy: frame-ancestors`` naming
exactly the organisation's allowed sites; every other page keeps ``frame-ancestors
'none'``. The chat in the frame needs no cookie: the visitor's token stays in the
frame's own session storage, and its requests pass the CSRF check on the browser's
``Sec-Fetch-Site: same-origin`` (web/access.py). Its quick exit replaces the
whole window with the neutral site, not just the frame (static/js/exit.js).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts.organisations import OrganisationNotFound, get_organisation_by_id
from kuulolla.core import i18n
from kuulolla.core.errors import AppError, NotFound
from kuulolla.core.i18n import N_
from kuulolla.embed import logic, service
from kuulolla.embed.permissions import MANAGE_EMBEDDING
from kuulolla.queue import routes as queue_routes
from kuulolla.queue import topics as queue_topics
from kuulolla.rooms import service as rooms
from kuulolla.web import (
    pages,
    params,  # noqa: F401  (registers the "id" path convertor)
    seo,
)
from kuulolla.web.access import OrgFrom, public, requires
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
from kuulolla.web.security import content_security_policy
from kuulolla.web.templating import render

ORG = OrgFrom.path_slug("slug")
SCRIPT = Path(__file__).resolve().parent.parent / "web" / "static" / "js" / "embed.js"
FRAME_HEIGHT = 640
OPEN_CHAT = N_("Open the chat: {name}")

# ------------------------------------------------------------------ embedded pages


async def _embedded(
    request: Request, organisation_id: int, page: Callable[[Request], Awaitable[Response]]
) -> Response:
    """``page`` in the frame's layout, framable by the organisation's allowed sites."""
    request.state.embedded = True
    response = await page(request)
    sites = await service.list_origins(request.state.db, organisation_id=organisation_id)
    response.headers["content-security-policy"] = content_security_policy(
        logic.frame_ancestors(site.origin for site in sites)
    )
    return response


@public
async def embedded_topic(request: Request) -> Response:
    topic = await queue_topics.get_topic_or_raise(
        request.state.db, slug=request.path_params["topic"]
    )
    return await _embedded(request, topic.organisation_id, queue_routes.topic_page)


@public
async def embedded_room(request: Request) -> Response:
    found = await rooms.get_room(request.state.db, slug=request.path_params["slug"])
    if found is None or found.kind != "group":
        raise NotFound(N_("There is no such room."), code="room_not_found")
    return await _embedded(request, found.organisation_id, pages.room)


@public
async def embed_script(request: Request) -> Response:
    """The script of the one-line snippet. Sites on any origin load it, so it is served
    to other origins (``Cross-Origin-Resource-Policy: cross-origin``); it reads nothing
    of the page it is on but its own attributes."""
    return Response(
        SCRIPT.read_bytes(),
        media_type="text/javascript",
        headers={
            "cross-origin-resource-policy": "cross-origin",
            "cache-control": "public, max-age=3600",
        },
    )


# ------------------------------------------------------------------ the coordinator's page


@dataclass(frozen=True, slots=True)
class Snippets:
    """What a coordinator copies to put one queue topic or room on a site."""

    kind: str  # "chat" (a queue topic) or "room"
    slug: str
    name: str
    frame: str
    window: str
    iframe: str
    link: str
    preview: str


def snippets(*, base: str, kind: str, slug: str, name: str, lang: str) -> Snippets:
    """The snippets for a queue topic (``kind`` "chat") or a room, in ``lang``."""
    page = f"/chat/{slug}" if kind == "chat" else f"/rooms/{slug}"
    embedded = f"{base}/embed{'/chat' if kind == 'chat' else '/rooms'}/{slug}?lang={lang}"
    label = escape(i18n.gettext(lang, OPEN_CHAT, name=name))
    title = escape(f"{name} – Kuulolla")
    script = f'<script src="{base}/embed.js" data-{kind}="{slug}" data-lang="{lang}"'
    return Snippets(
        kind=kind,
        slug=slug,
        name=name,
        frame=f"{script} async></script>",
        window=f'{script} data-open="window" data-label="{label}" async></script>',
        iframe=(
            f'<iframe src="{embedded}" title="{title}" width="100%" height="{FRAME_HEIGHT}"'
            ' style="border:0" referrerpolicy="no-referrer"></iframe>'
        ),
        link=f'<a href="{base}{page}?lang={lang}" target="_blank" rel="noopener">{label}</a>',
        preview=embedded.removeprefix(base),
    )


async def _page(
    request: Request,
    *,
    problems: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    db = db_of(request)
    org = await get_organisation_by_id(db, organisation_id=int(request.state.organisation_id))
    if org is None:
        raise OrganisationNotFound()
    locale: str = request.state.locale
    base = seo.base_url(request)
    targets: list[Snippets] = [
        snippets(base=base, kind="chat", slug=t.slug, name=t.name(locale), lang=locale)
        for t in await queue_topics.list_topics(db)
        if t.organisation_id == org.id and t.active
    ]
    targets += [
        snippets(base=base, kind="room", slug=r.slug, name=r.name(locale), lang=locale)
        for r in await rooms.list_rooms(db)
        if r.organisation_id == org.id and r.open and r.kind == "group"
    ]
    return render(
        request,
        "embed/manage.html",
        {
            "org": org,
            "sites": await service.list_origins(db, organisation_id=org.id),
            "targets": targets,
            "max_sites": logic.MAX_ORIGINS,
            "height": FRAME_HEIGHT,
            "errors": problems or errors(request),
            "form": form or {},
            "notice": notice(request),
        },
        status_code=status,
    )


@requires(MANAGE_EMBEDDING, org=ORG)
async def settings_page(request: Request) -> Response:
    return await _page(request)


@requires(MANAGE_EMBEDDING, org=ORG)
async def add_site(request: Request) -> Response:
    form = await form_data(request)
    try:
        await service.do_add_origin(
            db_of(request),
            organisation_id=int(request.state.organisation_id),
            text=form.get("origin", ""),
            actor_id=me(request).user_id,
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add("origin", exc.translated(problems.locale))
        return await _page(request, problems=problems, form=form, status=exc.status)
    return see_other(f"{request.url.path}?done=saved")


@requires(MANAGE_EMBEDDING, org=ORG)
async def remove_site(request: Request) -> Response:
    await form_data(request)
    await service.do_remove_origin(
        db_of(request),
        organisation_id=int(request.state.organisation_id),
        origin_id=int(request.path_params["site_id"]),
        actor_id=me(request).user_id,
        now=clock_of(request).now(),
    )
    return see_other(f"/orgs/{request.path_params['slug']}/embed?done=deleted")


ROUTES = [
    Route("/embed.js", embed_script, name="embed_script"),
    Route("/embed/chat/{topic}", embedded_topic, name="embed_topic"),
    Route("/embed/rooms/{slug}", embedded_room, name="embed_room"),
    Route("/orgs/{slug}/embed", settings_page, methods=["GET"], name="embed_settings"),
    Route("/orgs/{slug}/embed", add_site, methods=["POST"], name="embed_site_add"),
    Route(
        "/orgs/{slug}/embed/{site_id:id}/remove",
        remove_site,
        methods=["POST"],
        name="embed_site_remove",
    ),
]
