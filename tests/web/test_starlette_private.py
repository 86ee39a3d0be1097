"""What the code relies on in Starlette beyond its public API.

chat/endpoint.py:Connection.forget_handshake drops the handshake's headers and cookies
from a long-lived WebSocket by clearing the scope's headers and popping the values
Starlette caches on the connection object (``_headers``, ``_cookies``, ``_url``).
Starlette is held to one minor version in pyproject.toml; these tests fail first when a
new version caches under other names, before a socket silently keeps a session cookie
for hours.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from starlette.websockets import WebSocket

from kuulolla.chat.endpoint import Connection

SECRET = "kuulolla_session=canary-session-token"


def handshake() -> WebSocket:
    """A WebSocket of a handshake whose headers carry a session cookie, read as the
    endpoint reads them (URL, headers, cookies)."""
    scope: dict[str, Any] = {
        "type": "websocket",
        "path": "/ws",
        "query_string": b"lang=sv",
        "headers": [(b"host", b"kuulolla.test"), (b"cookie", SECRET.encode())],
        "scheme": "ws",
        "server": ("kuulolla.test", 80),
    }

    async def receive() -> Any:  # pragma: no cover
        raise AssertionError("not used")

    async def send(message: Any) -> None:  # pragma: no cover
        raise AssertionError("not used")

    ws = WebSocket(scope, receive, send)
    assert ws.cookies == {"kuulolla_session": "canary-session-token"}
    assert ws.headers["host"] == "kuulolla.test"
    assert str(ws.url) == "ws://kuulolla.test/ws?lang=sv"
    return ws


def test_starlette_caches_headers_cookies_and_url_under_the_names_the_code_pops() -> None:
    """Reading a connection's headers, cookies and URL caches them in _headers,
    _cookies and _url, the names forget_handshake removes."""
    ws = handshake()
    assert {"_headers", "_cookies", "_url"} <= vars(ws).keys()


def test_forgetting_the_handshake_leaves_no_cookie_on_the_socket() -> None:
    """After forget_handshake the WebSocket object holds no header or cookie of the
    handshake, however Starlette is asked for them again."""
    ws = handshake()
    Connection.forget_handshake(SimpleNamespace(websocket=ws))  # type: ignore[arg-type]
    assert SECRET.split("=")[1] not in repr(vars(ws))
    assert ws.cookies == {}
    assert list(ws.headers.items()) == []
