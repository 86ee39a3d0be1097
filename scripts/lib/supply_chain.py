"""Supply-chain facts: a CycloneDX SBOM of the runtime lock and a licence report.

Run by scripts/check with the Python of .venv (which holds the bench set, the largest):

    python scripts/lib/supply_chain.py write   write requirements/sbom.cdx.json and
                                               requirements/licences.md; exit 1 when a
                                               distribution's licence is incompatible
                                               with AGPL-3.0-or-later or unknown

The SBOM (CycloneDX 1.6, JSON) lists every distribution of requirements/runtime.txt,
what the service runs on: name, version, package URL, the SHA-256 of each file of the
release the lock accepts, the environment marker where it applies only somewhere, who
requires it (from the lock's annotations) and its licence. It has no timestamp and a
serial number derived from the lock, so the same lock gives the same file.

Licences are read from the metadata of the installed distributions (PEP 639's
License-Expression, else a License field that is an SPDX identifier or a licence's
name, else the trove classifiers, all of them taken together). What that cannot settle
is reviewed by hand in requirements/licences-reviewed.toml: the metadata seen, the
licence found and why; a review holds only while the metadata stays as seen. A pin
whose marker excludes this platform is not installed and is listed as not checked.

Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locks

SBOM_PATH = locks.REQUIREMENTS / "sbom.cdx.json"
REPORT_PATH = locks.REQUIREMENTS / "licences.md"
REVIEWED_PATH = locks.REQUIREMENTS / "licences-reviewed.toml"
PROJECT_LICENCE = "AGPL-3.0-or-later"

# SPDX identifiers whose code may be combined with ours and the whole given out under
# AGPL-3.0-or-later, with the reason. Anything else fails until it is reviewed.
PERMISSIVE = "permissive: keep its notice"
COMPATIBLE = {
    "0BSD": PERMISSIVE,
    "Apache-2.0": "permissive with a patent clause; compatible with GPLv3 and so AGPLv3",
    "BSD-2-Clause": PERMISSIVE,
    "BSD-3-Clause": PERMISSIVE,
    "BSL-1.0": PERMISSIVE,
    "CC0-1.0": "public domain dedication",
    "HPND": PERMISSIVE,
    "ISC": PERMISSIVE,
    "MIT": PERMISSIVE,
    "MIT-0": "permissive, not even the notice required",
    "PSF-2.0": "permissive (Python's licence); GPL-compatible",
    "Python-2.0": "permissive (Python's licence); GPL-compatible",
    "Unlicense": "public domain dedication",
    "Zlib": PERMISSIVE,
    "MPL-2.0": "file-level copyleft; its section 3.3 allows combining with the GNU licences",
    "LGPL-2.0-or-later": "weak copyleft, or later: taken as LGPLv3",
    "LGPL-2.1-or-later": "weak copyleft; may be combined with (A)GPLv3 code",
    "LGPL-3.0-only": "weak copyleft; may be combined with (A)GPLv3 code",
    "LGPL-3.0-or-later": "weak copyleft; may be combined with (A)GPLv3 code",
    "GPL-2.0-or-later": "taken under GPLv3, which section 13 of AGPLv3 lets us combine with",
    "GPL-3.0-only": "section 13 of AGPLv3 lets us combine with it",
    "GPL-3.0-or-later": "section 13 of AGPLv3 lets us combine with it",
    "AGPL-3.0-only": "the same licence",
    "AGPL-3.0-or-later": "the same licence",
}

# Trove classifiers that name one licence; "BSD License" does not (2- or 3-clause, or
# the 4-clause one that is not compatible), so it needs a review.
CLASSIFIERS = {
    "Apache Software License": "Apache-2.0",
    "BSD License": None,
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "ISC License (ISCL)": "ISC",
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "zlib/libpng License": "Zlib",
}
# Classifiers that say nothing about which licence.
NOT_A_LICENCE = {"OSI Approved", "DFSG approved", "Other/Proprietary License"}
# License fields that are a licence's name rather than its SPDX identifier.
NAMES = {"MIT License": "MIT", "Apache License 2.0": "Apache-2.0", "BSD": None}


@dataclass(slots=True)
class Finding:
    """What one distribution's licence is and whether we may use it."""

    name: str
    version: str
    sets: str  # the smallest set that holds it, or "installer"
    seen: str  # what the metadata says, e.g. "License-Expression: MIT"
    licence: str | None  # an SPDX expression, None when unknown
    verdict: str  # "compatible", "incompatible", "unknown", "not installed"
    why: str


# ------------------------------------------------------------------ SPDX expressions

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+-]+)")


def tokens(expression: str) -> list[str]:
    out, at = [], 0
    expression = expression.strip()
    while at < len(expression):
        match = _TOKEN.match(expression, at)
        if match is None:
            raise ValueError(f"not an SPDX expression: {expression!r}")
        out.append(match[1])
        at = match.end()
    return out


