"""The open-data formats and import planning, without a database."""

from __future__ import annotations

import json

import pytest

from kuulolla.directory import logic, opendata, planning
from tests.directory.samples import TOPICS, fields
from tests.helpers import NOW

ORGS = {"arjen-tuki": 1, "nuorten-kanava": 2}


def record(**changes: object) -> dict[str, object]:
    return opendata.record(organisation="arjen-tuki", fields=fields(**changes), checked_at=NOW)


def stored(**changes: object) -> planning.Stored:
    return planning.Stored(7, "arjen-tuki", fields(**changes), NOW)


def test_json_and_csv_read_back_the_records_they_write() -> None:
    """Exporting and reading back gives the same services, in JSON and in CSV."""
    records = [
        record(),
        record(key="kriisilinja", kind="helpline", areas=["fi"], street="", postal_code="",
               post_office="", phone="+358 9 0000 100", hours_text="24/7", holidays_closed=False,
               crisis=True, names={"fi": "Kriisilinja", "sv": "Krislinjen"}),
    ]  # fmt: skip
    doc = opendata.document(records, licence="CC-BY-4.0", publisher="Kuulolla", generated=NOW)
    for data in (opendata.to_json(doc), opendata.to_csv(records).encode("utf-8")):
        read = opendata.read(data)
        plan = planning.plan(
            read,
            stored=[
                planning.Stored(i, "arjen-tuki", _fields(r), NOW)
                for i, r in enumerate(records, start=1)
            ],
            organisations=ORGS,
            topics=TOPICS,
        )
        assert (plan.creates, plan.updates, plan.problems, plan.unchanged) == ([], [], [], 2)


def _fields(raw: dict[str, object]) -> logic.ServiceFields:
    return logic.check_service(opendata.incoming(raw, 1).given, topics=TOPICS)


def test_the_json_document_names_its_licence() -> None:
    """The document says its format, version and licence with the licence's address."""
    doc = json.loads(
        opendata.to_json(opendata.document([], licence="CC0-1.0", publisher="P", generated=NOW))
    )
    assert doc["format"] == "kuulolla-directory" and doc["version"] == 1
    assert doc["licence"] == {
        "id": "CC0-1.0",
        "name": "Creative Commons Zero 1.0",
        "url": "https://creativecommons.org/publicdomain/zero/1.0/",
    }


def test_csv_cells_that_look_like_formulas_are_defused_and_read_back() -> None:
    """A spreadsheet never runs a cell as a formula, and reading it back undoes the quote."""
    data = opendata.to_csv([record(phone="+358 9 0000 113", summaries={"fi": "=SUM(A1)"})])
    assert ";'+358 9 0000 113;" in data and "'=SUM(A1)" in data
    back = opendata.read(data.encode("utf-8"))[0].given
    assert back.phone == "+358 9 0000 113" and back.summaries["fi"] == "=SUM(A1)"


def test_registry_shaped_records_are_understood() -> None:
    """Plain-string texts (Finnish), a single municipality code, top-level contact fields
    and weekday "days" read as a service."""
    raw = {
        "id": "kahvila",
        "kind": "drop_in",
        "name": "Kahvila",
        "description": "Avoin kahvila.",
        "topics": "loneliness youth",
        "municipality": "91",
        "phone": "09 0000 200",
        "hours": {"slots": [{"days": "mo-fr", "opens": "10:00", "closes": "14:00"}]},
    }
    plan = planning.plan(
        opendata.read(json.dumps([raw]).encode()),
        stored=[],
        organisations=ORGS,
        topics=TOPICS,
        only_organisation="arjen-tuki",
    )
    [created] = plan.creates
    assert created.fields.names == {"fi": "Kahvila"} and created.fields.areas == ("m:091",)
    assert created.fields.topics == ("loneliness", "youth") and created.organisation == "arjen-tuki"


def test_a_plan_says_what_would_change_and_why() -> None:
    """New, changed (naming what changed), unchanged, problems and missing services."""
    incoming = [
        record(),  # unchanged
        record(key="uusi"),  # new
        record(key="muuttuva", phone="09 0000 999"),  # changed
        {"id": "rikki", "organisation": "arjen-tuki", "kind": "party"},  # a problem
        {**record(key="vieras"), "organisation": "tuntematon"},  # unknown organisation
    ]
    plan = planning.plan(
        opendata.read(json.dumps(incoming).encode()),
        stored=[
            stored(),
            planning.Stored(8, "arjen-tuki", fields(key="muuttuva"), NOW),
            planning.Stored(9, "arjen-tuki", fields(key="poistunut"), NOW),
        ],
        organisations=ORGS,
        topics=TOPICS,
    )
    assert [c.fields.key for c in plan.creates] == ["uusi"]
    assert [(c.fields.key, c.changed, c.service_id) for c in plan.updates] == [
        ("muuttuva", ("contact",), 8)
    ]
    assert plan.unchanged == 1
    assert [p.number for p in plan.problems] == [4, 5]
    assert {"kind", "name_fi", "topics"} <= set(plan.problems[0].errors)
    assert list(plan.problems[1].errors) == ["organisation"]
    assert [m.fields.key for m in plan.missing] == ["poistunut"]


def test_an_organisations_file_may_not_touch_another_organisation() -> None:
    """A coordinator's import refuses records of another organisation."""
    plan = planning.plan(
        opendata.read(json.dumps([{**record(), "organisation": "nuorten-kanava"}]).encode()),
        stored=[],
        organisations=ORGS,
        topics=TOPICS,
        only_organisation="arjen-tuki",
    )
    assert (
        plan.creates == [] and plan.problems[0].errors["organisation"].code == "other_organisation"
    )


def test_a_record_twice_is_a_problem() -> None:
    """The same service twice in a file is imported once and reported."""
    plan = planning.plan(
        opendata.read(json.dumps([record(), record()]).encode()),
        stored=[],
        organisations=ORGS,
        topics=TOPICS,
    )
    assert len(plan.creates) == 1 and plan.problems[0].errors["key"].code == "duplicate"


def test_a_newer_check_in_the_file_is_a_change() -> None:
    """A file that says the service was checked later updates the check date."""
    later = {**record(), "checked": "2026-03-01"}
    plan = planning.plan(
        opendata.read(json.dumps([later]).encode()),
        stored=[stored()],
        organisations=ORGS,
        topics=TOPICS,
    )
    assert [c.changed for c in plan.updates] == [("checked",)]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe\x00", b"{not json", b'{"services": 3}', b"[1, 2]", b"nimi;kuvaus\nx;y\n"],
)
def test_files_that_are_no_directory_are_refused(data: bytes) -> None:
    """Broken files, wrong shapes and CSV without the columns are refused as a whole."""
    with pytest.raises(opendata.InvalidFile):
        opendata.read(data)
