"""Personal data: identity codes, phone numbers, e-mail, IBAN and street addresses."""

from __future__ import annotations

import pytest

from kuulolla.moderation.personal_data import (
    find,
    is_personal_phone,
    mask,
    phone_digits,
    valid_hetu,
    valid_iban,
)


def kinds(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find(text, **kwargs)]  # type: ignore[arg-type]


# ------------------------------------------------------------------ hetu


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("131052-308T", True),  # the classic example
        ("131052-308t", True),  # check character in any case
        ("110350+668Y", True),  # 1800s
        ("070111-446J", True),  # 1900s, hyphen
        ("020917Y298J", True),  # 1900s, new sign Y
        ("191124X383N", True),
        ("190179W2129", True),
        ("150638V256K", True),
        ("170843U748M", True),
        ("190228A647Y", True),  # 2000s, A
        ("250619B5022", True),  # 2000s, new signs B–F
        ("260808C8623", True),
        ("030560D715H", True),
        ("131144E025D", True),
        ("040807F2253", True),
        ("131052-308U", False),  # wrong check character
        ("131052A308T", True),  # the check ignores the century; 13.10.2052 exists
        ("310252-308T", False),  # 31 February
        ("290201A123X", False),  # 29.2.2001 does not exist
        ("131052-000T", False),  # individual number 000 is never issued
        ("131052G308T", False),  # no century sign G
        ("131052-3O8T", False),  # letter O for zero
        ("1310523-08T", False),  # wrong shape
    ],
)
def test_hetu_validation(code: str, valid: bool) -> None:
    """Identity codes are valid only with a real date, a century sign and the right check."""
    assert valid_hetu(code) is valid


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mun hetu on 131052-308T jos tarviit", [("hetu", "131052-308T")]),
        (
            "uusi 010594Y9032, vanha 010594Y9021.",
            [("hetu", "010594Y9032"), ("hetu", "010594Y9021")],
        ),
        ("tunnus 131052-308U on väärin", []),
        ("tilausnumero 123456-7890", []),
        ("x131052-308T", []),  # inside a word
    ],
)
def test_hetu_in_text(text: str, found: list[tuple[str, str]]) -> None:
    """Valid identity codes are found in running text; look-alikes are not."""
    assert kinds(text) == found


# ------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    "written",
    [
        "040 123 4567",
        "0401234567",
        "040-1234567",
        "050 765 43 21",
        "044-555 66 77",
        "0457 1234567",
        "0400 123 456",
        "+358 40 123 4567",
        "+358 (0)40 246 8024",
        "+358401234567",
        "+358-40-123-4567",
        "00358 50 555 1234",
        "(09) 345 6789",
        "09-876 5432",
        "03 1234 567",
        "017 123 4567",
        "+46 70 123 45 67",
        "070-123 45 67",  # Swedish mobile written nationally
        "+44 7700 900123",
        "+1 (555) 201-3344",
        "0041 79 123 45 67",
    ],
)
def test_phone_numbers_are_found(written: str) -> None:
    """Finnish, Swedish and international numbers in their usual spellings are found whole."""
    assert kinds(f"numero {written} kiitos") == [("phone", written)]


@pytest.mark.parametrize(
    "text",
    [
        "Soita hätänumeroon 112",
        "Lasten ja nuorten puhelin 116 111",
        "Kriisipuhelin 09 2525 0111",
        "Maksuton neuvonta 0800 123 123",
        "Kelan numero 020 692 208",
        "Yrityksen vaihde 010 234 5678",
        "kello 14.30 ja 18-20",
        "olen 15-vuotias",
        "3-4 kertaa viikossa",
        "10 000 euroa",
        "12.3.2024",
        "2019 2020 2021",
        "pisteet 38/40",
        "hinta 0,50 €",
        "klo 09 10",
        "bussi 550",
        "2024-05-12",
    ],
)
def test_ordinary_numbers_are_not_phones(text: str) -> None:
    """Service numbers, times, dates, prices and counts are left alone."""
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("+358 40 123 4567", "0401234567"),
        ("+358 (0)40 12", "04012"),
        ("00358 9 123", "09123"),
        ("+46 70", "+4670"),
    ],
)
def test_phone_digits_are_national(written: str, digits: str) -> None:
    """+358 and 00358 numbers are compared in national form."""
    assert phone_digits(written) == digits


def test_public_numbers_of_the_policy_are_not_masked() -> None:
    """An organisation's own number passes when the policy lists it."""
    text = "Soita meille 040 123 4567"
    assert kinds(text, public_numbers=frozenset({"0401234567"})) == []
    assert is_personal_phone("040 123 4567")


