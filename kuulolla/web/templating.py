"""Jinja2 environments, one per locale, with gettext installed."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from kuulolla.core import i18n
from kuulolla.web import crisis
from kuulolla.web.access import csrf_token, principal_of

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def environment(locale: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["LOCALES"] = i18n.LOCALES
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals["csrf_token"] = csrf_token
    # Times are shown in Finnish time, in the page's language.
    env.filters["datetime"] = lambda value: _datetime(value, locale)
    env.filters["date"] = lambda value: _date(value, locale)
    env.filters["time"] = lambda value: _time(value, locale)
    return env


def _datetime(value: datetime | None, locale: str) -> str:
    if value is None:
        return ""
    return i18n.datetime_text(value, locale)


def _time(value: datetime | None, locale: str) -> str:
    if value is None:
        return ""
    return i18n.time_text(value, locale)


def _date(value: date | None, locale: str) -> str:
    if value is None:
        return ""
    return i18n.date_text(value, locale)


def _language_links(request: Request, status_code: int) -> dict[str, str]:
    """The same page in each language, keeping the rest of the query (a search, a
    filter), so switching language does not lose what the visitor was looking at. Error
    pages keep no query: they repeat nothing of a request that went wrong."""
    query = [
        (k, v) for k, v in request.query_params.multi_items() if k != "lang" and status_code < 400
    ]
    path = request.url.path
    return {code: f"{path}?{urlencode([*query, ('lang', code)])}" for code in i18n.LOCALES}


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    locale: str = request.state.locale
    settings = request.app.state.settings
    ctx: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "path": request.url.path,
        "lang_href": _language_links(request, status_code),
        "quick_exit_url": settings.quick_exit_url,
        "principal": principal_of(request),
        # Kept out of search engines unless the route says otherwise (web/seo.py).
        "seo": None,
    }
    # The chat embedded on an organisation's site (kuulolla/embed) renders the same page
    # in a frame's layout.
    embedded = bool(getattr(request.state, "embedded", False))
    ctx["embedded"] = embedded
    ctx["layout"] = "embed/base.html" if embedded else "base.html"
    if context:
        ctx.update(context)
    if "crisis_box" not in ctx:
        clock = getattr(request.state, "clock", None)
        ctx["crisis_box"] = crisis.default(
            locale,
            db=getattr(request.state, "db", None),
            now=clock.now() if clock is not None else None,
        )
    html = environment(locale).get_template(name).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    # Pages may show what a visitor wrote; a shared device must not keep them.
    response.headers["cache-control"] = "no-store"
    if request.state.set_lang_cookie:
        # The language the visitor chose with the language links, until the browser
        # closes: nothing of a visit outlives it (listed in the privacy notice).
        response.set_cookie(
            "lang",
            locale,
            samesite="lax",
            httponly=True,
            secure=not settings.development,
        )
    return response
