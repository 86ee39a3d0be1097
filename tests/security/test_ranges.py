"""Numbers and dates out of range are refused at the edge (issue 26, reproduction 6).

A review found server errors for ids and dates no database or calendar can hold:
``since`` of 2^63 on the socket (1011), ``/questions/9223372036854775808``, a person id
of twenty digits, ``?before=<huge>`` on the audit logs, ``roster?week=9999-12-31`` and
``roster?month=9999-12``. Each is now a 404 (an id that names nothing), a 400 with a
translated message (a query value) or an error frame, never a 500 or 1011.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.conftest import Env
from tests.accounts.helpers import make_session, session_headers

HUGE = "9223372036854775808"  # 2^63: one past PostgreSQL's bigint
TWENTY = "12345678901234567890"
INT32 = "2147483648"  # one past a 32-bit id


def admin_headers(env: Env) -> dict[str, str]:
    token = env.db(lambda db: make_session(db, env.world.users["admin"]))
    return {**session_headers(env.settings, token), "accept-language": "en"}


@pytest.mark.parametrize(
    "path",
    [
        f"/questions/{HUGE}",
        f"/questions/{INT32}",
        f"/orgs/alfa/people/{TWENTY}",
        f"/orgs/alfa/people/{INT32}",
        f"/orgs/alfa/questions/{HUGE}",
        f"/orgs/alfa/queue/canned/{HUGE}",
        f"/orgs/alfa/roster/templates/{INT32}",
        f"/admin/staff/{HUGE}/erase",
    ],
)
def test_ids_no_database_holds_are_not_found(env: Env, path: str) -> None:
    """An id past the database's integers names nothing: 404, not a server error."""
    response = env.client.get(path, headers=admin_headers(env), follow_redirects=False)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/orgs/alfa/audit?before={HUGE}",
        f"/admin/audit?before={HUGE}",
        "/orgs/alfa/roster?week=9999-12-31",
        "/orgs/alfa/roster?month=9999-12",
        "/orgs/alfa/roster?week=0001-01-01",
        f"/staff/queue/arjen-tuki/chat?c={HUGE}",
        "/orgs/alfa/roster/hours.csv?month=9999-12",
        "/orgs/alfa/reports?period=9999",
        "/orgs/alfa/reports/summary?year=99999",
    ],
)
def test_query_values_out_of_range_are_refused_clearly(env: Env, path: str) -> None:
    """A query value out of range gets a translated 400 (or the page ignores it), never a 500."""
    response = env.client.get(path, headers=admin_headers(env), follow_redirects=False)
    assert response.status_code in (200, 400, 404), response.text[:300]
    if response.status_code == 400:
        assert "<html" in response.text and "went wrong on our side" not in response.text


def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        frame = ws.receive_json()
        if frame["type"] in (kind, "error"):
            return frame


@pytest.mark.parametrize("since", [2**63, 2**64, 10**30])
def test_a_resume_point_no_room_reaches_is_an_error_frame(env: Env, since: int) -> None:
    """``since`` beyond any sequence gets an error frame and the socket stays open."""
    with env.browser().websocket_connect() as ws:
        ws.send_json({"type": "hello", "v": 1})
        until(ws, "welcome")
        ws.send_json(
            {"type": "join", "room": env.world.rooms["alfa"], "nick": "Aino", "since": since}
        )
        frame = until(ws, "joined")
        assert frame["type"] == "error" and frame["code"] in ("bad_frame", "resync")
        ws.send_json({"type": "ping"})
        assert until(ws, "pong")["type"] == "pong"
