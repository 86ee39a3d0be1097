"""The HTTP routes under the fuzzer: every route of the app's route table, with random
path values, query strings, forms and JSON bodies, as a visitor and as staff.

Properties (tests/security/fuzz.py): no 500, no traceback in the page or the error
log, and a refusal (4xx) changes nothing in the database; neither does any GET.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.security import fuzz
from tests.security.conftest import FuzzSite

ROOT = Path(__file__).resolve().parents[2]
# Field names the pages' forms use, so random forms look like real ones.
FIELDS = sorted(
    set(
        re.findall(
            r'name="([a-z_0-9]+)"',
            "".join(p.read_text() for p in (ROOT / "kuulolla/web/templates").rglob("*.html")),
        )
    )
    - {"csrf_token"}
)
QUERY_NAMES = [
    "page", "before", "week", "month", "c", "n", "q", "category", "tag", "order", "period",
    "year", "table", "done", "lang", "next", "by", "view", "vote", "token", "slug",
]  # fmt: skip
PRINCIPALS = ["anonymous", "admin", "coordinator-alfa", "volunteer-alfa"]


def real_values(site: FuzzSite, name: str) -> list[Any]:
    """Values that name real things, for a path parameter called ``name``."""
    world = site.world
    if name == "slug":
        return ["alfa", "beeta", *world.rooms.values()]
    if name == "user_id":
        return list(world.users.values())
    if name == "question_id":
        return list(world.questions.values())
    if name == "record_id":
        return list(world.records.values())
    if name == "qualification_id":
        return list(world.qualifications.values())
    return [1, 2]


def path_value(site: FuzzSite, name: str, convertor: str) -> st.SearchStrategy[str]:
    junk = st.one_of(fuzz.EDGE_INTS, st.integers(), fuzz.TEXT) if convertor == "id" else fuzz.TEXT
    return fuzz.sometimes(real_values(site, name), junk).map(lambda v: quote(str(v)) or "x")


def quote(value: str) -> str:
    """For the address: percent-encoded, at most 2,000 characters (long values go in
    bodies; the server's header cap is tested in test_requests.py)."""
    return urllib.parse.quote(encode(value[:2000]), safe="")


@st.composite
def request_of(draw: Any, site: FuzzSite) -> dict[str, Any]:
    method, route = draw(st.sampled_from(site.routes))
    path = route.path
    for name, convertor in re.findall(r"\{(\w+)(?::(\w+))?\}", route.path):
        value = draw(path_value(site, name, convertor))
        path = re.sub(r"\{" + name + r"(?::\w+)?\}", value, path, count=1)
    query = draw(
        st.dictionaries(
            st.one_of(st.sampled_from(QUERY_NAMES), fuzz.TEXT), fuzz.SCALARS.map(str), max_size=4
        )
    )
    request: dict[str, Any] = {
        "method": method,
        "route": route.path,
        "url": path
        + ("?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items()) if query else ""),
        "who": draw(st.sampled_from(PRINCIPALS)),
        "accept_json": draw(st.booleans()),
    }
    if method == "POST":
        if draw(st.booleans()):
            request["form"] = draw(
                st.dictionaries(
                    st.one_of(st.sampled_from(FIELDS), fuzz.TEXT),
                    fuzz.SCALARS.map(str),
                    max_size=8,
                )
            )
        else:
            request["json"] = draw(fuzz.ANY)
    return request


def test_the_fuzzer_knows_the_route_table(fuzz_site: FuzzSite) -> None:
    """Every GET and POST route of the app is one the fuzzer may pick."""
    assert len(fuzz_site.routes) > 100
    assert {m for m, _ in fuzz_site.routes} == {"GET", "POST"}


def encode(value: str) -> bytes:
    """UTF-8, lone surrogates written as they are (bytes no decoder accepts)."""
    return value.encode("utf-8", "surrogatepass")


def send(site: FuzzSite, request: dict[str, Any]) -> Any:
    headers, csrf = site.session(request["who"])
    if request["accept_json"]:
        headers["accept"] = "application/json"
    url = request["url"].encode("utf-8", "surrogatepass").decode("latin-1")
    if request["method"] == "GET":
        return site.client.get(url, headers=headers, follow_redirects=False)
    headers["x-csrf-token"] = csrf
    if "form" in request:
        fields = {**request["form"], "csrf_token": csrf}
        body = b"&".join(
            urllib.parse.quote_plus(encode(k)).encode()
            + b"="
            + urllib.parse.quote_plus(encode(v)).encode()
            for k, v in fields.items()
        )
        headers["content-type"] = "application/x-www-form-urlencoded"
    else:
        body = encode(json.dumps(request["json"]))  # NaN and Infinity as Python writes them
        headers["content-type"] = "application/json"
    return site.client.post(url, content=body, headers=headers, follow_redirects=False)


def test_random_requests_to_every_route(fuzz_site: FuzzSite) -> None:
    """No 500, no traceback, and a refused request or a GET writes nothing."""

    site = fuzz_site

    @fuzz.PROFILE
    @given(request=request_of(site))
    def check(request: dict[str, Any]) -> None:
        with fuzz.error_log() as log:
            before = fuzz.snapshot(site.db_path)
            response = send(site, request)
            after = fuzz.snapshot(site.db_path)
            errors = log.take()
        where = (
            f"{request['method']} {request['route']} ({request['url'][:200]}) as {request['who']}"
        )
        assert response.status_code < 500, f"{where}: {response.status_code}"
        assert fuzz.TRACEBACK not in response.text, where
        assert errors == [], f"{where}: {errors}"
        if request["method"] == "GET":
            assert fuzz.changed(before, after) == [], f"{where}: {response.status_code}"
        elif response.status_code >= 400:
            written = fuzz.changed(before, after, ignore=fuzz.AUDIT)
            assert written == [], f"{where}: {response.status_code}"

    check()
