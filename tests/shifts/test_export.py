"""Hours per person and per room, and their CSV for Finnish spreadsheets."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from kuulolla.shifts.export import (
    BOM,
    PERSON_HEADER,
    TARGET_HEADER,
    HoursRow,
    decimal_comma,
    hours_by_person,
    hours_by_target,
    hours_csv,
    worked,
)
from kuulolla.shifts.values import Target, wall_to_utc
from tests.shifts.make import ROOM, TOPIC, assign, hki, shift

S = shift(1, hki(2026, 5, 6, 18))  # 3 h


@pytest.mark.parametrize(
    ("changes", "start", "end", "checked"),
    [
        ({}, hki(2026, 5, 6, 18), hki(2026, 5, 6, 21), False),
        (
            {"checked_in": hki(2026, 5, 6, 17, 50), "checked_out": hki(2026, 5, 6, 21, 5)},
            hki(2026, 5, 6, 17, 50),
            hki(2026, 5, 6, 21, 5),
            True,
        ),
        (
            {"checked_in": hki(2026, 5, 6, 18, 20)},
            hki(2026, 5, 6, 18, 20),
            hki(2026, 5, 6, 21),
            True,
        ),
        (
            {"checked_in": hki(2026, 5, 6, 18), "checked_out": hki(2026, 5, 6, 19, 30)},
            hki(2026, 5, 6, 18),
            hki(2026, 5, 6, 19, 30),
            True,
        ),
    ],
)
def test_worked_time(changes, start, end, checked: bool) -> None:
    """Checked-in time counts when there is a check-in, else the scheduled time."""
    w = worked(replace(assign(S, 10), **changes))
    assert (w.start, w.end, w.checked) == (start, end, checked)


def test_hours_by_person_and_target() -> None:
    """Totals per person and per room or topic cover shifts starting in the period, cancelled left out."""
    night = shift(
        2, wall_to_utc(date(2026, 10, 24), time(22)), end=wall_to_utc(date(2026, 10, 25), time(6))
    )
    chat = shift(3, hki(2026, 10, 20, 10), 2, target=TOPIC)
    items = [
        assign(night, 10),
        assign(night, 11, checked_in=hki(2026, 10, 24, 22, 30)),
        assign(chat, 10),
        assign(shift(4, hki(2026, 10, 21, 10), cancelled=True), 10),
        assign(shift(5, hki(2026, 11, 1, 10)), 10),  # outside the period
    ]
    start, end = hki(2026, 10, 1), hki(2026, 11, 1)
    people = {r.key: (r.shifts, r.time) for r in hours_by_person(items, start=start, end=end)}
    assert people == {10: (2, timedelta(hours=11)), 11: (1, timedelta(hours=8, minutes=30))}
    rooms = {r.key: (r.shifts, r.time) for r in hours_by_target(items, start=start, end=end)}
    assert rooms == {ROOM: (1, timedelta(hours=17, minutes=30)), TOPIC: (1, timedelta(hours=2))}


def test_person_csv_in_finnish() -> None:
    """The CSV has a BOM, `;` separators, decimal commas, CRLF and a Finnish header, sorted by name."""
    rows = [
        HoursRow(1, 3, timedelta(hours=9, minutes=30)),
        HoursRow(2, 1, timedelta(hours=3)),
        HoursRow(3, 2, timedelta(minutes=20)),
    ]
    names = {1: "Öhman, Sini", 2: "aalto; Aino", 3: 'Eero "Eki" Ek'}
    text = hours_csv(rows, names=names, header=PERSON_HEADER, locale="fi")
    assert text == (
        BOM + "Nimi;Vuorot;Tunnit\r\n"
        '"aalto; Aino";1;3,00\r\n'
        '"Eero ""Eki"" Ek";2;0,33\r\n'
        "Öhman, Sini;3;9,50\r\n"
    )
    parsed = list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))
    assert parsed[1] == ["aalto; Aino", "1", "3,00"]


def test_target_csv_header_follows_locale() -> None:
    """The header is in the reader's language; the number format stays Finnish."""
    rows = [HoursRow(Target("room", 1), 4, timedelta(hours=12.25))]
    text = hours_csv(
        rows, names={Target("room", 1): "Nuorten ilta"}, header=TARGET_HEADER, locale="sv"
    )
    assert text == BOM + "Rum eller kö;Pass;Timmar\r\nNuorten ilta;4;12,25\r\n"
    text = hours_csv(rows, names={}, header=TARGET_HEADER, locale="en")
    assert text == BOM + "Room or queue;Shifts;Hours\r\n#room-1;4;12,25\r\n"


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_defuses_formulas(name: str) -> None:
    """A name a spreadsheet would run as a formula gets a leading apostrophe."""
    text = hours_csv(
        [HoursRow(1, 1, timedelta(hours=1))], names={1: name}, header=PERSON_HEADER, locale="fi"
    )
    row = next(iter(csv.reader(io.StringIO(text.splitlines()[1]), delimiter=";")))
    assert row[0] == "'" + name


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0,00"), (3.5, "3,50"), (1 / 3, "0,33"), (1234.5, "1234,50")]
)
def test_decimal_comma(value: float, text: str) -> None:
    """Hours have two decimals and a comma, with no thousands separator."""
    assert decimal_comma(value) == text
