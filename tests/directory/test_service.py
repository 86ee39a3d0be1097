"""The directory against real SQLite and PostgreSQL: saving, finding, staleness, the
search index, importing and exporting."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulolla.accounts.models import Organisation
from kuulolla.chat.models import KIND_REFERRAL
from kuulolla.core.db import Database
from kuulolla.core.models import ReportEvent
from kuulolla.core.retention import StaffContext
from kuulolla.core.settings import Settings
from kuulolla.directory import (
    curation,
    finding,
    importing,
    listing,
    logic,
    opendata,
    referrals,
    regions,
    retention,
    service,
)
from kuulolla.directory.models import DirectorySearch, DirectoryService, DirectoryServiceArea
from kuulolla.queue import accepting as queue_accepting
from kuulolla.queue import console as queue_console
from kuulolla.queue import logic as queue_logic
from kuulolla.queue import topics as queue_topics
from kuulolla.queue import waiting as queue_waiting
from kuulolla.rooms.models import Room
from tests.accounts.helpers import add_person
from tests.directory.conftest import Orgs
from tests.directory.samples import fields
from tests.helpers import NOW

pytestmark = pytest.mark.asyncio


async def save(db: Database, org: int, **changes: object) -> int:
    async with db.session() as session:
        return await service.do_save_service(
            session, organisation_id=org, fields=fields(**changes), actor_id=None, now=NOW
        )


async def keys(db: Database, filters: finding.Filters, *, now: object = NOW) -> list[str]:
    result = await listing.find_services(db, filters=filters, now=now, limit=50)  # type: ignore[arg-type]
    return [f.service.key for f in result.items]


async def test_a_saved_service_is_indexed_by_area_topic_and_words(db: Database, orgs: Orgs) -> None:
    """Saving writes the area and topic rows and the search index in one go."""
    service_id = await save(db, orgs.a)
    async with db.read_session() as session:
        areas = (await session.scalars(select(DirectoryServiceArea.code))).all()
        forms = await session.scalar(
            select(DirectorySearch.text_forms).where(DirectorySearch.service_id == service_id)
        )
    assert areas == ["m:837"] and forms and "tampere" in forms.split()


async def test_region_topic_kind_and_online_filters(db: Database, orgs: Orgs) -> None:
    """The database keeps only the services of the region (with its county and the whole
    country), the topic, the kind and, when asked, those usable remotely."""
    await save(db, orgs.a)  # Tampere, carers
    await save(
        db, orgs.a, key="nokia", areas=["m:536"], post_office="Nokia", names={"fi": "Nokian ryhmä"}
    )
    await save(
        db,
        orgs.a,
        key="pirkanmaa",
        areas=["c:pirkanmaa"],
        street="",
        postal_code="",
        post_office="",
    )
    await save(db, orgs.a, key="koko-maa", areas=["fi"], street="", postal_code="",
               post_office="", online=True, kind="helpline", topics=["crisis"])  # fmt: skip
    await save(db, orgs.b, key="turku", areas=["m:853"], post_office="Turku")
    assert await keys(db, finding.Filters(region="m:837")) == [
        "vertaisryhma-tampere",
        "pirkanmaa",
        "koko-maa",
    ]
    # A county chosen: its own services first, then its municipalities', then the country's.
    assert await keys(db, finding.Filters(region="c:pirkanmaa")) == [
        "pirkanmaa", "nokia", "vertaisryhma-tampere", "koko-maa",
    ]  # fmt: skip
    assert await keys(db, finding.Filters(region="m:837", topic="crisis")) == ["koko-maa"]
    assert await keys(db, finding.Filters(kind="helpline")) == ["koko-maa"]
    assert await keys(db, finding.Filters(online=True)) == ["koko-maa"]


async def test_open_now_uses_the_hours(db: Database, orgs: Orgs) -> None:
    """Only services open at the moment pass "open now"."""
    await save(db, orgs.a, key="auki", hours_text="ma-pe 13-15")  # NOW is Thursday 14.00
    await save(db, orgs.a, key="kiinni", hours_text="ma-pe 9-11")
    await save(db, orgs.a, key="ei-aikoja", hours_text="")
    assert await keys(db, finding.Filters(open_now=True)) == ["auki"]
    everything = await keys(db, finding.Filters())
    assert everything[0] == "auki" and sorted(everything[1:]) == ["ei-aikoja", "kiinni"]


async def test_stale_and_draft_services_are_hidden_from_visitors(db: Database, orgs: Orgs) -> None:
    """A service past its organisation's check period, or unpublished, is not shown; a
    check makes it visible again."""
    stale = await save(db, orgs.a, key="vanha")
    await save(db, orgs.a, key="luonnos", published=False)
    await curation.do_set_stale_days(db, organisation_id=orgs.a, days=30)
    later = NOW + timedelta(days=31)
    assert await keys(db, finding.Filters(), now=later) == []
    with pytest.raises(service.ServiceNotFound):
        await service.get_public_service_or_raise(
            db, organisation_slug="arjen-tuki", key="vanha", now=later
        )
    counts = await listing.count_needing_check(db, organisation_ids=[orgs.a], now=later)
    assert counts == {orgs.a: 2}
    await service.do_mark_checked(
        db, organisation_id=orgs.a, service_id=stale, actor_id=None, now=later
    )
    assert await keys(db, finding.Filters(), now=later) == ["vanha"]


async def test_words_find_inflected_forms_on_both_databases(
    db: Database, orgs: Orgs, demo_directory: int
) -> None:
    """ "Omaishoitajan vertaistukea Tampereella" finds the carers' group in Tampere first."""
    found = await keys(db, finding.Filters(query="omaishoitajan vertaistukea Tampereella"))
    assert found[0] == "omaishoitajien-ryhma-tampere"


