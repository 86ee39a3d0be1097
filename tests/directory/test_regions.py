"""The shipped municipalities and counties, and which region contains which."""

from __future__ import annotations

from collections import Counter

import pytest

from kuulolla.directory import regions

# Municipalities per wellbeing services county on 1 January 2025 (Statistics Finland's
# municipal division of 2025: Pertunmaa joined Mäntyharju, 308 in all).
PER_COUNTY = {
    "helsinki": 1,
    "ita-uusimaa": 7,
    "keski-uusimaa": 6,
    "lansi-uusimaa": 10,
    "vantaa-kerava": 2,
    "varsinais-suomi": 27,
    "satakunta": 16,
    "kanta-hame": 11,
    "pirkanmaa": 23,
    "paijat-hame": 10,
    "kymenlaakso": 6,
    "etela-karjala": 9,
    "etela-savo": 11,
    "pohjois-savo": 19,
    "pohjois-karjala": 13,
    "keski-suomi": 22,
    "etela-pohjanmaa": 18,
    "pohjanmaa": 14,
    "keski-pohjanmaa": 8,
    "pohjois-pohjanmaa": 30,
    "kainuu": 8,
    "lappi": 21,
    "ahvenanmaa": 16,
}


def test_there_are_308_municipalities_in_21_counties_helsinki_and_aland() -> None:
    """The 2025 list: 308 municipalities, 21 wellbeing services counties plus Helsinki and Åland."""
    assert len(regions.municipalities()) == 308
    assert len(regions.counties()) == 23
    assert Counter(m.county for m in regions.municipalities().values()) == PER_COUNTY


@pytest.mark.parametrize(
    ("code", "fi", "sv", "county"),
    [
        ("091", "Helsinki", "Helsingfors", "helsinki"),
        ("092", "Vantaa", "Vanda", "vantaa-kerava"),
        ("245", "Kerava", "Kervo", "vantaa-kerava"),
        ("235", "Kauniainen", "Grankulla", "lansi-uusimaa"),
        ("611", "Pornainen", "Borgnäs", "keski-uusimaa"),
        ("837", "Tampere", "Tammerfors", "pirkanmaa"),
        ("291", "Kuhmoinen", "Kuhmois", "pirkanmaa"),  # from Keski-Suomi in 2021
        ("142", "Iitti", "Itis", "paijat-hame"),  # from Kymenlaakso in 2021
        ("171", "Joroinen", "Jorois", "pohjois-savo"),  # from Etelä-Savo in 2021
        ("090", "Heinävesi", "Heinävesi", "pohjois-karjala"),  # from Etelä-Savo in 2021
        ("152", "Isokyrö", "Storkyro", "etela-pohjanmaa"),  # from Pohjanmaa in 2021
        ("599", "Pedersören kunta", "Pedersöre", "pohjanmaa"),
        ("478", "Maarianhamina", "Mariehamn", "ahvenanmaa"),
        ("890", "Utsjoki", "Utsjoki", "lappi"),
    ],
)
def test_municipality_names_and_counties(code: str, fi: str, sv: str, county: str) -> None:
    """A municipality's code gives its Finnish and Swedish names and its county."""
    m = regions.municipalities()[code]
    assert (m.name_fi, m.name_sv, m.county) == (fi, sv, county)


def test_merged_municipalities_are_gone() -> None:
    """Pertunmaa (2025), Honkajoki (2021) and Valtimo (2020) are no longer municipalities."""
    assert {"588", "099", "911"}.isdisjoint(regions.municipalities())


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("m:837", "m:837"),
        ("837", "m:837"),
        ("91", "m:091"),
        ("c:pirkanmaa", "c:pirkanmaa"),
        ("Pirkanmaa", "c:pirkanmaa"),
        ("fi", "fi"),
    ],
)
def test_region_codes_are_checked_and_normalised(given: str, expected: str) -> None:
    """Codes, bare municipality numbers and county keys become region codes."""
    assert regions.check_region(given) == expected


@pytest.mark.parametrize("given", ["m:588", "m:999", "c:uusimaa", "x:1", "", "m:", "<b>"])
def test_unknown_regions_are_refused(given: str) -> None:
    """An unknown or merged municipality, or a county that is no county, is refused."""
    with pytest.raises(regions.UnknownRegion):
        regions.check_region(given)


@pytest.mark.parametrize(
    ("service_areas", "chosen", "shown"),
    [
        (["fi"], "m:837", True),  # the whole country serves everyone
        (["m:837"], "m:837", True),  # the municipality itself
        (["c:pirkanmaa"], "m:837", True),  # Tampere is in Pirkanmaa
        (["c:pirkanmaa"], "m:536", True),  # so is Nokia
        (["c:varsinais-suomi"], "m:837", False),  # another county
        (["m:536"], "m:837", False),  # Nokia's own service, Tampere chosen
        (["m:536"], "c:pirkanmaa", True),  # a county chosen: its municipalities are near
        (["m:853"], "c:pirkanmaa", False),  # Turku is not in Pirkanmaa
        (["c:pirkanmaa"], "c:pirkanmaa", True),
        (["c:helsinki"], "m:091", True),  # Helsinki organises its own services
        (["m:091"], "c:helsinki", True),
        (["c:ahvenanmaa"], "m:478", True),
        (["m:245"], "c:vantaa-kerava", True),
        (["m:245"], "c:keski-uusimaa", False),  # Kerava is with Vantaa, not Keski-Uusimaa
    ],
)
def test_region_containment(service_areas: list[str], chosen: str, shown: bool) -> None:
    """A service is shown for a region when it covers it, its county, or (for a county) a
    municipality in it."""
    assert regions.serves(service_areas, chosen) is shown


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Tampere", "m:837"),
        ("tammerfors", "m:837"),
        ("  Pirkanmaan  hyvinvointialue ", "c:pirkanmaa"),
        ("Helsinki", "m:091"),
        ("Åbo", "m:853"),
        ("853", "m:853"),
        ("Nowhere", None),
    ],
)
def test_lookup_of_typed_names(typed: str, code: str | None) -> None:
    """The coordinators' form takes Finnish and Swedish names, county names and numbers."""
    assert regions.lookup(typed) == code


def test_the_picker_lists_every_region_once() -> None:
    """The region picker offers each county and each municipality exactly once."""
    codes = [code for _, options in regions.choices("fi") for code, _ in options]
    assert len(codes) == len(set(codes)) == 308 + 23