# ------------------------------------------------------------------ e-mail


@pytest.mark.parametrize(
    "written",
    [
        "aino.virtanen@gmail.com",
        "pekka_92@hotmail.fi",
        "AINO.K@YAHOO.COM",
        "liisa@koulu.edu.hel.fi",
        "otto+tuki@proton.me",
        "aino at gmail piste com",
        "aino(at)gmail.com",
        "pekka [at] hotmail [dot] fi",
        "minttu miukumauku gmail.com",
        "jussi @ gmail.com",
    ],
)
def test_emails_are_found(written: str) -> None:
    """Plain and spelled-out addresses are found whole."""
    assert kinds(f"osoite: {written} kiitos") == [("email", written)]


@pytest.mark.parametrize(
    "text",
    [
        "I was at school. se oli kivaa",
        "Meet me at the station at 5",
        "Tapaan sut kirjastolla",
        "@aino kiitos vastauksesta",
    ],
)
def test_ordinary_text_is_not_email(text: str) -> None:
    """English "at" and mentions are not e-mail addresses."""
    assert kinds(text) == []


# ------------------------------------------------------------------ IBAN


@pytest.mark.parametrize(
    ("written", "valid"),
    [
        ("FI49 7127 6842 6846 56", True),
        ("FI4971276842684656", True),
        ("fi49 7127 6842 6846 56", True),
        ("SE54 9010 9281 5901 3962 4595", True),
        ("DE08 7117 7774 1215 4728 03", True),
        ("GB38 NWBK 8528 0841 4852 53", True),
        ("FI49 7127 6842 6846 57", False),  # check digits do not match
        ("FI49 7127 6842 6846 5", False),  # too short for Finland
        ("XX00 1234 5678 9012 34", False),
    ],
)
def test_iban_validation(written: str, valid: bool) -> None:
    """IBANs are valid only with the country's length and mod 97 equal to 1."""
    assert valid_iban(written) is valid


def test_iban_in_text_stops_before_the_next_word() -> None:
    """A following word is not part of the account number."""
    assert kinds("tili FI49 7127 6842 6846 56 ok kiitos") == [("iban", "FI49 7127 6842 6846 56")]


# ------------------------------------------------------------------ addresses


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "Asun Mannerheimintie 12 B 34, 00100 Helsinki.",
            "Mannerheimintie 12 B 34, 00100 Helsinki",
        ),
        ("tuu käymään, Kotikatu 5", "Kotikatu 5"),
        ("asun hämeenkadulla 14", "hämeenkadulla 14"),
        ("Koivukuja 3 A 7", "Koivukuja 3 A 7"),
        ("Hämeenkatu 12a as. 4 33100 Tampere", "Hämeenkatu 12a as. 4 33100 Tampere"),
        ("Storgatan 12, 65100 Vasa", "Storgatan 12, 65100 Vasa"),
        ("Bor på Kungsvägen 14 i Åbo", "Kungsvägen 14"),
        (
            "Skicka fakturan till Ågatan 4 B 12, 64100 Kristinestad",
            "Ågatan 4 B 12, 64100 Kristinestad",
        ),
        ("vi bor på Ekvägen 3", "Ekvägen 3"),
    ],
)
def test_street_addresses_are_found(text: str, written: str) -> None:
    """A street name with a street suffix and a house number is an address."""
    assert kinds(text) == [("address", written)]


@pytest.mark.parametrize(
    "text",
    [
        "valtatie 4 oli ruuhkainen",
        "elämänpolku 2 kertaa mutkalla",
        "Koulutie 5 km päässä",
        "Kävelin tietä 3 kilometriä",
    ],
)
def test_street_look_alikes_are_not_addresses(text: str) -> None:
    """Road numbers and distances are not addresses."""
    assert kinds(text) == []


# ------------------------------------------------------------------ masking


def test_mask_replaces_each_span_with_its_token() -> None:
    """Masking leaves the rest of the text as written."""
    text = "Soita 040 123 4567 tai meilaa aino@gmail.com, hetu 131052-308T."
    assert mask(text, find(text)) == "Soita ⟦phone⟧ tai meilaa ⟦email⟧, hetu ⟦hetu⟧."


def test_overlapping_finds_keep_the_more_specific_kind() -> None:
    """An identity code is not also read as a phone number."""
    assert [f.kind for f in find("131052-308T")] == ["hetu"]