async def test_a_draft_leaves_the_search_index(db: Database, orgs: Orgs) -> None:
    """Unpublishing takes a service out of the index; publishing puts it back."""
    service_id = await save(db, orgs.a)
    async with db.session() as session:
        await service.do_save_service(
            session, organisation_id=orgs.a, fields=fields(published=False), actor_id=None,
            now=NOW, service_id=service_id,
        )  # fmt: skip
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(DirectorySearch)) == 0


async def test_a_key_is_unique_within_an_organisation(db: Database, orgs: Orgs) -> None:
    """The same address twice in one organisation is refused; another may use it."""
    await save(db, orgs.a)
    with pytest.raises(logic.InvalidService) as caught:
        await save(db, orgs.a)
    assert caught.value.errors["key"].code == "key_taken"
    await save(db, orgs.b)


async def test_another_organisations_service_cannot_be_changed(db: Database, orgs: Orgs) -> None:
    """Ids of another organisation's services answer "not found"."""
    theirs = await save(db, orgs.b)
    with pytest.raises(service.ServiceNotFound):
        await service.access_service(db, organisation_id=orgs.a, service_id=theirs)
    with pytest.raises(service.ServiceNotFound):
        await service.do_delete_service(db, organisation_id=orgs.a, service_id=theirs)
    with pytest.raises(service.ServiceNotFound):
        async with db.session() as session:
            await service.do_save_service(
                session, organisation_id=orgs.a, fields=fields(key="x"), actor_id=None, now=NOW,
                service_id=theirs,
            )  # fmt: skip


async def test_export_then_import_changes_nothing(
    db: Database, orgs: Orgs, demo_directory: int
) -> None:
    """The published directory exported as JSON or CSV and imported again is unchanged."""
    shown = len(await listing.published(db, now=NOW))
    assert shown == demo_directory - 1  # the demo's stale service is not exported
    for file_format in ("json", "csv"):
        data = await importing.export(db, now=NOW, file_format=file_format)
        result = await importing.do_import(db, data=data, now=NOW + timedelta(hours=1))
        assert (result.changes, result.problems) == (0, [])
        # The stale one is reported as missing from the file, and kept.
        assert [m.fields.key for m in result.missing] == ["vanhempien-kahvila-vantaa"]
        assert result.unchanged == shown


async def test_a_dry_run_changes_nothing_and_an_import_applies(db: Database, orgs: Orgs) -> None:
    """A dry run only plans; the real run creates, updates and (when asked) removes."""
    await save(db, orgs.a, key="poistuva")
    await save(db, orgs.a, key="muuttuva")
    records = [
        opendata.record(organisation="arjen-tuki", fields=fields(key="uusi"), checked_at=NOW),
        opendata.record(organisation="arjen-tuki", fields=fields(key="muuttuva", phone="09 0000 555"), checked_at=NOW),
    ]  # fmt: skip
    data = json.dumps(records).encode()
    dry = await importing.do_import(db, data=data, now=NOW, organisation="arjen-tuki", dry_run=True)
    assert (len(dry.creates), len(dry.updates), len(dry.missing)) == (1, 1, 1)
    assert sorted(v.key for v in await listing.list_organisation_services(db, organisation_id=orgs.a)) == [
        "muuttuva", "poistuva",
    ]  # fmt: skip
    await importing.do_import(
        db, data=data, now=NOW, organisation="arjen-tuki", remove_missing=True
    )
    views = {v.key: v for v in await listing.list_organisation_services(db, organisation_id=orgs.a)}
    assert sorted(views) == ["muuttuva", "uusi"]
    assert views["muuttuva"].fields.contact.phone == "09 0000 555"


