"""Origins: which page a request or a WebSocket handshake comes from, and whether it
may go on. Plain functions of the headers and the settings, shared by the socket
(chat/endpoint.py) and the forms' CSRF check (web/access.py)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_key(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or a ``scheme://host[:port]``, with the
    scheme's default port filled in; None when it is not http(s)."""
    try:
        parts = urlsplit(url.strip().rstrip("/").lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def origin_allowed(
    *, origin: str | None, host: str | None, scheme: str, allowed: Iterable[str]
) -> bool:
    """Whether a WebSocket handshake's (or a form's) Origin may go on.

    Browsers always send Origin on WebSocket handshakes, so a cross-site page cannot
    ride a visitor's cookies into a socket (cross-site WebSocket hijacking). Programs
    that are not browsers send none and are let through: they hold no victim's cookies.
    With an explicit allowlist, only those origins pass; without one, only the origin
    of this very address: the same scheme, host and port (an ``http://`` page of the
    same host, or another port of it, is another origin).
    """
    if origin is None:
        return True
    given = origin_key(origin)
    if given is None:
        return False
    keys = [key for key in (origin_key(a) for a in allowed) if key is not None]
    if keys:
        return given in keys
    if not host:
        return False
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return given == origin_key(f"{scheme}://{host}")
