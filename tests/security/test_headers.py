"""Metrics only for the monitoring system, HSTS for subdomains too, and origins that
match in scheme, host and port (issue 26, reproduction 8)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from kuulolla.core.origins import origin_allowed
from kuulolla.web.app import create_app
from tests.conftest import make_settings

TOKEN = "m" * 32


@pytest.fixture
def app_client(sqlite_url: str) -> TestClient:
    return TestClient(
        create_app(make_settings(sqlite_url, metrics_token=TOKEN)),
        base_url="https://kuulolla.example.fi",
    )


def test_metrics_need_an_allowed_address_or_the_token(app_client: TestClient) -> None:
    """A client that is not on the allow-list gets 404; the bearer token opens it."""
    with app_client as client:
        assert client.get("/metrics").status_code == 404
        assert (
            client.get("/metrics", headers={"authorization": "Bearer wrong" + TOKEN}).status_code
            == 404
        )
        opened = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert opened.status_code == 200 and "kuulolla_connections" in opened.text


def test_metrics_from_an_allowed_network(sqlite_url: str) -> None:
    """An address in KUULOLLA_METRICS_ALLOW reads them without a token."""
    app = create_app(make_settings(sqlite_url, metrics_allow=("192.0.2.0/24",)))
    with TestClient(app, client=("192.0.2.10", 5000)) as client:
        assert client.get("/metrics").status_code == 200


def test_hsts_covers_subdomains(sqlite_url: str) -> None:
    """Outside development, every response asks for https on this host and its subdomains."""
    with TestClient(
        create_app(make_settings(sqlite_url)), base_url="https://kuulolla.example.fi"
    ) as client:
        hsts = client.get("/healthz").headers["strict-transport-security"]
    assert hsts == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "allowed", "ok"),
    [
        ("https://kuulolla.example.fi", "kuulolla.example.fi", "https", (), True),
        ("https://kuulolla.example.fi:443", "kuulolla.example.fi", "wss", (), True),
        ("http://kuulolla.example.fi", "kuulolla.example.fi", "https", (), False),
        ("https://kuulolla.example.fi:8443", "kuulolla.example.fi", "https", (), False),
        ("https://kuulolla.example.fi", "kuulolla.example.fi:8443", "https", (), False),
        ("http://localhost:8080", "localhost:8080", "http", (), True),
        ("http://localhost:8081", "localhost:8080", "http", (), False),
        ("https://evil.example", "kuulolla.example.fi", "https", (), False),
        ("null", "kuulolla.example.fi", "https", (), False),
        (
            "https://kuulolla.example.fi",
            "kuulolla.example.fi",
            "https",
            ("https://kuulolla.example.fi",),
            True,
        ),
        (
            "http://kuulolla.example.fi",
            "kuulolla.example.fi",
            "http",
            ("https://kuulolla.example.fi",),
            False,
        ),
        ("https://kuulolla.example.fi:444", "x", "https", ("https://kuulolla.example.fi",), False),
        ("https://KUULOLLA.example.fi/", "x", "https", ("https://kuulolla.example.fi:443",), True),
        (None, "kuulolla.example.fi", "https", (), True),
    ],
)
def test_origins_match_in_scheme_host_and_port(
    origin: str | None, host: str, scheme: str, allowed: tuple[str, ...], ok: bool
) -> None:
    """Same origin means the same scheme, host and port (default ports filled in)."""
    assert origin_allowed(origin=origin, host=host, scheme=scheme, allowed=allowed) is ok


def test_a_socket_from_the_plain_http_origin_is_refused(sqlite_url: str) -> None:
    """Without an allow-list an http:// page of the same host cannot open a wss:// socket."""
    from starlette.websockets import WebSocketDisconnect

    with TestClient(
        create_app(make_settings(sqlite_url)), base_url="https://kuulolla.example.fi"
    ) as client:
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect(
                "wss://kuulolla.example.fi/ws", headers={"origin": "http://kuulolla.example.fi"}
            ) as ws,
        ):
            ws.send_json({"type": "hello", "v": 1})
            ws.receive_json()
        with client.websocket_connect(
            "wss://kuulolla.example.fi/ws", headers={"origin": "https://kuulolla.example.fi"}
        ) as ws:
            ws.send_json({"type": "hello", "v": 1})
            assert ws.receive_json()["type"] == "welcome"
