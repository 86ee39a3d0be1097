"""Who may use each route: session cookies, the principal of each request,
declared route policies and CSRF protection.

Every HTTP route and WebSocket route declares who may use it, so the authorization
matrix test can walk the route table and fail for a route that declares nothing::

    from kuulolla.web.access import OrgFrom, public, requires
    from kuulolla.accounts.permissions import MANAGE_PEOPLE

    @requires(MANAGE_PEOPLE, org=OrgFrom.path_slug("slug"))
    async def people(request: Request) -> Response:
        org_id = request.state.organisation_id  # resolved and checked
        ...

    @public
    async def sign_in_page(request: Request) -> Response: ...

Both wrappers check CSRF on every method other than GET/HEAD/OPTIONS: the request
must not come from another site (``Sec-Fetch-Site``, ``Origin``) and must carry the
token bound to its session (form field ``csrf_token`` or header ``X-CSRF-Token``).
:class:`PrincipalMiddleware` puts the :class:`~kuulolla.accounts.permissions.Principal`
on every request and WebSocket handshake (``request.state.principal``).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request, cookie_parser
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuulolla.accounts import crypto, permissions
from kuulolla.accounts.organisations import get_organisation_or_raise
from kuulolla.accounts.permissions import ANONYMOUS, Permission, Principal
from kuulolla.accounts.sessions import Resolution, resolve_session
from kuulolla.core.clock import Clock
from kuulolla.core.errors import AppError, Forbidden
from kuulolla.core.i18n import N_
from kuulolla.core.origins import origin_allowed
from kuulolla.core.settings import Settings

Endpoint = Callable[[Request], Awaitable[Response]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGN_IN_PATH = "/sign-in"
TOTP_SETUP_PATH = "/account/second-factor"

# ------------------------------------------------------------------ cookies


@dataclass(frozen=True, slots=True)
class CookieNames:
    session: str
    device: str
    csrf: str
    secure: bool


def cookie_names(settings: Settings) -> CookieNames:
    """``__Host-`` names with Secure in production: the browser then refuses the cookie
    from plain http, from a subdomain and with a Domain or Path other than "/".
    Development mode (plain http on localhost) drops the prefix and Secure."""
    if settings.development:
        return CookieNames("kuulolla_session", "kuulolla_device", "kuulolla_csrf", False)
    return CookieNames(
        "__Host-kuulolla_session", "__Host-kuulolla_device", "__Host-kuulolla_csrf", True
    )


DEVICE_MAX_AGE = 365 * 24 * 3600


def cookie_header(
    name: str, value: str, *, secure: bool, max_age: int | None = None
) -> tuple[bytes, bytes]:
    """A Set-Cookie header: Path=/, HttpOnly, SameSite=Strict, Secure outside development.
    Without ``max_age`` the cookie ends when the browser closes."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return b"set-cookie", morsel.OutputString().encode("latin-1")


def expire_cookie_header(name: str, *, secure: bool) -> tuple[bytes, bytes]:
    return cookie_header(name, "", secure=secure, max_age=0)


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    names = cookie_names(settings)
    response.raw_headers.append(cookie_header(names.session, token, secure=names.secure))


def clear_session_cookie(response: Response, settings: Settings) -> None:
    names = cookie_names(settings)
    response.raw_headers.append(expire_cookie_header(names.session, secure=names.secure))


def set_device_cookie(response: Response, settings: Settings, value: str) -> None:
    names = cookie_names(settings)
    response.raw_headers.append(
        cookie_header(names.device, value, secure=names.secure, max_age=DEVICE_MAX_AGE)
    )


# ------------------------------------------------------------------ principal


