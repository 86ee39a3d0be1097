"""Personal data in a message: where it is, so it can be masked before delivery.

The visitor is anonymous and often does not think twice before typing a phone
number or an identity code into a room full of strangers. Each finder here returns
spans of the text; :func:`find` merges them (an identity code wins over a phone
number that overlaps it, and so on) and :func:`mask` replaces each with a neutral
token such as ``⟦phone⟧``, which the interface shows in the reader's language.

Every finder prefers to miss a doubtful case over masking ordinary chat: times,
dates, prices, ages and years are common in rooms and must come through untouched.

- **hetu**: DDMMYYCZZZQ with the century signs ``+`` (1800s), ``-`` ``Y X W V U``
  (1900s) and ``A B C D E F`` (2000s) of the 2023 reform; the date must exist and
  the check character must match (remainder of DDMMYYZZZ mod 31 in
  "0123456789ABCDEFHJKLMNPRSTUVWXY").
- **phone**: Finnish mobile (04x, 050) and area-code landlines (02, 03, 05, 06, 08,
  09, 013–019) with spaces or hyphens, the same with +358 or 00358, Swedish mobiles
  written nationally (070…), and other countries as +CC with 8–15 digits. Service numbers (0800, 0100, 020…, 116 111,
  112) are public, not personal, and are left alone; so are the numbers a policy
  lists as its own (an organisation's crisis line).
- **email**: name@domain.tld, and spelled-out forms ("aino at gmail piste com",
  "aino(at)gmail.com", "aino miukumauku gmail.com") only when the domain ends in
  a known top-level domain, to keep ordinary English "at" out.
- **iban**: two letters, two check digits and 11–30 characters in groups of up to
  four, valid only when mod 97 gives 1 and the length matches the country (Finland:
  18 characters).
- **address**: a street name with a Finnish or Swedish street suffix (-katu, -tie,
  -kuja, -polku, -väylä, -raitti, -rinne, -kaari, -gatan, -vägen…), also in the
  common place cases ("Kotikadulla"), then a house number, optionally a staircase
  and flat ("B 12") and a postal code with a town.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Kind = Literal["hetu", "phone", "email", "iban", "address"]
KINDS: tuple[Kind, ...] = ("hetu", "iban", "email", "phone", "address")  # priority order
TOKENS: dict[Kind, str] = {kind: f"⟦{kind}⟧" for kind in KINDS}


@dataclass(frozen=True, slots=True)
class Found:
    kind: Kind
    start: int
    end: int


# ------------------------------------------------------------------ identity codes

_HETU = re.compile(
    r"(?<![\w+\-])(\d{2})(\d{2})(\d{2})([-+ABCDEFYXWVU])(\d{3})([0-9A-Y])(?![\w\-])",
    re.IGNORECASE,
)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


def valid_hetu(code: str) -> bool:
    """Whether ``code`` is a Finnish personal identity code with a real date and the
    right check character (letters in any case)."""
    match = _HETU.fullmatch(code.strip())
    return match is not None and _hetu_ok(match)


def _hetu_ok(match: re.Match[str]) -> bool:
    day, month, year, sign, individual, check = match.groups()
    try:
        date(_CENTURY[sign.upper()] + int(year), int(month), int(day))
    except ValueError:
        return False
    if individual in ("000", "001"):  # never issued
        return False
    return _HETU_CHECK[int(day + month + year + individual) % 31] == check.upper()


def _hetus(text: str) -> list[Found]:
    return [Found("hetu", m.start(), m.end()) for m in _HETU.finditer(text) if _hetu_ok(m)]


# ------------------------------------------------------------------ phone numbers

# A run that starts like a phone number and continues with digits separated by at
# most one space, hyphen or parenthesis; the parts are checked afterwards.
_PHONE = re.compile(
    r"(?<![\w+/.,:€$£])"
    r"(?:\+|00|\(0|0)"
    r"(?:[ \-\u2010\u2011\u2013]?\(?\d\)?){6,17}"
    r"(?![\w€%]|[.,]\d)"
)
_FI_MOBILE = re.compile(r"0(?:4\d|50)\d{5,8}")
_FI_LANDLINE = re.compile(r"0(?:[235689]|1[3-9])\d{5,8}")
# Swedish mobiles written nationally (070, 072, 073, 076, 079 and ten digits): 07 is
# not a Finnish subscriber range, and Swedish-speaking visitors write them so.
_SE_MOBILE = re.compile(r"07[02369]\d{7}")
# Public service numbers are not personal data: free 0800, national 0100/0200/0300,
# corporate 010/020/029/030, and the premium 0600/0700 ranges.
_FI_SERVICE = re.compile(r"0(?:800|10|20|29|30|[67]00)\d+")
_WELL_KNOWN = frozenset({"112", "116111", "116117", "0925250111", "0925250113", "0800"})


def phone_digits(written: str) -> str:
    """The digits of a written number in national form: "+358 40 123" → "040123"."""
    digits = "".join(ch for ch in written if ch.isdigit())
    if written.lstrip("(").startswith("+"):
        digits = "+" + digits
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("+358"):
        # "+358 (0)40 …": the bracketed trunk zero is not dialled after the code
        digits = "0" + digits[5 if digits.startswith("+3580") else 4 :]
    return digits


def is_personal_phone(written: str) -> bool:
    """Whether ``written`` is a phone number of a person (not a service number)."""
    digits = phone_digits(written)
    if digits in _WELL_KNOWN:
        return False
    if digits.startswith("+"):  # another country: E.164 allows at most 15 digits
        return 8 <= len(digits) - 1 <= 15
    if _FI_SERVICE.fullmatch(digits):
        return False
    if _FI_MOBILE.fullmatch(digits):
        return 8 <= len(digits) <= 11
    if _FI_LANDLINE.fullmatch(digits):
        return 7 <= len(digits) <= 11
    return _SE_MOBILE.fullmatch(digits) is not None


def _phones(text: str, public: frozenset[str]) -> list[Found]:
    out = []
    for m in _PHONE.finditer(text):
        written = m.group().rstrip(" -\u2010\u2011\u2013")
        if is_personal_phone(written) and phone_digits(written) not in public:
            out.append(Found("phone", m.start(), m.start() + len(written)))
    return out


# ------------------------------------------------------------------ e-mail

_TLDS = "com|net|org|fi|se|ax|ee|no|dk|de|uk|eu|info|io|me|nu|co|biz|edu|gov|ru|fr|it|es|nl"
_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]*\w@\w[\w\-]*(?:\.[\w\-]+)*\.[^\W\d_]{2,24}(?![\w@])",
)
_AT = r"(?:\s*[(\[{<]\s*(?:at|ät|@)\s*[)\]}>]\s*|\s+(?:at|ät|miukumauku|kissanhäntä|snabel-?a)\s+|\s*@\s*)"
_DOT = r"(?:\s*[(\[{<]\s*(?:dot|piste|punkt|\.)\s*[)\]}>]\s*|\s+(?:dot|piste|punkt)\s+|\.)"
_EMAIL_SPELLED = re.compile(
    rf"(?<![\w.+\-])[\w.+\-]*\w{_AT}\w[\w\-]*(?:{_DOT}[\w\-]+)*?{_DOT}(?:{_TLDS})(?![\w@])",
    re.IGNORECASE,
)


_AT_WORD = re.compile(r"\bat\b|ät|miukumauku|kissanhäntä|snabel", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _emails(text: str) -> list[Found]:
    if "@" not in text and _AT_WORD.search(text) is None:
        return []
    out = [Found("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    for m in _EMAIL_SPELLED.finditer(text):
        if not any(f.start <= m.start() < f.end or m.start() <= f.start < m.end() for f in out):
            out.append(Found("email", m.start(), m.end()))
    return out


# ------------------------------------------------------------------ IBAN

_IBAN = re.compile(r"(?<![\w])([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30})(?![\w])", re.IGNORECASE)
# Lengths of the countries people here are likely to write; others only need mod 97.
_IBAN_LENGTHS = {
    "FI": 18, "SE": 24, "NO": 15, "DK": 18, "EE": 20, "DE": 22, "GB": 22, "FR": 27,
    "ES": 24, "IT": 27, "NL": 18, "BE": 16, "AT": 20, "CH": 21, "PL": 28, "LT": 20,
    "LV": 21, "IE": 22, "PT": 25, "AX": 18,
}  # fmt: skip


def valid_iban(written: str) -> bool:
    """Whether ``written`` (spaces allowed) is an IBAN: right length for the country
    where known, 15–34 characters otherwise, and mod 97 equal to 1."""
    compact = written.replace(" ", "").upper()
    if not (15 <= len(compact) <= 34) or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    if not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _ibans(text: str) -> list[Found]:
    out = []
    for m in _IBAN.finditer(text):
        candidate = m.group(1)
        # The run may have swallowed a following word ("FI21 1234 5600 0007 85 kiitos"
        # cannot, letters need no space, but "…85 ok" could); try shorter prefixes.
        while candidate:
            if valid_iban(candidate):
                out.append(Found("iban", m.start(1), m.start(1) + len(candidate)))
                break
            cut = candidate.rfind(" ")
            if cut < 15:
                break
            candidate = candidate[:cut]
    return out


# ------------------------------------------------------------------ street addresses

_STREET_SUFFIX = (
    r"(?:katu|kadu(?:lla|lle|lta|n)|tie|tie(?:llä|lle|ltä|n)|kuja|kuja(?:lla|lle|lta|n)"
    r"|polku|polu(?:lla|lle|lta|n)|väylä|väylä(?:llä|lle|ltä|n)|raitti|raiti(?:lla|lle|lta|n)"
    r"|rinne|rintee(?:llä|lle|ltä|n)|kaari|kaare(?:lla|lle|lta|n)|puistikko|aukio|katu"
    r"|gatan|gata|vägen|väg|gränd|stigen|backen|tie|rant(?:a|a?lla)|mäki|mäe(?:llä|n))"
)
_ADDRESS = re.compile(
    rf"(?<![\w])([^\W\d_]{{1,}}{_STREET_SUFFIX})\s+(\d{{1,3}}(?:[a-zA-Z]|\s[A-Ha-h](?!\s?\d))?"
    r"(?:\s?-\s?\d{1,3})?(?:\s+(?:[A-Ha-h]\s?\d{1,3}|as\.?\s?\d{1,3}|bst\s?\d{1,3}))?)"
    r"(?:,?\s+\d{5}(?:\s+[A-ZÅÄÖ][^\W\d_]+)?)?"
    r"(?![\w%€]|[.,]\d|\s*(?:%|€)|\s+(?:(?:km|m|min|h|v|e|kpl|krt)\b|vuo|kert|euro|astetta"
    r"|prosent|tunti|päiv|viiko|kuukau|luok|henk|kilo|metri|sekun|minuut))",
)
# Compounds that end like streets but are not ("elämäntie 3 vuotta" is caught by the
# unit words above; these are the ones that carry a number in ordinary chat).
_NOT_STREETS = frozenset(
    {"valtatie", "kantatie", "maantie", "moottoritie", "seututie", "elämäntie"}
)


# What every address has: a street's ending, then a number. Searched for first, it
# spares most texts (a nickname such as "Aino 2", a message of times and counts) the
# full pattern, whose leading letters are tried again at every letter: about a
# third of the time where no address is.
_STREET_NUMBER = re.compile(rf"{_STREET_SUFFIX}\s+\d")


def _addresses(text: str) -> list[Found]:
    if _STREET_NUMBER.search(text) is None:
        return []
    out = []
    for m in _ADDRESS.finditer(text):
        street = m.group(1).lower()
        # Short names are Swedish ones of one or two letters ("Ågatan", "Ekvägen"):
        # six letters in all keep out chat words that end like a street.
        if street in _NOT_STREETS or len(street) < 6:
            continue
        out.append(Found("address", m.start(), m.end()))
    return out


# ------------------------------------------------------------------ together


def find(text: str, *, public_numbers: frozenset[str] = frozenset()) -> list[Found]:
    """Spans of personal data in ``text``, sorted and not overlapping.

    ``public_numbers`` are phone numbers (national digits, "0925250111") that belong
    to the organisation and are never masked.
    """
    found: list[Found] = []
    has_digit = _DIGIT.search(text) is not None
    if has_digit:
        found += _hetus(text)
        found += _ibans(text)
    found += _emails(text)
    if has_digit:
        found += _phones(text, public_numbers)
        found += _addresses(text)
    if len(found) < 2:
        return found
    rank = {kind: i for i, kind in enumerate(KINDS)}
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (rank[f.kind], f.start)):
        if all(item.end <= k.start or item.start >= k.end for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda f: f.start)


def mask(text: str, found: list[Found]) -> str:
    """``text`` with every span replaced by its kind's token (spans sorted, disjoint)."""
    if not found:
        return text
    parts: list[str] = []
    position = 0
    for item in found:
        parts.append(text[position : item.start])
        parts.append(TOKENS[item.kind])
        position = item.end
    parts.append(text[position:])
    return "".join(parts)
