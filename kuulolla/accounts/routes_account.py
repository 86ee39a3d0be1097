"""A staff member's own pages: the staff home, profile, password, second factor and
sessions."""

from __future__ import annotations

import segno
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kuulolla.accounts import organisations, second_factor, service, sessions, totp
from kuulolla.accounts.permissions import OWN_ACCOUNT, ROLE_LABELS
from kuulolla.core.errors import AppError, BadRequest
from kuulolla.core.i18n import N_
from kuulolla.directory import listing as directory_listing
from kuulolla.web.access import clear_session_cookie, requires, set_session_cookie
from kuulolla.web.forms import (
    clock_of,
    db_of,
    errors,
    events_of,
    form_data,
    form_lists,
    me,
    notice,
    passwords_of,
    see_other,
    settings_of,
    throttle_of,
)
from kuulolla.web.templating import render


class PasswordMismatch(BadRequest):
    code = "password_mismatch"
    default_message = N_("The passwords do not match.")


@requires(OWN_ACCOUNT)
async def home(request: Request) -> Response:
    principal = me(request)
    orgs = await organisations.list_organisations(db_of(request), ids=list(principal.roles))
    # Services a coordinator's organisation must check before they are hidden (the
    # directory's notice to its organisation).
    directory_checks = await directory_listing.count_needing_check(
        db_of(request),
        organisation_ids=[
            o.id for o in orgs if principal.is_admin or o.id in principal.coordinates()
        ],
        now=request.state.clock.now(),
    )
    return render(
        request,
        "accounts/home.html",
        {
            "organisations": orgs,
            "notice": notice(request),
            "role_labels": ROLE_LABELS,
            "directory_checks": directory_checks,
        },
    )


async def _account_page(
    request: Request, problems: dict[str, object], status: int = 200
) -> Response:
    principal = me(request)
    assert principal.user_id is not None
    db = db_of(request)
    person = await service.get_person(db, user_id=principal.user_id)
    remaining = await second_factor.remaining_recovery_codes(db, user_id=principal.user_id)
    required = await second_factor.is_totp_required(
        db, user_id=principal.user_id, settings=settings_of(request)
    )
    context: dict[str, object] = {
        "person": person,
        "remaining_codes": remaining,
        "totp_required": required,
        "notice": notice(request),
        "profile_errors": errors(request),
        "password_errors": errors(request),
        "totp_errors": errors(request),
        "display_name": person.display_name if person else "",
    }
    context.update(problems)
    return render(request, "accounts/account.html", context, status_code=status)


@requires(OWN_ACCOUNT)
async def account(request: Request) -> Response:
    if request.method == "GET":
        return await _account_page(request, {})
    principal = me(request)
    assert principal.user_id is not None
    form = await form_data(request)
    try:
        await service.do_update_profile(
            db_of(request),
            user_id=principal.user_id,
            display_name=form.get("display_name", ""),
            languages=await form_lists(request, "languages"),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="display_name")
        return await _account_page(
            request,
            {"profile_errors": problems, "display_name": form.get("display_name", "")},
            status=exc.status,
        )
    chat = getattr(request.state, "chat", None)
    if chat is not None:
        chat.staff_names.forget()
    return see_other("/account?done=saved")


