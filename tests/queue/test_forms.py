"""Pure checks of the coordinator's topic and canned-response forms."""

from __future__ import annotations

import pytest

from kuulolla.queue import forms

GOOD = forms.TopicInput(
    names={"fi": "Nuorten chat", "sv": "", "en": "Youth chat"},
    descriptions={"fi": "Kuvaus", "sv": "", "en": ""},
    consents={"fi": "Hyväksyn ehdot.", "sv": "", "en": ""},
    hours={"mon": "16-21", "tue": "9:00-12:00, klo 13.00–15", "sun": "22:00-24:00"},
    questions=["first_time", "age_group"],
    handling_minutes="20",
    active=True,
)


def _errors(given: forms.TopicInput) -> set[str]:
    with pytest.raises(forms.InvalidForm) as caught:
        forms.check_topic(given)
    return set(caught.value.errors)


def test_a_good_topic_is_cleaned() -> None:
    """Names, hours in several spellings, questions in their fixed order, minutes to seconds."""
    fields = forms.check_topic(GOOD)
    assert fields.names == {"fi": "Nuorten chat", "en": "Youth chat"}
    assert fields.hours == {
        "mon": [["16:00", "21:00"]],
        "tue": [["09:00", "12:00"], ["13:00", "15:00"]],
        "sun": [["22:00", "24:00"]],
    }
    assert fields.questions == ("age_group", "first_time")
    assert (fields.default_handling, fields.consents) == (1200, {"fi": "Hyväksyn ehdot."})


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"names": {"fi": " ", "en": "Youth"}}, {"name_fi"}),
        ({"names": {"fi": "x" * 121}}, {"name_fi"}),
        ({"hours": {"wed": "21:00-16:00"}}, {"hours_wed"}),
        ({"hours": {"thu": "16-"}}, {"hours_thu"}),
        (
            {"hours": {"fri": "kello neljä"}, "handling_minutes": "0"},
            {"hours_fri", "handling_minutes"},
        ),
        ({"handling_minutes": "puoli tuntia"}, {"handling_minutes"}),
        ({"questions": ["shoe_size"]}, {"questions"}),
        ({"descriptions": {"sv": "x" * 2001}}, {"description_sv"}),
        ({"consents": {"fi": "", "en": "I agree."}}, {"consent_fi"}),
    ],
)
def test_bad_topic_fields_are_each_named(change: dict[str, object], fields: set[str]) -> None:
    """Every wrong field is reported at once, under its own name."""
    values = {
        "names": GOOD.names,
        "descriptions": GOOD.descriptions,
        "consents": GOOD.consents,
        "hours": GOOD.hours,
        "questions": GOOD.questions,
        "handling_minutes": GOOD.handling_minutes,
        "active": True,
    }
    values.update(change)
    assert _errors(forms.TopicInput(**values)) == fields  # type: ignore[arg-type]


@pytest.mark.parametrize("slug", ["status", "new", "Iso-Kirjain", "-alku", ""])
def test_slugs_that_cannot_be_topics(slug: str) -> None:
    """Reserved paths under /chat/ and malformed slugs are refused."""
    with pytest.raises(forms.InvalidForm) as caught:
        forms.check_topic_slug(slug)
    assert set(caught.value.errors) == {"slug"}


def test_hours_round_trip_through_the_form_text() -> None:
    """Stored hours shown in the form read back to the same hours."""
    hours = forms.check_topic(GOOD).hours
    text = forms.hours_text(hours)
    assert {d: forms.check_day_hours(d, t) for d, t in text.items() if t} == hours


@pytest.mark.parametrize(
    ("locale", "title", "text", "fields"),
    [
        ("de", "Hallo", "Guten Tag", {"locale"}),
        ("fi", "", "", {"title", "text"}),
        ("sv", "Hej", "x" * 2001, {"text"}),
    ],
)
def test_bad_canned_responses(locale: str, title: str, text: str, fields: set[str]) -> None:
    """A canned response needs a known language, a title and a text within the limit."""
    with pytest.raises(forms.InvalidForm) as caught:
        forms.check_canned(locale=locale, title=title, text=text)
    assert set(caught.value.errors) == fields