class PrincipalMiddleware:
    """Resolves the session cookie of each request and WebSocket handshake into
    ``scope["state"]["principal"]`` (and ``["auth"]``: the whole resolution). Sets the
    rotated cookie, or clears a dead one, on the response."""

    def __init__(self, app: ASGIApp, *, settings: Settings, clock: Clock) -> None:
        self.app = app
        self.settings = settings
        self.clock = clock
        self.names = cookie_names(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        resolution = await resolve_scope(
            scope, settings=self.settings, clock=self.clock, names=self.names
        )
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        names = self.names

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = any(
                    name == b"set-cookie" and value.startswith(names.session.encode() + b"=")
                    for name, value in headers
                )
                if not own and resolution.new_token:
                    headers.append(
                        cookie_header(names.session, resolution.new_token, secure=names.secure)
                    )
                elif not own and resolution.clear_cookie:
                    headers.append(expire_cookie_header(names.session, secure=names.secure))
                fresh = state.get("csrf_new_cookie")
                if fresh:
                    headers.append(cookie_header(names.csrf, fresh, secure=names.secure))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookies)


async def resolve_scope(
    scope: Scope, *, settings: Settings, clock: Clock, names: CookieNames | None = None
) -> Resolution:
    """Resolve the session cookie of a request or WebSocket handshake into
    ``scope["state"]["principal"]`` and ``["auth"]``. The middleware calls it for every
    request; the chat socket, which bypasses the middleware stack (web/app.py), calls
    it directly."""
    names = names or cookie_names(settings)
    state = scope.setdefault("state", {})
    resolution = Resolution()
    if not scope["path"].startswith("/static/"):
        cookies = cookie_parser(HTTPConnection(scope).headers.get("cookie", ""))
        token = cookies.get(names.session)
        state["cookies"] = cookies
        if token:
            resolution = await resolve_session(
                state["db"],
                token=token,
                now=clock.now(),
                settings=settings,
                rotate=scope["type"] == "http",
            )
    state["principal"] = resolution.principal
    state["auth"] = resolution
    return resolution


def principal_of(conn: HTTPConnection) -> Principal:
    return getattr(conn.state, "principal", ANONYMOUS)


def resolution_of(conn: HTTPConnection) -> Resolution:
    return getattr(conn.state, "auth", None) or Resolution()


# ------------------------------------------------------------------ CSRF


class CsrfRefused(Forbidden):
    code = "csrf_failed"
    default_message = N_(
        "The form had expired or it came from another site. Go back, reload the page and try again."
    )


def _csrf_binding(request: HTTPConnection, *, create: bool) -> bytes | None:
    resolution = resolution_of(request)
    if resolution.token_hash is not None:
        return resolution.token_hash
    state = request.scope.setdefault("state", {})
    cookies = state.get("cookies") or {}
    settings: Settings = request.app.state.settings
    value = state.get("csrf_new_cookie") or cookies.get(cookie_names(settings).csrf)
    if not value and create:
        value = secrets.token_urlsafe(32)
        state["csrf_new_cookie"] = value
    return value.encode() if value else None


