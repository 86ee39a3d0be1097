"""The embedded chat over HTTP: frame-ancestors per organisation, the frame's layout,
the snippet's script, the coordinator's page, and requests that need no cookie."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kuulolla.core.db import Database
from kuulolla.embed import service
from kuulolla.queue import topics as queue_topics
from kuulolla.web.security import CONTENT_SECURITY_POLICY
from tests.accounts.conftest import Env, post, sign_in
from tests.helpers import NOW

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
SETTINGS = "/orgs/alfa/embed"


@pytest.fixture
def embed_env(env: Env) -> Env:
    """The two-organisation world with a queue topic of alfa's and two sites allowed by
    alfa, one by beeta."""

    async def work(db: Database) -> None:
        await queue_topics.do_create_topic(
            db,
            organisation_id=env.world.orgs["alfa"],
            slug="alfan-chat",
            names={"fi": "Alfan chat", "sv": "Alfas chatt"},
            hours=ALWAYS,
            now=NOW,
        )
        for org, site in (
            ("alfa", "https://www.alfa.fi"),
            ("alfa", "https://tuki.alfa.fi"),
            ("beeta", "https://beeta.fi"),
        ):
            await service.do_add_origin(
                db, organisation_id=env.world.orgs[org], text=site, actor_id=None, now=NOW
            )

    env.db(work)
    return env


def ancestors(response: Any) -> str:
    policy = response.headers["content-security-policy"]
    found = re.search(r"frame-ancestors ([^;]+)", policy)
    assert found
    return found.group(1)


@pytest.mark.parametrize("path", ["/embed/chat/alfan-chat", "/embed/rooms/alfa-huone"])
def test_embedded_pages_name_exactly_their_organisations_sites(embed_env: Env, path: str) -> None:
    """An embedded topic or room may be framed by its organisation's sites, no others."""
    response = embed_env.client.get(path)
    assert response.status_code == 200
    assert ancestors(response) == "https://tuki.alfa.fi https://www.alfa.fi"
    assert "x-frame-options" not in response.headers
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors https://tuki.alfa.fi https://www.alfa.fi"
    )


def test_an_organisation_without_sites_cannot_be_framed(embed_env: Env) -> None:
    """beeta's room may be framed by beeta.fi; once it is removed, by nobody."""
    assert ancestors(embed_env.client.get("/embed/rooms/beeta-huone")) == "https://beeta.fi"

    async def remove(db: Database) -> None:
        beeta = embed_env.world.orgs["beeta"]
        for site in await service.list_origins(db, organisation_id=beeta):
            await service.do_remove_origin(
                db, organisation_id=beeta, origin_id=site.id, actor_id=None, now=NOW
            )

    embed_env.db(remove)
    assert ancestors(embed_env.client.get("/embed/rooms/beeta-huone")) == "'none'"


@pytest.mark.parametrize("path", ["/", "/chat/alfan-chat", "/rooms/alfa-huone", "/questions"])
def test_every_other_page_can_be_framed_by_nobody(embed_env: Env, path: str) -> None:
    """The ordinary pages keep frame-ancestors 'none' and X-Frame-Options DENY."""
    response = embed_env.client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"


def test_an_unknown_embedded_page_is_not_found_and_not_framable(embed_env: Env) -> None:
    """A topic or room that does not exist is a 404 that no site may frame."""
    for path in ("/embed/chat/ei-ole", "/embed/rooms/ei-ole"):
        response = embed_env.client.get(path)
        assert response.status_code == 404
        assert ancestors(response) == "'none'"


def test_embedded_page_is_the_chat_in_the_frames_layout(embed_env: Env) -> None:
    """The frame shows the same chat with the quick exit, opens links in a new tab, is
    noindex and offers no "remember me" (the token stays in the frame's tab)."""
    html = embed_env.client.get("/embed/rooms/alfa-huone?lang=sv").text
    assert '<html lang="sv" class="embedded">' in html
    assert '<base target="_blank">' in html
    assert "data-quick-exit" in html and 'src="/static/js/exit.js"' in html
    assert 'src="/static/js/room.js"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert re.search(r'<div class="checkbox" hidden>\s*<input id="remember"', html)
    for code in ("fi", "sv", "en"):
        assert f'href="/embed/rooms/alfa-huone?lang={code}" target="_self"' in html
    assert 'href="/sign-in"' not in html
    topic = embed_env.client.get("/embed/chat/alfan-chat?lang=fi").text
    assert 'id="queue"' in topic and 'src="/static/js/queue.js"' in topic
    assert "Alfan chat" in topic


