"""No code reaches a reader: every category, moderation action and answer recorded in
the statistics is written in words on the page and in every CSV file, in Finnish and
Swedish; numbers in CSV are numbers, and text cells stay defused against formulas."""

from __future__ import annotations

import re
from html import unescape

from kuulolla.core import events
from kuulolla.core.events import SPECS, Kind
from kuulolla.reports.export import table_csv
from kuulolla.reports.logic import cell
from kuulolla.reports.tables import Figure, Table, csv_value
from tests.accounts.conftest import Env, sign_in
from tests.helpers import NOW
from tests.reports.test_routes import csv_rows

ORG = "alfa"
# The codes moderators' actions are recorded with (moderation/service.py: audit).
MODERATION_CODES = (
    "redact",
    "mute",
    "remove",
    "ban",
    "lift",
    "approve",
    "reject",
    "report_action",
    "report_dismissed",
)
UNKNOWN = "shadow_ban"  # recorded by a newer version, say
TABLES = (
    "summary",
    "trend",
    "rooms",
    "topics",
    "questions",
    "moderation",
    "crisis",
    "feedback",
    "helped",
    "people",
)


def seed_every_label(e: Env) -> set[str]:
    """Five events of every kind with each of its labels; returns the labels."""
    org_id = e.world.orgs[ORG]
    rows = []
    labels: set[str] = set()
    for kind, spec in SPECS.items():
        if spec.staff:
            continue
        codes = list(spec.labels) if spec.labels is not None else [*MODERATION_CODES, UNKNOWN]
        for label in codes:
            labels.add(label)
            value = {"none": None, "seconds": 60.0, "score": 4.0, "hours": 2.0}[spec.value]
            # A valued event is one event; five of them make a count that is shown.
            for _ in range(1 if value is None else 5):
                rows.append(
                    events.row(
                        kind,
                        organisation_id=org_id,
                        at=NOW,
                        label=label,
                        value=value,
                        count=5 if value is None else 1,
                    )
                )
    e.db(lambda db: events.write(db, rows))
    return {label for label in labels if label}


def cells_of(html: str) -> list[str]:
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", "", c)).split())
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, flags=re.S)
    ]


def test_no_code_on_the_page_or_in_any_csv(env: Env) -> None:
    """Every label is in words in fi and sv; an unknown code is "other", never itself."""
    codes = seed_every_label(env) | {str(k) for k in Kind}
    sign_in(env.client, f"coordinator-{ORG}")
    for locale in ("fi", "sv"):
        page = env.client.get(f"/orgs/{ORG}/reports?period=2026-01&lang={locale}").text
        shown = cells_of(page)
        assert len(shown) > 100
        assert codes & set(shown) == set(), locale
        for table in TABLES:
            response = env.client.get(f"/orgs/{ORG}/reports.csv?period=2026-01&table={table}")
            written = {c for row in csv_rows(response) for c in row}
            assert codes & written == set(), (locale, table)
    page = env.client.get(f"/orgs/{ORG}/reports?period=2026-01&lang=fi").text
    assert {"Hiljennykset", "Poistetut viestit", "Kyllä, auttoi"} <= set(cells_of(page))
    assert "Muu tai poistettu" in cells_of(page)


def test_csv_numbers_are_numbers_and_text_is_defused() -> None:
    """A change of +1 008 % is the number 1008 under "Muutos, %"; −12 % is −12 with no
    apostrophe; a share is 45 (per cent, as the page rounds it); a text cell that looks like a formula is defused."""
    assert csv_value(Figure(10.08, "change"), "fi") == 1008
    assert csv_value(Figure(-0.12, "change"), "fi") == -12
    assert csv_value(Figure(0.452, "percent"), "en") == 45
    assert csv_value(Figure(150.0, "minutes"), "fi") == "2,5"
    assert csv_value(Figure(None, "percent"), "fi") == ""
    assert csv_value(cell(1008, threshold=5), "fi") == 1008
    assert csv_value(cell(3, threshold=5), "sv") == "under 5"
    table = Table(
        "t",
        "T",
        ["Nimi", "Muutos"],
        [['=HYPERLINK("x")', Figure(10.08, "change")], ["+35840", Figure(-0.12, "change")]],
        csv_columns=["Nimi", "Muutos, %"],
    )
    text = table_csv(table, locale="fi")
    assert text == '\ufeffNimi;Muutos, %\r\n"\'=HYPERLINK(""x"")";1008\r\n\'+35840;-12\r\n'
