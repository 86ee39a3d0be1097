"""Report pages through the TestClient: who sees what, small counts on the page and in
CSV, the period picker's errors and the annual summary."""

from __future__ import annotations

import csv
import io
from typing import Any

from kuulolla.core import events
from kuulolla.core.events import Kind
from kuulolla.rooms.models import Room
from tests.accounts.conftest import Env, sign_in
from tests.helpers import NOW

ORG = "alfa"


def seed_events(e: Env, org: str = ORG) -> None:
    """In January 2026: 12 room visits, 3 messages, 40 queue contacts of which 30 were
    answered, each after 2 minutes."""

    async def work(db: Any) -> None:
        from sqlalchemy import select

        async with db.read_session() as session:
            room = await session.scalar(select(Room).where(Room.slug == e.world.rooms[org]))
        org_id, room_id = e.world.orgs[org], room.id
        rows = [
            events.row(
                Kind.ROOM_VISIT,
                organisation_id=org_id,
                room_id=room_id,
                at=NOW,
                label="new",
                count=12,
            ),
            events.row(
                Kind.ROOM_MESSAGES,
                organisation_id=org_id,
                room_id=room_id,
                at=NOW,
                label="visitor",
                count=3,
            ),
            events.row(Kind.QUEUE_ENTERED, organisation_id=org_id, at=NOW, count=40),
        ]
        rows += [
            events.row(Kind.QUEUE_ANSWERED, organisation_id=org_id, at=NOW, value=120.0)
            for _ in range(30)
        ]
        await events.write(db, rows)

    e.db(work)