def compatible(expression: str) -> bool:
    """Whether code under ``expression`` may be combined with AGPL-3.0-or-later code:
    OR takes the better branch, AND needs both, WITH (an exception, which only adds
    permissions) is judged by its licence. Raises ValueError on a malformed expression."""
    items = tokens(expression)
    at = 0

    def peek() -> str | None:
        return items[at] if at < len(items) else None

    def take() -> str:
        nonlocal at
        if at >= len(items):
            raise ValueError(f"unexpected end of {expression!r}")
        at += 1
        return items[at - 1]

    def atom() -> bool:
        token = take()
        if token == "(":
            value = either()
            if take() != ")":
                raise ValueError(f"unbalanced {expression!r}")
            return value
        if token in ("AND", "OR", "WITH", ")"):
            raise ValueError(f"unexpected {token} in {expression!r}")
        if peek() == "WITH":
            take()
            take()
        if token.endswith("+"):  # the deprecated "or later" suffix, "LGPL-2.1+"
            token = token[:-1] + "-or-later"
        return token in COMPATIBLE

    def series(operand: Callable[[], bool], operator: str) -> bool:
        value = operand()
        while peek() == operator:
            take()
            following = operand()  # parsed whatever the value so far
            value = (value or following) if operator == "OR" else (value and following)
        return value

    def either() -> bool:
        return series(lambda: series(atom, "AND"), "OR")

    value = either()
    if at != len(items):
        raise ValueError(f"trailing {items[at]!r} in {expression!r}")
    return value


def spdx(text: str) -> str | None:
    """``text`` when it is an SPDX expression of identifiers we know, else None."""
    try:
        names = [t for t in tokens(text) if t not in ("(", ")", "AND", "OR", "WITH")]
        compatible(text)
    except ValueError:
        return None
    known = {*COMPATIBLE, "GPL-2.0-only", "LGPL-2.0-or-later", "MPL-1.1", "LGPL-2.1-only"}
    return text if names and all(n.rstrip("+") in known for n in names) else None


# ------------------------------------------------------------------ licences


def declared(meta: Any) -> tuple[str, str | None]:
    """What the metadata says about the licence, and the SPDX expression it amounts to."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return f"License-Expression: {expression}", spdx(expression) or expression
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and field != "UNKNOWN":
        if field in NAMES:
            return f"License: {field}", NAMES[field]
        if spdx(field):
            return f"License: {field}", field
    names = [
        c.split(" :: ")[-1]
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.split(" :: ")[-1] not in NOT_A_LICENCE
    ]
    if names:
        seen = "classifiers: " + "; ".join(names)
        mapped = [CLASSIFIERS.get(n) for n in names]
        if all(mapped):
            return seen, " AND ".join(sorted({m for m in mapped if m}))
        return seen, None
    return (f"License: {field[:60]}" if field else "no licence in the metadata"), None


def reviewed() -> dict[str, dict[str, str]]:
    with REVIEWED_PATH.open("rb") as f:
        return {locks.canonical(k): v for k, v in tomllib.load(f).get("reviewed", {}).items()}


def judge(name: str, version: str, sets: str, meta: Any, reviews: dict) -> Finding:
    """The verdict on one installed distribution from its metadata (or a review of it)."""
    seen, licence = declared(meta)
    review = reviews.get(name)
    verdict, why = verdict_on(seen, licence, review)
    if review is not None and review["seen"] == seen:
        licence = review["licence"]
    return Finding(name, version, sets, seen, licence, verdict, why)


def verdict_on(seen: str, licence: str | None, review: dict | None) -> tuple[str, str]:
    if review is not None:
        if review["seen"] != seen:
            return "unknown", f"reviewed when its metadata said {review['seen']!r}: review again"
        licence = review["licence"]
    if licence is None:
        return "unknown", f"review it in {REVIEWED_PATH.name}"
    try:
        ok = compatible(licence)
    except ValueError:
        return "unknown", "not an SPDX expression"
    if review is not None:
        return ("compatible" if ok else "incompatible"), f"reviewed: {review['reason']}"
    if not ok:
        return "incompatible", f"not known to be compatible with {PROJECT_LICENCE}"
    ids = [t for t in tokens(licence) if t in COMPATIBLE]
    return "compatible", (
        COMPATIBLE[ids[0]] if len(set(ids)) == 1 else "each part: " + ", ".join(ids)
    )


def findings() -> list[Finding]:
    """One finding per distribution of the largest lock (and the installer), judged from
    the metadata installed in this Python's environment."""
    sets = {name: locks.read_lock(locks.lock_path(name)) for name in locks.SETS}
    installed = {locks.canonical(d.metadata["Name"]): d for d in metadata.distributions()}
    reviews = reviewed()
    out = []
    for name, pin in sorted(sets["bench"].items()):
        smallest = next(s for s in locks.SETS if name in sets[s])
        dist = installed.get(name)
        if dist is None:
            where = f"its marker: {pin.marker}" if pin.marker else "not installed in .venv"
            out.append(Finding(name, pin.version, smallest, "", None, "not installed", where))
            continue
        # The installed version: the locked one, or a newer one under scripts/test --latest.
        out.append(judge(name, dist.version, smallest, dist.metadata, reviews))
    if "pip" in installed:
        # pip is the Python's own, unlocked: its metadata moved from License to
        # License-Expression between releases, so the report names the verdict only and
        # reads the same on every machine.
        pip = judge("pip", "(the venv's)", "installer", installed["pip"].metadata, reviews)
        out.append(replace(pip, seen="the metadata of the venv's pip"))
    return out


