"""Request ids and the service's own access log: route templates, never paths or queries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from kuulolla.web.app import create_app
from tests.conftest import make_settings


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(sqlite_url)), base_url="https://testserver") as c:
        yield c


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        {k: getattr(r, k, None) for k in ("method", "path", "status", "seconds")}
        for r in caplog.records
        if getattr(r, "event", None) == "http.request"
    ]


def test_access_log_names_the_route_not_the_claim_code(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A claim page is logged by its route template, without the code or the query."""
    caplog.set_level("INFO", logger="kuulolla.http")
    client.get("/questions/claim/KANARI-SALAINEN-KOODI?q=hakusana-kanari")
    lines = access_lines(caplog)
    assert [(line["method"], line["path"]) for line in lines] == [
        ("GET", "/questions/claim/{code}")
    ]
    assert "KANARI" not in caplog.text and "hakusana" not in caplog.text


def test_every_response_has_a_fresh_request_id(client: TestClient) -> None:
    """Each response carries its own X-Request-Id; a client's own id is not echoed."""
    first = client.get("/", headers={"x-request-id": "injected"})
    second = client.get("/")
    ids = [r.headers["x-request-id"] for r in (first, second)]
    assert ids[0] != ids[1] and "injected" not in ids
    assert all(len(i) == 16 for i in ids)


def test_unknown_paths_are_logged_without_the_path(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A 404 is logged with "-" for the route, not the path asked for."""
    caplog.set_level("INFO", logger="kuulolla.http")
    assert client.get("/ei-ole/salainen-polku").status_code == 404
    assert access_lines(caplog)[-1]["path"] == "-"
    assert "salainen-polku" not in caplog.text


def test_error_pages_show_no_address_or_path(client: TestClient) -> None:
    """A not-found page echoes neither the query string nor the client's address (the
    path appears only in its own language links)."""
    response = client.get("/ei-ole/kanaripolku?x=kanarikysely")
    assert response.status_code == 404
    assert "kanarikysely" not in response.text and "testclient" not in response.text
    assert "Traceback" not in response.text
