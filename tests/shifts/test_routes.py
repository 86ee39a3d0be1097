"""Shift pages through the app: a coordinator plans, a volunteer signs up and checks in,
refusals are shown translated, hours export as CSV, the calendar feed is served."""

from __future__ import annotations

import re
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from kuulolla.rooms.models import Room
from kuulolla.shifts.models import ShiftRow
from tests.accounts.conftest import Env, env, post, sign_in

__all__ = ["env"]


def room_id(e: Env, slug: str) -> int:
    async def work(db: Any) -> int:
        async with db.read_session() as session:
            return int(await session.scalar(select(Room.id).where(Room.slug == slug)) or 0)

    return int(e.db(work))


def first_shift(e: Env) -> int:
    async def work(db: Any) -> int:
        async with db.read_session() as session:
            return int(
                await session.scalar(select(ShiftRow.id).order_by(ShiftRow.starts_at).limit(1)) or 0
            )

    return int(e.db(work))


def make_template(e: Env, **fields: str) -> Any:
    data = {
        "target": f"room-{room_id(e, e.world.rooms['alfa'])}",
        "days": "TH",
        "times": "18-21",
        "repeat": "custom" if "rule" in fields else "weekly",
        "interval": "1",
        "valid_from": "2026-01-15",
        "volunteers": "1",
        "professionals": "0",
        **fields,
    }
    return post(e.client, "/orgs/alfa/roster/templates", data, page="/orgs/alfa/roster/templates")


def test_coordinator_plans_and_volunteer_signs_up(env: Env) -> None:
    """A template makes shifts on the calendar; a volunteer signs up, which fills it."""
    coordinator = env.browser()
    sign_in(coordinator, "coordinator-alfa")
    env.client = coordinator._use()
    made = make_template(env)
    assert made.status_code == 303, made.text[:500]
    calendar = coordinator.get("/orgs/alfa/roster?week=2026-01-15").text
    assert "0/1" in calendar and "tarvitaan lisää" in calendar

    volunteer = env.browser()
    sign_in(volunteer, "volunteer-alfa")
    mine = volunteer.get("/orgs/alfa/shifts").text
    assert "Ilmoittaudu" in mine
    assert "sinulla on vuoroja 0 h." in mine and "Viikon enimmäismäärä on 12 h." in mine
    shift = first_shift(env)
    html = volunteer.get("/orgs/alfa/shifts").text
    from tests.accounts.helpers import csrf_from

    done = volunteer.post(
        f"/orgs/alfa/shifts/{shift}/sign-up",
        data={"csrf_token": csrf_from(html), "role": "volunteer"},
    )
    assert done.status_code == 303 and "done=signed_up" in done.headers["location"]
    assert "Olet ilmoittautunut vuoroon." in volunteer.get(done.headers["location"]).text
    assert "1/1" in coordinator.get("/orgs/alfa/roster?week=2026-01-15").text

    again = volunteer.post(
        f"/orgs/alfa/shifts/{shift}/sign-up",
        data={"csrf_token": csrf_from(html), "role": "volunteer"},
    )
    assert again.status_code == 409
    assert "Olet jo ilmoittautunut tähän vuoroon." in again.text or "jo" in again.text

    env.clock.advance(hours=3, minutes=50)  # the shift starts 16:00 UTC; check-in from 15:45
    sign_in(volunteer, "volunteer-alfa")  # the earlier session has been idle too long
    checked = volunteer.get("/orgs/alfa/shifts").text
    assert "Kirjaudu vuoroon" in checked
    env.clock.advance(hours=-3, minutes=-50)

    csv = coordinator.get("/orgs/alfa/roster/hours.csv?by=person&month=2026-01")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.startswith("\ufeffNimi;") and "3,00" in csv.text


def test_bad_template_shows_a_translated_error_and_saves_nothing(env: Env) -> None:
    """Garbage in the template form is refused with a Finnish message; no shifts appear."""
    sign_in(env.client, "coordinator-alfa")
    refused = make_template(env, rule="FREQ=HOURLY", volunteers="x1")
    assert refused.status_code == 400
    assert "kokonaisluku" in refused.text or "toistosääntö" in refused.text.lower()
    assert first_shift(env) == 0
    hostile = make_template(env, rule="<script>alert(1)</script>")
    assert hostile.status_code == 400 and "<script>alert(1)" not in hostile.text


