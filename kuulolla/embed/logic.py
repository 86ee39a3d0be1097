"""Rules for the sites that may embed an organisation's chat.

An allowed site is an origin (scheme, host, port), written exactly as a browser sends
it and as ``Content-Security-Policy: frame-ancestors`` names it. Only ``https``, except
on the machine itself (``localhost``, ``127.0.0.1``, ``[::1]``), where ``http`` is allowed
for trying things out. No paths, wildcards, users or queries: what is listed is what may
frame the chat, nothing wider.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

MAX_ORIGINS = 20
MAX_ORIGIN_CHARS = 200
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# A host name: labels of letters, digits and hyphens (IDNs in their xn-- form).
HOST_NAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
)


class OriginInvalid(BadRequest):
    code = "origin_invalid"
    default_message = N_(
        "Write the site's address as https://www.example.fi: its beginning only, without a path."
    )


def normalise_origin(text: str) -> str:
    """The origin ``text`` names, as browsers write it (``https://www.example.fi``,
    ``http://localhost:8080``); raises :class:`OriginInvalid` for anything else. A
    trailing slash is allowed; letters are made lower-case, a default port is dropped
    and an internationalised host name is written in its ASCII (xn--) form."""
    value = text.strip()
    if not value or len(value) > MAX_ORIGIN_CHARS or any(c.isspace() for c in value):
        raise OriginInvalid()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise OriginInvalid() from None
    scheme = parts.scheme.lower()
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in value or "#" in value:
        raise OriginInvalid()
    if parts.username is not None or parts.password is not None or not parts.hostname:
        raise OriginInvalid()
    host = _host(parts.hostname)
    local = host in LOCAL_HOSTS
    if scheme != "https" and not (scheme == "http" and local):
        raise OriginInvalid(N_("The site must use https (http only for localhost)."))
    if port is not None and port != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def _host(hostname: str) -> str:
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise OriginInvalid() from None
    if not HOST_NAME.fullmatch(host) or ("." not in host and host != "localhost"):
        raise OriginInvalid()
    return host


def check_new_origin(origin: str, *, existing: Iterable[str]) -> None:
    """Refuse an origin that is listed already, or one too many."""
    listed = list(existing)
    if origin in listed:
        raise BadRequest(N_("That site is on the list already."), code="origin_listed")
    if len(listed) >= MAX_ORIGINS:
        raise BadRequest(
            N_("At most {n} sites can be on the list."), code="too_many_origins", n=MAX_ORIGINS
        )


def frame_ancestors(origins: Iterable[str]) -> str:
    """The ``frame-ancestors`` sources for ``origins`` (``'none'`` without any)."""
    listed = " ".join(sorted(set(origins)))
    return listed or "'none'"
