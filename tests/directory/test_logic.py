"""The checks of a service, staleness, the visitor's filters and the referral card."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kuulolla.core import events
from kuulolla.directory import finding, logic, vocabulary
from tests.directory.samples import TOPICS, fields, given
from tests.helpers import NOW


def test_a_valid_service_is_kept_as_given() -> None:
    """A complete service passes, with empty texts dropped and texts tidied."""
    checked = fields(names={"fi": "  Omaishoitajien   ryhmä ", "sv": "", "en": ""})
    assert checked.names == {"fi": "Omaishoitajien ryhmä"}
    assert checked.areas == ("m:837",) and checked.area_codes == ("m:837",)
    assert checked.descriptions["fi"] == "Ryhmässä jaetaan kokemuksia.\n\nMukana on vertaisohjaaja."


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"key": "Iso Kirjain"}, "key", "invalid_key"),
        ({"kind": "party"}, "kind", "invalid_kind"),
        ({"names": {"fi": "", "sv": "Grupp"}}, "name_fi", "invalid_name"),
        ({"names": {"fi": "x" * 121}}, "name_fi", "too_long"),
        ({"descriptions": {"fi": "x" * 4001}}, "description_fi", "too_long"),
        ({"topics": []}, "topics", "invalid_topic"),
        ({"topics": ["carers", "astrology"]}, "topics", "invalid_topic"),
        ({"topics": TOPICS[:7]}, "topics", "invalid_topic"),
        ({"ages": ["babies"]}, "ages", "invalid_age"),
        ({"languages": ["klingon"]}, "languages", "invalid_language"),
        ({"areas": []}, "areas", "invalid_area"),
        ({"areas": ["m:588"]}, "areas", "unknown_region"),
        ({"areas": [], "nationwide": True}, "areas", "invalid_area"),  # an address needs a place
        ({"postal_code": "3310"}, "postal_code", "invalid_postal_code"),
        ({"hours_text": "maanantaisin joskus"}, "hours", "invalid_hours"),
        ({"phone": "soita meille"}, "phone", "invalid_phone"),
        ({"web": "javascript:alert(1)"}, "web", "invalid_web"),
        ({"web": "www.example.fi"}, "web", "invalid_web"),
        ({"email": "not an address"}, "email", "invalid_email"),
        ({"chat": "https://evil.example/chat"}, "chat", "invalid_chat"),
        (
            {"phone": "", "web": "", "street": "", "postal_code": "", "post_office": ""},
            "phone",
            "no_contact",
        ),
    ],
)
def test_each_bad_field_is_reported_on_its_own(
    changes: dict[str, Any], field: str, code: str
) -> None:
    """A wrong field is refused with a stable code, tied to that field."""
    with pytest.raises(logic.InvalidService) as caught:
        fields(**changes)
    assert caught.value.errors[field].code == code


def test_every_problem_is_reported_at_once() -> None:
    """The form shows all its problems together."""
    with pytest.raises(logic.InvalidService) as caught:
        fields(kind="", names={}, topics=[], phone="x")
    assert {"kind", "name_fi", "topics", "phone"} <= set(caught.value.errors)


def test_hostile_text_is_kept_as_text() -> None:
    """Markup in a text is stored as it was typed (pages escape it), control characters go."""
    checked = fields(summaries={"fi": "<script>alert(1)</script>\x00\x07 Tervetuloa"})
    assert checked.summaries["fi"] == "<script>alert(1)</script> Tervetuloa"


def test_a_new_service_gets_its_key_from_its_finnish_name() -> None:
    """Without a key, a new service's address is made from its name (å, ä, ö folded)."""
    checked = logic.check_service(
        given(key="", names={"fi": "Nuorten ryhmä – Åland & Närpes"}), topics=TOPICS, new=True
    )
    assert checked.key == "nuorten-ryhma-aland-narpes"


def test_the_whole_country_replaces_areas() -> None:
    """A nationwide service needs no municipality and is stored as the whole country."""
    checked = fields(areas=["fi"], street="", postal_code="", post_office="")
    assert checked.nationwide and checked.area_codes == ("fi",)


@pytest.mark.parametrize(
    ("days_since_check", "stale_days", "stale", "needs_check"),
    [
        (0, 365, False, False),
        (334, 365, False, False),
        (335, 365, False, True),  # within the warning month
        (364, 365, False, True),
        (365, 365, True, True),
        (31, 30, True, True),
    ],
)
def test_staleness(days_since_check: int, stale_days: int, stale: bool, needs_check: bool) -> None:
    """A service goes stale its organisation's period after its last check, and is listed
    for checking a month before."""
    checked = NOW - timedelta(days=days_since_check)
    assert logic.is_stale(checked, stale_days, NOW) is stale
    assert logic.needs_check(checked, stale_days, NOW) is needs_check


def test_filters_drop_what_they_do_not_know() -> None:
    """An old bookmark with unknown values still shows the directory, unfiltered there."""
    filters = finding.check_filters(
        query="  yksinäisyys   ", region="m:999", topic="astrology", kind="x", open_now=True,
        online=False, topics=TOPICS,
    )  # fmt: skip
    assert filters == finding.Filters(query="yksinäisyys", open_now=True)


@pytest.mark.parametrize(
    ("areas", "region", "nearness"),
    [
        (("m:837",), "m:837", 0),
        (("c:pirkanmaa",), "m:837", 1),
        (("fi",), "m:837", 2),
        (("m:837",), "", 2),
    ],
)
def test_locality_orders_the_nearest_first(
    areas: tuple[str, ...], region: str, nearness: int
) -> None:
    """The municipality itself comes first, then its county, then the whole country."""
    assert finding.locality(areas, region) == nearness


def test_a_referral_card_carries_every_language_and_the_next_week() -> None:
    """The card names the service in each language, says when it is open and how to reach it."""
    service = fields(hours_text="ma-pe 10-14", names={"fi": "Ryhmä", "sv": "Grupp"})
    card = finding.card(
        organisation_slug="arjen-tuki", organisation_name="Arjen Tuki ry", fields=service, now=NOW
    )
    assert card.service == "arjen-tuki/vertaisryhma-tampere"
    assert card.names == {"fi": "Ryhmä", "sv": "Grupp"}
    assert card.when["fi"][0] == "ma–pe 10.00–14.00"
    # NOW is 14.00 in Helsinki, the moment it closes: the next window is the next day.
    assert card.windows[0] == ["2026-01-16T08:00:00Z", "2026-01-16T12:00:00Z"]
    assert card.phone == "09 0000 113" and card.address == "Hämeenkatu 14, 33100 Tampere"
    assert card.place["sv"] == "Tammerfors" and not card.always


def test_report_labels_agree_with_the_vocabulary() -> None:
    """Referrals are counted by kind and topic: every kind is a report label, every
    shipped topic a valid label code."""
    assert set(vocabulary.KINDS) == events.SERVICE_KINDS
    assert all(events.CODE.fullmatch(t.key) for t in vocabulary.shipped_topics())
