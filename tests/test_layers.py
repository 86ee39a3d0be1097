"""The layers of docs/architecture.md, as .importlinter declares them for import-linter."""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTP_MODULE = re.compile(r"^(routes(_[a-z]+)?|[a-z]+_routes)$")


def _ignored(contract: str) -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    lines = config[f"importlinter:contract:{contract}"]["ignore_imports"].splitlines()
    return [line.strip() for line in lines if line.strip()]


def test_every_http_module_of_a_domain_is_in_the_web_layer() -> None:
    """Each domain's HTTP module (routes*.py) is named by the layers contract's rule for
    the web layer, so a new one is not checked as domain code by mistake."""
    named = {line.split(" -> ")[0].rsplit(".", 1)[1] for line in _ignored("layers")}
    found = {
        path.stem
        for path in (ROOT / "kuulolla").glob("*/*.py")
        if path.parent.name != "web" and HTTP_MODULE.match(path.stem)
    }
    assert sorted(found - named) == []


def test_importing_the_pure_rules_loads_no_io_library() -> None:
    """Importing moderation.logic (and through it the crisis rules) loads no SQLAlchemy,
    Starlette, Redis or asyncio of its own: the rules stay testable without them."""
    import subprocess

    code = (
        "import sys; import kuulolla.moderation.logic; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'sqlalchemy', 'starlette', 'redis'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_function_local_import_crosses_domains() -> None:
    """No import inside a function names another domain (scripts/lib/local_imports.py):
    a dependency between domains is stated at the top of the module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "local_imports", ROOT / "scripts" / "lib" / "local_imports.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.across_domains() == []