@requires(OWN_ACCOUNT)
async def change_password(request: Request) -> Response:
    principal = me(request)
    assert principal.user_id is not None
    form = await form_data(request)
    problems = errors(request)
    if form.get("password", "") != form.get("confirm", ""):
        problems.add_error(PasswordMismatch(), default_field="confirm")
        return await _account_page(request, {"password_errors": problems}, status=400)
    try:
        token = await sessions.do_change_password(
            db_of(request),
            passwords=passwords_of(request),
            throttle=throttle_of(request),
            settings=settings_of(request),
            user_id=principal.user_id,
            current=form.get("current_password", ""),
            new=form.get("password", ""),
            events=events_of(request),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems.add_error(exc, default_field="password")
        return await _account_page(request, {"password_errors": problems}, status=exc.status)
    response = see_other("/account?done=password_changed")
    set_session_cookie(response, settings_of(request), token)
    return response


def _qr_data_uri(uri: str) -> str:
    # Drawn here, as an image of our own: the secret never goes to a QR service.
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


@requires(OWN_ACCOUNT)
async def second_factor_setup(request: Request) -> Response:
    principal = me(request)
    assert principal.user_id is not None
    db = db_of(request)
    settings = settings_of(request)
    if principal.totp_enabled:
        return see_other("/account#second-factor")
    problems = errors(request)
    status = 200
    setup = second_factor.new_setup(
        user_id=principal.user_id, username=principal.username, settings=settings
    )
    if request.method == "POST":
        form = await form_data(request)
        sealed = form.get("sealed", "")
        try:
            codes = await second_factor.do_confirm_totp(
                db,
                user_id=principal.user_id,
                sealed=sealed,
                code=form.get("code", ""),
                settings=settings,
                now=clock_of(request).now(),
            )
        except AppError as exc:
            problems.add_error(exc, default_field="code")
            status = exc.status
            # Show the same secret again: the person may have added it to their app.
            secret = second_factor.unseal(sealed, user_id=principal.user_id, settings=settings)
            if secret is not None:
                setup = second_factor.TotpSetup(
                    secret, totp.provisioning_uri(secret, username=principal.username), sealed
                )
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": True})
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "secret": totp.grouped(setup.secret),
            "sealed": setup.sealed,
            "uri": setup.uri,
            "qr": _qr_data_uri(setup.uri),
            "errors": problems,
            "required": principal.totp_setup_required,
        },
        status_code=status,
    )


@requires(OWN_ACCOUNT)
async def second_factor_off(request: Request) -> Response:
    principal = me(request)
    assert principal.user_id is not None
    form = await form_data(request)
    try:
        await second_factor.do_disable_totp(
            db_of(request),
            passwords=passwords_of(request),
            throttle=throttle_of(request),
            settings=settings_of(request),
            user_id=principal.user_id,
            password=form.get("current_password", ""),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="current_password")
        return await _account_page(request, {"totp_errors": problems}, status=exc.status)
    return see_other("/account?done=totp_off")


@requires(OWN_ACCOUNT)
async def recovery_codes(request: Request) -> Response:
    principal = me(request)
    assert principal.user_id is not None
    form = await form_data(request)
    try:
        codes = await second_factor.do_regenerate_recovery_codes(
            db_of(request),
            passwords=passwords_of(request),
            throttle=throttle_of(request),
            settings=settings_of(request),
            user_id=principal.user_id,
            password=form.get("current_password", ""),
            now=clock_of(request).now(),
        )
    except AppError as exc:
        problems = errors(request)
        problems.add_error(exc, default_field="current_password")
        return await _account_page(request, {"totp_errors": problems}, status=exc.status)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})


@requires(OWN_ACCOUNT)
async def end_my_sessions(request: Request) -> Response:
    """ "End all sessions": every browser this person is signed in on, this one included."""
    principal = me(request)
    assert principal.user_id is not None
    await sessions.do_end_sessions(
        db_of(request),
        actor=principal,
        user_id=principal.user_id,
        events=events_of(request),
        now=clock_of(request).now(),
    )
    response = see_other("/sign-in?done=sessions_ended")
    clear_session_cookie(response, settings_of(request))
    return response


ROUTES = [
    Route("/staff", home, methods=["GET"], name="staff_home"),
    Route("/account", account, methods=["GET", "POST"], name="account"),
    Route("/account/password", change_password, methods=["POST"], name="account_password"),
    Route(
        "/account/second-factor",
        second_factor_setup,
        methods=["GET", "POST"],
        name="account_second_factor",
    ),
    Route(
        "/account/second-factor/off",
        second_factor_off,
        methods=["POST"],
        name="account_second_factor_off",
    ),
    Route(
        "/account/recovery-codes", recovery_codes, methods=["POST"], name="account_recovery_codes"
    ),
    Route("/account/sessions/end", end_my_sessions, methods=["POST"], name="account_end_sessions"),
]
