"""Pure rules of staff accounts: no I/O, no event loop, time passed in.

- Passwords: :func:`check_password` (length, common passwords; no composition rules).
- Names: :func:`check_username`, :func:`check_display_name`, :func:`name_key`.
- Sessions: :func:`session_verdict`, :func:`needs_touch`.
- Links: :func:`link_state`. Qualifications: :func:`qualification_valid`, :func:`expiry_for`.
- Redirects: :func:`safe_next`. Crisis numbers: :func:`clean_crisis_numbers`.

Permissions and the principal live in accounts/permissions.py.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import LOCALES, N_

# ------------------------------------------------------------------ passwords

MIN_PASSWORD_CHARS = 12
# Long passphrases are welcome; the cap only keeps one request from feeding the hash
# megabytes (NIST SP 800-63B 5.1.1.2: accept at least 64 characters).
MAX_PASSWORD_CHARS = 1024
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common-passwords.txt"


class WeakPassword(BadRequest):
    code = "weak_password"
    default_message = N_("Choose another password.")


@cache
def common_passwords() -> tuple[frozenset[str], frozenset[str]]:
    """(whole passwords, base words) from the shipped list, casefolded. A line starting
    with ``~`` is a base word: it is refused with any digits or symbols added after it."""
    whole: set[str] = set()
    bases: set[str] = set()
    for line in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("~"):
            bases.add(line[1:].casefold())
        else:
            whole.add(line.casefold())
    return frozenset(whole), frozenset(bases)


_TRAILING_JUNK = re.compile(r"[\d\W_]+$")
_LEADING_JUNK = re.compile(r"^[\d\W_]+")


def normalise_password(password: str) -> str:
    """NFKC, as NIST SP 800-63B 5.1.1.2 recommends, so the same passphrase typed on
    another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, *, username: str = "", display_name: str = "") -> str:
    """Return the normalised password or raise :class:`WeakPassword` saying why.

    At least 12 characters, at most 1,024; no rules about character classes; not on
    the list of common passwords, not a common word with digits around it, not the
    person's own name, not one character over and over.
    """
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPassword(
            N_(
                "The password must have at least {min} characters. A few words in a row are easy to remember."
            ),
            min=MIN_PASSWORD_CHARS,
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise WeakPassword(
            N_("The password can have at most {max} characters."), max=MAX_PASSWORD_CHARS
        )
    folded = password.casefold()
    whole, bases = common_passwords()
    core = _LEADING_JUNK.sub("", _TRAILING_JUNK.sub("", folded))
    if (
        folded in whole
        or folded in bases
        or core in bases
        or core in whole
        or folded.strip() in whole
    ):
        raise WeakPassword(
            N_("That password is too common: it is among the first ones an attacker tries.")
        )
    plain = name_key(password)
    for name in (username, display_name):
        key = name_key(name)
        # The name itself, or the name with a few characters added ("anna.k2024").
        if len(key) >= 3 and key in plain and len(plain) - len(key) < 6:
            raise WeakPassword(N_("The password must not be your name or username."))
    if len(set(folded)) < 4:
        raise WeakPassword(N_("The password repeats the same few characters. Choose another."))
    return password


# ------------------------------------------------------------------ names

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]$")
_NAME_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_DISPLAY_ALLOWED = re.compile(r"^[\w .'\-]+$")


def check_username(username: str) -> str:
    """Usernames: 3–64 of a–z, 0–9, dot, hyphen, underscore; stored lower-case."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise BadRequest(
            N_(
                "A username has 3–64 characters: letters a–z, digits, dots, hyphens and underscores."
            ),
            code="invalid_username",
        )
    return username


def check_display_name(name: str, *, max_chars: int = 24) -> str:
    """The name visitors see in the chat (same shape as a nickname)."""
    name = _NAME_SPACES.sub(" ", unicodedata.normalize("NFC", _CONTROL.sub("", name))).strip()
    if len(name) < 2 or len(name) > max_chars:
        raise BadRequest(
            N_("The display name must have 2–{max} characters."),
            code="invalid_display_name",
            max=max_chars,
        )
    if not _DISPLAY_ALLOWED.match(name):
        raise BadRequest(
            N_("Use letters, numbers, spaces, dots, hyphens and apostrophes in the display name."),
            code="invalid_display_name",
        )
    return name


def name_key(name: str) -> str:
    """The form in which two names count as the same: casefolded, compatibility
    characters folded, accents kept (ä is not a), punctuation and spaces dropped.
    "Anna-Maija" and "anna maija" share a key."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def check_languages(codes: list[str]) -> list[str]:
    return [code for code in LOCALES if code in set(codes)]


# ------------------------------------------------------------------ sessions

