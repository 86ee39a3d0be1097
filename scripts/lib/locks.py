"""The lock files in requirements/: what they pin, and whether they still match pyproject.toml.

The locks are pip requirement files written by ``uv pip compile --generate-hashes
--universal`` (see scripts/upgrade): every distribution pinned with ``==``, every
file of it with a SHA-256 hash, and an environment marker where only some platforms
or Pythons need it. Under the tool's own header each lock carries one line of ours,

    # inputs: sha256=<hex>

the hash of the ranges it was made from (``inputs_hash``), so a range changed without
a new lock is noticed (``stale``) instead of installing versions the ranges no longer
allow.

Standard library only: scripts run it with whichever Python they have.

    python scripts/lib/locks.py inputs            print each lock's hash of its ranges
    python scripts/lib/locks.py stamp LOCK...     write the inputs line into the locks
    python scripts/lib/locks.py stale             exit 1 (and say so) when a lock is stale
    python scripts/lib/locks.py prune             names installed in this Python's
                                                  environment that no lock lists
    python scripts/lib/locks.py changes           versions the locks changed since the
                                                  last commit
    python scripts/lib/locks.py newer SET         distributions installed in this Python's
                                                  environment at other versions than
                                                  the lock SET has
    python scripts/lib/locks.py build-requires    the build backend's ranges, one a line
    python scripts/lib/locks.py add SPEC [EXTRA]  add a range to pyproject.toml's
                                                  dependencies (or to the extra)
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
# The sets, smallest first: each lock holds the one before it with the same versions.
SETS = ("runtime", "test", "bench")
EXTRAS = {"runtime": (), "test": ("test",), "bench": ("test", "bench")}
# Installed but never locked: the installer of the environment and the project itself.
UNLOCKED = frozenset({"pip", "kuulolla"})
INPUTS_PREFIX = "# inputs: sha256="

_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(?:;(?P<marker>[^\\]*))?"
)
_HASH = re.compile(r"--hash=sha256:(?P<hex>[0-9a-f]{64})")


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them ("PyOTP", "pyotp" and "py_otp" alike)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(slots=True)
class Pin:
    """One locked distribution: its version, where it applies and its files' hashes."""

    name: str
    version: str
    marker: str = ""
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def lock_path(name: str) -> Path:
    return REQUIREMENTS / f"{name}.txt"


def read_lock(path: Path) -> dict[str, Pin]:
    """The pins of one lock file, by canonical name, with the lock tool's "# via"
    annotations (who requires each; "kuulolla" for the project and its build backend)."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if current is not None and line.startswith("    #"):
                _annotate(current, stripped.lstrip("#").strip())
            continue
        match = _PIN.match(stripped)
        if match:
            current = Pin(
                name=canonical(match["name"]),
                version=match["version"],
                marker=(match["marker"] or "").strip(),
            )
            pins[current.name] = current
        elif current is None:
            raise ValueError(f"{path}: not a pinned requirement: {stripped}")
        current.hashes.extend(m["hex"] for m in _HASH.finditer(stripped))
    return pins


def _annotate(pin: Pin, text: str) -> None:
    """Take one "via" entry: "via kuulolla (pyproject.toml)", "via", "starlette",
    "-c requirements/bench.txt" (a constraint, not a requirer)."""
    if text.startswith("via"):
        text = text[3:].strip()
    if not text or text.startswith("-"):
        return
    name = text.split()[0]
    pin.via.append("kuulolla" if name == "pyproject.toml" else canonical(name))


def inputs_hash(name: str, pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The hash of what in pyproject.toml the lock ``name`` is made from: for the sets,
    requires-python, the dependencies, the build backend and the set's extras; for the
    lock tool, its dependency group. A range of another set changes no hash of this one,
    so adding a test dependency leaves runtime.txt as it was."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    if name == "upgrade":
        inputs: dict[str, object] = {"upgrade": data.get("dependency-groups", {}).get("upgrade")}
    else:
        extras = project.get("optional-dependencies", {})
        inputs = {
            "requires-python": project.get("requires-python", ""),
            "dependencies": project.get("dependencies", []),
            "build-system": data.get("build-system", {}).get("requires", []),
            "extras": {extra: extras.get(extra, []) for extra in EXTRAS[name]},
        }
    encoded = json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def recorded_inputs(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(INPUTS_PREFIX):
            return line[len(INPUTS_PREFIX) :].strip()
    return None


def stamp(path: Path, digest: str) -> None:
    """Write the inputs line after the lock tool's header comment (replacing an old one)."""
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith(INPUTS_PREFIX)
    ]
    at = 0
    while at < len(lines) and lines[at].startswith("#"):
        at += 1
    lines.insert(at, INPUTS_PREFIX + digest)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stale_locks() -> list[Path]:
    """The locks that were not made from pyproject.toml as it is now."""
    return [
        lock_path(name)
        for name in (*SETS, "upgrade")
        if not lock_path(name).exists() or recorded_inputs(lock_path(name)) != inputs_hash(name)
    ]


