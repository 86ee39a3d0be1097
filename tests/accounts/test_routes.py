"""Signing in and the staff pages over HTTP: cookies, identical failures, CSRF, expiry
with a frozen clock, the second factor, throttling, invitations, rotation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from starlette.routing import Route
from starlette.testclient import TestClient

from kuulolla.accounts import crypto, totp
from kuulolla.accounts.models import AuditEvent, Organisation, StaffSession
from kuulolla.web.app import create_app
from tests.accounts.conftest import Env, post, sign_in
from tests.accounts.helpers import PASSWORD, csrf_from, make_session, session_headers
from tests.conftest import make_settings
from tests.helpers import NOW


def set_cookie_headers(response: Any) -> list[str]:
    return response.headers.get_list("set-cookie")


def session_cookie_of(response: Any) -> str:
    for header in set_cookie_headers(response):
        if header.startswith("__Host-kuulolla_session="):
            return header
    raise AssertionError("no session cookie set")


def test_sign_in_sets_a_strict_host_only_session_cookie(env: Env) -> None:
    """Signing in sets __Host-kuulolla_session: Secure, HttpOnly, SameSite=Strict, Path=/, no
    Domain, ending with the browser; the database keeps only the token's SHA-256."""
    response = sign_in(env.client, "volunteer-alfa")
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = session_cookie_of(response)
    parts = [p.strip() for p in cookie.split(";")]
    token = parts[0].split("=", 1)[1]
    assert len(token) == 43
    assert set(parts[1:]) == {"HttpOnly", "Path=/", "SameSite=Strict", "Secure"}

    async def stored(db: Any) -> list[bytes]:
        async with db.read_session() as session:
            return list(await session.scalars(select(StaffSession.token_hash)))

    hashes = env.db(stored)
    assert crypto.token_hash(token) in hashes
    assert all(token.encode() not in h for h in hashes)
    assert env.client.get("/staff").status_code == 200


def test_sign_in_rotates_the_session(env: Env) -> None:
    """Signing in again gives a new token and ends the session the browser had."""
    browser = env.browser()
    sign_in(browser, "volunteer-alfa")
    first = browser.cookie("__Host-kuulolla_session")
    post(browser, "/account", {"display_name": "Volunteer alfa"})  # in use
    sign_in(browser, "volunteer-alfa")
    second = browser.cookie("__Host-kuulolla_session")
    assert first and second and first != second
    stale = env.client.get(
        "/staff", headers=session_headers(env.settings, first), follow_redirects=False
    )
    assert stale.status_code == 303 and stale.headers["location"].startswith("/sign-in")


