"""Profiles as imprecise as real life: a month (2023-08), a year (2025) or a window
(2023-08-01..2023-09-15) wherever a profile takes a date.  Nothing is rounded to a day: a
condition the range straddles is undetermined, of the kind "a date the profile gives
imprecisely", and the timeline shows the days on which the imprecision matters.  The scenario
files indian-recruit-august, cuban-discharged-2025 and georgian-arrived-2024 show each form."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from eligibility import check, parse_profile
from eligibility.cli import app
from eligibility.exploring.over_time import timeline

from .strategies import QUERY, blur, people
from .test_properties import statuses

SCENARIOS = __import__("pathlib").Path(__file__).parent.parent / "scenarios"
RAVI = SCENARIOS / "people" / "indian-recruit-august.json"


@given(data=people, day=QUERY, choice=st.data())
def test_learning_the_exact_day_never_overturns_an_answer(evaluator, data, day, choice):
    """A profile whose dates are ranges holding the true days answers as the exact profile does,
    or is undetermined: never the other definite answer."""
    vague = choice.draw(blur(data))
    exact, blurred = statuses(evaluator, data, day), statuses(evaluator, vague, day)
    for key, status in blurred.items():
        if status != "undetermined":
            assert exact[key] == status, (key, day, status, exact[key], vague)


@given(data=people, day=QUERY, choice=st.data())
def test_a_vague_profile_is_still_piecewise_constant_between_change_points(evaluator, data, day, choice):
    """The timeline's periods start at the change points, the first and last day of every range
    included: any day inside a period answers as the period says."""
    vague = choice.draw(blur(data))
    result = timeline(evaluator, parse_profile(vague, "generated"), date(2021, 1, 1), date(2027, 12, 31))
    found = statuses(evaluator, vague, day)
    for provision in result.provisions:
        assert result.status_on(provision.id, day) == found[provision.id], (provision.id, day)


def test_a_month_is_unknown_inside_it_and_settled_after_it():
    report = check(RAVI, "2023-08-15")
    army = report.provision("ru.citizenship.army-2022")
    assert army.status == "undetermined"
    assert [u.kind for u in army.unknowns] == ["imprecise_profile_date"]
    assert "start 2023-08" in army.unknowns[0].detail
    assert check(RAVI, "2023-07-31").status("ru.citizenship.army-2022") == "does_not_apply"
    assert check(RAVI, "2023-08-31").status("ru.citizenship.army-2022") == "applies"


def test_a_year_and_a_window_are_read_as_ranges():
    year = {
        "citizenships": [{"country": "NP", "acquired": "birth"}],
        "service": [{"country": "RU", "force": "armed_forces", "kind": "contract", "start": "2024"}],
    }
    assert check(year, "2024-06-01").status("ru.citizenship.contract-service") == "undetermined"
    assert check(year, "2025-01-01").status("ru.citizenship.contract-service") == "applies"
    window = {
        "citizenships": [{"country": "GE"}],
        "residences": [{"country": "UA", "status": "temporary", "since": "2024-02-10..2024-03-05"}],
        "criminal_record": {"convicted": False, "under_investigation": False},
    }
    assert check(window, "2024-03-05").status("ua.national-guard.foreign-residents") == "applies"
    assert check(window, "2024-03-04").status("ua.national-guard.foreign-residents") == "undetermined"


def test_months_of_service_counted_from_an_imprecise_start():
    """Three months from "some day of August" are complete by the last of November at the latest."""
    conscript = {
        "citizenships": [{"country": "RU", "acquired": "birth"}],
        "service": [{"country": "RU", "force": "armed_forces", "kind": "conscription", "start": "2023-08"}],
    }
    on = {
        day: check(conscript, day).status("ru.contract.after-conscript-service")
        for day in ("2023-10-31", "2023-11-15", "2023-11-30")
    }
    assert on == {"2023-10-31": "does_not_apply", "2023-11-15": "undetermined", "2023-11-30": "applies"}


def test_the_profile_keeps_the_date_as_written():
    profile = parse_profile(json.loads(RAVI.read_text()), "ravi")
    assert profile.model_dump(mode="json")["service"][0]["start"] == "2023-08"
    assert profile.service[0].start.precision == "month"


@pytest.mark.parametrize(
    "written, words",
    [
        ("2023-13", "a month YYYY-MM"),
        ("2023-08-10..2023-08-01", "last day comes after its first"),
        ("23-08", "a year YYYY"),
        ("2023-02-30", "exists on the calendar"),
        ("August 2023", "a window YYYY-MM-DD..YYYY-MM-DD"),
    ],
)
def test_a_bad_date_is_one_line_naming_the_field(tmp_path, written, words):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"service": [{"country": "RU", "start": written}]}))
    result = CliRunner().invoke(app, ["check", str(path), "--on", "2024-01-01"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "service[0].start" in line and words in line, line


def test_an_end_that_cannot_follow_the_start_is_refused(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"service": [{"country": "RU", "start": "2024", "end": "2023-12"}]}))
    result = CliRunner().invoke(app, ["check", str(path), "--on", "2024-01-01"])
    assert result.exit_code == 2 and "expected a date on or after start (2024)" in result.output


def test_the_timeline_shows_where_the_imprecision_matters():
    result = CliRunner().invoke(
        app,
        [
            "timeline",
            str(RAVI),
            "--from",
            "2023-06-01",
            "--to",
            "2023-12-31",
            "--provision",
            "ru.citizenship.army-2022",
            "--width",
            "120",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2023-08-01 – 2023-08-30  ▒ undetermined" in result.output
    assert "a date the profile gives imprecisely" in result.output
    assert "starts on some day of 2023-08: unknown from 2023-08-01" in " ".join(result.output.split())


def _service(start: str, end: str) -> dict:
    return {
        "citizenships": [{"country": "CU", "acquired": "birth"}],
        "service": [
            {
                "country": "RU",
                "force": "armed_forces",
                "kind": "contract",
                "start": start,
                "end": end,
                "discharge": "health",
                "combat": True,
            }
        ],
    }


def test_a_service_s_start_and_end_are_read_together():
    """A service ends on or after it starts: an end known to be past settles that it had started,
    a start known to be ahead that it had not ended, and a vague end never reaches before the
    start."""
    # started in March 2022, discharged some day of 2022: it went on after 24 February 2022
    assert check(_service("2022-03", "2022"), "2024-06-01").status("ru.citizenship.discharged-soldiers") == "applies"
    # started some day of 2023, ended 2023-03-10: by June it had certainly started
    started = {
        **_service("2023", "2023-03-10"),
        "service": [{"country": "RU", "kind": "contract", "start": "2023", "end": "2023-03-10"}],
    }
    assert check(started, "2023-06-01").status("ru.citizenship.army-2022") == "applies"
    # started in May 2024, ended some day of 2024: in March it had not started, so not ended
    assert (
        check(_service("2024-05", "2024"), "2024-03-01").status("ru.citizenship.discharged-soldiers")
        == "does_not_apply"
    )
    # and a genuine doubt stays one: a discharge "in 2022" of a service begun in 2021
    genuine = check(_service("2021-06-01", "2022"), "2026-03-01").provision("ru.citizenship.discharged-soldiers")
    assert genuine.status == "undetermined" and "imprecise_profile_date" in {u.kind for u in genuine.unknowns}


def test_many_records_maybe_held_do_not_hide_a_certain_one():
    """A Russian by birth with seven other citizenships from some day of 2024 is not a foreigner on
    2024-06-01, however those dates fall."""
    others = [{"country": c, "since": "2024"} for c in ("NP", "IN", "CU", "GE", "DE", "FR", "IT")]
    person = {
        "citizenships": [{"country": "RU", "acquired": "birth"}, *others],
        "service": [{"country": "RU", "force": "armed_forces", "kind": "contract", "start": "2023-01-01"}],
    }
    assert check(person, "2024-06-01").status("ru.citizenship.contract-service") == "does_not_apply"


def test_a_year_given_as_a_number(tmp_path):
    """--set takes a bare year for a date field as the year; a profile file that writes one as a
    number is told to write it as text."""
    ram = SCENARIOS / "people" / "nepali-contract-soldier.json"
    result = CliRunner().invoke(app, ["what-if", str(ram), "--on", "2024-06-01", "--set", "service[0].start=2024"])
    assert result.exit_code in (0, 1) and "changes: --set 'service[0].start=\"2024\"'" in result.output
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"service": [{"country": "RU", "start": 2023}]}))
    result = CliRunner().invoke(app, ["check", str(path), "--on", "2024-01-01"])
    assert result.exit_code == 2 and 'a year is written as text: "2023"' in result.output


@pytest.mark.parametrize("written", ["٢٠٢٣-٠٨", "2023-08\n", "2023-08-01..2023-08-01"])
def test_only_ascii_dates_and_real_windows(tmp_path, written):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"service": [{"country": "RU", "start": written}]}))
    result = CliRunner().invoke(app, ["check", str(path), "--on", "2024-01-01"])
    assert result.exit_code == 2 and "service[0].start" in result.output
