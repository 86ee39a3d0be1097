"""Pure rules of staff accounts: tables of cases, no event loop, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kuulolla.accounts import crypto, logic, permissions, totp
from kuulolla.accounts.logic import WeakPassword
from kuulolla.accounts.permissions import (
    ANONYMOUS,
    CHAT_AS_STAFF,
    EDIT_ORGANISATION,
    MANAGE_ORGANISATIONS,
    MANAGE_PEOPLE,
    OWN_ACCOUNT,
    VIEW_AUDIT,
    Principal,
    Role,
)
from kuulolla.core.errors import BadRequest

T0 = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

# ------------------------------------------------------------------ passwords


@pytest.mark.parametrize(
    "password",
    [
        "kirahvi ajaa polkupyörällä",
        "correct-horse-battery-staple-2",
        "Pitkä lause, jossa on välilyöntejä ja ääkkösiä",
        "x7#kQ9!mZ2@w",  # exactly 12 characters
        "a" * 2 + "b" * 2 + "cdefghij",  # repeats are fine with enough variety
        "ü" * 6 + "abcdefgh",  # counted in characters, not bytes
        "p" + "ä" * 3 + "ssphrase with many words " * 40,  # 1,000+ characters
    ],
)
def test_good_passwords_are_accepted(password: str) -> None:
    """Long passwords of any composition pass; there are no character-class rules."""
    assert logic.check_password(password[: logic.MAX_PASSWORD_CHARS]) == logic.normalise_password(
        password[: logic.MAX_PASSWORD_CHARS]
    )


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("lyhyt", "at least 12"),
        ("elevenchars", "at least 12"),
        ("salasana1234", "too common"),
        ("Salasana2024!", "too common"),
        ("SALASANA123456", "too common"),
        ("qwerty123456", "too common"),
        ("password1234", "too common"),
        ("123456789012", "too common"),
        ("1q2w3e4r5t6y", "too common"),
        ("  salasana1234  ", "too common"),
        ("123helsinki2025", "too common"),
        ("aaaaaaaaaaaaaaaa", "same few"),
        ("abababababab", "same few"),
        ("x" * 1025, "at most"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, why: str) -> None:
    """Short, common, pattern-like and absurdly long passwords are refused, saying why."""
    with pytest.raises(WeakPassword) as info:
        logic.check_password(password)
    assert why in info.value.translated("en")


def test_own_name_is_refused() -> None:
    """A password that is the username or display name (with a little added) is refused."""
    with pytest.raises(WeakPassword):
        logic.check_password("anna.virtanen1", username="anna.virtanen")
    with pytest.raises(WeakPassword):
        logic.check_password("Maija Meikäläinen", display_name="Maija Meikäläinen")
    assert logic.check_password("annan kissa söi puuroa", username="anna")


def test_common_password_list_is_shipped_and_has_finnish_entries() -> None:
    """The packaged list has whole passwords and base words, Finnish ones included."""
    whole, bases = logic.common_passwords()
    assert "salasana1234" in whole and "qwerty123456" in whole
    assert "salasana" in bases and "perkele" in bases and "password" in bases
    assert len(whole) + len(bases) > 250


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("Anna.K", "anna.k"), (" ville_v ", "ville_v"), ("a-b", "a-b")],
)
def test_usernames_are_lower_cased(raw: str, clean: str) -> None:
    """Usernames are stored lower-case and trimmed."""
    assert logic.check_username(raw) == clean


@pytest.mark.parametrize(
    "raw", ["ab", "-anna", "anna-", "an na", "anna@example.fi", "ä" * 5, "x" * 65]
)
def test_bad_usernames_are_refused(raw: str) -> None:
    """Usernames outside a–z, 0–9, dot, hyphen, underscore (3–64) are refused."""
    with pytest.raises(BadRequest):
        logic.check_username(raw)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Anna-Maija", "anna maija", True),
        ("ANNA", "anna", True),
        ("Ａｎｎａ", "anna", True),  # full-width letters fold
        ("Äijä", "Aija", False),  # ä is its own letter in Finnish
        ("Ville", "Veera", False),
    ],
)
def test_name_keys(a: str, b: str, same: bool) -> None:
    """Names compare casefolded, without punctuation or spaces, with Finnish letters kept."""
    assert (logic.name_key(a) == logic.name_key(b)) is same


# ------------------------------------------------------------------ sessions

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


@pytest.mark.parametrize(
    ("stage", "created", "seen", "verdict"),
    [
        ("full", 0, 0, "valid"),
        ("full", 0, 29 * 60, "valid"),  # now = 30 min after created; seen 1 min ago
        ("full", -3600, -31 * 60, "idle"),
        ("full", -11 * 3600, -60, "valid"),
        ("full", -12 * 3600, -60, "expired"),  # absolute, however active
        ("totp", -60, -60, "valid"),
        ("totp", -300, -300, "second_factor_expired"),
    ],
)
def test_session_verdicts(stage: str, created: int, seen: int, verdict: str) -> None:
    """Idle and absolute limits, and the short window of a sign-in awaiting its second factor."""
    now = T0
    if seen == 29 * 60:
        created_at, seen_at, now = T0, T0 + timedelta(seconds=seen), T0 + timedelta(minutes=30)
    else:
        created_at, seen_at = T0 + timedelta(seconds=created), T0 + timedelta(seconds=seen)
    assert (
        logic.session_verdict(
            stage=stage,
            created_at=created_at,
            last_seen_at=seen_at,
            now=now,
            idle=IDLE,
            absolute=ABSOLUTE,
        )
        == verdict
    )


def test_touch_at_most_every_minute() -> None:
    """The last-use time is written at most once a minute."""
    assert not logic.needs_touch(T0, T0 + timedelta(seconds=59))
    assert logic.needs_touch(T0, T0 + timedelta(seconds=60))


# ------------------------------------------------------------------ links, trainings


@pytest.mark.parametrize(
    ("expires", "used", "state"),
    [(3600, None, "valid"), (0, None, "expired"), (-1, None, "expired"), (3600, -5, "used")],
)
def test_link_states(expires: int, used: int | None, state: str) -> None:
    """A link is valid until used or expired."""
    used_at = T0 + timedelta(seconds=used) if used is not None else None
    assert (
        logic.link_state(expires_at=T0 + timedelta(seconds=expires), used_at=used_at, now=T0)
        == state
    )


@pytest.mark.parametrize(
    ("completed", "months", "expires"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 5, 1), 24, date(2027, 5, 1)),
        (date(2025, 5, 1), None, None),
    ],
)
def test_training_expiry(completed: date, months: int | None, expires: date | None) -> None:
    """A training's validity in months gives its expiry date, clamped to month ends."""
    assert logic.expiry_for(completed, months) == expires


