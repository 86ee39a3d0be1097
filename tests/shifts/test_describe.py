"""Shift templates in words in each language, and the next dates they make."""

from __future__ import annotations

from datetime import date, time

import pytest

from kuulolla.shifts.describe import describe_rule, describe_template, next_dates
from tests.shifts.make import template


@pytest.mark.parametrize(
    ("rule", "fi", "sv", "en"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "joka tiistai", "varje tisdag", "every Tuesday"),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE,TH",
            "joka maanantai, keskiviikko ja torstai",
            "varje måndag, onsdag och torsdag",
            "every Monday, Wednesday and Thursday",
        ),
        (
            "FREQ=WEEKLY;BYDAY=TH,MO",
            "joka maanantai ja torstai",
            "varje måndag och torsdag",
            "every Monday and Thursday",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            "joka toinen tiistai",
            "varannan tisdag",
            "every other Tuesday",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=SU",
            "joka kolmas sunnuntai",
            "var tredje söndag",
            "every third Sunday",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            "joka toinen viikko maanantaina ja torstaina",
            "varannan vecka på måndag och torsdag",
            "every other week on Monday and Thursday",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=6;BYDAY=FR",
            "6 viikon välein perjantaina",
            "var 6:e vecka på fredag",
            "every 6 weeks on Friday",
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "arkisin (maanantaista perjantaihin)",
            "vardagar (måndag till fredag)",
            "on weekdays (Monday to Friday)",
        ),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "joka päivä", "varje dag", "every day"),
        ("FREQ=DAILY", "joka päivä", "varje dag", "every day"),
        ("FREQ=DAILY;INTERVAL=2", "joka toinen päivä", "varannan dag", "every other day"),
        ("FREQ=DAILY;INTERVAL=10", "10 päivän välein", "var 10:e dag", "every 10 days"),
        (
            "FREQ=MONTHLY;BYDAY=1TU",
            "kuukauden ensimmäinen tiistai",
            "första tisdagen varje månad",
            "the first Tuesday of every month",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            "kuukauden viimeinen perjantai",
            "sista fredagen varje månad",
            "the last Friday of every month",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,15",
            "kuukauden 1. ja 15. päivä",
            "den 1 och 15 varje månad",
            "on day 1 and 15 of every month",
        ),
        ("RRULE:FREQ=WEEKLY;BYDAY=tu", "joka tiistai", "varje tisdag", "every Tuesday"),
    ],
)
def test_rules_in_words(rule: str, fi: str, sv: str, en: str) -> None:
    """The rules the template form makes read as sentences in Finnish, Swedish and English."""
    assert [describe_rule(rule, loc) for loc in ("fi", "sv", "en")] == [fi, sv, en]


def test_weekly_rule_without_days_repeats_the_first_days_weekday() -> None:
    """FREQ=WEEKLY alone repeats the weekday of the template's first day."""
    assert describe_rule("FREQ=WEEKLY", "fi", first=date(2027, 1, 12)) == "joka tiistai"
    assert describe_rule("FREQ=WEEKLY", "fi") is None


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=12",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=2",
        "FREQ=WEEKLY;BYDAY=MO;COUNT=4",
        "FREQ=MONTHLY;BYDAY=5MO",
        "not a rule",
    ],
)
def test_rules_without_words(rule: str) -> None:
    """A rule the words do not cover gets None (the page shows the rule and its dates)."""
    assert describe_rule(rule, "fi") is None


@pytest.mark.parametrize(
    ("kwargs", "fi", "sv", "en"),
    [
        (
            {"rule": "FREQ=WEEKLY;BYDAY=TU", "end": time(20), "needs": {"volunteer": 2}},
            "joka tiistai klo 18–20, 2 vapaaehtoista",
            "varje tisdag kl. 18–20, 2 frivilliga",
            "every Tuesday 18:00–20:00, 2 volunteers",
        ),
        (
            {
                "rule": "FREQ=DAILY",
                "start": time(0),
                "end": time(0),
                "needs": {"volunteer": 1, "professional": 1},
                "skip_holidays": True,
            },
            "joka päivä klo 0–24 (ei arkipyhinä), 1 vapaaehtoinen ja 1 ammattilainen",
            "varje dag kl. 0–24 (inte på helgdagar), 1 frivillig och 1 yrkesperson",
            "every day 00:00–24:00 (not on public holidays), 1 volunteer and 1 professional",
        ),
        (
            {"rule": "FREQ=YEARLY;BYMONTH=12", "start": time(17, 30), "needs": {"professional": 3}},
            "FREQ=YEARLY;BYMONTH=12 klo 17.30–21.00, 3 ammattilaista",
            "FREQ=YEARLY;BYMONTH=12 kl. 17.30–21.00, 3 yrkespersoner",
            "FREQ=YEARLY;BYMONTH=12 17:30–21:00, 3 professionals",
        ),
    ],
)
def test_templates_in_words(kwargs: dict, fi: str, sv: str, en: str) -> None:
    """Rule, times and head counts in one phrase, as the issue's example reads."""
    t = template(**kwargs)
    assert [describe_template(t, loc) for loc in ("fi", "sv", "en")] == [fi, sv, en]


def test_next_dates_skip_cancelled_days_and_holidays() -> None:
    """The preview lists the next dates the template makes shifts on, as the horizon does."""
    t = template(
        rule="FREQ=WEEKLY;BYDAY=TH",
        valid_from=date(2026, 12, 1),
        exceptions=frozenset({date(2026, 12, 10)}),
        skip_holidays=True,
    )
    # 24.12. (Christmas Eve) is a holiday; 31.12. is not one in the Finnish list.
    assert next_dates(t, today=date(2026, 12, 2), count=4) == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
        date(2027, 1, 7),
    ]