def normalise(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_unknown_user_and_wrong_password_give_identical_responses(env: Env) -> None:
    """An unknown username and a wrong password get the same status, page and headers."""
    unknown = sign_in(env.client, "olematon-nimi", "väärä salasana 123")
    wrong = sign_in(env.client, "volunteer-alfa", "väärä salasana 123")
    assert unknown.status_code == wrong.status_code == 400
    assert normalise(unknown.text).replace("olematon-nimi", "NAME") == normalise(
        wrong.text
    ).replace("volunteer-alfa", "NAME")
    assert "Käyttäjätunnus tai salasana ei ole oikein." in wrong.text
    assert set_cookie_headers(unknown) == set_cookie_headers(wrong) == []
    assert sorted(unknown.headers.keys()) == sorted(wrong.headers.keys())


def test_development_mode_uses_plain_cookies_on_http(sqlite_url: str) -> None:
    """In development mode (plain http on localhost) the cookie has no __Host- prefix and no Secure."""
    from tests.accounts.conftest import seed_world

    seed_world(sqlite_url)
    settings = make_settings(sqlite_url, env="development")
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        response = sign_in(client, "volunteer-alfa")
        cookies = set_cookie_headers(response)
        assert any(c.startswith("kuulolla_session=") for c in cookies)
        assert not any("Secure" in c or c.startswith("__Host-") for c in cookies)
        assert client.get("/staff").status_code == 200


def profile_name(env: Env, user: str) -> str:
    async def work(db: Any) -> str:
        from kuulolla.accounts.models import StaffUser

        async with db.read_session() as session:
            return str(
                await session.scalar(
                    select(StaffUser.display_name).where(StaffUser.username == user)
                )
            )

    return env.db(work)


def test_csrf_refusals(env: Env) -> None:
    """State changes without the session's token, with another session's, or from another
    site are refused with a translated 403 and change nothing."""
    browser = env.browser()
    sign_in(browser, "volunteer-alfa")
    token = csrf_from(browser.get("/account").text)
    form = {"display_name": "Muutettu", "languages": "fi"}
    other_session_token = crypto.csrf_token(env.settings.secret_key, b"someone else")
    attempts = [
        ({}, {}),
        ({"csrf_token": "x" * 48}, {}),
        ({"csrf_token": other_session_token}, {}),
        ({"csrf_token": token}, {"origin": "https://evil.example"}),
        ({"csrf_token": token}, {"origin": "null", "sec-fetch-site": "cross-site"}),
        ({}, {"origin": "null", "sec-fetch-site": "same-origin"}),
        ({"csrf_token": token}, {"sec-fetch-site": "cross-site"}),
        ({"csrf_token": token}, {"sec-fetch-site": "same-site"}),
    ]
    for extra, headers in attempts:
        refused = browser.post("/account", data={**form, **extra}, headers=headers)
        assert refused.status_code == 403, (extra, headers)
        assert "Lomake oli vanhentunut" in refused.text
    as_json = browser.post("/account", data=form, headers={"accept": "application/json"})
    assert as_json.json()["error"]["code"] == "csrf_failed"
    assert profile_name(env, "volunteer-alfa") == "Volunteer alfa"
    accepted = browser.post(
        "/account",
        data={**form, "csrf_token": token},
        headers={"origin": "https://testserver", "sec-fetch-site": "same-origin"},
    )
    assert accepted.status_code == 303
    assert profile_name(env, "volunteer-alfa") == "Muutettu"
    # What a browser sends under our no-referrer policy: Origin null, same-origin fetch.
    null_origin = browser.post(
        "/account",
        data={**form, "csrf_token": token},
        headers={"origin": "null", "sec-fetch-site": "same-origin"},
    )
    assert null_origin.status_code == 303
    header_token = browser.post(
        "/account",
        data={"display_name": "Otsake", "languages": "sv"},
        headers={"x-csrf-token": token},
    )
    assert header_token.status_code == 303


def test_anonymous_forms_need_the_pre_session_token(env: Env) -> None:
    """The sign-in form itself is protected (login CSRF): no cookie-bound token, no sign-in."""
    browser = env.browser()
    response = browser.post("/sign-in", data={"username": "volunteer-alfa", "password": PASSWORD})
    assert response.status_code == 403
    page = browser.get("/sign-in")
    assert any(c.startswith("__Host-kuulolla_csrf=") for c in set_cookie_headers(page))
    ok = browser.post(
        "/sign-in",
        data={
            "username": "volunteer-alfa",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert ok.status_code == 303


def test_get_never_changes_state(env: Env) -> None:
    """Every route that changes state answers GET with 404 and writes nothing."""
    token = env.db(lambda db: make_session(db, env.world.users["admin"]))

    def audit_count() -> int:
        async def work(db: Any) -> int:
            async with db.read_session() as session:
                return len(list(await session.scalars(select(AuditEvent.id))))

        return int(env.db(work))

    before = audit_count()
    checked = 0
    readable = {
        r.path for r in env.app.routes if isinstance(r, Route) and "GET" in (r.methods or ())
    }
    for route in env.app.routes:
        if isinstance(route, Route) and route.methods == {"POST"} and route.path not in readable:
            path = re.sub(r"\{[^}]+\}", "1", route.path).replace("/orgs/1/", "/orgs/alfa/")
            response = env.client.get(
                path, headers=session_headers(env.settings, token), follow_redirects=False
            )
            assert response.status_code == 404, path
            checked += 1
    assert checked > 15
    assert audit_count() == before


def test_idle_session_ends_after_30_minutes(env: Env) -> None:
    """With a frozen clock: 29 minutes between clicks keep the session; 31 end it."""
    browser = env.browser()
    sign_in(browser, "coordinator-alfa")
    for _ in range(4):
        env.clock.advance(minutes=29)
        assert browser.get("/staff").status_code == 200
    env.clock.advance(minutes=31)
    ended = browser.get("/orgs/alfa/people", follow_redirects=False)
    assert ended.status_code == 303
    assert ended.headers["location"] == "/sign-in?next=%2Forgs%2Falfa%2Fpeople"
    assert any(
        c.startswith("__Host-kuulolla_session=;") or "Max-Age=0" in c
        for c in set_cookie_headers(ended)
    )


def test_busy_session_ends_after_12_hours(env: Env) -> None:
    """However active, a session ends 12 hours after signing in."""
    browser = env.browser()
    sign_in(browser, "volunteer-alfa")
    for _ in range(35):
        env.clock.advance(minutes=20)
        assert browser.get("/staff", follow_redirects=False).status_code == 200
    env.clock.advance(minutes=20)
    assert browser.get("/staff", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_for_good(env: Env) -> None:
    """After signing out the old cookie opens nothing, even if kept."""
    browser = env.browser()
    response = sign_in(browser, "professional-beeta")
    token = session_cookie_of(response).split(";")[0].split("=", 1)[1]
    out = post(browser, "/sign-out")
    assert out.status_code == 303 and out.headers["location"] == "/sign-in?done=signed_out"
    assert "Max-Age=0" in session_cookie_of(out)
    again = env.client.get(
        "/staff", headers=session_headers(env.settings, token), follow_redirects=False
    )
    assert again.status_code == 303
    assert "Olet kirjautunut ulos." in browser.get("/sign-in?done=signed_out").text


def secret_on(html: str) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert found
    return found.group(1).replace(" ", "")


def enable_totp(env: Env, browser: Any) -> tuple[str, list[str]]:
    page = browser.get("/account/second-factor")
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.text
    secret = secret_on(page.text)
    sealed = re.search(r'name="sealed" value="([^"]+)"', page.text)
    assert sealed and secret not in sealed.group(1)
    form = {"csrf_token": csrf_from(page.text), "sealed": sealed.group(1)}
    wrong = browser.post("/account/second-factor", data={**form, "code": "000000"})
    assert wrong.status_code == 400 and secret_on(wrong.text) == secret  # the same key again
    done = browser.post(
        "/account/second-factor", data={**form, "code": totp.code_at(secret, env.clock.now())}
    )
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.text)
    assert len(codes) == 10
    return secret, codes


def test_totp_sign_in_with_codes_and_recovery_codes(env: Env) -> None:
    """With TOTP on, sign-in asks for a code; a wrong one is refused, a right one and a
    recovery code each work once."""
    browser = env.browser()
    sign_in(browser, "volunteer-beeta")
    secret, codes = enable_totp(env, browser)
    post(browser, "/sign-out")
    env.clock.advance(60)

    first = sign_in(browser, "volunteer-beeta", next="/account")
    assert first.status_code == 303 and first.headers["location"].startswith(
        "/sign-in/second-factor"
    )
    assert browser.get("/staff", follow_redirects=False).status_code == 303  # not yet signed in
    step = browser.get(first.headers["location"])
    wrong = browser.post(
        "/sign-in/second-factor",
        data={"csrf_token": csrf_from(step.text), "code": "000000", "next": "/account"},
    )
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.text
    right = browser.post(
        "/sign-in/second-factor",
        data={
            "csrf_token": csrf_from(step.text),
            "code": totp.code_at(secret, env.clock.now()),
            "next": "/account",
        },
    )
    assert right.status_code == 303 and right.headers["location"] == "/account"
    assert browser.get("/account").status_code == 200
    post(browser, "/sign-out")

    sign_in(browser, "volunteer-beeta")
    step = browser.get("/sign-in/second-factor")
    replay = browser.post(
        "/sign-in/second-factor",
        data={"csrf_token": csrf_from(step.text), "code": totp.code_at(secret, env.clock.now())},
    )
    assert replay.status_code == 400
    recovered = browser.post(
        "/sign-in/second-factor", data={"csrf_token": csrf_from(step.text), "code": codes[3]}
    )
    assert recovered.status_code == 303
    assert "Käyttämättömiä varakoodeja: 9" in browser.get("/account").text


def test_organisation_can_require_a_second_factor(env: Env) -> None:
    """A coordinator whose organisation requires TOTP can do nothing but set it up first."""

    async def require(db: Any) -> None:
        async with db.session() as session:
            await session.execute(
                update(Organisation)
                .where(Organisation.slug == "alfa")
                .values(require_totp="coordinators")
            )

    env.db(require)
    browser = env.browser()
    sign_in(browser, "coordinator-alfa")
    held = browser.get("/orgs/alfa/people", follow_redirects=False)
    assert held.status_code == 303 and held.headers["location"] == "/account/second-factor"
    assert "Järjestösi edellyttää kaksivaiheista tunnistautumista" in browser.get("/staff").text
    refused = post(browser, "/orgs/alfa/qualifications", {"name": "X"})
    assert refused.status_code == 403
    enable_totp(env, browser)
    opened = browser.get("/orgs/alfa/people", follow_redirects=False)
    assert opened.status_code == 200
    other = env.browser()
    sign_in(other, "volunteer-alfa")  # volunteers are not required to
    assert other.get("/staff").status_code == 200


def test_throttling_slows_guessing_but_not_the_owner_on_a_known_device(env: Env) -> None:
    """After five failures an attacker waits for the window's end; the owner on a device
    used before signs in meanwhile."""
    owner = env.browser()
    assert sign_in(owner, "coordinator-beeta").status_code == 303
    assert owner.cookie("__Host-kuulolla_device")
    post(owner, "/sign-out")
    attacker = env.browser()
    for _ in range(5):
        assert sign_in(attacker, "coordinator-beeta", "arvaus arvaus arvaus").status_code == 400
    held = sign_in(attacker, "coordinator-beeta")
    assert held.status_code == 429
    assert "Liian monta epäonnistunutta kirjautumista" in held.text and "15 min" in held.text
    assert sign_in(owner, "coordinator-beeta").status_code == 303
    env.clock.advance(900)
    assert sign_in(attacker, "coordinator-beeta").status_code == 303  # the window ended


def test_invited_volunteer_sets_a_password_once(env: Env) -> None:
    """A coordinator's invitation link lets the person set their password, once; errors sit by their fields."""
    coordinator = env.browser()
    sign_in(coordinator, "coordinator-alfa")
    people = coordinator.get("/orgs/alfa/people")
    bad = coordinator.post(
        "/orgs/alfa/people",
        data={
            "csrf_token": csrf_from(people.text),
            "username": "Väärä Nimi",
            "display_name": "Uusi",
            "role": "volunteer",
        },
    )
    assert bad.status_code == 400
    assert re.search(
        r'id="f-username"[^>]*aria-describedby="f-username-hint f-username-error"[^>]*aria-invalid="true"',
        bad.text,
    )
    issued = coordinator.post(
        "/orgs/alfa/people",
        data={
            "csrf_token": csrf_from(people.text),
            "username": "uusi.vapaaehtoinen",
            "display_name": "Uuna",
            "role": "volunteer",
        },
    )
    assert issued.status_code == 200
    url = re.search(r'value="(https://testserver/welcome/[^"]+)"', issued.text)
    assert url and "voimassa" not in url.group(1)
    path = url.group(1).removeprefix("https://testserver")

    newcomer = env.browser()
    form = newcomer.get(path)
    assert form.status_code == 200 and "uusi.vapaaehtoinen" in form.text
    weak = newcomer.post(
        path,
        data={
            "csrf_token": csrf_from(form.text),
            "password": "salasana1234",
            "confirm": "salasana1234",
        },
    )
    assert weak.status_code == 400 and 'id="f-password-error"' in weak.text
    done = newcomer.post(
        path, data={"csrf_token": csrf_from(form.text), "password": PASSWORD, "confirm": PASSWORD}
    )
    # Signed in at once with the new password's session; the link is spent.
    assert done.status_code == 303 and done.headers["location"] == "/staff?done=password_set"
    home = newcomer.get("/staff?done=password_set")
    assert home.status_code == 200 and "Hei, Uuna" in home.text
    assert "Salasanasi on asetettu ja olet kirjautunut sisään." in home.text
    assert newcomer.get(path).status_code == 404
    post(newcomer, "/sign-out", {})
    assert sign_in(newcomer, "uusi.vapaaehtoinen").status_code == 303
    assert "Uuna" in coordinator.get("/orgs/alfa/people").text


def test_role_change_gives_a_new_cookie(env: Env) -> None:
    """When a coordinator changes someone's role, that person's next request gets a new token."""
    person = env.browser()
    sign_in(person, "target-alfa")
    before = person.cookie("__Host-kuulolla_session")
    coordinator = env.browser()
    sign_in(coordinator, "coordinator-alfa")
    uid = env.world.users["target-alfa"]
    page = coordinator.get(f"/orgs/alfa/people/{uid}")
    changed = coordinator.post(
        f"/orgs/alfa/people/{uid}/role",
        data={"csrf_token": csrf_from(page.text), "role": "coordinator"},
    )
    assert changed.status_code == 303
    response = person.get("/orgs/alfa/people", follow_redirects=False)
    assert response.status_code == 200  # now a coordinator
    after = person.cookie("__Host-kuulolla_session")
    assert after and after != before


def test_password_change_ends_other_sessions(env: Env) -> None:
    """Changing the password signs the person out everywhere else; this browser stays in."""
    laptop, phone = env.browser(), env.browser()
    sign_in(laptop, "professional-alfa")
    sign_in(phone, "professional-alfa")
    new = "uusi salasana on tämä"
    changed = post(
        laptop, "/account/password", {"current_password": PASSWORD, "password": new, "confirm": new}
    )
    assert changed.status_code == 303
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account", follow_redirects=False).status_code == 303
    wrong = post(
        laptop,
        "/account/password",
        {"current_password": "ei tämä", "password": new + "x", "confirm": new + "x"},
    )
    assert wrong.status_code == 400 and 'id="pw-current_password-error"' in wrong.text


def test_crisis_numbers_reach_the_room_page(env: Env) -> None:
    """Crisis numbers a coordinator saves are shown to visitors of the organisation's rooms."""
    browser = env.browser()
    sign_in(browser, "coordinator-alfa")
    saved = post(
        browser,
        "/orgs/alfa/settings",
        {
            "name": "Alfa ry",
            "contact": "www.alfa.example",
            "require_totp": "none",
            "crisis-0-number": "09 123 4567",
            "crisis-0-name-fi": "Alfan kriisilinja",
            "crisis-0-name-sv": "Alfas kristelefon",
            "crisis-0-description-fi": "Auki aina",
        },
        page="/orgs/alfa/settings",
    )
    assert saved.status_code == 303
    visitor = env.browser()
    room = visitor.get("/rooms/alfa-huone?lang=sv")
    assert 'href="tel:091234567"' in room.text and "Alfas kristelefon" in room.text
    assert "Alfan kriisilinja" in visitor.get("/rooms/alfa-huone?lang=fi").text
    assert "Alfan kriisilinja" not in visitor.get("/rooms/beeta-huone").text


def test_staff_pages_in_three_languages(env: Env) -> None:
    """The sign-in page and a coordinator page are translated into Finnish, Swedish and English."""
    expected = {
        "fi": "Henkilökunnan kirjautuminen",
        "sv": "Inloggning för personal",
        "en": "Staff sign-in",
    }
    for lang, heading in expected.items():
        assert f"<h1>{heading}</h1>" in env.client.get(f"/sign-in?lang={lang}").text
    browser = env.browser()
    sign_in(browser, "coordinator-beeta")
    assert "Kutsu uusi henkilö" in browser.get("/orgs/beeta/people?lang=fi").text
    assert "Bjud in en ny person" in browser.get("/orgs/beeta/people?lang=sv").text
    assert "Invite a new person" in browser.get("/orgs/beeta/people?lang=en").text


def test_frozen_clock_is_the_apps_clock(env: Env) -> None:
    """create_app(clock=…) drives session times (the expiry tests depend on it)."""
    env.clock.advance(minutes=7)
    sign_in(env.browser(), "admin")

    async def created(db: Any) -> list[Any]:
        async with db.read_session() as session:
            return list(await session.scalars(select(StaffSession.created_at)))

    assert env.db(created) == [NOW + timedelta(minutes=7)]
