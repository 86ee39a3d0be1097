"""Response headers that every page gets (origins are checked by core/origins.py)."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """No inline scripts or styles and nothing from anywhere else: pages load only what
    this service serves. 'self' in connect-src covers ws(s):// to the same host.
    ``frame_ancestors`` says who may show the page in a frame: nobody, except for the
    embedded chat, whose pages name the sites their organisation allows (kuulolla/embed)."""
    return "; ".join(
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
            f"frame-ancestors {frame_ancestors}",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()

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
    """Adds :data:`SECURITY_HEADERS` (and HSTS when served over https) to every HTTP
    response, each unless the response has set it. A response with a policy of its own
    (an embedded chat page) gets no ``X-Frame-Options``: its ``frame-ancestors`` decides
    who may frame it (browsers ignore X-Frame-Options beside it, but an old one would
    read DENY)."""

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
                if b"content-security-policy" in present:
                    present.add(b"x-frame-options")
                for name, value in SECURITY_HEADERS:
                    if name not in present:
                        headers.append((name, value))
                if self.hsts:
                    headers.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def address_in(address: str | None, networks: Iterable[str]) -> bool:
    """Whether ``address`` is one of ``networks`` (addresses or CIDR networks)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def bearer_matches(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header carries ``Bearer <token>`` (never for no token)."""
    if not token or not authorization:
        return False
    kind, _, given = authorization.partition(" ")
    return kind.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
