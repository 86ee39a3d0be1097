"""Pure rules of claim codes: the code a visitor gets for their question, how what they
type is read back, and the key stored for it (only the key is stored).

No I/O here.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# ------------------------------------------------------------------ claim codes

# 160 random bits in RFC 4648 base32: 32 letters and digits, shown in eight groups of
# four. Base32 has no 0/1/8/9 and one case, so a code read aloud or copied by hand
# survives; 0, 1 and 8 typed by mistake are read as O, I and B.
CLAIM_BYTES = 20
CLAIM_GROUP = 4
_CLAIM_CHARS = re.compile(r"^[A-Z2-7]{32}$")
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_claim_code() -> str:
    """A new claim code, grouped for reading: ``ABCD-EFGH-…`` (39 characters)."""
    raw = base64.b32encode(secrets.token_bytes(CLAIM_BYTES)).decode()
    return "-".join(raw[i : i + CLAIM_GROUP] for i in range(0, len(raw), CLAIM_GROUP))


def new_claim() -> tuple[str, bytes]:
    """A new claim code and the key to store for it."""
    code = new_claim_code()
    key = claim_key(code)
    if key is None:  # pragma: no cover - a fresh code always normalises
        raise RuntimeError("claim code does not normalise")
    return code, key


def normalise_claim_code(code: str) -> str | None:
    """The 32 code characters of what a visitor typed, or None when it cannot be a code."""
    cleaned = re.sub(r"[\s-]", "", code).upper().translate(_CONFUSABLE)
    return cleaned if _CLAIM_CHARS.match(cleaned) else None


def claim_key(code: str) -> bytes | None:
    """The key stored for a code (SHA-256 of its normalised form). The code carries 160
    random bits, so a plain hash is enough: it cannot be guessed back."""
    cleaned = normalise_claim_code(code)
    if cleaned is None:
        return None
    return hashlib.sha256(b"kuulolla-claim:" + cleaned.encode()).digest()