def locked_names() -> set[str]:
    """Every distribution any lock pins."""
    names: set[str] = set()
    for name in SETS:
        names.update(read_lock(lock_path(name)))
    return names


def installed_names() -> set[str]:
    """The distributions installed in the environment of the Python running this."""
    from importlib import metadata

    return {canonical(dist.metadata["Name"]) for dist in metadata.distributions()}


def committed_lock(name: str) -> dict[str, Pin]:
    """The pins of a lock as the last commit has them (none for a new lock)."""
    path = lock_path(name)
    shown = subprocess.run(
        ["git", "show", f"HEAD:{path.relative_to(ROOT)}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        return {}
    scratch = path.with_name(f".{path.name}.committed")
    try:
        scratch.write_text(shown.stdout, encoding="utf-8")
        return read_lock(scratch)
    finally:
        scratch.unlink()


def version_changes(before: dict[str, Pin], after: dict[str, Pin]) -> list[str]:
    """Lines naming each distribution added, removed or moved to another version."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old is None and new is not None:
            lines.append(f"  + {name} {new.version}")
        elif new is None and old is not None:
            lines.append(f"  - {name} {old.version}")
        elif old is not None and new is not None and old.version != new.version:
            lines.append(f"    {name} {old.version} -> {new.version}")
    return lines


def newer_than_lock(name: str) -> list[str]:
    """How the environment of the Python running this differs from the lock ``name``
    (pins whose marker may exclude this platform are not reported missing)."""
    from importlib import metadata

    locked = read_lock(lock_path(name))
    installed = {}
    for dist in metadata.distributions():
        key = canonical(dist.metadata["Name"])
        if key not in UNLOCKED:
            installed[key] = Pin(key, dist.version)
    for key, pin in locked.items():
        if pin.marker and key not in installed:
            installed[key] = pin
    return version_changes(locked, installed)


def add_range(spec: str, extra: str = "", pyproject: Path = ROOT / "pyproject.toml") -> None:
    """Add ``spec`` (a PEP 508 requirement with its range) to the dependencies, or to the
    optional dependencies ``extra``, as the last line of that list."""
    name = canonical(re.split(r"[\s\[<>=!~;]", spec.strip(), maxsplit=1)[0])
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    existing = project["dependencies"] + [
        r for reqs in project.get("optional-dependencies", {}).values() for r in reqs
    ]
    for requirement in existing:
        if canonical(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]) == name:
            raise SystemExit(f"{name} is already in pyproject.toml: {requirement!r}")
    if not re.search(r"[<>=~]", spec):
        raise SystemExit(f"give {name} a range, for example '{name}>=1.2,<2'")
    if extra and extra not in project.get("optional-dependencies", {}):
        raise SystemExit(f"pyproject.toml has no extra {extra!r}")
    text = pyproject.read_text(encoding="utf-8")
    opening = re.compile(rf"^{re.escape(extra) if extra else 'dependencies'} = \[\n", re.M)
    start = opening.search(text)
    if start is None:
        raise SystemExit(f"no list {extra or 'dependencies'} = [ ... ] in pyproject.toml")
    end = text.index("\n]", start.end() - 1) + 1
    line = "    " + json.dumps(spec.strip(), ensure_ascii=False) + ",\n"
    pyproject.write_text(text[:end] + line + text[end:], encoding="utf-8")
    print(f"added {spec.strip()} to {'the extra ' + extra if extra else 'the dependencies'}")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "inputs":
        for name in (*SETS, "upgrade"):
            print(name, inputs_hash(name))
    elif command == "stamp":
        for arg in argv[1:]:
            stamp(Path(arg), inputs_hash(Path(arg).stem))
    elif command == "stale":
        stale = stale_locks()
        for path in stale:
            print(
                f"{path.relative_to(ROOT)} was not made from pyproject.toml as it is now:"
                " run scripts/upgrade --keep",
                file=sys.stderr,
            )
        return 1 if stale else 0
    elif command == "changes":
        lines = []
        for name in (*SETS, "upgrade"):
            lines += version_changes(committed_lock(name), read_lock(lock_path(name)))
        print("\n".join(dict.fromkeys(lines)) or "  no version changed")
    elif command == "newer" and len(argv) == 2:
        print("\n".join(newer_than_lock(argv[1])) or "  nothing")
    elif command == "build-requires":
        with (ROOT / "pyproject.toml").open("rb") as f:
            print("\n".join(tomllib.load(f)["build-system"]["requires"]))
    elif command == "add" and len(argv) in (2, 3):
        add_range(argv[1], argv[2] if len(argv) == 3 else "")
    elif command == "prune":
        print("\n".join(sorted(installed_names() - locked_names() - UNLOCKED)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
