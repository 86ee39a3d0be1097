"""Time-based one-time passwords (RFC 6238, through pyotp) and recovery codes.

Pure: the time is a parameter. A code is accepted in the current 30-second step or
one step either side (clock drift), and only for a step later than the last one
accepted for the person, so an observed code cannot be replayed.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp

ISSUER = "Kuulolla"
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: codes are read from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226 recommends at least 128)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an authenticator by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, *, now: datetime, last_step: int) -> int | None:
    """The time step ``code`` belongs to, if it is valid at ``now`` and later than
    ``last_step``; otherwise None."""
    code = code.replace(" ", "").strip()
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = step_at(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compare every candidate, so the time taken does not say which one matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and step > last_step:
            found = step
    return found


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator shows at ``now`` (tests and the set-up page's check)."""
    return pyotp.TOTP(secret).at(now)


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Codes like ``k7m2-q9x4-hp3a``: 12 characters from 31, about 59 bits each."""
    return [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(count)
    ]


def normalise_recovery_code(code: str) -> str | None:
    """A recovery code as typed (any case, spaces or no hyphens) in canonical form, or
    None when it cannot be one."""
    raw = re.sub(r"[\s\-]", "", code).lower()
    if len(raw) != 12 or any(ch not in _ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