def csv_rows(response: Any) -> list[list[str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff")), delimiter=";"))


def test_a_coordinator_sees_figures_with_small_counts_hidden(env: Env) -> None:
    """The dashboard shows 12 visits and hides 3 messages as "alle 5"; answered share and
    median wait come from the events; three charts with titles, axes and legends."""
    seed_events(env)
    sign_in(env.client, f"coordinator-{ORG}")
    page = env.client.get(f"/orgs/{ORG}/reports?period=2026-01")
    assert page.status_code == 200
    assert "<td>12</td>" in page.text and "<td>alle 5</td>" in page.text
    assert "<td>75\xa0%</td>" in page.text  # 30 of 40 answered
    assert page.text.count("<svg") == 3 and "<script>" not in page.text
    chart = page.text.split("<svg", 2)[1]
    assert 'font-weight="bold"' in chart and "Huonekäynnit kuukausittain</text>" in chart
    assert ">käyntiä</text>" in chart and "alle 5: ei piirretty</text>" in chart


def test_csv_files_say_what_the_page_says(env: Env) -> None:
    """The rooms table's CSV has the same figures: counts as numbers, a hidden one as
    "alle 5"; shares and changes as numbers of per cent under a "%" heading."""
    seed_events(env)
    sign_in(env.client, f"coordinator-{ORG}")
    rows = csv_rows(env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-Q1&table=rooms"))
    assert rows[0] == ["Huone", "Käynnit huoneissa", "Viestit huoneissa", "Vapaaehtoistunnit"]
    assert rows[1][1:3] == ["12", "alle 5"]
    summary = csv_rows(env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-Q1&table=summary"))
    assert summary[0][3] == "Muutos, %"
    wait = next(r for r in summary if r[0] == "Odotusajan mediaani (min)")
    assert wait[1] == "2,0"
    share = next(r for r in summary if r[0] == "Vastattujen osuus yhteydenotoista (%)")
    assert share[1] == "75"
    assert not any(c.startswith("'") for r in summary for c in r)


def test_another_organisation_sees_none_of_it(env: Env) -> None:
    """A coordinator of another organisation sees their own (empty) figures only."""
    seed_events(env)
    other = next(o for o in env.world.orgs if o != ORG)
    sign_in(env.client, f"coordinator-{other}")
    assert env.client.get(f"/orgs/{ORG}/reports", follow_redirects=False).status_code == 403
    rows = csv_rows(env.client.get(f"/orgs/{other}/reports.csv?period=2026&table=summary"))
    assert rows[1][:2] == ["Käynnit huoneissa", "0"]


def test_admins_see_every_organisation(env: Env) -> None:
    """The admin's report breaks the figures down by organisation."""
    seed_events(env)
    sign_in(env.client, "admin")
    rows = csv_rows(env.client.get("/admin/reports.csv?period=2026&table=organisations"))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Yhteensä"][1] == "12"
    assert any(r[1] == "12" for name, r in by_name.items() if name != "Yhteensä")


def test_bad_periods_and_tables_are_refused_with_a_translated_message(env: Env) -> None:
    """A malformed period is a 400 in the reader's language; an unknown table a 404."""
    sign_in(env.client, f"coordinator-{ORG}")
    bad = env.client.get(f"/orgs/{ORG}/reports?period=2026-13")
    assert bad.status_code == 400 and "Valitse vuosi, vuosineljännes tai kuukausi" in bad.text
    future = env.client.get(f"/orgs/{ORG}/reports?period={NOW.year + 1}")
    assert future.status_code == 400
    assert env.client.get(f"/orgs/{ORG}/reports.csv?table=nothing").status_code == 404
    assert env.client.get(f"/orgs/{ORG}/reports/summary?year=2026-Q1").status_code == 400


def test_the_threshold_is_a_setting(env: Env) -> None:
    """With KUULOLLA_REPORT_MIN_COUNT=20 the 12 visits are hidden too."""
    seed_events(env)
    env.app.state.settings = env.settings.replace(report_min_count=20)
    sign_in(env.client, f"coordinator-{ORG}")
    rows = csv_rows(env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-01&table=rooms"))
    assert rows[1][1:3] == ["alle 20", "alle 20"]


def test_annual_summary_in_finnish_and_swedish(env: Env) -> None:
    """The summary names contacts, people reached, volunteer hours and themes, in both."""
    seed_events(env)
    env.clock.advance(days=1)
    sign_in(env.client, f"coordinator-{ORG}")
    fi = env.client.get(f"/orgs/{ORG}/reports/summary?year=2026&lang=fi").text
    sv = env.client.get(f"/orgs/{ORG}/reports/summary?year=2026&lang=sv").text
    for text in ("Yhteydenotot", "Tavoitetut ihmiset (arvio)", "Vapaaehtoistunnit", "Teemat"):
        assert text in fi
    for text in ("Kontakter", "Nådda personer (uppskattning)", "Frivilligtimmar", "Teman"):
        assert text in sv
    assert '<dd class="figure">52</dd>' in fi  # 12 visits + 40 queue contacts


def test_referrals_are_counted_by_kind_of_service_and_topic(env: Env) -> None:
    """Referral cards sent in a room are counted in the key figures and by the service's
    kind and topic, named in words (a small count hidden), in Finnish and Swedish."""

    async def work(db: Any) -> None:
        from sqlalchemy import select

        async with db.read_session() as session:
            room = await session.scalar(select(Room).where(Room.slug == env.world.rooms[ORG]))
        org_id, room_id = env.world.orgs[ORG], room.id
        rows = []
        for kind, n in (("peer_group", 7), ("helpline", 2)):
            rows += [
                events.row(
                    Kind.REFERRAL_SENT, organisation_id=org_id, room_id=room_id, at=NOW, label=kind
                )
                for _ in range(n)
            ]
        for topic, n in (("carers", 6), ("crisis", 3)):
            rows += [
                events.row(
                    Kind.REFERRAL_TOPIC,
                    organisation_id=org_id,
                    room_id=room_id,
                    at=NOW,
                    label=topic,
                )
                for _ in range(n)
            ]
        await events.write(db, rows)

    env.db(work)
    sign_in(env.client, f"coordinator-{ORG}")
    kinds = csv_rows(env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-01&table=referrals"))
    by_kind = {r[0]: r[1] for r in kinds[1:]}
    assert by_kind["Vertaisryhmä"] == "7" and by_kind["Auttava puhelin"] == "alle 5"
    topics = csv_rows(
        env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-01&table=referral_topics")
    )
    named = {r[0]: r[1] for r in topics[1:]}
    assert named["Omaishoito ja läheiset"] == "6" and named["Kriisi ja itsetuhoisuus"] == "alle 5"
    summary = csv_rows(env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-01&table=summary"))
    # 7 and a hidden 2: fewer than the most one hidden count allows (7 + 4 + 1).
    assert next(r for r in summary if r[0].startswith("Ohjaukset"))[1] == "alle 12"
    sv = env.client.get(f"/orgs/{ORG}/reports?period=2026-01&lang=sv").text
    assert "Kamratstödsgrupp" in sv and "Närståendevård och anhöriga" in sv
