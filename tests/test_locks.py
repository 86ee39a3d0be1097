"""The lock files in requirements/ (scripts/lib/locks.py, scripts/upgrade)."""

from __future__ import annotations

import os
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))

import locks  # noqa: E402


def test_locks_are_made_from_the_ranges_in_pyproject() -> None:
    """Every lock records the ranges of pyproject.toml as they are now (a changed range
    needs scripts/upgrade --keep)."""
    assert [str(p.relative_to(ROOT)) for p in locks.stale_locks()] == []


def test_every_pin_has_hashes_and_an_exact_version() -> None:
    """Each locked distribution has one version and at least one file hash."""
    for name in (*locks.SETS, "upgrade"):
        for pin in locks.read_lock(locks.lock_path(name)).values():
            assert pin.hashes, f"{name}.txt: {pin.name} has no hash"
            assert all(len(h) == 64 for h in pin.hashes)


def test_smaller_sets_hold_the_same_versions_as_the_largest() -> None:
    """runtime is within test and test within bench, with the same versions and hashes,
    so moving between them reinstalls nothing."""
    runtime, test, bench = (locks.read_lock(locks.lock_path(name)) for name in locks.SETS)
    assert runtime.keys() <= test.keys() <= bench.keys()
    for small in (runtime, test):
        for name, pin in small.items():
            assert (pin.version, sorted(pin.hashes)) == (
                bench[name].version,
                sorted(bench[name].hashes),
            ), name


def test_the_build_backend_and_platform_markers_are_locked() -> None:
    """setuptools (the editable install's backend) is locked, and uvloop only where
    it runs (not on Windows)."""
    runtime = locks.read_lock(locks.lock_path("runtime"))
    assert "setuptools" in runtime
    assert runtime["uvloop"].marker == "sys_platform != 'win32'"


@pytest.mark.skipif(
    os.environ.get("KUULOLLA_TEST_LATEST") == "1",
    reason="scripts/test --latest runs on the newest versions, not the locked ones",
)
def test_the_environment_holds_the_locked_versions() -> None:
    """Every distribution of the test lock that applies here is installed at its
    locked version."""
    wrong = []
    for pin in locks.read_lock(locks.lock_path("test")).values():
        if pin.marker and not Marker(pin.marker).evaluate():
            continue
        try:
            installed = metadata.version(pin.name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != pin.version:
            wrong.append(f"{pin.name} {installed} (locked {pin.version})")
    assert wrong == []


PYPROJECT = """\
[project]
name = "x"
dependencies = [
    "babel>=2.16,<3",
]

[project.optional-dependencies]
test = [
    "pytest>=8.3,<10",
]
"""


def test_adding_a_range_appends_it_to_the_chosen_list(tmp_path: Path) -> None:
    """scripts/upgrade --add puts the range last in the dependencies or in the extra."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT)
    locks.add_range("aiosmtpd>=1.4,<2", "", pyproject)
    locks.add_range("hypothesis>=6.100,<7", "test", pyproject)
    text = pyproject.read_text()
    assert '    "babel>=2.16,<3",\n    "aiosmtpd>=1.4,<2",\n]' in text
    assert '    "pytest>=8.3,<10",\n    "hypothesis>=6.100,<7",\n]' in text


@pytest.mark.parametrize(
    ("spec", "extra"),
    [("Babel>=2.17", ""), ("aiosmtpd", ""), ("aiosmtpd>=1.4", "nosuch")],
    ids=["already-there", "no-range", "unknown-extra"],
)
def test_adding_a_range_refuses_what_it_cannot_lock(tmp_path: Path, spec: str, extra: str) -> None:
    """A name already listed, a bare name without a range and an unknown extra are
    refused and pyproject.toml is left as it was."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT)
    with pytest.raises(SystemExit):
        locks.add_range(spec, extra, pyproject)
    assert pyproject.read_text() == PYPROJECT