def csrf_token(request: HTTPConnection) -> str:
    """The CSRF token for forms on this page (templates: ``csrf_token(request)``).
    A visitor without a session gets a pre-session cookie to bind it to."""
    settings: Settings = request.app.state.settings
    binding = _csrf_binding(request, create=True)
    assert binding is not None
    return crypto.csrf_token(settings.secret_key, binding)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request from another site or without the right token."""
    if request.method in SAFE_METHODS:
        return
    settings: Settings = request.app.state.settings
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise CsrfRefused()
    origin = request.headers.get("origin")
    # Our pages send "Referrer-Policy: no-referrer", under which browsers send
    # "Origin: null" with every POST (Fetch standard, "serializing a request origin"):
    # null says nothing, so Sec-Fetch-Site and the token decide.
    if origin not in (None, "null") and not origin_allowed(
        origin=origin or "",
        host=request.headers.get("host"),
        scheme=request.url.scheme,
        allowed=settings.allowed_origins,
    ):
        raise CsrfRefused()
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    binding = _csrf_binding(request, create=False)
    if binding is None and site == "same-origin":
        # A visitor without a session whose browser keeps no cookie of ours: the chat
        # embedded on an organisation's site, where the frame's cookies are third-party
        # and refused. Sec-Fetch-Site is set by the browser and cannot be forged by a
        # page: "same-origin" means one of our own pages sent the request, which is
        # what the token would prove. Browsers without Fetch Metadata still need the
        # token and its cookie.
        return
    if not given or binding is None or not crypto.csrf_matches(settings.secret_key, binding, given):
        raise CsrfRefused()


# ------------------------------------------------------------------ policies


@dataclass(frozen=True, slots=True)
class OrgFrom:
    """How a route finds the organisation that owns what it acts on. ``resolve`` returns
    the organisation id or raises NotFound; ``params`` names the path parameters it
    reads (the authorization matrix fills them)."""

    resolve: Callable[[Request], Awaitable[int]]
    params: tuple[str, ...]

    @classmethod
    def path_slug(cls, param: str = "slug") -> OrgFrom:
        """The organisation whose slug is the path parameter ``param``."""

        async def resolve(request: Request) -> int:
            org = await get_organisation_or_raise(request.state.db, slug=request.path_params[param])
            return org.id

        return cls(resolve, (param,))


@dataclass(frozen=True, slots=True)
class Policy:
    """A route's declared access rule. ``permission`` None means public."""

    permission: Permission | None
    org: OrgFrom | None = None
    note: str = ""

    @property
    def public(self) -> bool:
        return self.permission is None


class SignInRequired(AppError):
    code = "sign_in_required"
    status = 401
    default_message = N_("Sign in first.")


class SecondFactorRequired(Forbidden):
    code = "second_factor_required"
    default_message = N_("Set up the second factor on your account first.")


def policy_of(obj: Any) -> Policy | None:
    return getattr(obj, "__policy__", None)


def requires(
    permission: Permission, *, org: OrgFrom | None = None
) -> Callable[[Endpoint], Endpoint]:
    """Declare that a route needs ``permission``; for organisation-scoped permissions,
    ``org`` says which organisation's. Anonymous people are sent to sign in (GET) or
    refused with 401; others without the permission get 403."""
    if permission.scope == "organisation" and org is None:
        raise TypeError(
            f"{permission} is organisation-scoped: say where the organisation comes from"
        )

    def decorate(fn: Endpoint) -> Endpoint:
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            await check_csrf(request)
            principal = principal_of(request)
            org_id = await org.resolve(request) if org is not None else None
            if not permissions.allows(principal, permission, org_id):
                return deny(request, principal)
            request.state.organisation_id = org_id
            return await fn(request)

        endpoint.__policy__ = Policy(permission, org)  # type: ignore[attr-defined]
        return endpoint

    return decorate


def deny(request: Request, principal: Principal) -> Response:
    if not principal.authenticated:
        if request.method in SAFE_METHODS:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(
                f"{SIGN_IN_PATH}?next={quote(target, safe='')}", status_code=303
            )
        raise SignInRequired()
    if principal.totp_setup_required:
        if request.method in SAFE_METHODS:
            return RedirectResponse(TOTP_SETUP_PATH, status_code=303)
        raise SecondFactorRequired()
    raise Forbidden()


def public(fn: Endpoint) -> Endpoint:
    """Declare a route open to everyone (CSRF still applies to state changes)."""

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        await check_csrf(request)
        return await fn(request)

    endpoint.__policy__ = Policy(None)  # type: ignore[attr-defined]
    return endpoint


def public_app(app: Any, note: str = "") -> Any:
    """Declare a mounted ASGI app (static files) public; it must not change state."""
    app.__policy__ = Policy(None, note=note)
    return app


def public_socket(fn: Any, note: str) -> Any:
    """Declare a WebSocket endpoint whose handshake is open to everyone; ``note`` says
    how its actions are authorised (tests/accounts/test_matrix.py checks them)."""
    fn.__policy__ = Policy(None, note=note)
    return fn
