"""Coordinators' room pages: an organisation's group rooms (``/orgs/{slug}/rooms``), a
new room, one room's settings and schedule, closing a room for good; admins' list of
every organisation's rooms (``/admin/rooms``).

Every route needs ``manage_rooms`` in the organisation of the path (admins hold it
everywhere); a room is fetched with a check that it is that organisation's
(rooms/manage.py). A form with problems is shown again with each error by its field
and nothing is stored. Changes reach the running chat servers at once: the room's
settings are dropped from every process's cache and its visitors get the new state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import organisations, qualifications
from kuulolla.accounts.permissions import MANAGE_ORGANISATIONS
from kuulolla.core import i18n, times
from kuulolla.core.clock import HELSINKI
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.rooms import forms, manage
from kuulolla.rooms.logic import MAX_HISTORY_LIMIT
from kuulolla.rooms.permissions import MANAGE_ROOMS
from kuulolla.shifts import describe, room_rosters
from kuulolla.shifts import forms as template_forms
from kuulolla.shifts import templates as shift_templates
from kuulolla.shifts.availability import availability
from kuulolla.web import params  # noqa: F401  (registers the {name:id} path convertor)
from kuulolla.web.access import OrgFrom, requires
from kuulolla.web.forms import (
    FormErrors,
    errors,
    form_data,
    me,
    room_openings_of,
    see_other,
)
from kuulolla.web.templating import render

ORG = OrgFrom.path_slug("slug")

NOTICES = {
    "created": N_("The room is ready. Add its schedule below, or leave it open at all hours."),
    "saved": N_("Saved. Visitors see the changes within half a minute."),
    "scheduled": N_("The schedule is saved and its shifts are on the calendar."),
    "ended": N_("The schedule ends after today."),
    "archived": N_("The room is closed for good."),
}
LINK_MODE_LABELS = {
    "allow": N_("Show links"),
    "hold": N_("Hold messages with links for a moderator"),
    "block": N_("Refuse messages with links"),
}


def _notice(request: Request) -> str | None:
    key = request.query_params.get("done", "")
    return i18n.gettext(request.state.locale, NOTICES[key]) if key in NOTICES else None


def _now(request: Request) -> datetime:
    return request.state.clock.now()


async def _org(request: Request) -> organisations.OrgInfo:
    org = await organisations.get_organisation_by_id(
        request.state.db, organisation_id=int(request.state.organisation_id)
    )
    if org is None:
        raise organisations.OrganisationNotFound()
    return org


def _problems(request: Request, exc: AppError, *, default_field: str) -> FormErrors:
    found = errors(request)
    fields = getattr(exc, "errors", None)
    if isinstance(fields, dict):
        for name, error in fields.items():
            found.add(name, error.translated(request.state.locale))
    else:
        found.add(default_field, exc.translated(request.state.locale))
    return found


def _values(room: manage.ManagedRoom) -> dict[str, str]:
    info, settings = room.info, room.settings
    values = {
        "history_limit": str(info.history_limit),
        "premoderated": "1" if settings.premoderated else "",
        "slow_mode": str(settings.slow_mode),
        "link_mode": settings.link_mode,
        "allowed_links": "\n".join(settings.allowed_links),
        "qualification_id": str(room.qualification_id or ""),
    }
    for loc in forms.LOCALES:
        values[f"name_{loc}"] = info.names.get(loc, "")
        values[f"description_{loc}"] = info.descriptions.get(loc, "")
    return values


NEW_ROOM = {"history_limit": "30", "slow_mode": "0", "link_mode": "hold"}


def _form_context(request: Request) -> dict[str, Any]:
    return {
        "link_modes": LINK_MODE_LABELS,
        "history_choices": forms.HISTORY_CHOICES,
        "history_max": MAX_HISTORY_LIMIT,
        "description_max": forms.MAX_DESCRIPTION_CHARS,
    }


# ------------------------------------------------------------------ list


@requires(MANAGE_ROOMS, org=ORG)
async def rooms_page(request: Request) -> Response:
    org = await _org(request)
    db = request.state.db
    found = await manage.list_managed_rooms(db, organisation_id=org.id)
    openings = room_openings_of(request)
    rows = [
        (
            room,
            availability(
                await openings.get(room.info.id) if room.archived_at is None else None,
                archived=room.archived_at is not None,
            ),
        )
        for room in found
    ]
    return render(
        request,
        "rooms/list.html",
        {"org": org, "rows": rows, "notice": _notice(request)},
    )


@requires(MANAGE_ORGANISATIONS)
async def admin_rooms(request: Request) -> Response:
    """Every organisation's rooms for admins, each linked to its settings page."""
    db = request.state.db
    found = await manage.list_managed_rooms(db, organisation_id=None)
    orgs = {o.id: o for o in await organisations.list_organisations(db)}
    return render(request, "rooms/admin.html", {"rooms": found, "orgs": orgs})


