"""Only the balancer says who the client is (issue 26, reproductions 2 and 8).

docker-compose.yml trusted X-Forwarded-For from anyone ("*") and deploy/nginx.conf
appended to the client's own header, so the left-most entry, written by the client,
was taken for its address: a banned visitor came back with a new token by changing
the header, and the sign-in limit per network never triggered. Here the shipped
nginx.conf runs for real in front of a server; clients connect from addresses of
their own (127.0.0.2, 127.0.0.3) and send spoofed headers.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import websockets
from sqlalchemy import select
from websockets.typing import Origin

from kuulolla.accounts.models import StaffUser
from kuulolla.core.clock import utcnow
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings, SettingsError
from tests.accounts.helpers import SESSION_COOKIE, anonymous_headers, make_session
from tests.conftest import make_database_url, make_settings
from tests.e2e import addresses
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess, server_env
from tests.helpers import run_async
from tests.security.balancer import CONFIG, ROOT, Balancer, start_balancer
from tests.security.conftest import seed_staff

pytestmark = pytest.mark.e2e

VISITOR = "127.0.0.2"
OTHER = "127.0.0.3"
BANNED = "127.0.0.5"


# ------------------------------------------------------------------ settings and files


@pytest.mark.parametrize("env", ["production", "test"])
def test_trusting_everyone_is_refused_outside_development(env: str) -> None:
    """FORWARDED_ALLOW_IPS=* stops the server with a message, unless the operator says
    the port is private to the balancer."""
    with pytest.raises(SettingsError, match="PROXY_NETWORK_PRIVATE"):
        make_settings("", env=env, forwarded_allow_ips=("*",))
    assert make_settings("", env=env, forwarded_allow_ips=("*",), proxy_network_private=True)
    assert make_settings("", env="development", forwarded_allow_ips=("*",))
    assert make_settings("", env=env, forwarded_allow_ips=("172.30.0.2", "10.0.0.0/8"))


def test_trusted_proxies_must_be_addresses() -> None:
    """A name that is no address or network is refused (uvicorn would ignore it)."""
    with pytest.raises(SettingsError, match="not an IP address"):
        Settings.from_env(
            {"KUULOLLA_ENV": "development", "KUULOLLA_FORWARDED_ALLOW_IPS": "balancer"}
        )


def test_compose_trusts_only_the_balancer() -> None:
    """docker-compose.yml gives the balancer a fixed address on its own network and the
    apps trust that address, never "*"."""
    text = (ROOT / "docker-compose.yml").read_text()
    trusted = re.search(r'KUULOLLA_FORWARDED_ALLOW_IPS:\s*"([^"]*)"', text)
    balancer = re.search(r"balancer:.*?ipv4_address:\s*([0-9.]+)", text, re.S)
    assert trusted is not None and balancer is not None
    assert trusted.group(1) == balancer.group(1)
    assert "*" not in trusted.group(1)


def test_nginx_overwrites_the_forwarded_header_and_hides_metrics() -> None:
    """Every proxied location sets X-Forwarded-For to the address nginx sees, none
    appends to the client's; /metrics is not passed on."""
    text = CONFIG.read_text()
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "$proxy_add_x_forwarded_for" not in code
    assert code.count("proxy_pass") == code.count("proxy_set_header X-Forwarded-For $remote_addr;")
    assert re.search(r"location = /metrics \{\s*return 404;", code)


# ------------------------------------------------------------------ through nginx


