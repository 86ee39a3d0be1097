"""The room form's pure checks and the address made from a Finnish name."""

from __future__ import annotations

import pytest

from kuulolla.rooms.forms import InvalidForm, check_room_form, suggest_slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Nuorten ilta", "nuorten-ilta"),
        ("Yksinäisyys & ystävyys", "yksinaisyys-ystavyys"),
        ("  Åland – ö-ilta!! ", "aland-o-ilta"),
        ("Äiti, isä ja vauva", "aiti-isa-ja-vauva"),
        ("", ""),
    ],
)
def test_addresses_from_finnish_names(name: str, slug: str) -> None:
    """Dots off ä, ö and å, everything else that is not a letter or digit a hyphen."""
    assert suggest_slug(name) == slug


def test_a_good_form_is_cleaned() -> None:
    """Names trimmed, empty languages left out, domains normalised, numbers read."""
    fields = check_room_form(
        {
            "name_fi": "  Nuorten   ilta ",
            "name_en": "",
            "history_limit": "30",
            "slow_mode": "",
            "link_mode": "hold",
            "allowed_links": "https://www.mieli.fi/apua, mieli.fi",
            "qualification_id": "7",
        },
        qualifications={7},
        new=True,
    )
    assert fields.names == {"fi": "Nuorten ilta"}
    assert (fields.slug, fields.history_limit, fields.slow_mode) == ("nuorten-ilta", 30, 0)
    assert (fields.allowed_links, fields.qualification_id) == (("mieli.fi",), 7)


def test_every_problem_at_once() -> None:
    """Each bad field is named."""
    with pytest.raises(InvalidForm) as caught:
        check_room_form(
            {
                "name_fi": "",
                "slug": "new",
                "history_limit": "-1",
                "slow_mode": "99999",
                "link_mode": "",
                "allowed_links": "foo",
                "qualification_id": "8",
                "description_sv": "x" * 1001,
            },
            qualifications={7},
            new=True,
        )
    assert set(caught.value.errors) == {
        "name_fi",
        "slug",
        "history_limit",
        "slow_mode",
        "link_mode",
        "allowed_links",
        "qualification_id",
        "description_sv",
    }
