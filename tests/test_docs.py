"""The documentation stays true to the code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kuulolla.core.settings import PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    """docs/operations.md lists every KUULOLLA_* setting."""
    text = (ROOT / "docs" / "operations.md").read_text()
    names = [PREFIX + f.name.upper() for f in dataclasses.fields(Settings)]
    missing = [name for name in names if f"`{name}`" not in text]
    assert missing == []


def test_every_error_code_of_the_socket_is_documented() -> None:
    """docs/protocol.md lists every error code the chat endpoint can send."""
    import re

    text = (ROOT / "docs" / "protocol.md").read_text()
    files = [*(ROOT / "kuulolla" / "chat").rglob("*.py"), ROOT / "kuulolla" / "core" / "errors.py"]
    sources = "".join(p.read_text() for p in files)
    codes = set(re.findall(r'code(?:\s*=|=)\s*"([a-z_]+)"', sources))
    codes |= {"bad_json", "bad_frame"}
    generic = {"error", "bad_request", "not_found", "forbidden", "conflict"}  # base classes
    missing = sorted(c for c in codes - generic if f"`{c}`" not in text)
    assert missing == []