def report(found: list[Finding]) -> str:
    lines = [
        "# Licences of the Python distributions",
        "",
        "Written by `scripts/check` (`scripts/lib/supply_chain.py`) from the locks in this",
        "folder and the metadata of the distributions installed in `.venv`, each checked",
        f"against {PROJECT_LICENCE}, the licence of Kuulolla. Do not edit by hand: reviews",
        f"of what the metadata cannot settle go into `{REVIEWED_PATH.name}`.",
        "",
        "| distribution | version | set | licence | metadata | verdict | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in found:
        cells = [f.name, f.version, f.sets, f.licence or "?", f.seen, f.verdict, f.why]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ SBOM


def purl(name: str, version: str) -> str:
    return f"pkg:pypi/{locks.canonical(name)}@{version}"


def sbom(found: list[Finding]) -> dict[str, Any]:
    """The CycloneDX document of requirements/runtime.txt."""
    lock = locks.lock_path("runtime")
    pins = locks.read_lock(lock)
    with (locks.ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    root = purl(project["name"], project["version"])
    licences = {f.name: f.licence for f in found if f.verdict == "compatible"}
    # The pins alone, so a comment or another set's range changes nothing here.
    pinned = sorted((n, p.version, p.marker, sorted(p.hashes)) for n, p in pins.items())
    digest = hashlib.sha256(json.dumps(pinned).encode()).hexdigest()
    components = []
    needs: dict[str, list[str]] = {root: []}
    for name, pin in sorted(pins.items()):
        ref = purl(name, pin.version)
        needs.setdefault(ref, [])
        component: dict[str, Any] = {
            "type": "library",
            "bom-ref": ref,
            "name": name,
            "version": pin.version,
            "purl": ref,
            "scope": "required",
            "hashes": [{"alg": "SHA-256", "content": h} for h in sorted(pin.hashes)],
            "externalReferences": [
                {"type": "distribution", "url": f"https://pypi.org/project/{name}/{pin.version}/"}
            ],
        }
        if name in licences:
            component["licenses"] = [{"expression": licences[name]}]
        if pin.marker:
            component["properties"] = [{"name": "kuulolla:marker", "value": pin.marker}]
        components.append(component)
        for requirer in pin.via:
            needs.setdefault(
                root if requirer == "kuulolla" else purl(requirer, pins[requirer].version), []
            ).append(ref)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'kuulolla-sbom:' + digest)}",
        "version": 1,
        "metadata": {
            "tools": {
                "components": [
                    {"type": "application", "name": "kuulolla scripts/lib/supply_chain.py"}
                ]
            },
            "component": {
                "type": "application",
                "bom-ref": root,
                "name": project["name"],
                "version": project["version"],
                "purl": root,
                "licenses": [{"expression": PROJECT_LICENCE}],
            },
            "properties": [
                {"name": "kuulolla:lock", "value": "requirements/runtime.txt"},
                {"name": "kuulolla:lock:pins-sha256", "value": digest},
                {
                    "name": "kuulolla:hashes",
                    "value": "each SHA-256 of a component is one file of its release that"
                    " the lock accepts (a wheel per platform, or the source archive)",
                },
            ],
        },
        "components": components,
        "dependencies": [
            {"ref": ref, "dependsOn": sorted(set(deps))} for ref, deps in sorted(needs.items())
        ],
    }


def main(argv: list[str]) -> int:
    if argv != ["write"]:
        print(__doc__, file=sys.stderr)
        return 2
    found = findings()
    REPORT_PATH.write_text(report(found), encoding="utf-8")
    SBOM_PATH.write_text(json.dumps(sbom(found), indent=2) + "\n", encoding="utf-8")
    problems = [f for f in found if f.verdict in ("incompatible", "unknown")]
    for f in problems:
        print(f"licence {f.verdict}: {f.name} {f.version} ({f.seen}): {f.why}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
