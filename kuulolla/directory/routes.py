"""Visitors' pages of the directory and its open data.

``/directory`` finds services by region, topic and the visitor's own words, with "open
now" and "online" filters; nothing of the search is stored (the page keeps the chosen
region in the tab's sessionStorage only, static/js/directory.js). ``/directory/<org>/
<key>`` shows one service. ``/directory/open-data`` says what the files hold and under
which licence; ``services.json`` and ``services.csv`` are the files, with an ETag so
other sites can poll cheaply and a CORS header so their pages may read the JSON.
``/directory/search.json`` answers the helpers' referral search in conversations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from kuulolla.core import i18n
from kuulolla.core.clock import HELSINKI, utcnow
from kuulolla.core.i18n import N_
from kuulolla.directory import (
    curation,
    finding,
    hours_words,
    importing,
    listing,
    opendata,
    regions,
    service,
    vocabulary,
)
from kuulolla.directory import hours as hours_mod
from kuulolla.web import seo
from kuulolla.web.access import public
from kuulolla.web.templating import render

PAGE_SIZE = 20
DIRECTORY_DESCRIPTION = N_(
    "Peer groups, helplines, chats and meeting places of Finnish organisations, by "
    "municipality, wellbeing services county and topic."
)
OPEN_DATA_DESCRIPTION = N_(
    "The service directory as open data: every published service in JSON and CSV, with "
    "its licence and format."
)
SEARCH_JSON_LIMIT = 8


def _labels(locale: str, mapping: dict[str, str]) -> dict[str, str]:
    return {key: i18n.gettext(locale, value) for key, value in mapping.items()}


def _page(params: Mapping[str, str]) -> int:
    try:
        return max(1, min(200, int(params.get("page", "1"))))
    except ValueError:
        return 1


def filters_of(params: Mapping[str, str], topics: list[vocabulary.Topic]) -> finding.Filters:
    """The filters in a query string, or in the search form's body."""
    # The referral picker sends a place as typed ("Tampere"); the page sends a code.
    region = params.get("region") or regions.lookup(params.get("place") or "") or ""
    return finding.check_filters(
        query=params.get("q"),
        region=region,
        topic=params.get("topic"),
        kind=params.get("kind"),
        open_now=params.get("open") == "1",
        online=params.get("online") == "1",
        topics=[t.key for t in topics],
    )


def common(request: Request, topics: list[vocabulary.Topic]) -> dict[str, Any]:
    """What every directory page's template uses to say things in the reader's language."""
    locale = request.state.locale
    now = request.state.clock.now()
    return {
        "now": now,
        "status_text": lambda state: hours_words.status_text(state, now, locale),
        "kinds": _labels(locale, vocabulary.KINDS),
        "age_groups": _labels(locale, vocabulary.AGE_GROUPS),
        "languages": _labels(locale, vocabulary.LANGUAGES),
        "topic_names": {t.key: t.name(locale) for t in topics},
        "region_name": lambda code: regions.name_of(code, locale),
        "describe_hours": lambda h: hours_words.describe(h, locale),
        "localized": lambda values: finding.localized(values, locale),
        "helsinki": HELSINKI,
    }


# What the directory's address may keep: a region, topic and kind are public lists
# (indexable); the visitor's own words are not.
LIST_PARAMS = ("region", "place", "topic", "kind", "open", "online", "page", "lang")


@public
async def directory(request: Request) -> Response:
    """The directory by region, topic and kind. An old address with ``?q=`` is sent to
    the same list without the words."""
    if "q" in request.query_params:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k in LIST_PARAMS]
        return RedirectResponse("/directory" + (f"?{urlencode(kept)}" if kept else ""), 303)
    topics = await curation.list_topics(request.state.db)
    return await _directory_view(request, topics, filters_of(request.query_params, topics))


