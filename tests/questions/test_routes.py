"""The archive's visitor pages over HTTP (SQLite, demo archive): browsing, searching,
reading, voting, asking without JavaScript and following a question."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from kuulolla.core.db import Database
from kuulolla.questions import reading
from kuulolla.web.app import create_app
from tests.conftest import copy_of, make_settings
from tests.helpers import run_async

ORIGIN = {"origin": "https://testserver"}


class FormClient(TestClient):
    """A browser that sends the page's CSRF token with every post, as the forms do."""

    def csrf(self) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/questions/ask").text)
        assert match
        return match.group(1)

    def post(self, url, *args, data=None, json=None, headers=None, **kwargs):  # type: ignore[no-untyped-def, override]
        token = self.csrf()
        headers = dict(headers or {})
        if not isinstance(data, dict):
            headers.setdefault("x-csrf-token", token)
        else:
            data = {"csrf_token": token, **data}
        return super().post(url, *args, data=data, json=json, headers=headers, **kwargs)


@pytest.fixture
def client(demo_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    """The demo site on a copy of its own."""
    sqlite_url = copy_of(demo_template, tmp_path)
    with FormClient(create_app(make_settings(sqlite_url)), base_url="https://testserver") as c:
        yield c


def first_question_id(html: str) -> int:
    match = re.search(r'href="/questions/(\d+)"', html)
    assert match
    return int(match.group(1))


def test_archive_lists_newest_and_filters(client: TestClient) -> None:
    """The archive lists answers, by topic and tag, newest or most helpful first."""
    page = client.get("/questions")
    assert page.status_code == 200
    assert "Uusimmat vastaukset" in page.text
    assert page.text.count('class="qa-card"') == 20
    carers = client.get("/questions?category=carers")
    assert "Omaishoitajana aivan lopussa" in carers.text or "Omaishoitaja" in carers.text
    assert "Kolmevuotiaan raivokohtaukset" not in carers.text
    tagged = client.get("/questions?tag=pettäminen")
    assert "Sain selville, että puolisoni on pettänyt" in tagged.text
    helpful = client.get("/questions?order=helpful")
    assert "Hyödyllisimmät vastaukset" in helpful.text
    assert client.get("/questions?page=2").text.count('class="qa-card"') == 20


def test_search_finds_inflected_forms_and_marks_them(client: TestClient) -> None:
    """A search in other word forms finds the answers and marks the matching words."""
    page = client.post("/questions/search", data={"q": "koulukiusaamisesta"}, headers=ORIGIN)
    assert page.status_code == 200
    assert "<mark>kiusataan</mark>" in page.text or "<mark>Kiusaaminen</mark>" in page.text
    empty = client.post("/questions/search", data={"q": "xyzzy"}, headers=ORIGIN)
    assert "Mitään ei löytynyt" in empty.text


def test_search_words_stay_out_of_the_address_and_the_title(client: TestClient) -> None:
    """The search form posts its words; the results' title and links hold none of them,
    and an old address with the words in it opens the empty form at the plain address."""
    form = client.get("/questions/search").text
    assert 'action="/questions/search" method="post"' in form
    page = client.post("/questions/search", data={"q": "yksinäisyys"}, headers=ORIGIN)
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title and "yksinäisyys" not in title.group(1).lower()
    assert not re.search(r'href="[^"]*yksin', page.text)
    old = client.get("/questions/search?q=yksin%C3%A4isyys&category=carers")
    assert old.url.path == "/questions/search" and "yksin" not in str(old.url)
    assert 'value="yksinäisyys"' not in old.text
    assert '<meta name="robots" content="noindex">' in page.text


def test_search_results_page_on_in_the_body(client: TestClient) -> None:
    """The next page of results is asked for with the words in a POST body, not a link."""
    words = "lapsi parisuhde yksinäisyys omaishoitaja nuori koulu riita"  # any of them
    first = client.post("/questions/search", data={"q": words}, headers=ORIGIN)
    assert 'data-rel="next"' in first.text and "page=2" not in first.text
    second = client.post("/questions/search", data={"q": words, "page": "2"}, headers=ORIGIN)
    assert '<ol class="qa-list results" start="11">' in second.text
    assert 'data-rel="prev"' in second.text


def test_search_escapes_the_query(client: TestClient) -> None:
    """What a visitor types is escaped wherever it is shown."""
    page = client.post(
        "/questions/search", data={"q": '<script>alert(1)</script> "parisuhde'}, headers=ORIGIN
    )
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_question_page_and_one_vote_per_browser(client: TestClient) -> None:
    """A question page shows the signed answer and related questions; a browser votes once."""
    qid = first_question_id(client.get("/questions").text)
    page = client.get(f"/questions/{qid}")
    assert page.status_code == 200
    assert 'class="qa__signature"' in page.text and "ry" in page.text
    assert "Liittyvät kysymykset" in page.text
    before = run_async(lambda: _helpful(client, qid))
    response = client.post(
        f"/questions/{qid}/vote", data={"helpful": "yes"}, headers=ORIGIN, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.cookies.get("kuulolla_voter")
    assert cookie and "httponly" in response.headers["set-cookie"].lower()
    client.post(f"/questions/{qid}/vote", data={"helpful": "yes"}, headers=ORIGIN)
    client.post(f"/questions/{qid}/vote", data={"helpful": "no"}, headers=ORIGIN)
    assert run_async(lambda: _helpful(client, qid)) == (before[0] + 1, before[1])
    assert "Kiitos vastauksestasi" in client.get(f"/questions/{qid}").text


async def _helpful(client: TestClient, qid: int) -> tuple[int, int]:
    db = Database.from_url(client.app.state.settings.database_url)  # type: ignore[attr-defined]
    try:
        q = await reading.get_published_or_raise(db, question_id=qid)
        return q.helpful, q.not_helpful
    finally:
        await db.dispose()


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    """Forms posted from another site change nothing."""
    qid = first_question_id(client.get("/questions").text)
    response = client.post(
        f"/questions/{qid}/vote",
        data={"helpful": "yes"},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    response = client.post(
        "/questions/ask", data={"body": "x"}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_ask_errors_are_tied_to_fields(client: TestClient) -> None:
    """Invalid input shows each error next to its field, linked with aria-describedby."""
    page = client.post(
        "/questions/ask", data={"body": "lyhyt", "visibility": "public"}, headers=ORIGIN
    )
    assert page.status_code == 400
    assert 'id="body-error"' in page.text and 'aria-describedby="body-help body-error"' in page.text
    assert 'id="category-error"' in page.text and 'id="consent-error"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert "lyhyt</textarea>" in page.text  # what was written is kept


def test_ask_without_javascript_shows_similar_answers_then_sends(client: TestClient) -> None:
    """Without JavaScript, similar answers are shown once before sending; then a claim code."""
    form = {
        "category": "relationships",
        "body": "Mieheni on pettänyt minua, ja mietin, voiko parisuhde vielä jatkua. Soita 040 123 4567.",
        "visibility": "private",
    }
    first = client.post("/questions/ask", data=form, headers=ORIGIN)
    assert first.status_code == 200
    assert "Vastauksia samankaltaisiin kysymyksiin" in first.text
    assert 'name="seen_similar" id="seen_similar" value="1"' in first.text
    # The phone number is hidden before anyone reads it, and the visitor is told so.
    assert 'id="body-masked"' in first.text and "Soita […].</textarea>" in first.text
    assert "040 123 4567" not in first.text
    again = {**form, "body": form["body"].replace("040 123 4567", "[…]")}
    sent = client.post(
        "/questions/ask", data={**again, "seen_similar": "1", "seen_masking": "1"}, headers=ORIGIN
    )
    assert sent.status_code == 200
    code = re.search(r"<strong>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})</strong>", sent.text)
    assert code
    claim = client.post("/questions/claim", data={"code": code.group(1)}, headers=ORIGIN)
    assert claim.status_code == 200
    assert "odottaa vastausta" in claim.text
    assert "040 123 4567" not in claim.text
    # Typed in small letters without hyphens, the code still opens the question.
    typed = client.post(
        "/questions/claim", data={"code": code.group(1).lower().replace("-", " ")}, headers=ORIGIN
    )
    assert typed.status_code == 200 and "odottaa vastausta" in typed.text


def test_a_link_with_the_code_opens_only_the_filled_in_form(client: TestClient) -> None:
    """An old link with the code in its address shows the form filled in, never the
    question: the question opens only as the answer to a POST."""
    form = {
        "category": "relationships",
        "body": "Valvon joka yö kolmeen asti enkä jaksa puhua puolisolleni siitä.",
        "visibility": "private",
        "seen_similar": "1",
    }
    sent = client.post("/questions/ask", data=form, headers=ORIGIN)
    code = re.search(r"<strong>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){7})</strong>", sent.text)
    assert code
    assert f'name="code" value="{code.group(1)}"' in sent.text  # the button that opens it
    page = client.get(f"/questions/claim/{code.group(1)}")
    assert page.status_code == 200
    assert f'value="{code.group(1)}"' in page.text and "Valvon joka yö" not in page.text


def test_unknown_codes_open_nothing(client: TestClient) -> None:
    """A wrong code gives the same 'not found' for any caller."""
    unknown = {"code": "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"}
    assert client.post("/questions/claim", data=unknown, headers=ORIGIN).status_code == 404
    assert client.get("/questions/claim/short").status_code == 404
    bad = client.post("/questions/claim", data={"code": "nonsense"}, headers=ORIGIN)
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text


def test_similar_endpoint_takes_text_only_by_post(client: TestClient) -> None:
    """Similar answers come as JSON for POSTed text; the text never goes in the address."""
    response = client.post(
        "/questions/similar", json={"text": "omaishoitajan vapaapäivät"}, headers=ORIGIN
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and results[0]["url"].startswith("/questions/")
    assert "<mark>" not in results[0]["title"]
    assert client.get("/questions/similar?q=x").status_code in (404, 405)
    assert (
        client.post(
            "/questions/similar",
            content=b"{bad",
            headers={**ORIGIN, "content-type": "application/json"},
        ).status_code
        == 400
    )


def test_pages_in_every_language_and_without_inline_scripts(client: TestClient) -> None:
    """Archive pages render in fi, sv and en with no inline script code or foreign URLs."""
    qid = first_question_id(client.get("/questions").text)
    for lang in ("fi", "sv", "en"):
        for path in (
            "/questions",
            "/questions/ask",
            "/questions/claim",
            f"/questions/{qid}",
            "/questions/search",
        ):
            html = client.get(path, params={"lang": lang}).text
            assert f'<html lang="{lang}">' in html
            for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
                # Data blocks (JSON for scripts, JSON-LD for search engines) are never run.
                assert "src=" in attrs or re.search(r'type="application/(ld\+)?json"', attrs)
                assert "src=" in attrs or body.strip().startswith("{")
            # Absolute addresses only to this service (canonical and language versions).
            assert not re.search(r'(src|href)="(https?:)?//(?!testserver/)', html)
            assert not re.search(r"<[^>]+\son[a-z]+=", html)