# ------------------------------------------------------------------ new room


async def _new_page(
    request: Request,
    *,
    values: dict[str, str],
    problems: FormErrors | None = None,
    status: int = 200,
) -> Response:
    org = await _org(request)
    quals = await qualifications.list_qualifications(request.state.db, organisation_id=org.id)
    return render(
        request,
        "rooms/new.html",
        {
            **_form_context(request),
            "org": org,
            "values": values,
            "qualifications": quals,
            "errors": problems or errors(request),
        },
        status_code=status,
    )


@requires(MANAGE_ROOMS, org=ORG)
async def new_room(request: Request) -> Response:
    if request.method == "GET":
        return await _new_page(request, values=dict(NEW_ROOM))
    form = await form_data(request)
    db = request.state.db
    org_id = int(request.state.organisation_id)
    quals = await qualifications.list_qualifications(db, organisation_id=org_id)
    try:
        fields = forms.check_room_form(form, qualifications={q.id for q in quals}, new=True)
        slug = await manage.do_create_room(
            db,
            organisation_id=org_id,
            fields=fields,
            actor_id=me(request).user_id,
            now=_now(request),
        )
    except AppError as exc:
        return await _new_page(
            request,
            values=form,
            problems=_problems(request, exc, default_field="slug"),
            status=exc.status,
        )
    return see_other(f"/orgs/{request.path_params['slug']}/rooms/{slug}?done=created#schedule")


# ------------------------------------------------------------------ one room


async def _room_page(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    problems: FormErrors | None = None,
    schedule: dict[str, str] | None = None,
    schedule_days: list[str] | None = None,
    schedule_problems: FormErrors | None = None,
    status: int = 200,
) -> Response:
    org = await _org(request)
    db = request.state.db
    room = await manage.access_room(db, organisation_id=org.id, slug=request.path_params["room"])
    quals = await qualifications.list_qualifications(db, organisation_id=org.id)
    locale = request.state.locale
    today = _now(request).astimezone(HELSINKI).date()
    templates = await room_rosters.list_room_templates(
        db, organisation_id=org.id, room_id=room.info.id
    )
    plans = [
        (
            t,
            describe.describe_template(t, locale),
            describe.describe_rule(t.rule, locale, first=t.valid_from) is not None,
            [times.day_text(d, locale) for d in describe.next_dates(t, today=today)],
            t.valid_until is not None and t.valid_until < today,
        )
        for t in templates
    ]
    state = None
    if room.archived_at is None:
        state = await room_openings_of(request).get(room.info.id)
    return render(
        request,
        "rooms/room.html",
        {
            **_form_context(request),
            "org": org,
            "room": room,
            "opening": availability(state, archived=room.archived_at is not None),
            "values": values if values is not None else _values(room),
            "errors": problems or errors(request),
            "qualifications": quals,
            "plans": plans,
            "schedule": schedule
            or {
                "times": "18–21",
                "repeat": "weekly",
                "interval": "1",
                "volunteers": "1",
                "professionals": "0",
                "valid_from": today.isoformat(),
            },
            "schedule_days": schedule_days or [],
            "schedule_errors": schedule_problems or errors(request),
            "weekdays": template_forms.WEEKDAY_LABELS,
            "intervals": template_forms.INTERVAL_LABELS,
            "positions": template_forms.POSITION_LABELS,
            "signed_up": _signed_up(
                locale,
                await room_rosters.count_signed_up(
                    db, organisation_id=org.id, room_id=room.info.id, now=_now(request)
                )
                if room.archived_at is None
                else 0,
            ),
            "notice": _notice(request),
        },
        status_code=status,
    )


def _signed_up(locale: str, places: int) -> str:
    """What closing the room does to the people signed up for its coming shifts."""
    if not places:
        return ""
    return i18n.ngettext(
        locale,
        "One place on its coming shifts is taken: tell the person it is cancelled.",
        "{n} places on its coming shifts are taken: tell the people they are cancelled.",
        places,
    )


def _tell_servers(request: Request, room: manage.ManagedRoom) -> None:
    """Every process drops the room's cached settings and name, and the visitors in
    it get its new moderation state (moderation/live.py)."""
    chat = getattr(request.state, "chat", None)
    if chat is None:
        return
    chat.rooms.forget(room.info.slug)
    room_openings_of(request).forget(room.info.id)
    live = chat.moderation
    live.forget(room.info.id)
    live.spawn(_announce(live, room))


async def _announce(live: Any, room: manage.ManagedRoom) -> None:
    entry = await live.room(room.info)
    live.to_room(room.info.id, live.room_state(room.info.slug, entry))


