"""The queue across two server processes: the visitor on one, the helper on the
other. They talk over the private room; when the helper's console goes silent past
the grace period, the visitor is back at the front of the queue."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kuulolla.core.db import Database
from tests.accounts.helpers import anonymous_headers, make_session, session_csrf, session_headers
from tests.conftest import make_settings
from tests.e2e.client import Client
from tests.e2e.servers import ServerProcess, server_env, start_all, stop_all
from tests.helpers import run_async
from tests.queue.helpers import build

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

TOKEN = "kavijan-tunnus-prosessit-" + "k" * 24


@pytest.fixture
def queue_cluster(
    postgres_url: str, redis_url: str, broker_prefix: str, tmp_path: Path
) -> Iterator[tuple[list[ServerProcess], dict[str, Any]]]:
    """Two processes on PostgreSQL and Redis with a 2-second grace; a topic with two helpers on duty."""
    now = datetime.now(UTC)

    async def seed() -> dict[str, Any]:
        db = Database.from_url(postgres_url)
        world = await build(db, on_duty=("vol1", "vol2"), max_chats=1)
        sessions = {
            name: await make_session(db, world.helpers[name], now=now) for name in ("vol1", "vol2")
        }
        await db.dispose()
        return {"topic_id": world.topic.id, "sessions": sessions}

    info = run_async(seed)
    env = server_env(
        postgres_url, redis_url=redis_url, prefix=broker_prefix, KUULOLLA_QUEUE_GRACE_SECONDS="2"
    )
    servers = [ServerProcess(env, tmp_path / f"server{i}.log") for i in range(2)]
    try:
        start_all(servers)
        yield servers, info
    finally:
        stop_all(servers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


async def visitor_post(base: str, path: str, body: dict[str, Any]) -> Any:
    headers, csrf = anonymous_headers(make_settings("sqlite+aiosqlite://"))
    headers = {
        **headers,
        "content-type": "application/json",
        "accept": "application/json",
        "x-csrf-token": csrf,
    }
    _, raw = await asyncio.to_thread(
        _post, base + path, json.dumps({"token": TOKEN, **body}).encode(), headers
    )
    return json.loads(raw)


async def staff_post(base: str, path: str, session: str, data: dict[str, str]) -> int:
    settings = make_settings("sqlite+aiosqlite://")
    body = urllib.parse.urlencode({"csrf_token": session_csrf(settings, session), **data})
    headers = {
        **session_headers(settings, session),
        "content-type": "application/x-www-form-urlencoded",
    }
    status, _ = await asyncio.to_thread(_post, base + path, body.encode(), headers)
    return status


async def test_helper_on_another_process_and_helper_drop(
    queue_cluster: tuple[list[ServerProcess], dict[str, Any]],
) -> None:
    """Visitor on A, helper on B: messages cross; the silent helper's visitor returns to the front."""
    (a, b), info = queue_cluster
    vol1 = info["sessions"]["vol1"]
    entered = await visitor_post(a.http, "/chat/nuorten-chat/enter", {"consent": True})
    assert (entered["state"], entered["position"]) == ("waiting", 1)
    await staff_post(b.http, "/staff/queue/tukijarjesto/heartbeat", vol1, {})
    taken = await staff_post(
        b.http, "/staff/queue/tukijarjesto/take", vol1, {"topic": str(info["topic_id"])}
    )
    assert taken == 303
    status = await visitor_post(a.http, "/chat/status", {})
    assert status["state"] == "active"
    room = status["room"]
    visitor = await Client.connect(a.ws, token=TOKEN)
    settings = make_settings("sqlite+aiosqlite://")
    helper = await Client.connect(
        b.ws, additional_headers={**session_headers(settings, vol1), "origin": b.http}
    )
    try:
        assert (await visitor.join(room, nick="Vierailija"))["type"] == "joined"
        assert (await helper.join(room))["type"] == "joined"
        await helper.say(room, "Hei, olen täällä", "h1")
        got = await visitor.expect("message", room=room)
        assert got["text"] == "Hei, olen täällä" and got["from"]["role"] == "volunteer"
        await visitor.say(room, "Kiitos", "v1")
        assert (await helper.expect("message", room=room, text="Kiitos"))["seq"] == 2
    finally:
        await helper.close()
    # The helper's console goes silent; the visitor's page keeps asking.
    for _ in range(40):
        status = await visitor_post(a.http, "/chat/status", {})
        if status["state"] == "waiting":
            break
        await asyncio.sleep(0.25)
    assert (status["state"], status["position"], status["returned"]) == ("waiting", 1, True)
    await visitor.close()
    # Another helper takes the same conversation, history and all.
    vol2 = info["sessions"]["vol2"]
    await staff_post(a.http, "/staff/queue/tukijarjesto/heartbeat", vol2, {})
    again = await staff_post(
        a.http, "/staff/queue/tukijarjesto/take", vol2, {"topic": str(info["topic_id"])}
    )
    assert again == 303
    assert (await visitor_post(b.http, "/chat/status", {}))["room"] == room