@pytest.fixture(scope="module", params=["127.0.0.1", "*"], ids=["balancer-only", "private-network"])
def chain(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[tuple[ServerProcess, Balancer, str]]:
    """A server behind the shipped nginx.conf, trusting the balancer's address, or
    everyone on a network declared private (then nginx's overwrite is the defence);
    with its database's URL. The tests use client addresses of their own."""
    tmp_path = tmp_path_factory.mktemp("chain")
    sqlite_url, _ = make_database_url("sqlite", tmp_path, sqlite_template, None)
    settings = make_settings(sqlite_url)
    seed_staff(sqlite_url, settings)
    extra = {
        "KUULOLLA_FORWARDED_ALLOW_IPS": request.param,
        "KUULOLLA_SIGNIN_CLIENT_FREE_FAILURES": "3",
    }
    if request.param == "*":
        extra["KUULOLLA_PROXY_NETWORK_PRIVATE"] = "true"
    server = ServerProcess(
        server_env(sqlite_url, people_limits=True, **extra), tmp_path / "server.log"
    ).start()
    balancer = None
    try:
        balancer = start_balancer(tmp_path / "nginx", [server.port])
        yield server, balancer, sqlite_url
    finally:
        if balancer is not None:
            balancer.stop()
        server.stop()


def client_from(address: str, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        transport=httpx.AsyncHTTPTransport(local_address=address),
        timeout=30,
    )


async def wrong_password(client: httpx.AsyncClient, username: str, spoof: str) -> int:
    cookie, token = anonymous_headers(make_settings(""))
    response = await client.post(
        "/sign-in",
        data={
            "username": username,
            "password": "väärä salasana ihan varmasti",
            "csrf_token": token,
        },
        headers={
            **cookie,
            "x-forwarded-for": spoof,
            "x-real-ip": spoof,
            "forwarded": f"for={spoof}",
        },
    )
    return response.status_code


@pytest.mark.asyncio
async def test_a_new_forwarded_header_does_not_make_a_new_network(
    chain: tuple[ServerProcess, Balancer, str],
) -> None:
    """Each attempt through the balancer claims another address: the network's limit
    (3 here) still holds, and another real client is counted apart."""
    _, balancer, _ = chain
    async with (
        client_from(VISITOR, balancer.http) as visitor,
        client_from(OTHER, balancer.http) as other,
    ):
        statuses = [
            await wrong_password(visitor, f"tunnus{i}", f"198.51.100.{i}") for i in range(5)
        ]
        assert statuses == [400, 400, 400, 429, 429]
        assert await wrong_password(other, "tunnus9", "198.51.100.1") == 400


def coordinator_cookie(database_url: str) -> str:
    """A session of the coordinator ``koordi`` (the servers' clocks are real)."""

    async def run() -> str:
        db = Database.from_url(database_url)
        try:
            async with db.read_session() as session:
                user_id = await session.scalar(
                    select(StaffUser.id).where(StaffUser.username == "koordi")
                )
            assert user_id is not None
            return await make_session(db, user_id, now=utcnow())
        finally:
            await db.dispose()

    return run_async(run)


@pytest.mark.asyncio
async def test_a_banned_visitor_stays_banned_with_a_new_token_and_header(
    chain: tuple[ServerProcess, Balancer, str],
) -> None:
    """A coordinator bans a visitor; the visitor comes back through the balancer with a
    new token and a forged X-Forwarded-For and is still refused; someone else joins."""
    _, balancer, sqlite_url = chain
    visitor = await Client.connect(balancer.ws, local_addr=(BANNED, 0))
    assert (await visitor.join("huone", "Riitapukari"))["type"] == "joined"
    sent = await visitor.say("huone", "Tämä on viesti", "v1")
    token = coordinator_cookie(sqlite_url)
    staff = await Client.connect(
        balancer.ws,
        local_addr=(OTHER, 0),
        additional_headers={"cookie": f"{SESSION_COOKIE}={token}"},
    )
    assert (await staff.join("huone"))["type"] == "joined"
    await staff.send(
        {"type": "restrict", "room": "huone", "seq": sent["seq"], "kind": "ban", "seconds": 3600}
    )
    await staff.expect("done", action="ban")
    await visitor.expect("restricted")
    await visitor.ws.close()

    spoofed = f"203.0.113.{secrets.randbelow(250) + 1}"
    back = await Client.connect(
        balancer.ws,
        local_addr=(BANNED, 0),
        additional_headers={"x-forwarded-for": spoofed, "x-real-ip": spoofed},
    )
    assert back.token != visitor.token
    refused = await back.join("huone", "Uusinimi")
    assert refused["type"] == "error" and refused["code"] == "restricted_ban"
    await back.ws.close()

    stranger = await Client.connect(balancer.ws, local_addr=("127.0.0.4", 0))
    assert (await stranger.join("huone", "Vieras"))["type"] == "joined"
    await stranger.ws.close()
    await staff.ws.close()


@pytest.mark.asyncio
async def test_metrics_are_not_served_through_the_balancer(
    chain: tuple[ServerProcess, Balancer, str],
) -> None:
    """/metrics through the balancer is 404, even for a client claiming to be local;
    the process itself answers its own host."""
    server, balancer, _ = chain
    async with client_from(VISITOR, balancer.http) as client:
        response = await client.get("/metrics", headers={"x-forwarded-for": "127.0.0.1"})
        assert response.status_code == 404
    async with client_from("127.0.0.1", server.http) as local:
        assert (await local.get("/metrics")).status_code == 200
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(balancer.ws, origin=Origin("http://evil.example"))


def test_no_address_reaches_the_logs_or_the_database(
    chain: tuple[ServerProcess, Balancer, str],
) -> None:
    """After forged headers, bans and throttling, neither the server's log nor its
    database holds a client address (nor a forged one); nginx keeps no access log."""
    server, balancer, sqlite_url = chain
    findings = addresses.scan_file(server.log_path, log=True)
    database = addresses.sqlite_path(sqlite_url)
    assert database is not None
    findings += addresses.scan_file(database)
    assert [str(f) for f in findings] == []
    assert not list(balancer.folder.glob("*access*"))
