"""Function-local imports across domains: an import inside a function body of one
package of kuulolla/ (accounts, chat, …) that names another package.

Such an import hides a dependency from the reader of the module's head, and often one
that runs the wrong way (docs/architecture.md, "Layers"). import-linter sees them too
(``scripts/check``); this counts them, so the figure can be compared over time.

Not counted: imports of ``kuulolla.core`` (everything may depend on it), imports
within one package, the entry modules at the top of the package (``cli.py``,
``serve.py``, ``demo.py``, ``models.py``, ``__main__.py``), and imports under
``if TYPE_CHECKING:`` at module level (no function there).

Standard library only:

    python scripts/lib/local_imports.py          one line per import, then the count
    python scripts/lib/local_imports.py --count  the count only
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "kuulolla"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name an ``ImportFrom`` refers to (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def local_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import inside a function of the file."""
    module = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom):
                found.append((child.lineno, resolve(child, module, path.name == "__init__.py")))
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    return found


def across_domains() -> list[tuple[str, int, str, str]]:
    rows = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        source = module_name(path).split(".")
        if len(source) < 3:  # kuulolla.cli, kuulolla.models, …: the entry modules
            continue
        for line, imported in local_imports(path):
            target = imported.split(".")
            if target[0] != PACKAGE or len(target) < 2 or target[1] in ("core", source[1]):
                continue
            rows.append((str(path.relative_to(ROOT)), line, ".".join(source), imported))
    return rows


def main(argv: list[str]) -> int:
    rows = across_domains()
    if "--count" not in argv:
        for path, line, source, imported in rows:
            print(f"{path}:{line}: {source} -> {imported}")
    print(len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
