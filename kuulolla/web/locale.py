"""Choosing the language of a request: ``?lang=``, then the ``lang`` cookie, then
Accept-Language, then the configured default (Finnish)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from kuulolla.core import i18n


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, *, default: str = i18n.DEFAULT_LOCALE) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            from starlette.requests import HTTPConnection

            conn = HTTPConnection(scope)
            asked = conn.query_params.get("lang")
            chosen = asked if asked in i18n.LOCALES else None
            locale = chosen or i18n.negotiate(
                [
                    conn.cookies.get("lang"),
                    *i18n.parse_accept_language(conn.headers.get("accept-language")),
                ],
                self.default,
            )
            state = scope.setdefault("state", {})
            state["locale"] = locale
            state["set_lang_cookie"] = chosen is not None and chosen != conn.cookies.get("lang")
        await self.app(scope, receive, send)
