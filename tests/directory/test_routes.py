"""The directory's pages and files over HTTP: visitors' search, a service's page, the
open-data files with their ETag, the coordinators' forms and import, the admins' page."""

from __future__ import annotations

import json
import re
from typing import Any

from kuulolla.directory import curation, importing, listing, service, vocabulary
from tests.accounts.conftest import Env, post, sign_in
from tests.accounts.helpers import csrf_from
from tests.directory.samples import fields
from tests.helpers import NOW


def add(env: Env, org: str = "alfa", **changes: Any) -> int:
    async def work(db: Any) -> int:
        async with db.session() as session:
            return await service.do_save_service(
                session,
                organisation_id=env.world.orgs[org],
                fields=fields(**changes),
                actor_id=None,
                now=NOW,
            )

    return int(env.db(work))


# ------------------------------------------------------------------ visitors


def test_the_directory_finds_by_region_and_topic(env: Env) -> None:
    """Choosing a municipality and a topic lists the services there, the choice kept in the form."""
    add(env)
    add(env, key="turku", areas=["m:853"], post_office="Turku", names={"fi": "Turun ryhmä"})
    page = env.client.get("/directory?region=m:837&topic=carers")
    assert page.status_code == 200
    assert "Omaishoitajien vertaisryhmä, Tampere" in page.text and "Turun ryhmä" not in page.text
    assert '<option value="m:837" selected>' in page.text
    assert "1 palvelu" in page.text


def test_words_and_hostile_text_are_shown_as_text(env: Env) -> None:
    """The visitor's words and a service's texts are escaped, never markup."""
    add(env, summaries={"fi": "<img src=x onerror=alert(1)>"})
    page = post(env.client, "/directory", {"q": "<script>alert(1)</script>"}, page="/directory")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    listing = env.client.get("/directory")
    assert "<img src=x" not in listing.text and "&lt;img src=x" in listing.text


def test_a_search_in_words_keeps_them_out_of_the_address_and_the_title(env: Env) -> None:
    """The search form posts its words: the results answer the POST with the words in
    neither the title nor the pages' links; choices without words go to the list's own
    address; an old address with words opens that list without them."""
    add(env)
    form = env.client.get("/directory").text
    assert 'method="post" action="/directory"' in form
    page = post(
        env.client, "/directory", {"q": "omaishoitajat", "region": "m:837"}, page="/directory"
    )
    assert page.status_code == 200 and "Omaishoitajien vertaisryhmä, Tampere" in page.text
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title and "omaishoitajat" not in title.group(1)
    assert not re.search(r'href="[^"]*omaishoitajat', page.text)
    assert '<meta name="robots" content="noindex">' in page.text
    listed = post(env.client, "/directory", {"q": " ", "region": "m:837"}, page="/directory")
    assert listed.status_code == 303
    assert listed.headers["location"] == "/directory?region=m%3A837"
    old = env.client.get("/directory?q=omaishoitajat&topic=carers", follow_redirects=False)
    assert old.status_code == 303 and old.headers["location"] == "/directory?topic=carers"


def test_unknown_filters_show_the_whole_directory(env: Env) -> None:
    """A stale bookmark with unknown values shows everything, not an error."""
    add(env)
    page = env.client.get("/directory?region=m:588&topic=astrology&kind=party&page=x")
    assert page.status_code == 200 and "Omaishoitajien vertaisryhmä" in page.text


def test_a_service_page_says_when_and_how(env: Env) -> None:
    """A service's page shows its hours in words, how to reach it and when it was checked."""
    add(env)
    page = env.client.get("/directory/alfa/vertaisryhma-tampere?lang=en")
    assert page.status_code == 200
    assert "the second Tuesday of the month 17:30–19:00" in page.text
    assert 'href="tel:0900001113"' not in page.text and 'href="tel:090000113"' in page.text
    assert "Hämeenkatu 14, 33100 Tampere" in page.text
    assert env.client.get("/directory/alfa/ei-ole").status_code == 404
    assert env.client.get("/directory/beeta/vertaisryhma-tampere").status_code == 404


def test_a_draft_has_no_public_page(env: Env) -> None:
    """An unpublished service answers "not found" to visitors."""
    add(env, published=False)
    assert env.client.get("/directory/alfa/vertaisryhma-tampere").status_code == 404


