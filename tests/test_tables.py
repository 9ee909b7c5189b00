"""Tables for a paper: CSV wherever the natural shape is a table, the people-by-provisions
table, and rows for data frames from the Python API.  Every table says what the JSON says."""

from __future__ import annotations

import csv
import io
import json

import pytest

import eligibility
from eligibility import InputError, api
from eligibility.explaining.tables import BATCH_COLUMNS, CATALOGUE_COLUMNS, REPORT_COLUMNS, TIMELINE_COLUMNS
from eligibility.runners import synth

from .conftest import PEOPLE, one_line_error

RAM = PEOPLE / "nepali-contract-soldier.json"
AZIZ = PEOPLE / "stateless-resident.json"


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_check_csv_has_a_row_per_provision_with_its_status_and_decider(cli):
    rows = _csv(cli("check", RAM, "--on", "2024-08-01", "--format", "csv").stdout)
    report = json.loads(cli("check", RAM, "--on", "2024-08-01", "--format", "json").stdout)
    assert list(rows[0]) == list(REPORT_COLUMNS)
    assert [(r["id"], r["status"], r["summary"]) for r in rows] == [
        (p["id"], p["status"], p["summary"]) for p in report["provisions"]
    ]
    by_id = {r["id"]: r for r in rows}
    # Decree No. 10 signed 2024-01-04, as The Kyiv Independent reported it that day
    assert (
        by_id["ru.citizenship.contract-service"]["decided_from"],
        by_id["ru.citizenship.contract-service"]["decided_to"],
        by_id["ru.citizenship.contract-service"]["decided_source"],
    ) == ("2024-01-04", "2024-01-04", "kyiv-independent-2024-01-04")
    # a date known only to a window is its first and last day, never text in a date column
    window = by_id["ru.contract.foreign-citizens"]
    assert (window["decided_from"], window["decided_to"]) == ("2003-11-11", "2009-12-31")
    only = _csv(cli("check", RAM, "--on", "2024-08-01", "--format", "csv", "--status", "applies").stdout)
    assert {r["status"] for r in only} == {"applies"}


def test_timeline_csv_has_a_row_per_period(cli):
    args = ("timeline", RAM, "--provision", "ru.contract.stateless")
    rows = _csv(cli(*args, "--format", "csv").stdout)
    timeline = json.loads(cli(*args, "--format", "json").stdout)
    assert list(rows[0]) == list(TIMELINE_COLUMNS)
    periods = timeline["provisions"][0]["periods"]
    assert [(r["start"], r["end"], r["status"]) for r in rows] == [(p["start"], p["end"], p["status"]) for p in periods]
    # the stateless-contract law was signed 2025-07-07 (record.md, R2): a period begins that day
    assert any(r["start"] == "2025-07-07" for r in rows)


def test_rules_list_csv_keeps_dates_as_the_sources_give_them(cli):
    rows = _csv(cli("rules", "list", "--format", "csv").stdout)
    assert list(rows[0]) == list(CATALOGUE_COLUMNS)
    by_id = {r["id"]: r for r in rows}
    assert "2003-11-11..2009-12-31" in by_id["ru.contract.foreign-citizens"]["stages"]


def test_batch_csv_has_a_row_per_profile_date_and_provision(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(12, 2)))
    args = ("batch", people, "--on", "2024-08-01", "--on", "2025-01-01")
    rows = _csv(cli(*args, "--format", "csv").stdout)
    lines = [json.loads(line) for line in cli(*args).stdout.splitlines()]
    assert list(rows[0]) == list(BATCH_COLUMNS)
    expected = [
        (
            str(r["line"]),
            r["profile"],
            r["on"],
            pid,
            status,
            r["would_qualify"][pid],
            "; ".join(r["missing"].get(pid, [])),
        )
        for r in lines
        for pid, status in r["statuses"].items()
    ]
    assert [tuple(row[c] for c in BATCH_COLUMNS) for row in rows] == expected
    assert cli(*args, "--format", "csv", "--jobs", "2").stdout == cli(*args, "--format", "csv").stdout
    assert "--full" in one_line_error(cli(*args, "--format", "csv", "--full"))


def test_the_people_by_provisions_table_in_text_csv_and_markdown(cli):
    args = ("table", RAM, AZIZ, "--on", "2024-08-01")
    rows = _csv(cli(*args, "--format", "csv").stdout)
    assert [r["profile"] for r in rows] == [
        "Ram, Nepali contract soldier",
        "Aziz, stateless permanent resident of Russia",
    ]
    for row, person in zip(rows, (RAM, AZIZ), strict=True):
        assert {k: v for k, v in row.items() if k not in ("profile", "on")} == eligibility.check(
            person, "2024-08-01"
        ).statuses()
    markdown = cli(*args, "--format", "markdown", "--provision", "ru.contract.foreign-citizens").stdout
    assert markdown.splitlines()[0] == "| profile | on | ru.contract.foreign-citizens (grants) |"
    assert "| Ram, Nepali contract soldier | 2024-08-01 | applies |" in markdown
    for width in (60, 80, 160):
        text = cli(*args, "--width", str(width)).stdout
        assert all(len(line) <= width for line in text.splitlines())
        assert "ru.contract.foreign-citizens" in text and "Aziz" in text
    assert "did you mean 'markdown'?" in one_line_error(cli(*args, "--format", "markdwn"))


def test_the_api_covers_timeline_diff_what_if_and_make_apply():
    timeline = api.timeline(RAM, provisions=["ru.contract.stateless"])
    assert timeline.rows()[-1]["start"] == "2025-07-07"
    diff = api.diff(RAM, "2023-12-01", "2025-08-01", provisions="ru.citizenship.contract-service")
    assert [(c.before, c.after) for c in diff.changed] == [("not_in_force", "applies")]
    changed = eligibility.what_if(
        RAM, "2024-08-01", set={"service[0].end": "2024-06-01", "service[0].discharge": "health"}
    )
    # discharged for health on 2024-06-01: Decree No. 10 lists health among the grounds
    assert "ru.citizenship.discharged-soldiers" in [c.id for c in changed.changed]
    found = eligibility.make_apply(RAM, "ru.citizenship.discharged-soldiers", "2024-08-01")
    assert found.provision == "ru.citizenship.discharged-soldiers"
    assert [row["id"] for row in eligibility.check(RAM, "2024-08-01").rows()] == list(
        eligibility.check(RAM, "2024-08-01").statuses()
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: eligibility.status(RAM, "ru.contract.stateles", "2024-08-01"),
        lambda: api.timeline(RAM, provisions=["ru.contract.stateles"]),
        lambda: eligibility.make_apply(RAM, "ru.contract.stateles", "2024-08-01"),
    ],
)
def test_a_mistyped_provision_in_the_api_gets_a_did_you_mean(call):
    with pytest.raises(InputError, match="did you mean 'ru.contract.stateless'"):
        call()


def test_to_frame_needs_pandas_and_says_so():
    report = eligibility.check(RAM, "2024-08-01")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            report.to_frame()
    else:
        frame = report.to_frame()
        assert list(frame.columns) == list(REPORT_COLUMNS) and len(frame) == len(report.provisions)