@public
async def directory_search(request: Request) -> Response:
    """The search form, sent in a POST. With words, the results are this POST's answer,
    at ``/directory`` with nothing of the words in the address, the history or the
    title (search.js keeps Back from sending them again). Without words the choices are
    a public list: sent on to its address."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    topics = await curation.list_topics(request.state.db)
    filters = filters_of(form, topics)
    if not filters.query:
        kept = [
            (k, v) for k, v in form.items() if k in LIST_PARAMS and k not in ("page", "lang") and v
        ]
        return RedirectResponse("/directory" + (f"?{urlencode(kept)}" if kept else ""), 303)
    return await _directory_view(request, topics, filters, form=form)


async def _directory_view(
    request: Request,
    topics: list[vocabulary.Topic],
    filters: finding.Filters,
    *,
    form: Mapping[str, str] | None = None,
) -> Response:
    db = request.state.db
    now = request.state.clock.now()
    page = _page(form if form is not None else request.query_params)
    results = await listing.find_services(
        db, filters=filters, now=now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    crisis = await listing.crisis_services(db, region=filters.region, now=now)
    # Another page of a list is a link; of a search in words, the same form sent again.
    kept = request.query_params.multi_items() if form is None else [(k, v) for k, v in form.items()]
    return render(
        request,
        "directory/index.html",
        {
            **common(request, topics),
            "seo": _list_meta(request, filters, page),
            "filters": filters,
            "results": results,
            "crisis": crisis,
            "page": page,
            "pages": max(1, -(-results.total // PAGE_SIZE)),
            "topics": topics,
            "region_choices": regions.choices(request.state.locale),
            "posted": form is not None,
            "query_without_page": [
                (k, v) for k, v in kept if k not in ("page", "lang", "csrf_token")
            ],
        },
    )


@public
async def service_page(request: Request) -> Response:
    db = request.state.db
    now = request.state.clock.now()
    view = await service.get_public_service_or_raise(
        db,
        organisation_slug=request.path_params["slug"],
        key=request.path_params["service"],
        now=now,
    )
    topics = await curation.list_topics(db, active_only=False)
    state = hours_mod.status(view.fields.hours, now)
    return render(
        request,
        "directory/service.html",
        {
            **common(request, topics),
            "seo": _service_meta(request, view),
            "s": view,
            "f": view.fields,
            "status": state,
            "next_dates": hours_mod.next_dates(view.fields.hours, now)
            if hours_words.needs_dates(view.fields.hours)
            else [],
        },
    )


# ------------------------------------------------------------------ open data


async def _document(request: Request) -> dict[str, Any]:
    return await importing.document(
        request.state.db,
        now=request.state.clock.now(),
        base_url=(request.app.state.settings.public_url or str(request.base_url)).rstrip("/"),
        organisation=request.query_params.get("organisation") or None,
    )


def _cached(request: Request, body: bytes, media_type: str, *, download: str | None) -> Response:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "etag": etag,
        # Public data, the same for everyone: caches may keep it briefly and must ask
        # again after that (the ETag makes asking cheap).
        "cache-control": "public, max-age=300, must-revalidate",
        "access-control-allow-origin": "*",
        "access-control-expose-headers": "ETag",
    }
    if download:
        headers["content-disposition"] = f'attachment; filename="{download}"'
    wanted = request.headers.get("if-none-match", "")
    if etag in [tag.strip() for tag in wanted.split(",")] or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@public
async def feed_json(request: Request) -> Response:
    doc = await _document(request)
    download = "kuulolla-palvelut.json" if request.query_params.get("download") else None
    return _cached(request, opendata.to_json(doc), "application/json", download=download)


@public
async def feed_csv(request: Request) -> Response:
    doc = await _document(request)
    body = opendata.to_csv(doc["services"]).encode("utf-8")
    return _cached(request, body, "text/csv; charset=utf-8", download="kuulolla-palvelut.csv")


@public
async def open_data(request: Request) -> Response:
    db = request.state.db
    platform = await curation.get_platform(db)
    topics = await curation.list_topics(db)
    views = await listing.published(db, now=request.state.clock.now())
    return render(
        request,
        "directory/open_data.html",
        {
            **common(request, topics),
            "platform": platform,
            "count": len(views),
            "columns": opendata.CSV_COLUMNS,
            "topics": topics,
            "seo": seo.indexable(
                request, description=i18n.gettext(request.state.locale, OPEN_DATA_DESCRIPTION)
            ),
        },
    )


# ------------------------------------------------------------------ helpers' search


def card_json(view: service.ServiceView, *, now: Any, locale: str) -> dict[str, Any]:
    """A search result for the referral picker: enough to choose, in the reader's language."""
    state = hours_mod.status(view.fields.hours, now)
    return {
        "service": f"{view.organisation_slug}/{view.key}",
        "name": view.name(locale),
        "organisation": view.organisation_name,
        "kind": i18n.gettext(locale, vocabulary.KINDS[view.fields.kind]),
        "when": hours_words.describe(view.fields.hours, locale),
        "open": state.open,
        "place": ", ".join(regions.name_of(c, locale) for c in view.fields.area_codes[:3]),
        "path": view.path,
    }


