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


def _layout_rows() -> dict[str, str]:
    """The rows of the layout table in docs/architecture.md: folder → what it holds."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("## Layout", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        folder, holds = line.strip("|").split("|", 1)
        rows[folder.strip().strip("`").rstrip("/")] = holds
    return rows


def test_the_layout_table_names_every_package_and_only_files_that_exist() -> None:
    """docs/architecture.md's layout table has a row per package, and every file a row
    names is in that package."""
    import re

    package = ROOT / "kuulolla"
    folders = {p.parent.name for p in package.glob("*/__init__.py")}
    rows = _layout_rows()
    assert sorted(rows) == sorted(folders)
    missing = [
        f"{folder}/{name}"
        for folder, holds in rows.items()
        for name in re.findall(r"`([a-z_]+\.py)`", holds)
        if not (package / folder / name).exists()
    ]
    assert missing == []