@pytest.mark.parametrize(
    ("today", "valid"),
    [
        (date(2025, 1, 9), False),
        (date(2025, 1, 10), True),
        (date(2027, 1, 10), True),
        (date(2027, 1, 11), False),
    ],
)
def test_training_validity(today: date, valid: bool) -> None:
    """A record counts from its completion day through its expiry day."""
    assert (
        logic.qualification_valid(
            completed_on=date(2025, 1, 10), expires_on=date(2027, 1, 10), today=today
        )
        is valid
    )


# ------------------------------------------------------------------ redirects, crisis numbers


@pytest.mark.parametrize(
    ("target", "result"),
    [
        ("/account", "/account"),
        ("/orgs/alfa/people?x=1", "/orgs/alfa/people?x=1"),
        (None, "/staff"),
        ("https://evil.example/", "/staff"),
        ("//evil.example/", "/staff"),
        ("/\\evil.example", "/staff"),
        ("javascript:alert(1)", "/staff"),
        ("/ok\r\nSet-Cookie: x", "/staff"),
    ],
)
def test_safe_next(target: str | None, result: str) -> None:
    """After sign-in only paths on this site are followed (no open redirect)."""
    assert logic.safe_next(target) == result


def test_crisis_numbers_are_cleaned() -> None:
    """Crisis numbers keep number, names and descriptions per language; empty rows drop."""
    rows = [
        {
            "number": " 09  2525 0111 ",
            "name": {"fi": "Kriisipuhelin ", "sv": "", "de": "x"},
            "description": {"en": "Always open"},
        },
        {"number": "", "name": {}, "description": {}},
    ]
    assert logic.clean_crisis_numbers(rows) == [
        {
            "number": "09 2525 0111",
            "name": {"fi": "Kriisipuhelin"},
            "description": {"en": "Always open"},
        }
    ]