@public
async def search_json(request: Request) -> Response:
    """Services for the referral picker in a conversation (public data, no state)."""
    db = request.state.db
    now = request.state.clock.now()
    topics = await curation.list_topics(db)
    filters = filters_of(request.query_params, topics)
    results = await listing.find_services(db, filters=filters, now=now, limit=SEARCH_JSON_LIMIT)
    locale = request.state.locale
    return JSONResponse(
        {
            "total": results.total,
            "services": [card_json(f.service, now=now, locale=locale) for f in results.items],
        },
        headers={"cache-control": "no-store"},
    )


# ------------------------------------------------------------------ search engines


def _list_meta(request: Request, filters: finding.Filters, page: int) -> seo.PageMeta | None:
    """The directory by region, topic and kind is public content (its canonical address
    keeps those); a search in words or "open now" is a visitor's own and says noindex."""
    if filters.query or filters.open_now:
        return None
    locale = request.state.locale
    query = [
        (name, value)
        for name, value in (
            ("region", filters.region),
            ("topic", filters.topic),
            ("kind", filters.kind),
            ("online", "1" if filters.online else ""),
            ("page", str(page) if page > 1 else ""),
        )
        if value
    ]
    lead = regions.name_of(filters.region, locale) + ". " if filters.region else ""
    return seo.indexable(
        request, description=lead + i18n.gettext(locale, DIRECTORY_DESCRIPTION), query=query
    )


def _service_meta(request: Request, view: service.ServiceView) -> seo.PageMeta:
    """A service's page, with its schema.org Service: who provides it, where, how to reach."""
    locale = request.state.locale
    fields = view.fields
    summary = finding.localized(fields.summaries, locale)[0]
    description = summary or finding.localized(fields.descriptions, locale)[0] or view.name(locale)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": view.name(locale),
        "description": description,
        "url": seo.base_url(request) + view.path,
        "serviceType": i18n.gettext(locale, vocabulary.KINDS[fields.kind]),
        "provider": {"@type": "Organization", "name": view.organisation_name},
        "areaServed": [regions.name_of(code, locale) for code in fields.area_codes],
        "isAccessibleForFree": fields.free,
    }
    if fields.contact.phone:
        data["availableChannel"] = {"@type": "ServiceChannel", "servicePhone": fields.contact.phone}
    return seo.indexable(request, description=description, structured_data=data)


async def _directory_pages(db: Any) -> list[seo.SitemapEntry]:
    return [seo.SitemapEntry("/directory"), seo.SitemapEntry("/directory/open-data")]


# The sitemap is asked for without a request's clock: the wall clock decides which
# services are stale, as it does for the pages.
async def _service_count(db: Any) -> int:
    return len(await listing.published(db, now=utcnow()))


async def _service_entries(db: Any, offset: int, limit: int) -> list[seo.SitemapEntry]:
    views = await listing.published(db, now=utcnow())
    return [
        seo.SitemapEntry(v.path, lastmod=max(v.updated_at, v.checked_at))
        for v in views[offset : offset + limit]
    ]


SITEMAP = [
    seo.listed_section("directory", _directory_pages),
    seo.SitemapSection("services", _service_count, _service_entries),
]

ROUTES = [
    Route("/directory", directory, methods=["GET"], name="directory"),
    Route("/directory", directory_search, methods=["POST"]),
    Route("/directory/open-data", open_data, name="directory_open_data"),
    Route("/directory/services.json", feed_json, name="directory_feed_json"),
    Route("/directory/services.csv", feed_csv, name="directory_feed_csv"),
    Route("/directory/search.json", search_json, name="directory_search_json"),
    Route("/directory/{slug}/{service}", service_page, name="directory_service"),
]
