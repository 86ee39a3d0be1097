"""The account events log: filters by person, kind of event and dates, pages both
ways, every event in words; and a password set with a link signs the person in."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from kuulolla.accounts import audit, audit_filter, links
from kuulolla.accounts.labels import AUDIT_LABELS
from kuulolla.accounts.models import AuditEvent
from kuulolla.accounts.permissions import Principal
from kuulolla.core import i18n
from kuulolla.core.errors import BadRequest
from tests.accounts.conftest import Env, post, sign_in
from tests.accounts.helpers import PASSWORD, csrf_from
from tests.accounts.test_routes import enable_totp
from tests.helpers import NOW

PACKAGE = Path(__file__).resolve().parents[2] / "kuulolla"


def recorded_events() -> set[str]:
    """Every event name the code can write: the string constants of the ``event``
    argument of ``audit(…)`` calls and ``AuditEvent(…)`` rows anywhere in the package."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("audit", "AuditEvent") or "moderation" in path.parts:
                continue
            for keyword in node.keywords:
                if keyword.arg == "event":
                    found |= set(_names(keyword.value))
    return found


def _names(value: ast.expr) -> list[str]:
    """The strings an ``event=`` expression can give ("a" if x else "b" gives both)."""
    if isinstance(value, ast.IfExp):
        return _names(value.body) + _names(value.orelse)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value]
    if isinstance(value, ast.Name) and value.id == "event":
        return []  # audit() itself, passing its argument on to the row
    raise AssertionError(f"an event name that is not a string constant: {ast.dump(value)}")


def test_every_recorded_event_has_a_translated_label_and_a_group() -> None:
    """No event name reaches the log page as a code: each has a label in fi, sv and en,
    and a filter group."""
    events = recorded_events()
    assert len(events) > 25
    assert events - set(AUDIT_LABELS) == set()
    grouped = {e for _, members in audit_filter.EVENT_GROUPS.values() for e in members}
    assert set(AUDIT_LABELS) - grouped == set()
    for event in events:
        label = AUDIT_LABELS[event]
        for locale in ("fi", "sv"):
            assert i18n.gettext(locale, label) != label, (locale, event)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"person": "x"}, "bad_audit_person"),
        ({"person": "999"}, "bad_audit_person"),
        ({"event": "sign_inn"}, "bad_audit_event"),
        ({"from": "1.1.2026"}, "bad_audit_from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "bad_audit_to"),
        ({"before": "-1"}, "bad_audit_page"),
        ({"before": "5", "after": "3"}, "bad_audit_page"),
    ],
)
def test_bad_filters_are_refused_by_field(params: dict[str, str], code: str) -> None:
    """A filter value that is not one of the choices is refused with its field's code."""
    with pytest.raises(BadRequest) as caught:
        audit_filter.check_filter(params, people={1, 2})
    assert caught.value.code == code


def add_events(env: Env, count: int) -> list[int]:
    """``count`` sign-ins of coordinator-alfa, oldest first, one a minute."""
    from datetime import timedelta

    async def work(db: Any) -> list[int]:
        ids = []
        async with db.session() as session:
            for i in range(count):
                row = AuditEvent(
                    created_at=NOW + timedelta(minutes=i),
                    event="sign_in",
                    actor_id=env.world.users["coordinator-alfa"],
                    target_user_id=env.world.users["coordinator-alfa"],
                    organisation_id=None,
                    detail={},
                )
                session.add(row)
                await session.flush()
                ids.append(row.id)
        return ids

    return env.db(work)  # type: ignore[no-any-return]


def test_pages_go_back_and_forward_without_gaps_or_repeats(env: Env) -> None:
    """Older pages, then newer ones again, read every event once in order."""
    ids = add_events(env, 7)
    wanted = audit_filter.AuditFilter(
        person=env.world.users["coordinator-alfa"], event="sign_in", events=("sign_in",)
    )

    async def read(db: Any, **page: int) -> audit.AuditPage:
        return await audit.list_audit(
            db, organisation_id=env.world.orgs["alfa"], filter=wanted.page(**page), per_page=3
        )

    first = env.db(lambda db: read(db))
    assert [e.id for e in first.entries] == ids[:-4:-1] and first.newer is None
    second = env.db(lambda db: read(db, before=first.older))
    third = env.db(lambda db: read(db, before=second.older))
    assert [e.id for e in second.entries + third.entries] == ids[3::-1]
    assert third.older is None
    back = env.db(lambda db: read(db, after=third.newer))
    assert back.entries == second.entries
    top = env.db(lambda db: read(db, after=back.newer))
    assert [e.id for e in top.entries] == [e.id for e in first.entries] and top.newer is None


def test_log_page_filters_and_shows_words(env: Env) -> None:
    """The coordinator's log filters by person and kind; events read as words, a
    code the version does not know reads "other"; bad filters show by their field."""
    add_events(env, 2)

    async def odd(db: Any) -> None:
        async with db.session() as session:
            session.add(
                AuditEvent(
                    created_at=NOW,
                    event="from_a_newer_version",
                    target_user_id=env.world.users["volunteer-alfa"],
                    organisation_id=env.world.orgs["alfa"],
                    detail={},
                )
            )

    env.db(odd)
    browser = env.browser()
    sign_in(browser, "coordinator-alfa")
    everything = browser.get("/orgs/alfa/audit").text
    assert "Muu tilin tapahtuma" in everything and "from_a_newer_version" not in everything
    person = env.world.users["volunteer-alfa"]
    only = browser.get(f"/orgs/alfa/audit?person={person}&event=people").text
    assert "Muu tilin tapahtuma" not in only and "Kirjautui sisään" not in only
    signins = browser.get("/orgs/alfa/audit?event=sign_in").text
    assert signins.count("<tr>") >= 3  # the header and two sign-ins
    bad = browser.get(f"/orgs/alfa/audit?person={env.world.users['volunteer-beeta']}")
    assert bad.status_code == 400
    assert re.search(r'id="f-person"[^>]*aria-invalid="true"', bad.text)


def test_reset_link_of_someone_with_a_second_factor_asks_for_it(env: Env) -> None:
    """Setting a password with a link signs in, but a second factor is still asked for."""
    browser = env.browser()
    sign_in(browser, "volunteer-alfa")
    enable_totp(env, browser)
    post(browser, "/sign-out")

    async def reset(db: Any) -> str:
        issued = await links.do_create_reset_link(
            db,
            actor=Principal(user_id=env.world.users["admin"], is_admin=True),
            user_id=env.world.users["volunteer-alfa"],
            organisation_id=env.world.orgs["alfa"],
            settings=env.settings,
            now=NOW,
        )
        return issued.token

    path = f"/welcome/{env.db(reset)}"
    form = browser.get(path)
    done = browser.post(
        path,
        data={
            "csrf_token": csrf_from(form.text),
            "password": PASSWORD + "!",
            "confirm": PASSWORD + "!",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/sign-in/second-factor")
    assert browser.get("/staff", follow_redirects=False).status_code == 303  # not in yet