def test_crisis_numbers_keep_their_categories_in_order() -> None:
    """A number's crisis categories are kept, most urgent first; none is no key."""
    rows = [
        {
            "number": "0800 147 111",
            "name": {"fi": "Myrkytystietokeskus"},
            "categories": ["overdose"],
        },
        {"number": "112", "name": {"fi": "Hätänumero"}, "categories": ["eating", "suicide"]},
        {"number": "09 2525 0111", "name": {"fi": "Kriisipuhelin"}, "categories": []},
    ]
    assert [r.get("categories") for r in logic.clean_crisis_numbers(rows)] == [
        ["overdose"],
        ["suicide", "eating"],
        None,
    ]


def test_crisis_categories_agree_with_moderation() -> None:
    """The copied category names are those of the crisis detector, in its order."""
    from kuulolla.moderation.crisis_lexicon import CATEGORIES

    assert logic.CRISIS_CATEGORIES == CATEGORIES


@pytest.mark.parametrize(
    "row",
    [
        {"number": "soita meille", "name": {"fi": "X"}},
        {"number": "112", "name": {"sv": "Nödnummer"}},
        {"number": "112", "name": {"fi": "Hätä"}, "categories": ["flood"]},
        {"number": "112", "name": {"fi": "Hätä"}, "categories": "suicide"},
    ],
)
def test_bad_crisis_numbers_are_refused(row: dict[str, object]) -> None:
    """A crisis number needs digits and a Finnish name, and known categories in a list."""
    with pytest.raises(BadRequest):
        logic.clean_crisis_numbers([row])


# ------------------------------------------------------------------ permissions

A, B = 1, 2
PEOPLE = {
    "anonymous": ANONYMOUS,
    "volunteer": Principal(user_id=10, roles={A: Role.VOLUNTEER}),
    "professional": Principal(user_id=11, roles={A: Role.PROFESSIONAL}),
    "coordinator": Principal(user_id=12, roles={A: Role.COORDINATOR}),
    "admin": Principal(user_id=13, is_admin=True),
}


@pytest.mark.parametrize(
    ("permission", "org", "allowed"),
    [
        (OWN_ACCOUNT, None, {"volunteer", "professional", "coordinator", "admin"}),
        (CHAT_AS_STAFF, A, {"volunteer", "professional", "coordinator", "admin"}),
        (CHAT_AS_STAFF, B, {"admin"}),
        (MANAGE_PEOPLE, A, {"coordinator", "admin"}),
        (MANAGE_PEOPLE, B, {"admin"}),
        (EDIT_ORGANISATION, A, {"coordinator", "admin"}),
        (VIEW_AUDIT, A, {"coordinator", "admin"}),
        (VIEW_AUDIT, None, {"admin"}),
        (MANAGE_ORGANISATIONS, None, {"admin"}),
    ],
)
def test_allows(permission: permissions.Permission, org: int | None, allowed: set[str]) -> None:
    """Roles hold organisation permissions only in their own organisation; admins everywhere."""
    got = {name for name, p in PEOPLE.items() if permissions.allows(p, permission, org)}
    assert got == allowed


def test_second_factor_pending_holds_nothing_but_own_account() -> None:
    """A person who must still set up a second factor is built without roles or admin rights."""
    restricted = Principal(user_id=5, totp_setup_required=True)
    assert permissions.allows(restricted, OWN_ACCOUNT, None)
    assert not any(
        permissions.allows(restricted, p, A) for p in (CHAT_AS_STAFF, MANAGE_PEOPLE, VIEW_AUDIT)
    )


def test_permissions_cannot_be_defined_twice_or_without_roles() -> None:
    """The registry refuses duplicate names and organisation permissions without roles."""
    with pytest.raises(ValueError):
        permissions.define(
            "manage_people", scope="organisation", roles={Role.COORDINATOR}, description="x"
        )
    with pytest.raises(ValueError):
        permissions.define("nothing_here", scope="organisation", description="x")