@requires(MANAGE_ROOMS, org=ORG)
async def room_page(request: Request) -> Response:
    if request.method == "GET":
        return await _room_page(request)
    db = request.state.db
    org_id = int(request.state.organisation_id)
    slug = request.path_params["room"]
    current = await manage.access_room(db, organisation_id=org_id, slug=slug)
    if current.archived_at is not None:
        return see_other(f"/orgs/{request.path_params['slug']}/rooms/{slug}")
    form = await form_data(request)
    quals = await qualifications.list_qualifications(db, organisation_id=org_id)
    try:
        fields = forms.check_room_form(form, qualifications={q.id for q in quals}, new=False)
        room = await manage.do_update_room(
            db,
            organisation_id=org_id,
            slug=slug,
            fields=fields,
            actor_id=me(request).user_id,
            now=_now(request),
        )
    except AppError as exc:
        return await _room_page(
            request,
            values=form,
            problems=_problems(request, exc, default_field="name_fi"),
            status=exc.status,
        )
    _tell_servers(request, room)
    return see_other(f"/orgs/{request.path_params['slug']}/rooms/{slug}?done=saved")


# ------------------------------------------------------------------ schedule


@requires(MANAGE_ROOMS, org=ORG)
async def add_schedule(request: Request) -> Response:
    db = request.state.db
    org_id = int(request.state.organisation_id)
    slug = request.path_params["room"]
    room = await manage.access_room(db, organisation_id=org_id, slug=slug)
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    days = [v for v in raw.getlist("days") if isinstance(v, str)]
    quals = await qualifications.list_qualifications(db, organisation_id=org_id)
    try:
        if room.archived_at is not None:
            raise manage.RoomNotFound()
        fields = template_forms.check_template_form(
            form,
            days,
            targets=(),
            qualifications={q.id for q in quals},
            target=("room", room.info.id),
        )
        await shift_templates.do_save_template(
            db,
            organisation_id=org_id,
            data=shift_templates.template_input(fields),
            now=_now(request),
        )
    except AppError as exc:
        if isinstance(exc, manage.RoomNotFound):
            raise
        return await _room_page(
            request,
            schedule=form,
            schedule_days=days,
            schedule_problems=_problems(request, exc, default_field="times"),
            status=exc.status,
        )
    room_openings_of(request).forget(room.info.id)
    return see_other(f"/orgs/{request.path_params['slug']}/rooms/{slug}?done=scheduled#schedule")


@requires(MANAGE_ROOMS, org=ORG)
async def end_schedule(request: Request) -> Response:
    db = request.state.db
    org_id = int(request.state.organisation_id)
    slug = request.path_params["room"]
    room = await manage.access_room(db, organisation_id=org_id, slug=slug)
    template_id = request.path_params["template_id"]
    templates = await room_rosters.list_room_templates(
        db, organisation_id=org_id, room_id=room.info.id
    )
    if template_id not in {t.id for t in templates}:
        raise shift_templates.TemplateNotFound()
    now = _now(request)
    await shift_templates.do_end_template(
        db,
        organisation_id=org_id,
        template_id=template_id,
        last_day=now.astimezone(HELSINKI).date(),
        now=now,
    )
    room_openings_of(request).forget(room.info.id)
    return see_other(f"/orgs/{request.path_params['slug']}/rooms/{slug}?done=ended#schedule")


# ------------------------------------------------------------------ archive


@requires(MANAGE_ROOMS, org=ORG)
async def archive_room(request: Request) -> Response:
    db = request.state.db
    org = await _org(request)
    slug = request.path_params["room"]
    room = await manage.access_room(db, organisation_id=org.id, slug=slug)
    if request.method == "POST" and room.archived_at is None:
        await manage.do_archive_room(
            db, organisation_id=org.id, slug=slug, actor_id=me(request).user_id, now=_now(request)
        )
        _tell_servers(request, room)
        return see_other(f"/orgs/{org.slug}/rooms?done=archived")
    return render(
        request,
        "rooms/archive.html",
        {
            "org": org,
            "room": room,
            "signed_up": _signed_up(
                request.state.locale,
                await room_rosters.count_signed_up(
                    db, organisation_id=org.id, room_id=room.info.id, now=_now(request)
                ),
            ),
        },
    )


R = "/orgs/{slug}/rooms"
ROUTES = [
    Route(R, rooms_page, methods=["GET"], name="org_rooms"),
    Route(R + "/new", new_room, methods=["GET", "POST"], name="org_room_new"),
    Route(R + "/{room}", room_page, methods=["GET", "POST"], name="org_room"),
    Route(R + "/{room}/schedule", add_schedule, methods=["POST"], name="org_room_schedule"),
    Route(
        R + "/{room}/schedule/{template_id:id}/end",
        end_schedule,
        methods=["POST"],
        name="org_room_schedule_end",
    ),
    Route(R + "/{room}/archive", archive_room, methods=["GET", "POST"], name="org_room_archive"),
    Route("/admin/rooms", admin_rooms, methods=["GET"], name="admin_rooms"),
]