def test_calendar_feed_round_trip(env: Env) -> None:
    """A member makes a feed address; it serves iCalendar; a new one replaces it."""
    sign_in(env.client, "coordinator-alfa")
    assert make_template(env).status_code == 303
    html = env.client.get("/orgs/alfa/shifts").text
    from tests.accounts.helpers import csrf_from

    shift = first_shift(env)
    env.client.post(
        f"/orgs/alfa/shifts/{shift}/sign-up",
        data={"csrf_token": csrf_from(html), "role": "volunteer"},
    )
    page = env.client.post("/account/calendar-feed", data={"csrf_token": csrf_from(html)})
    assert page.status_code == 200
    url = re.search(r'id="feed-url" [^>]*value="([^"]+)"', page.text)[1]  # type: ignore[index]
    path = url.split("testserver", 1)[1]
    served = env.client.get(path)
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(served.content).walk("VEVENT"))
    assert len(events) == 1 and events[0].decoded("dtstart").hour == 18
    env.client.post("/account/calendar-feed", data={"csrf_token": csrf_from(html)})
    assert env.client.get(path).status_code == 404


def test_calendar_lists_shifts_needing_people_and_the_shift_page_assigns(env: Env) -> None:
    """The week grid places the shift by its times, the "needs people" list names what
    is missing in words; on the shift's page a coordinator adds an eligible person and
    sees why others cannot take it; the calendar then shows it full."""
    sign_in(env.client, "coordinator-alfa")
    assert make_template(env, times="0-24").status_code == 303
    week = env.client.get("/orgs/alfa/roster?week=2026-01-22").text
    needs = week.split('id="needs-heading"', 1)[1].split("</section>", 1)[0]
    assert "puuttuu: 1 vapaaehtoinen" in needs
    text = re.sub(r"<[^>]+>", "", needs)
    assert "Huone alfa-huone, to 22.1. 0–24" in " ".join(text.split())
    assert "0–24" in week and "0.00–0.00" not in week
    assert re.search(r'class="shift shift--empty rs-1 re-49 lane-1"', week)
    assert make_template(env, days="WE").status_code == 303  # 21.1. 18–21, before the 0–24
    shift = first_shift(env)
    page = env.client.get(f"/orgs/alfa/roster/shifts/{shift}?week=2026-01-22")
    assert page.status_code == 200
    options = re.findall(
        r'<option value="(\d+)">([^<]+)</option>', page.text.split('id="f-person"')[1]
    )
    names = [name for _, name in options]
    assert "Volunteer alfa (vapaaehtoinen)" in names
    assert not any(n.startswith("Volunteer beeta") for n in names)
    target = env.world.users["volunteer-alfa"]
    done = post(
        env.client,
        f"/orgs/alfa/roster/shifts/{shift}/assign?to=shift&shift={shift}&week=2026-01-22",
        {"person_id": str(target), "role": "volunteer"},
        page=f"/orgs/alfa/roster/shifts/{shift}",
    )
    assert done.status_code == 303
    assert done.headers["location"] == (
        f"/orgs/alfa/roster/shifts/{shift}?done=assigned&week=2026-01-22"
    )
    after = env.client.get(done.headers["location"]).text
    assert "Henkilö on lisätty vuoroon." in after and "Kaikki paikat on täytetty." in after
    week = env.client.get("/orgs/alfa/roster?week=2026-01-22").text
    assert "shift--full" in week


def test_shift_page_of_another_organisation_is_not_found(env: Env) -> None:
    """An id of another organisation's shift is 404 through this organisation's pages."""
    sign_in(env.client, "coordinator-alfa")
    make_template(env)
    shift = first_shift(env)
    sign_in(env.client, "coordinator-beeta")
    assert env.client.get(f"/orgs/beeta/roster/shifts/{shift}").status_code == 404


def test_template_preview_shows_words_and_dates_without_saving(env: Env) -> None:
    """ "Show the next dates" describes the template and lists its dates; nothing is saved."""
    sign_in(env.client, "coordinator-alfa")
    shown = make_template(env, times="klo 18.00–20.00", preview="1", interval="2")
    assert shown.status_code == 200
    text = re.sub(r"<[^>]+>", "", shown.text)
    assert "Vuoropohja olisi: joka toinen torstai klo 18–20, 1 vapaaehtoinen" in text
    assert "to 15.1., to 29.1., to 12.2." in text
    assert first_shift(env) == 0
