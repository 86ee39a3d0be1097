"""Numbers and dates from addresses (web/params.py): ids in paths, values in queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from starlette.requests import Request

from kuulolla.web.params import (
    ID_PATTERN,
    MAX_ID,
    BadParameter,
    parse_date,
    parse_month,
    query_date,
    query_int,
    query_month,
)

ID = re.compile(f"(?:{ID_PATTERN})")


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("1", True),
        ("42", True),
        ("999999999", True),
        ("1999999999", True),
        ("2147483647", True),
        ("2147483648", False),
        ("2147483650", False),
        ("9223372036854775808", False),
        ("0", False),
        ("007", False),
        ("-1", False),
        ("1e3", False),
        ("١٢", False),  # Arabic-Indic digits
    ],
)
def test_path_ids_are_database_integers(text: str, matches: bool) -> None:
    """The ``id`` convertor matches 1 … 2^31 − 1 written plainly, nothing else."""
    assert bool(ID.fullmatch(text)) is matches


def test_every_id_up_to_the_limit_and_none_beyond() -> None:
    """Around each power of ten and the limit, exactly the ids up to MAX_ID match."""
    edges = {10**k + d for k in range(11) for d in (-1, 0, 1)} | {MAX_ID + d for d in range(-3, 4)}
    for n in sorted(edges):
        assert bool(ID.fullmatch(str(n))) is (1 <= n <= MAX_ID), n


def request(query: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": query.encode(),
            "headers": [],
        }
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", 7), ("n=", 7), ("n=0", 0), ("n=12", 12), ("n=%2012%20", 12), ("n=100", 100)],
)
def test_query_int_in_range(query: str, expected: int) -> None:
    """Absent or empty gives the default; digits in range give the number."""
    assert query_int(request(query), "n", default=7, hi=100) == expected


@pytest.mark.parametrize("value", ["101", "-1", "1.5", "x", "9" * 30, "²", "1_0"])
def test_query_int_out_of_range_is_a_bad_parameter(value: str) -> None:
    """Anything else is a translated 400 naming the parameter."""
    with pytest.raises(BadParameter) as info:
        query_int(request(f"n={value}"), "n", hi=100)
    assert info.value.status == 400 and info.value.params == {"name": "n"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", date(2026, 3, 2)),
        ("2000-01-01", date(2000, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
        ("9999-12-31", None),
        ("0001-01-01", None),
        ("2026-02-30", None),
        ("20260302", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_between_2000_and_2100(text: str | None, expected: date | None) -> None:
    """A date is YYYY-MM-DD within 2000–2100."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", (2026, 3)),
        ("2026-3", (2026, 3)),
        ("9999-12", None),
        ("2026-13", None),
        ("2026-00", None),
        ("26-03", None),
        ("2026", None),
        ("2026-03-01", None),
    ],
)
def test_months_between_2000_and_2100(text: str, expected: tuple[int, int] | None) -> None:
    """A month is YYYY-MM within 2000–2100."""
    assert parse_month(text) == expected


def test_query_dates_and_months_refuse_what_they_cannot_use() -> None:
    """Absent is None; unusable is a 400."""
    assert query_date(request(""), "week") is None
    assert query_month(request("month=2026-05"), "month") == (2026, 5)
    with pytest.raises(BadParameter):
        query_date(request("week=9999-12-31"), "week")
    with pytest.raises(BadParameter):
        query_month(request("month=9999-12"), "month")
