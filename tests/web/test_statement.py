"""The accessibility statement is built from the recorded test results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kuulolla.web import statement
from kuulolla.web.app import create_app
from tests.conftest import make_settings

RESULTS = {
    "axe_core": "4.99.0",
    "checked_on": "2026-11-20",
    "checks": {
        "axe fi light": {"stops": 57, "problems": 0},
        "axe sv light": {"stops": 57, "problems": 2},
        "keyboard": {"stops": 31, "problems": 0},
        "reflow": {"stops": 57, "widths": [320, 640], "problems": 0},
        "weight": {"pages": 20, "largest_kb": 9.5, "limit_kb": 100, "third_party": 0},
    },
}


@pytest.fixture
def results_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "accessibility.json"
    monkeypatch.setattr(statement, "RESULTS", path)
    statement.results.cache_clear()
    yield path
    statement.results.cache_clear()


def get(sqlite_url: str, path: str, **settings: object) -> str:
    app = create_app(make_settings(sqlite_url, **settings))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get(path)
        assert response.status_code == 200
        return response.text


def test_statement_shows_recorded_results(sqlite_url: str, results_file: Path) -> None:
    """The statement gives the date, the axe-core version and the figures the tests wrote,
    the axe runs summed, in the page's language."""
    results_file.write_text(json.dumps(RESULTS))
    text = get(sqlite_url, "/accessibility?lang=en")
    assert "prepared on 20 Nov 2026" in text
    assert "(57 in all)" in text and "axe-core 4.99.0" in text and "2 problems found" in text
    assert "(31 pages)" in text
    assert "at most 9.5 KB" in text
    assert "partially meets" in text
    assert "The latest automated checks found 2 problems" in text


def test_statement_without_results_and_with_a_contact(sqlite_url: str, results_file: Path) -> None:
    """Without recorded results the statement still lists the limitations, and it shows
    the configured feedback address."""
    text = get(sqlite_url, "/accessibility", accessibility_contact="saavutettavuus@example.fi")
    assert "<h1>Saavutettavuusseloste</h1>" in text
    assert 'href="mailto:saavutettavuus@example.fi"' in text
    assert text.count("<li>") >= len(statement.KNOWN_LIMITATIONS)


def test_recorded_results_are_in_the_package() -> None:
    """The package carries the results of the accessibility tests, with every check."""
    found = json.loads(statement.RESULTS.read_text(encoding="utf-8"))
    assert {"keyboard", "reflow", "weight"} <= set(found["checks"])
    assert any(name.startswith("axe ") for name in found["checks"])
