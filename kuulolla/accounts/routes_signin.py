"""Signing in (password, then the second factor), signing out, and setting a password
with a one-time link."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import links, logic, sessions, signin
from kuulolla.accounts.passwords import Busy
from kuulolla.core import i18n
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_
from kuulolla.web.access import (
    clear_session_cookie,
    cookie_names,
    public,
    resolution_of,
    set_device_cookie,
    set_session_cookie,
)
from kuulolla.web.forms import (
    client_address,
    clock_of,
    db_of,
    errors,
    events_of,
    form_data,
    me,
    notice,
    passwords_of,
    see_other,
    settings_of,
    throttle_of,
)
from kuulolla.web.templating import render

SIGN_IN_FAILED = N_("The username or password is not right.")


def _next(request: Request, form: dict[str, str] | None = None) -> str:
    raw = (form or {}).get("next") or request.query_params.get("next")
    return logic.safe_next(raw)


def _finish(request: Request, result: signin.SignInResult, target: str) -> Response:
    """Redirect after a complete sign-in with the new session cookie, and remember the
    device (it then has a throttle counter of its own)."""
    settings = settings_of(request)
    response = see_other(target)
    assert result.token is not None and result.user_id is not None
    set_session_cookie(response, settings, result.token)
    cookies = getattr(request.state, "cookies", {}) or {}
    device = signin.parse_device(
        cookies.get(cookie_names(settings).device), secret=settings.secret_key
    )
    if device is None or device[0] != result.user_id:
        set_device_cookie(
            response,
            settings,
            signin.new_device_cookie(secret=settings.secret_key, user_id=result.user_id),
        )
    return response


@public
async def sign_in(request: Request) -> Response:
    if request.method == "GET":
        if me(request).authenticated:
            return see_other(_next(request))
        return render(
            request,
            "accounts/sign_in.html",
            {
                "errors": errors(request),
                "username": "",
                "next": _next(request),
                "notice": notice(request),
            },
        )
    form = await form_data(request)
    target = _next(request, form)
    username = form.get("username", "")
    problems = errors(request)
    status = 400
    try:
        result = await signin.do_sign_in(
            db_of(request),
            passwords=passwords_of(request),
            throttle=throttle_of(request),
            settings=settings_of(request),
            username=username,
            password=form.get("password", ""),
            client_address=client_address(request),
            device_cookie=(getattr(request.state, "cookies", {}) or {}).get(
                cookie_names(settings_of(request)).device
            ),
            previous_token=(getattr(request.state, "cookies", {}) or {}).get(
                cookie_names(settings_of(request)).session
            ),
            now=clock_of(request).now(),
        )
    except (signin.SignInThrottled, Busy) as exc:
        problems.add("username", exc.translated(request.state.locale))
        status = exc.status
    else:
        if result.status == "second_factor":
            response = see_other(f"/sign-in/second-factor?next={_quote(target)}")
            assert result.token is not None
            set_session_cookie(response, settings_of(request), result.token)
            return response
        if result.status == "signed_in":
            return _finish(request, result, target)
        problems.add("username", i18n.gettext(request.state.locale, SIGN_IN_FAILED))
    return render(
        request,
        "accounts/sign_in.html",
        {"errors": problems, "username": username[:64], "next": target, "notice": None},
        status_code=status,
    )


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="")


@public
async def second_factor(request: Request) -> Response:
    resolution = resolution_of(request)
    target = _next(request)
    if resolution.pending_user_id is None:
        if me(request).authenticated:
            return see_other(target)
        return see_other("/sign-in?done=expired")
    problems = errors(request)
    status = 200
    if request.method == "POST":
        form = await form_data(request)
        target = _next(request, form)
        cookies = getattr(request.state, "cookies", {}) or {}
        token = cookies.get(cookie_names(settings_of(request)).session, "")
        try:
            result = await signin.do_second_factor(
                db_of(request),
                throttle=throttle_of(request),
                settings=settings_of(request),
                token=token,
                code=form.get("code", ""),
                client_address=client_address(request),
                now=clock_of(request).now(),
            )
        except signin.SignInExpired as exc:
            response = render(
                request,
                "accounts/sign_in.html",
                {
                    "errors": _one(request, "username", exc),
                    "username": "",
                    "next": target,
                    "notice": None,
                },
                status_code=400,
            )
            clear_session_cookie(response, settings_of(request))
            return response
        except signin.SignInThrottled as exc:
            problems.add("code", exc.translated(request.state.locale))
            status = exc.status
        else:
            if result.status == "signed_in":
                return _finish(request, result, target)
            problems.add_error(sessions.WrongCode(), default_field="code")
            status = 400
    return render(
        request,
        "accounts/second_factor.html",
        {"errors": problems, "next": target},
        status_code=status,
    )


def _one(request: Request, name: str, exc: AppError):  # type: ignore[no-untyped-def]
    problems = errors(request)
    problems.add(name, exc.translated(request.state.locale))
    return problems


@public
async def sign_out(request: Request) -> Response:
    """Ends this browser's session (and closes its sockets). Public, so a half-finished
    sign-in can be abandoned too; it only ever ends the caller's own session."""
    resolution = resolution_of(request)
    principal = me(request)
    if resolution.session_id is not None:
        if principal.authenticated and principal.user_id is not None:
            await sessions.do_sign_out(
                db_of(request),
                session_id=resolution.session_id,
                user_id=principal.user_id,
                events=events_of(request),
                now=clock_of(request).now(),
            )
        else:
            await sessions.do_discard_pending(db_of(request), session_id=resolution.session_id)
    response = see_other("/sign-in?done=signed_out")
    clear_session_cookie(response, settings_of(request))
    return response


@public
async def welcome(request: Request) -> Response:
    """Set a password with a one-time link (an invitation or a reset). Opening the link
    changes nothing; only submitting the form spends it."""
    token = request.path_params["token"]
    now = clock_of(request).now()
    view = await links.get_link(db_of(request), token=token, now=now)
    if view is None or view.state != "valid":
        return render(request, "accounts/link_invalid.html", {}, status_code=404)
    problems = errors(request)
    status = 200
    if request.method == "POST":
        form = await form_data(request)
        try:
            user_id = await links.do_use_link(
                db_of(request),
                passwords=passwords_of(request),
                throttle=throttle_of(request),
                token=token,
                password=form.get("password", ""),
                confirm=form.get("confirm", ""),
                events=events_of(request),
                now=now,
            )
        except links.LinkInvalid:
            return render(request, "accounts/link_invalid.html", {}, status_code=404)
        except AppError as exc:
            problems.add_error(exc, default_field="password")
            status = exc.status
        else:
            # Signed in at once: asking for the password just set would only be a chore.
            result = await signin.do_start_session(
                db_of(request), user_id=user_id, settings=settings_of(request), now=now
            )
            if result.status == "signed_in":
                return _finish(request, result, "/staff?done=password_set")
            if result.status == "second_factor" and result.token is not None:
                response = see_other(f"/sign-in/second-factor?next={_quote('/staff')}")
                set_session_cookie(response, settings_of(request), result.token)
                return response
            response = see_other("/sign-in")
            clear_session_cookie(response, settings_of(request))
            return response
    return render(
        request, "accounts/welcome.html", {"link": view, "errors": problems}, status_code=status
    )


ROUTES = [
    Route("/sign-in", sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/sign-in/second-factor", second_factor, methods=["GET", "POST"], name="second_factor"),
    Route("/sign-out", sign_out, methods=["POST"], name="sign_out"),
    Route("/welcome/{token}", welcome, methods=["GET", "POST"], name="welcome"),
]
