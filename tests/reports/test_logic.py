"""Periods, small-count suppression, totals and derived figures, as tables of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kuulolla.reports.logic import (
    Count,
    Grid,
    Period,
    PeriodInvalid,
    cell,
    change,
    median,
    month_of,
    percentile,
    share,
    total,
)

TODAY = date(2026, 11, 23)

# ------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2026", Period(2026)),
        ("2026-Q1", Period(2026, "quarter", 1)),
        ("2025-12", Period(2025, "month", 12)),
        (" 2024-03 ", Period(2024, "month", 3)),
    ],
)
def test_periods_parse(text: str, period: Period) -> None:
    """Years, quarters and months parse from their keys."""
    assert Period.parse(text, today=TODAY) == period
    assert Period.parse(period.key, today=TODAY) == period


@pytest.mark.parametrize(
    "text",
    [
        "",
        "26",
        "2026-13",
        "2026-Q5",
        "2026-00",
        "2019",
        "2027",
        "2026-1",
        "x" * 100,
        "2026-01-01",
        "2026-W03",
    ],
)
def test_bad_periods_are_refused(text: str) -> None:
    """Anything but a whole year, quarter or month from 2020 to this year is refused."""
    with pytest.raises(PeriodInvalid):
        Period.parse(text, today=TODAY)


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period(2026), Period(2025)),
        (Period(2026, "quarter", 1), Period(2025, "quarter", 4)),
        (Period(2026, "quarter", 3), Period(2026, "quarter", 2)),
        (Period(2026, "month", 1), Period(2025, "month", 12)),
        (Period(2026, "month", 7), Period(2026, "month", 6)),
    ],
)
def test_previous_period(period: Period, previous: Period) -> None:
    """The previous period is the one of the same kind just before."""
    assert period.previous() == previous


def test_periods_are_helsinki_months() -> None:
    """A period runs from Helsinki midnight on the first to Helsinki midnight after it."""
    q1 = Period(2026, "quarter", 1)
    assert q1.months() == [(2026, 1), (2026, 2), (2026, 3)]
    assert q1.start == datetime(2025, 12, 31, 22, 0, tzinfo=UTC)  # EET, UTC+2
    assert q1.end == datetime(2026, 3, 31, 21, 0, tzinfo=UTC)  # EEST from 29 March
    assert month_of(datetime(2026, 3, 31, 21, 30, tzinfo=UTC)) == (2026, 4)
    assert month_of(datetime(2026, 3, 31, 20, 59, tzinfo=UTC)) == (2026, 3)


def test_trailing_months_cross_the_year() -> None:
    """A trend chart covers the twelve months ending with the period."""
    months = Period(2026, "quarter", 1).trailing_months()
    assert months[0] == (2025, 4) and months[-1] == (2026, 3) and len(months) == 12


# ------------------------------------------------------------------ suppression


@pytest.mark.parametrize(
    ("n", "threshold", "shown"),
    [
        (0, 5, "0"),
        (1, 5, "alle 5"),
        (4, 5, "alle 5"),
        (5, 5, "5"),
        (120, 5, "120"),
        (1234, 5, "1\xa0234"),
        (9, 10, "alle 10"),
        (10, 10, "10"),
    ],
)
def test_cells_below_the_threshold_are_hidden(n: int, threshold: int, shown: str) -> None:
    """A count from 1 to threshold − 1 is "alle N" ("fewer than N"); others as they are."""
    assert cell(n, threshold=threshold).text("fi") == shown


def test_hidden_counts_in_each_language() -> None:
    """The words of a hidden count and of an estimate are the reader's."""
    hidden = cell(3, threshold=5)
    estimate = total([cell(426, threshold=5), hidden], threshold=5)
    assert [hidden.text(loc) for loc in ("fi", "sv", "en")] == ["alle 5", "under 5", "fewer than 5"]
    assert [estimate.text(loc) for loc in ("fi", "sv", "en")] == [
        "noin 430",
        "cirka 430",
        "about 430",
    ]


@pytest.mark.parametrize(
    ("cells", "shown", "exact"),
    [
        ([7, 8, 0], "15", True),
        ([7, 3, 8], "noin 20", False),  # 15 visible + one hidden taken as 2.5
        ([3], "alle 5", False),
        ([3, 2], "alle 9", False),  # an estimate under ten: at most 4 + 4
        ([0, 0], "0", True),
        ([4, 0, 4, 4], "alle 13", False),
        ([7, 2], "alle 12", False),  # 7 visible, one hidden: an estimate under ten
        ([5, 1, 0], "alle 10", False),
        ([426, 2], "noin 430", False),
        ([1] * 37, "noin 90", False),  # was "< 149": 37 hidden cells, about 92.5
        ([1200, 4, 4, 4, 4], "noin 1\xa0200", False),
    ],
)
def test_totals_never_include_hidden_cells(cells: list[int], shown: str, exact: bool) -> None:
    """A total is exact only over exact cells; otherwise it is an estimate from the
    visible sum and the number of hidden cells, rounded to two digits."""
    result = total((cell(n, threshold=5) for n in cells), threshold=5)
    assert (result.text("fi"), result.exact) == (shown, exact)