def test_snippet_script_is_served_to_other_sites(embed_env: Env) -> None:
    """/embed.js is JavaScript that other origins may load."""
    response = embed_env.client.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "document.currentScript" in response.text


def test_coordinator_adds_a_site_and_copies_the_snippets(embed_env: Env) -> None:
    """The coordinator's page lists the sites, adds one, and gives every snippet."""
    sign_in(embed_env.client, "coordinator-alfa")
    response = post(embed_env.client, SETTINGS, {"origin": "https://Uusi.alfa.fi/"}, page=SETTINGS)
    assert response.status_code == 303
    html = embed_env.client.get(SETTINGS + "?lang=en").text
    assert "<code>https://uusi.alfa.fi</code>" in html
    assert "https://beeta.fi" not in html
    base = "https://testserver"
    assert (
        f"&lt;script src=&#34;{base}/embed.js&#34; data-chat=&#34;alfan-chat&#34; "
        "data-lang=&#34;en&#34; async&gt;&lt;/script&gt;"
    ) in html
    assert "data-room=&#34;alfa-huone&#34;" in html
    assert f"&lt;iframe src=&#34;{base}/embed/chat/alfan-chat?lang=en&#34;" in html
    assert f"&lt;a href=&#34;{base}/chat/alfan-chat?lang=en&#34;" in html
    assert "Open the chat: Alfan chat" in html


def test_a_malformed_site_is_refused_with_a_translated_error(embed_env: Env) -> None:
    """An address with a path is refused beside the field, in Finnish, and nothing is added."""
    sign_in(embed_env.client, "coordinator-alfa")
    response = post(
        embed_env.client, SETTINGS, {"origin": "https://www.alfa.fi/chat"}, page=SETTINGS
    )
    assert response.status_code == 400
    assert "Kirjoita sivuston osoite muodossa https://www.esimerkki.fi" in response.text
    assert 'aria-invalid="true"' in response.text

    async def sites(db: Database) -> list[str]:
        listed = await service.list_origins(db, organisation_id=embed_env.world.orgs["alfa"])
        return [s.origin for s in listed]

    assert embed_env.db(sites) == ["https://www.alfa.fi", "https://tuki.alfa.fi"]


def test_coordinator_removes_a_site(embed_env: Env) -> None:
    """Removing a site takes it off the list and out of frame-ancestors at once."""
    sign_in(embed_env.client, "coordinator-alfa")

    async def first(db: Database) -> int:
        return (await service.list_origins(db, organisation_id=embed_env.world.orgs["alfa"]))[0].id

    site_id = embed_env.db(first)
    response = post(embed_env.client, f"{SETTINGS}/{site_id}/remove", page=SETTINGS)
    assert response.status_code == 303
    assert ancestors(embed_env.client.get("/embed/rooms/alfa-huone")) == "https://tuki.alfa.fi"


# ------------------------------------------------------------------ no cookie needed


def similar(env: Env, headers: dict[str, str]) -> Any:
    """An anonymous JSON request to a public action, without any cookie."""
    env.client.cookies.clear()
    return env.client.post(
        "/questions/similar",
        json={"text": "yksinäisyys"},
        headers={"content-type": "application/json", **headers},
    )


def test_anonymous_same_origin_request_needs_no_cookie(embed_env: Env) -> None:
    """A visitor's request from our own page (the embedded chat, whose cookies are
    third-party) passes on the browser's Sec-Fetch-Site: same-origin alone."""
    assert similar(embed_env, {"sec-fetch-site": "same-origin"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}],
)
def test_without_the_cookie_other_requests_are_refused(
    embed_env: Env, headers: dict[str, str]
) -> None:
    """Without the cookie, a request not marked same-origin by the browser is refused."""
    assert similar(embed_env, headers).status_code == 403


def test_a_staff_session_still_needs_its_token(embed_env: Env) -> None:
    """Signed in, a same-origin request without the session's CSRF token is refused."""
    sign_in(embed_env.client, "coordinator-alfa")
    response = embed_env.client.post(
        SETTINGS,
        data={"origin": "https://x.alfa.fi"},
        headers={"sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 403