SessionVerdict = Literal["valid", "idle", "expired", "second_factor_expired"]
# A sign-in waiting for its second factor lasts this long.
SECOND_FACTOR_WINDOW = timedelta(minutes=5)
MAX_SECOND_FACTOR_FAILURES = 5
# last_seen_at is written at most this often, so every click is not a database write.
TOUCH_INTERVAL = timedelta(minutes=1)


def session_verdict(
    *,
    stage: str,
    created_at: datetime,
    last_seen_at: datetime,
    now: datetime,
    idle: timedelta,
    absolute: timedelta,
) -> SessionVerdict:
    """Whether a session still holds at ``now``. The idle limit counts from the last
    use, the absolute one from sign-in; a sign-in waiting for its second factor holds
    only for :data:`SECOND_FACTOR_WINDOW`."""
    if stage != "full":
        if now - created_at >= SECOND_FACTOR_WINDOW:
            return "second_factor_expired"
        return "valid"
    if now - created_at >= absolute:
        return "expired"
    if now - last_seen_at >= idle:
        return "idle"
    return "valid"


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL


# ------------------------------------------------------------------ links

LinkState = Literal["valid", "used", "expired"]


def link_state(*, expires_at: datetime, used_at: datetime | None, now: datetime) -> LinkState:
    if used_at is not None:
        return "used"
    if now >= expires_at:
        return "expired"
    return "valid"


# ------------------------------------------------------------------ qualifications


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(completed_on: date, valid_months: int | None) -> date | None:
    return None if valid_months is None else add_months(completed_on, valid_months)


def qualification_valid(*, completed_on: date, expires_on: date | None, today: date) -> bool:
    """A completed training counts from its date up to and including its expiry day."""
    return completed_on <= today and (expires_on is None or today <= expires_on)


# ------------------------------------------------------------------ redirects


def safe_next(target: str | None, default: str = "/staff") -> str:
    """A redirect target after sign-in: only a path on this site, never another host
    ("//evil.example", "/\\evil.example" and "https://…" fall back to ``default``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\r\n\t\\") or len(target) > 512:
        return default
    return target


# ------------------------------------------------------------------ organisations

TOTP_RULES = ("none", "coordinators", "all")
MAX_CRISIS_NUMBERS = 10
# The crisis categories of moderation/crisis.py, most urgent first, copied so that
# accounts need not import moderation; tests/accounts/test_logic.py checks they agree.
CRISIS_CATEGORIES = ("overdose", "suicide", "self_harm", "violence", "abuse", "eating")
_NUMBER = re.compile(r"^\+?[0-9][0-9 ()\-]{1,30}$")


def check_totp_rule(rule: str) -> str:
    if rule not in TOTP_RULES:
        raise BadRequest(N_("Choose who must use a second factor."), code="invalid_totp_rule")
    return rule


def clean_crisis_numbers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate crisis numbers: each needs a number and a Finnish name; Swedish and
    English names, the descriptions and ``categories`` (the crisis categories the
    number is for, shown first to the writer of such a message; none: every crisis)
    are optional. Empty rows are dropped."""
    out: list[dict[str, Any]] = []
    for row in rows:
        number = " ".join(str(row.get("number", "")).split())
        names = {
            loc: " ".join(str(v).split())
            for loc, v in dict(row.get("name", {})).items()
            if loc in LOCALES and str(v).strip()
        }
        descriptions = {
            loc: " ".join(str(v).split())
            for loc, v in dict(row.get("description", {})).items()
            if loc in LOCALES and str(v).strip()
        }
        if not number and not names and not descriptions:
            continue
        if not _NUMBER.match(number):
            raise BadRequest(
                N_("A crisis number may have digits, spaces, brackets, hyphens and a leading +."),
                code="invalid_crisis_number",
            )
        if "fi" not in names:
            raise BadRequest(
                N_("Each crisis number needs a name in Finnish."), code="invalid_crisis_number"
            )
        if any(len(v) > 120 for v in names.values()) or any(
            len(v) > 300 for v in descriptions.values()
        ):
            raise BadRequest(
                N_("A name can have at most 120 and a description 300 characters."),
                code="invalid_crisis_number",
            )
        given = row.get("categories") or []
        if not isinstance(given, list) or any(c not in CRISIS_CATEGORIES for c in given):
            raise BadRequest(
                N_("Choose the kinds of crisis from the list."), code="invalid_crisis_number"
            )
        categories = [c for c in CRISIS_CATEGORIES if c in given]
        out.append(
            {"number": number, "name": names, "description": descriptions}
            | ({"categories": categories} if categories else {})
        )
    if len(out) > MAX_CRISIS_NUMBERS:
        raise BadRequest(
            N_("At most {max} crisis numbers."),
            code="invalid_crisis_number",
            max=MAX_CRISIS_NUMBERS,
        )
    return out


def localised(texts: dict[str, str], locale: str) -> str:
    return texts.get(locale) or texts.get("fi") or next(iter(texts.values()), "")
