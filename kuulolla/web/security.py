"""Response headers and origin checks that every page and socket gets."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles and nothing from anywhere else: pages load only what
# this service serves. 'self' in connect-src covers ws(s):// to the same host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` (and HSTS when served over https) to every HTTP response."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS:
                    if name not in present:
                        headers.append((name, value))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def origin_allowed(
    *, origin: str | None, host: str | None, scheme: str, allowed: Iterable[str]
) -> bool:
    """Whether a WebSocket handshake's Origin may open a socket.

    Browsers always send Origin on WebSocket handshakes, so a cross-site page cannot
    ride a visitor's cookies into a socket (cross-site WebSocket hijacking). Programs
    that are not browsers send none and are let through: they hold no victim's cookies.
    With an explicit allowlist, only those origins pass; without one, only the origin
    that matches the Host header (same origin) passes.
    """
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    allowed = [a.strip().rstrip("/").lower() for a in allowed]
    if allowed:
        return origin in allowed
    if not host or origin == "null":
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https"):
        return False
    return parts.netloc == host.lower()
