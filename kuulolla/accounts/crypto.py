"""Keys derived from the secret key, and what they protect.

- Session, link and device tokens: 256 random bits; the database keeps their SHA-256.
- CSRF tokens: HMAC of the session token's hash (or of a pre-session cookie).
- TOTP secrets: AES-256-GCM under a key derived with HKDF from ``KUULOLLA_SECRET_KEY``,
  bound to the user id, so a copy of the database alone does not give away second
  factors. Changing the secret key makes stored TOTP secrets unreadable: people then
  set up their authenticator again (docs/operations.md).
- Recovery codes: HMAC under the secret key (they carry ~60 bits, too few for a plain
  hash if the database leaked).
- The staff author key in chat: a keyed hash of the user id, never the session token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kuulolla.core.ids import keyed

_VERSION = b"\x01"


def new_secret_token() -> str:
    """A random 256-bit token, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """The 32 bytes stored in place of a session or link token."""
    return hashlib.sha256(token.encode()).digest()


def csrf_token(secret: str, binding: bytes) -> str:
    """The CSRF token of a session (``binding`` = its token hash) or of a pre-session
    cookie. Deterministic, so every form of a session carries the same token."""
    return keyed(secret, "csrf", binding).hex()[:48]


def csrf_matches(secret: str, binding: bytes, given: str) -> bool:
    return hmac.compare_digest(csrf_token(secret, binding), given)


def staff_author_key(secret: str, user_id: int) -> bytes:
    """The 16-byte author key of a staff member's chat messages."""
    return keyed(secret, "staff-author", str(user_id))[:16]


def recovery_code_hash(secret: str, user_id: int, code: str) -> bytes:
    return keyed(secret, "recovery", str(user_id), code)


def device_mac(secret: str, user_id: int, nonce: str) -> str:
    return keyed(secret, "device", str(user_id), nonce).hex()[:32]


def _totp_key(secret: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"kuulolla-totp-v1", info=b"totp-secrets"
    ).derive(secret.encode())


def encrypt_totp_secret(secret: str, user_id: int, totp_secret: str) -> bytes:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_totp_key(secret)).encrypt(nonce, totp_secret.encode(), b"user:%d" % user_id)
    return _VERSION + nonce + sealed


def decrypt_totp_secret(secret: str, user_id: int, blob: bytes) -> str | None:
    """The TOTP secret, or None when it cannot be read (another secret key, damage)."""
    if len(blob) < 13 or blob[:1] != _VERSION:
        return None
    try:
        plain = AESGCM(_totp_key(secret)).decrypt(blob[1:13], blob[13:], b"user:%d" % user_id)
    except InvalidTag:
        return None
    return plain.decode()
