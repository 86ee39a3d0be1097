"""Supply-chain facts (scripts/lib/supply_chain.py): licences and the SBOM."""

from __future__ import annotations

import json
import subprocess
import sys
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))

import locks  # noqa: E402
import supply_chain  # noqa: E402


def test_every_installed_distribution_may_be_combined_with_agpl() -> None:
    """No distribution installed from the locks has a licence that is incompatible with
    AGPL-3.0-or-later or that nobody has reviewed."""
    problems = [
        f"{f.name} {f.version}: {f.verdict} ({f.seen}): {f.why}"
        for f in supply_chain.findings()
        if f.verdict in ("incompatible", "unknown")
    ]
    assert problems == []


def test_committed_sbom_describes_the_runtime_lock() -> None:
    """requirements/sbom.cdx.json lists exactly the runtime lock's distributions, versions
    and file hashes, and was made from this lock (scripts/check rewrites it)."""
    sbom = json.loads(supply_chain.SBOM_PATH.read_text())
    pins = locks.read_lock(locks.lock_path("runtime"))
    listed = {
        c["name"]: (c["version"], sorted(h["content"] for h in c["hashes"]))
        for c in sbom["components"]
    }
    assert listed == {name: (p.version, sorted(p.hashes)) for name, p in pins.items()}, (
        "run scripts/check and commit requirements/sbom.cdx.json"
    )
    expected = supply_chain.sbom(supply_chain.findings())
    assert sbom["serialNumber"] == expected["serialNumber"]
    assert sbom["dependencies"] == expected["dependencies"]


def test_sbom_is_cyclonedx_with_every_dependency_resolvable() -> None:
    """The SBOM is CycloneDX 1.6 JSON whose dependency graph names only its own
    components and the project, and every runtime component has a licence or a marker
    that keeps it off this platform."""
    sbom = json.loads(supply_chain.SBOM_PATH.read_text())
    assert (sbom["bomFormat"], sbom["specVersion"]) == ("CycloneDX", "1.6")
    refs = {c["bom-ref"] for c in sbom["components"]} | {sbom["metadata"]["component"]["bom-ref"]}
    for entry in sbom["dependencies"]:
        assert entry["ref"] in refs
        assert set(entry["dependsOn"]) <= refs
    for component in sbom["components"]:
        assert "licenses" in component or "properties" in component, component["name"]


def test_licence_report_lists_every_locked_distribution() -> None:
    """requirements/licences.md has a row for every distribution of the largest lock."""
    rows = [
        line.split(" | ")[0].lstrip("| ")
        for line in supply_chain.REPORT_PATH.read_text().splitlines()
        if line.startswith("| ") and not line.startswith("| distribution")
    ]
    expected = set(locks.read_lock(locks.lock_path("bench"))) | {"pip"}
    assert set(rows) == expected, "run scripts/check and commit requirements/licences.md"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("MIT", True),
        ("Apache-2.0 OR BSD-3-Clause", True),
        ("MIT AND PSF-2.0", True),
        ("GPL-2.0-only", False),
        ("GPL-2.0-only OR MIT", True),
        ("MIT AND GPL-2.0-only", False),
        ("(MIT OR GPL-2.0-only) AND Apache-2.0", True),
        ("MPL-1.1 OR GPL-2.0-or-later OR LGPL-2.1-or-later", True),
        ("LGPL-2.1+", True),
        ("GPL-2.0-only WITH Classpath-exception-2.0", False),
        ("SSPL-1.0", False),
        ("LicenseRef-Proprietary", False),
    ],
)
def test_licence_expressions_are_judged_against_agpl(expression: str, expected: bool) -> None:
    """OR takes the better branch, AND needs every part, WITH is judged by its licence,
    and only licences known to combine with AGPL-3.0-or-later pass."""
    assert supply_chain.compatible(expression) is expected


@pytest.mark.parametrize("expression", ["MIT AND", "(MIT", "MIT OR OR BSD-2-Clause", "MIT;"])
def test_a_malformed_expression_is_refused(expression: str) -> None:
    """A licence expression that does not parse is an error, not a verdict."""
    with pytest.raises(ValueError):
        supply_chain.compatible(expression)


def metadata_of(**fields: str | list[str]) -> Message:
    meta = Message()
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            meta[key.replace("_", "-")] = item
    return meta


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"License_Expression": "MIT", "Classifier": "License :: OSI Approved :: BSD License"},
            ("License-Expression: MIT", "MIT"),
        ),
        ({"License": "MIT License"}, ("License: MIT License", "MIT")),
        ({"License": "BSD-3-Clause"}, ("License: BSD-3-Clause", "BSD-3-Clause")),
        (
            {
                "License": "UNKNOWN",
                "Classifier": [
                    "License :: OSI Approved :: MIT License",
                    "License :: OSI Approved :: Apache Software License",
                ],
            },
            (
                "classifiers: MIT License; Apache Software License",
                "Apache-2.0 AND MIT",
            ),
        ),
        (
            {"Classifier": "License :: OSI Approved :: BSD License"},
            ("classifiers: BSD License", None),
        ),
        ({"License": "Copyright (c) 2026 Someone\nAll rights reserved."}, None),
    ],
    ids=["expression-first", "licence-name", "licence-spdx", "classifiers", "ambiguous", "text"],
)
def test_licence_is_read_from_the_metadata(fields: dict, expected: tuple | None) -> None:
    """License-Expression wins; a License field counts when it names a licence; trove
    classifiers are taken together; "BSD License" or a licence's text settles nothing."""
    seen, licence = supply_chain.declared(metadata_of(**fields))
    if expected is None:
        assert licence is None
    else:
        assert (seen, licence) == expected


def test_a_review_lapses_when_the_metadata_changes() -> None:
    """A hand review holds only while the distribution's metadata says what the
    reviewer saw; otherwise the licence is unknown again."""
    reviews = {
        "segno": {"seen": "classifiers: BSD License", "licence": "BSD-3-Clause", "reason": "r"}
    }
    same = metadata_of(Classifier="License :: OSI Approved :: BSD License")
    changed = metadata_of(
        Classifier="License :: OSI Approved :: GNU General Public License v2 (GPLv2)"
    )
    assert supply_chain.judge("segno", "1", "runtime", same, reviews).verdict == "compatible"
    assert supply_chain.judge("segno", "2", "runtime", changed, reviews).verdict == "unknown"


def test_debian_packages_are_read_from_one_list() -> None:
    """scripts/lib/debian-packages gives each use its packages from requirements/debian.txt."""

    def packages(use: str) -> list[str]:
        out = subprocess.run(
            [str(ROOT / "scripts" / "lib" / "debian-packages"), use],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    assert packages("run") == ["libvoikko1", "voikko-fi"]
    assert {"chromium", "libvoikko1", "voikko-fi", "redis-server", "postgresql"} <= set(
        packages("test")
    )
    assert "curl" in packages("image") and "chromium" not in packages("image")