@pytest.mark.parametrize(
    ("target_roles", "target_admin", "actor", "allowed"),
    [
        ({A: "volunteer"}, False, "coordinator", True),
        ({A: "volunteer", B: "volunteer"}, False, "coordinator", False),  # also in B
        ({A: "coordinator"}, True, "coordinator", False),  # an admin
        ({B: "volunteer"}, False, "coordinator", False),
        ({A: "volunteer", B: "coordinator"}, False, "admin", True),
        ({A: "volunteer"}, False, "volunteer", False),
        ({}, False, "coordinator", False),
    ],
)
def test_who_may_manage_an_account(
    target_roles: dict[int, str], target_admin: bool, actor: str, allowed: bool
) -> None:
    """A coordinator may reset or deactivate only people wholly within their organisations."""
    assert (
        permissions.may_manage_account(
            PEOPLE[actor], target_id=99, target_roles=target_roles, target_is_admin=target_admin
        )
        is allowed
    )


def test_nobody_manages_their_own_account_through_coordinator_actions() -> None:
    """Acting on oneself goes through one's own pages, not the coordinator's."""
    assert not permissions.may_manage_account(
        PEOPLE["admin"], target_id=13, target_roles={}, target_is_admin=True
    )


@pytest.mark.parametrize(
    ("admin", "roles", "rules", "required"),
    [
        (True, {}, {}, True),
        (False, {A: "coordinator"}, {A: "coordinators"}, True),
        (False, {A: "volunteer"}, {A: "coordinators"}, False),
        (False, {A: "volunteer"}, {A: "all"}, True),
        (False, {A: "coordinator"}, {A: "none"}, False),
        (False, {A: "volunteer", B: "coordinator"}, {A: "none", B: "coordinators"}, True),
    ],
)
def test_second_factor_required(
    admin: bool, roles: dict[int, str], rules: dict[int, str], required: bool
) -> None:
    """Organisations require a second factor of coordinators or everyone; admins need one."""
    assert (
        permissions.totp_required(is_admin=admin, admin_require=True, roles=roles, org_rules=rules)
        is required
    )


def test_chat_roles() -> None:
    """In a room a staff member shows their role in its organisation; admins show "admin"."""
    assert permissions.chat_role(PEOPLE["volunteer"], A) == "volunteer"
    assert permissions.chat_role(PEOPLE["volunteer"], B) is None
    assert permissions.chat_role(PEOPLE["admin"], B) == "admin"
    both = Principal(user_id=1, is_admin=True, roles={A: Role.PROFESSIONAL})
    assert permissions.chat_role(both, A) == "professional"


# ------------------------------------------------------------------ TOTP and secrets

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_totp_accepts_adjacent_steps_once() -> None:
    """A code is accepted in its step and one either side, and never for an older step."""
    code = totp.code_at(SECRET, T0)
    step = totp.step_at(T0)
    assert totp.matching_step(SECRET, code, now=T0, last_step=0) == step
    assert totp.matching_step(SECRET, code, now=T0 + timedelta(seconds=30), last_step=0) == step
    assert totp.matching_step(SECRET, code, now=T0 + timedelta(seconds=90), last_step=0) is None
    assert totp.matching_step(SECRET, code, now=T0, last_step=step) is None  # replay
    assert totp.matching_step(SECRET, "12345", now=T0, last_step=0) is None
    assert totp.matching_step(SECRET, f"{code[:3]} {code[3:]}", now=T0, last_step=0) == step


def test_recovery_codes() -> None:
    """Recovery codes are distinct, readable and accepted however they are typed."""
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    assert totp.normalise_recovery_code(code.upper().replace("-", " ")) == code
    assert totp.normalise_recovery_code("0000-1111-llll") is None


def test_totp_secret_encryption_is_bound_to_key_and_user() -> None:
    """A stored TOTP secret opens only with the same secret key and user id."""
    blob = crypto.encrypt_totp_secret("k" * 40, 7, SECRET)
    assert SECRET.encode() not in blob
    assert crypto.decrypt_totp_secret("k" * 40, 7, blob) == SECRET
    assert crypto.decrypt_totp_secret("k" * 40, 8, blob) is None
    assert crypto.decrypt_totp_secret("j" * 40, 7, blob) is None


def test_csrf_tokens_are_bound() -> None:
    """A CSRF token matches only its own session binding."""
    token = crypto.csrf_token("k" * 40, b"session-a")
    assert crypto.csrf_matches("k" * 40, b"session-a", token)
    assert not crypto.csrf_matches("k" * 40, b"session-b", token)
