"""Random tokens and the one-way keys derived from them."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    """A random 256-bit token, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_key(token: str) -> bytes:
    """The 16-byte key stored in place of a token. Tokens carry 256 random bits, so a
    plain hash is enough: nothing can be guessed back from it."""
    return hashlib.sha256(token.encode()).digest()[:16]


def keyed(secret: str, *parts: bytes | str) -> bytes:
    """HMAC-SHA256 over ``parts`` (length-prefixed so parts cannot run together)."""
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        mac.update(len(raw).to_bytes(4, "big"))
        mac.update(raw)
    return mac.digest()


def short_id(raw: bytes, length: int = 8) -> str:
    """A short, URL-safe public id from bytes (for display, not for security)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    n = int.from_bytes(raw[:10], "big")
    out = []
    for _ in range(length):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return "".join(out)