def test_totals_of_partial_totals_stay_estimates() -> None:
    """A sum over an estimate is an estimate, counting the hidden cells inside it."""
    inner = total([cell(3, threshold=5), cell(6, threshold=5)], threshold=5)
    outer = total([inner, cell(10, threshold=5)], threshold=5)
    assert (outer.hidden, outer.text("fi")) == (1, "noin 20")


def grid(a_feb: int = 3, b_jan: int = 2) -> Grid:
    # Room "a": Jan 10, Feb a_feb, Mar 6; room "b": Jan b_jan, Feb 0, Mar 9.
    raw = {
        ("visits", "a", (2026, 1)): 10,
        ("visits", "a", (2026, 2)): a_feb,
        ("visits", "a", (2026, 3)): 6,
        ("visits", "b", (2026, 1)): b_jan,
        ("visits", "b", (2026, 3)): 9,
    }
    return Grid(raw, threshold=5)


def everything_published(g: Grid) -> dict[str, str]:
    """Everything any view shows about 'visits': cells, totals per member and over all
    members, over every run of months (month, quarter and in between)."""
    months = [(2026, m) for m in (1, 2, 3)]
    out: dict[str, str] = {}
    for member in ("a", "b"):
        for ym in months:
            out[f"{member}{ym}"] = g.cell("visits", member, ym).text("fi")
    for i in range(3):
        for j in range(i + 1, 4):
            run = months[i:j]
            out[f"all{run}"] = g.sum("visits", run).text("fi")
            for member in ("a", "b"):
                out[f"{member}{run}"] = g.sum("visits", run, members=[member]).text("fi")
    return out


def test_no_join_of_published_figures_gives_back_a_hidden_cell() -> None:
    """Differencing attack: whatever the hidden counts are (1–4), every published figure
    is the same, so no sum or difference of them can recover a hidden count."""
    views = {
        tuple(sorted(everything_published(grid(a, b)).items()))
        for a in range(1, 5)
        for b in range(1, 5)
    }
    assert len(views) == 1
    shown = everything_published(grid())
    assert shown["a(2026, 2)"] == "alle 5" and shown["b(2026, 1)"] == "alle 5"
    assert shown["all[(2026, 1), (2026, 2), (2026, 3)]"] == "noin 30"
    assert shown["a[(2026, 1), (2026, 2)]"] == "noin 10"
    assert shown["b[(2026, 2), (2026, 3)]"] == "9"


def test_quarter_and_month_views_agree() -> None:
    """A quarter's total equals the total of its months in every view (the same cells)."""
    g = grid()
    q1 = Period(2026, "quarter", 1)
    by_month = [g.sum("visits", [m]) for m in q1.months()]
    assert g.sum("visits", q1.months()) == total(by_month, threshold=5)


def test_grid_threshold_must_be_positive() -> None:
    """A threshold below one would hide nothing and is refused."""
    with pytest.raises(ValueError):
        Grid({}, threshold=0)


# ------------------------------------------------------------------ derived figures


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (Count(30), Count(40), 0.75),
        (Count(0), Count(40), 0.0),
        (Count(3), Count(4), None),  # too few attempts
        (Count(0, small=True, limit=5), Count(40), None),
        (Count(30), Count(40, partial=True), None),
    ],
)
def test_shares_need_exact_counts(part: Count, whole: Count, expected: float | None) -> None:
    """A share is shown only from exact counts over at least threshold events."""
    assert share(part, whole, threshold=5) == expected


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (Count(120), Count(100), 0.2),
        (Count(50), Count(100), -0.5),
        (Count(10), Count(0), None),
        (Count(10, partial=True), Count(8), None),
        (Count(10), Count(0, small=True, limit=5), None),
    ],
)
def test_trends_against_the_previous_period(
    current: Count, previous: Count, expected: float | None
) -> None:
    """The change is relative to the previous period, and only between exact counts."""
    result = change(current, previous)
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("values", "med", "p90"),
    [
        ([10, 20, 30, 40, 50], 30.0, 50.0),
        ([float(s) for s in range(1, 101)], 50.5, 90.0),
        ([5, 5, 5, 5, 600], 5.0, 600.0),
        ([1, 2, 3, 4], None, None),  # fewer than the threshold
        ([], None, None),
    ],
)
def test_median_and_90th_percentile_wait(
    values: list[float], med: float | None, p90: float | None
) -> None:
    """Median and nearest-rank 90th percentile, shown only over at least threshold waits."""
    assert median(values, threshold=5) == med
    assert percentile(values, 90, threshold=5) == p90


def test_trend_charts_stop_at_this_month() -> None:
    """This year's trend ends with the current month, not with empty future months."""
    months = Period(2026).trailing_months(today=date(2026, 11, 23))
    assert months[0] == (2025, 12) and months[-1] == (2026, 11)
    assert Period(2025).trailing_months(today=date(2026, 11, 23))[-1] == (2025, 12)