async def test_topics_are_curated_and_reindex_their_services(db: Database, orgs: Orgs) -> None:
    """A new topic is offered; renaming one re-indexes its services with the new words."""
    await curation.do_save_topic(
        db, key="sports", names={"fi": "Liikunta", "sv": "Motion", "en": "Sports"}, words="",
        active=True, new=True,
    )  # fmt: skip
    assert "sports" in [t.key for t in await curation.list_topics(db)]
    await save(db, orgs.a)
    await curation.do_save_topic(
        db, key="carers", names={"fi": "Omaishoito", "sv": "Närståendevård", "en": "Carers"},
        words="zebrasana", active=True, new=False,
    )  # fmt: skip
    async with db.read_session() as session:
        forms = await session.scalar(select(DirectorySearch.text_forms))
    assert forms and "zebrasana" in forms.split()
    with pytest.raises(Exception) as caught:
        await curation.do_save_topic(
            db,
            key="sports",
            names={"fi": "x", "sv": "x", "en": "x"},
            words="",
            active=True,
            new=True,
        )
    assert getattr(caught.value, "code", "") == "topic_taken"


async def test_the_licence_is_the_admins_choice(db: Database) -> None:
    """The open data's licence defaults to CC BY 4.0 and can be changed."""
    assert (await curation.get_platform(db)).licence == "CC-BY-4.0"
    await curation.do_set_platform(db, licence="CC0-1.0", publisher="Esimerkki")
    platform = await curation.get_platform(db)
    assert (platform.licence, platform.publisher) == ("CC0-1.0", "Esimerkki")
    doc = json.loads(await importing.export(db, now=NOW))
    assert doc["licence"]["id"] == "CC0-1.0" and doc["publisher"] == "Esimerkki"


async def test_a_staff_members_part_is_exported_and_erased(db: Database, orgs: Orgs) -> None:
    """Who last checked a service is staff data: listed in their export, forgotten on erasure."""
    person = await add_person(db, "koordinaattori", org_id=orgs.a, role="coordinator")
    service_id = await save(db, orgs.a)
    await service.do_mark_checked(
        db, organisation_id=orgs.a, service_id=service_id, actor_id=person, now=NOW
    )
    ctx = StaffContext(
        db=db, user_id=person, now=NOW, settings=Settings(env="test", secret_key="x" * 40)
    )
    assert await retention.export_directory(ctx) == [
        {"service": "arjen-tuki/vertaisryhma-tampere", "checked_at": NOW.isoformat()}
    ]
    assert await retention.erase_directory(ctx) == 1
    assert await retention.export_directory(ctx) == []


async def test_a_referral_in_a_conversation_counts_by_its_queue_topic(
    db: Database, orgs: Orgs
) -> None:
    """A one-to-one conversation's referral is counted under its queue topic, never its room."""
    await save(db, orgs.a)
    topic_id = await queue_topics.do_create_topic(
        db, organisation_id=orgs.a, slug="aihe", names={"fi": "Aihe"},
        hours={day: [["00:00", "24:00"]] for day in queue_logic.WEEKDAYS}, now=NOW,
    )  # fmt: skip
    helper = await add_person(db, "auttaja", org_id=orgs.a, role="volunteer")
    await queue_console.do_set_duty(
        db, organisation_id=orgs.a, user_id=helper, available=True, max_chats=2, now=NOW
    )
    topic = await queue_topics.get_topic_or_raise(db, slug="aihe")
    await queue_waiting.do_enter(
        db, topic=topic, visitor_key=b"v" * 16, answers={}, consent=True, now=NOW
    )
    taken = await queue_accepting.do_accept(
        db, organisation_id=orgs.a, user_id=helper, staff_key=b"s" * 16, topic_id=topic_id, now=NOW
    )
    room_id = await _room_id(db, taken.room_slug)
    stored = await referrals.do_refer(
        db, room_id=room_id, author_key=b"s" * 16, nick="Auttaja", role="volunteer",
        service_path="arjen-tuki/vertaisryhma-tampere", ref_key=b"r" * 16, now=NOW,
    )  # fmt: skip
    assert stored.kind == KIND_REFERRAL and not stored.duplicate
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(ReportEvent.kind, ReportEvent.room_id, ReportEvent.topic_id).where(
                    ReportEvent.kind.like("referral.%")
                )
            )
        ).all()
    assert sorted(rows) == [("referral.sent", None, topic_id), ("referral.topic", None, topic_id)]


async def _room_id(db: Database, slug: str) -> int:
    async with db.read_session() as session:
        found = await session.scalar(select(Room.id).where(Room.slug == slug))
    assert found is not None
    return int(found)


async def test_the_demo_directory_spans_organisations_and_ten_counties(
    db: Database, orgs: Orgs, demo_directory: int
) -> None:
    """At least 60 published services: both demo organisations' and others', with local
    services in at least ten wellbeing services counties."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(Organisation.id, DirectoryService.areas).join(
                    Organisation, Organisation.id == DirectoryService.organisation_id
                )
            )
        ).all()
    assert demo_directory == len(rows) >= 60
    publishers = {org for org, _ in rows}
    assert {orgs.a, orgs.b} < publishers
    counties = {regions.county_of(code) for _, areas in rows for code in areas} - {None}
    assert len(counties) >= 10
