"""Request ids and the service's own access log.

Every HTTP request gets a random id, kept in :data:`kuulolla.core.logging.REQUEST_ID`
for the log lines written while it is handled and returned in ``X-Request-Id`` so a
person reporting a problem can quote it. A client's own ``X-Request-Id`` is ignored (it
could carry anything into the logs).

When a request ends one line is logged (event ``http.request``) with the method, the
route's *template* (``/questions/claim/{code}``, never the actual path, which may hold
a claim code, nor the query string, which may hold search words), the status and the
time taken. uvicorn's own access log, which names the client's address, stays off.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuulolla.core.logging import REQUEST_ID

log = logging.getLogger("kuulolla.http")


def new_request_id() -> str:
    return secrets.token_hex(8)


def route_template(scope: Scope) -> str:
    """The matched route's path template, or "-" when nothing matched."""
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "-"
    root = scope.get("root_path", "")
    return f"{root}{path}" or "/"


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        REQUEST_ID.set(request_id)
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request",
                extra={
                    "event": "http.request",
                    "method": scope.get("method", ""),
                    "path": route_template(scope),
                    "status": status,
                    "seconds": round(time.perf_counter() - started, 4),
                },
            )