def test_the_feed_has_an_etag_and_cors(env: Env) -> None:
    """The JSON feed is cacheable by ETag, readable from other sites, and filterable."""
    add(env)
    add(env, "beeta", key="beetan")
    first = env.client.get("/directory/services.json")
    assert first.status_code == 200
    assert first.headers["access-control-allow-origin"] == "*"
    etag = first.headers["etag"]
    again = env.client.get("/directory/services.json", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    doc = first.json()
    assert doc["licence"]["id"] == "CC-BY-4.0"
    assert sorted(r["id"] for r in doc["services"]) == ["beetan", "vertaisryhma-tampere"]
    assert doc["services"][0]["url"].startswith("https://testserver/directory/")
    only = env.client.get("/directory/services.json?organisation=beeta").json()
    assert [r["id"] for r in only["services"]] == ["beetan"]
    add(env, key="uusi")
    assert (
        env.client.get("/directory/services.json", headers={"if-none-match": etag}).status_code
        == 200
    )


def test_the_csv_file_reads_back(env: Env) -> None:
    """The CSV file is a download that the import reads as the same services."""
    add(env)
    response = env.client.get("/directory/services.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    result = env.db(
        lambda db: importing.do_import(db, data=response.content, now=NOW, dry_run=True)
    )
    assert (result.unchanged, result.changes, result.problems) == (1, 0, [])


def test_the_referral_search_answers_in_json(env: Env) -> None:
    """Helpers' search returns services with their hours and whether they are open."""
    add(env, hours_text="ma-pe 13-15")
    found = env.client.get("/directory/search.json?region=m:837&lang=fi").json()
    assert found["total"] == 1
    [card] = found["services"]
    assert card["service"] == "alfa/vertaisryhma-tampere" and card["open"] is True
    assert (
        card["when"][0] == "ma–pe 13.00–15.00"
        and card["path"] == "/directory/alfa/vertaisryhma-tampere"
    )


# ------------------------------------------------------------------ coordinators


def form(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "drop_in",
        "name_fi": "Avoin kahvila",
        "summary_fi": "Tule juttelemaan.",
        "topics": ["loneliness"],
        "languages": ["fi"],
        "areas": "Tampere, Nokia",
        "street": "Kauppakatu 1",
        "postal_code": "33100",
        "post_office": "Tampere",
        "hours": "ke 9:30-11:30",
        "holidays_closed": "1",
        "phone": "09 0000 300",
        "free": "1",
        "published": "1",
    }
    out.update(values)
    return out


def test_a_coordinator_adds_a_service_and_visitors_see_it(env: Env) -> None:
    """A coordinator's form creates the service, with its address made from its name."""
    sign_in(env.client, "coordinator-alfa")
    response = post(env.client, "/orgs/alfa/directory/new", form(), page="/orgs/alfa/directory/new")
    assert response.status_code == 303 and "done=saved" in response.headers["location"]
    views = env.db(
        lambda db: listing.list_organisation_services(db, organisation_id=env.world.orgs["alfa"])
    )
    [view] = views
    assert view.key == "avoin-kahvila" and view.fields.areas == ("m:837", "m:536")
    assert "Avoin kahvila" in env.client.get("/directory?region=m:536").text


def test_a_wrong_form_shows_each_error_and_stores_nothing(env: Env) -> None:
    """Problems are shown beside their fields; the typed values stay; nothing is saved."""
    sign_in(env.client, "coordinator-alfa")
    response = post(
        env.client,
        "/orgs/alfa/directory/new",
        form(name_fi="", areas="Tampere, Atlantis", hours="joskus", web="javascript:alert(1)"),
        page="/orgs/alfa/directory/new",
    )
    assert response.status_code == 400
    for field in ("name_fi", "areas", "hours", "web"):
        assert f'id="f-{field}-error"' in response.text, field
    assert "Atlantis" in response.text and 'value="09 0000 300"' in response.text
    assert (
        env.db(
            lambda db: listing.list_organisation_services(
                db, organisation_id=env.world.orgs["alfa"]
            )
        )
        == []
    )


def test_edit_check_and_remove(env: Env) -> None:
    """A coordinator edits a service, marks it checked and removes it."""
    service_id = add(env)
    sign_in(env.client, "coordinator-alfa")
    page = env.client.get(f"/orgs/alfa/directory/services/{service_id}")
    assert "FREQ=MONTHLY;BYDAY=2TU 17:30-19:00" in page.text and ">Tampere</textarea>" in page.text
    edited = post(
        env.client,
        f"/orgs/alfa/directory/services/{service_id}",
        form(name_fi="Uusi nimi", areas="Tampere"),
        page=f"/orgs/alfa/directory/services/{service_id}",
    )
    assert edited.status_code == 303
    view = env.db(
        lambda db: service.access_service(
            db, organisation_id=env.world.orgs["alfa"], service_id=service_id
        )
    )
    assert view.fields.names["fi"] == "Uusi nimi" and view.key == "vertaisryhma-tampere"
    assert (
        post(
            env.client,
            f"/orgs/alfa/directory/services/{service_id}/checked",
            page="/orgs/alfa/directory",
        ).status_code
        == 303
    )
    assert (
        post(
            env.client,
            f"/orgs/alfa/directory/services/{service_id}/delete",
            page="/orgs/alfa/directory",
        ).status_code
        == 303
    )
    assert env.client.get(f"/orgs/alfa/directory/services/{service_id}").status_code == 404


def test_the_check_period_is_the_organisations(env: Env) -> None:
    """The period is saved when valid and refused with an error when not."""
    sign_in(env.client, "coordinator-alfa")
    bad = post(
        env.client,
        "/orgs/alfa/directory/settings",
        {"stale_days": "5"},
        page="/orgs/alfa/directory",
    )
    assert bad.status_code == 400 and 'id="f-stale_days-error"' in bad.text
    ok = post(
        env.client,
        "/orgs/alfa/directory/settings",
        {"stale_days": "90"},
        page="/orgs/alfa/directory",
    )
    assert ok.status_code == 303
    assert (
        env.db(lambda db: curation.get_stale_days(db, organisation_id=env.world.orgs["alfa"])) == 90
    )


def test_import_shows_what_would_change_then_applies(env: Env) -> None:
    """An uploaded file is first only compared; the second step makes the changes."""
    sign_in(env.client, "coordinator-alfa")
    records = [{"id": "tuotu", "kind": "helpline", "name": "Tuotu linja", "topics": ["crisis"],
                "area": {"nationwide": True}, "contact": {"phone": "09 0000 400"}}]  # fmt: skip
    html = env.client.get("/orgs/alfa/directory/import").text
    dry = env.client.post(
        "/orgs/alfa/directory/import",
        data={"csrf_token": csrf_from(html)},
        files={"file": ("palvelut.json", json.dumps(records).encode(), "application/json")},
    )
    assert dry.status_code == 200 and "Uusia palveluja: 1" in dry.text
    assert (
        env.db(
            lambda db: listing.list_organisation_services(
                db, organisation_id=env.world.orgs["alfa"]
            )
        )
        == []
    )
    content = re.search(r'<textarea name="content" hidden>(.*?)</textarea>', dry.text, re.S)
    assert content
    done = post(
        env.client,
        "/orgs/alfa/directory/import",
        {"apply": "1", "content": json.dumps(records)},
        page="/orgs/alfa/directory/import",
    )
    assert done.status_code == 200 and "Tuotu" in done.text
    [view] = env.db(
        lambda db: listing.list_organisation_services(db, organisation_id=env.world.orgs["alfa"])
    )
    assert view.key == "tuotu" and view.fields.nationwide


def test_a_broken_file_is_refused_with_a_message(env: Env) -> None:
    """A file that is not a directory is refused on the page, nothing imported."""
    sign_in(env.client, "coordinator-alfa")
    html = env.client.get("/orgs/alfa/directory/import").text
    response = env.client.post(
        "/orgs/alfa/directory/import",
        data={"csrf_token": csrf_from(html)},
        files={"file": ("x.json", b"{broken", "application/json")},
    )
    assert response.status_code == 400 and 'id="f-file-error"' in response.text


# ------------------------------------------------------------------ admins


def test_admins_add_topics_and_choose_the_licence(env: Env) -> None:
    """An admin adds a topic and changes the open data's licence."""
    sign_in(env.client, "admin")
    added = post(
        env.client,
        "/admin/directory/topics",
        {
            "key": "sports",
            "name_fi": "Liikunta",
            "name_sv": "Motion",
            "name_en": "Sports",
            "words": "urheilu",
        },
        page="/admin/directory",
    )
    assert added.status_code == 303
    assert "sports" in [t.key for t in env.db(lambda db: curation.list_topics(db))]
    bad = post(env.client, "/admin/directory/topics", {"key": "Sports!"}, page="/admin/directory")
    assert bad.status_code == 400 and 'id="f-key-error"' in bad.text
    licence = post(
        env.client,
        "/admin/directory/licence",
        {"licence": "ODbL-1.0", "publisher": "P"},
        page="/admin/directory",
    )
    assert licence.status_code == 303
    assert env.client.get("/directory/services.json").json()["licence"]["id"] == "ODbL-1.0"
    refused = post(
        env.client, "/admin/directory/licence", {"licence": "proprietary"}, page="/admin/directory"
    )
    assert refused.status_code == 400


def test_topic_edits_keep_services_and_hide_the_topic_from_choices(env: Env) -> None:
    """A topic no longer offered disappears from visitors' choices."""
    sign_in(env.client, "admin")
    response = post(
        env.client,
        "/admin/directory/topics/housing",
        {"name_fi": "Asuminen", "name_sv": "Boende", "name_en": "Housing", "words": ""},
        page="/admin/directory/topics/housing",
    )
    assert response.status_code == 303
    assert 'value="housing"' not in env.client.get("/directory").text
    assert vocabulary.check_topic_key("housing") == "housing"


def test_files_are_taken_only_by_the_import_and_only_so_large(env: Env) -> None:
    """The import page takes a file of up to 4 MiB; a larger one, or a file sent to any
    other page, is refused before it is read."""
    sign_in(env.client, "coordinator-alfa")
    html = env.client.get("/orgs/alfa/directory/import").text
    token = csrf_from(html)
    big = env.client.post(
        "/orgs/alfa/directory/import",
        data={"csrf_token": token},
        files={"file": ("iso.json", b"[" + b" " * (5 * 1024 * 1024) + b"]", "application/json")},
    )
    assert big.status_code == 413
    elsewhere = env.client.post(
        "/orgs/alfa/directory/new",
        data={"csrf_token": token},
        files={"file": ("x.json", b"[]", "application/json")},
    )
    assert elsewhere.status_code == 415
