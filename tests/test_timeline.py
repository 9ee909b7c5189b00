"""timeline and diff: exact periods, a cause for every change, the same answers as `check`."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

import pytest

from eligibility import load_profile
from eligibility.explaining.causes import change_points, law_causes
from eligibility.explaining.reasons import check
from eligibility.exploring.changes import diff
from eligibility.exploring.over_time import DEFAULT_END, DEFAULT_START, timeline
from eligibility.judging.in_force import route_segments

from .conftest import PEOPLE, one_line_error

ALL_PEOPLE = sorted(PEOPLE.glob("*.json"))
# The people with the most dated facts: a family member's service, a service that ends,
# three months of conscription, a citizenship gained, a residence that begins.
SAMPLE = [
    "nepali-soldier-wife",
    "dual-national-conscript",
    "naturalized-unregistered",
    "cuban-discharged-health",
    "georgian-in-ukraine",
]
EVERY_PERSON = os.environ.get("ELIGIBILITY_EVERY_PERSON") == "1"
DAILY = ALL_PEOPLE if EVERY_PERSON else [PEOPLE / f"{name}.json" for name in SAMPLE]


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("path", DAILY, ids=[p.stem for p in DAILY])
def test_timeline_agrees_with_check_on_every_day_from_2022_to_2026(evaluator, path):
    profile = load_profile(path)
    result = timeline(evaluator, profile, DEFAULT_START, DEFAULT_END)
    periods = {p.id: p.periods for p in result.provisions}
    for day in _days(DEFAULT_START, DEFAULT_END):
        judged = evaluator.judge(profile, day, list(evaluator.rules.provisions))
        text = day.isoformat()
        for provision_id, judgement in judged.items():
            (period,) = [p for p in periods[provision_id] if p.start <= text <= p.end]
            assert period.status == judgement.status, (path.stem, provision_id, text)


@pytest.mark.parametrize("path", ALL_PEOPLE, ids=[p.stem for p in ALL_PEOPLE])
def test_periods_tile_the_range_and_every_new_period_has_a_cause(evaluator, path):
    result = timeline(evaluator, load_profile(path))
    for provision in result.provisions:
        assert provision.periods[0].start == "2022-01-01" and provision.periods[-1].end == "2026-12-31"
        for before, after in zip(provision.periods, provision.periods[1:], strict=False):
            assert date.fromisoformat(before.end) + timedelta(days=1) == date.fromisoformat(after.start)
            assert after.began_with, (path.stem, provision.id, after.start)
            assert all(c.on == after.start for c in after.began_with), (path.stem, provision.id, after.start)


@pytest.mark.parametrize("path", ALL_PEOPLE, ids=[p.stem for p in ALL_PEOPLE])
def test_statuses_are_constant_just_before_and_on_each_change_point(evaluator, path):
    """Judging on the day before and the day of every change point finds no change the timeline misses."""
    profile = load_profile(path)
    result = timeline(evaluator, profile)
    periods = {p.id: p.periods for p in result.provisions}
    days = {c.day for c in change_points(evaluator.rules, profile)}
    probes = {d + timedelta(days=k) for d in days for k in (-1, 0, 1)}
    for day in sorted(d for d in probes if DEFAULT_START <= d <= DEFAULT_END):
        for provision_id, judgement in evaluator.judge(profile, day, list(periods)).items():
            (period,) = [p for p in periods[provision_id] if p.start <= day.isoformat() <= p.end]
            assert period.status == judgement.status, (path.stem, provision_id, day)


def test_law_change_points_are_exactly_the_edges_of_the_compiled_day_ranges(rules):
    """In-force change points are the edges of the engine's day ranges (over every route); the
    other law change points are the edges of a period a condition counts (service during the war)."""
    for item in rules.judged.values():
        edges = {date.fromordinal(first) for first, _, _ in route_segments(item) if first is not None}
        causes = law_causes(item)
        assert {c.day for c in causes if c.stage != "during"} == edges, item.key
        periods = {c.day for c in causes if c.stage == "during"}
        for condition in item.conditions:
            spec = getattr(condition.test, "during", None)
            if spec is not None:
                # a window can change things on its first day and the day after it; a day, on that day
                wanted = {spec.earliest} if spec.exact else {spec.earliest, spec.latest + timedelta(days=1)}
                assert wanted <= periods, item.key


def test_a_window_is_an_undetermined_period_never_a_guessed_day(articles):
    """Jorge joined the army in August 2022; the decree came 'in late September', 21-30 September."""
    result = timeline(
        articles, load_profile(PEOPLE / "cuban-recruit-2022.json"), provisions=["ru.citizenship.army-2022"]
    )
    periods = [(p.start, p.end, p.status) for p in result.provisions[0].periods]
    # He joins on 15 August, before the decree: a new period (he would now qualify), still not in force.
    assert periods == [
        ("2022-01-01", "2022-08-14", "not_in_force"),
        ("2022-08-15", "2022-09-20", "not_in_force"),
        ("2022-09-21", "2022-09-30", "undetermined"),
        ("2022-10-01", "2026-12-31", "applies"),
    ]
    assert result.provisions[0].periods[1].began_with[0].fact == "service[0].start"
    cause = result.provisions[0].periods[2].began_with[0]
    assert cause.kind == "law" and cause.citations[0].source == "moscow-times-2022-11-dual-citizens"
    assert "In late September" in cause.citations[0].quote


def test_a_family_members_change_is_traced_through_the_member(evaluator):
    """Sita's route opens when her husband's does: the 4 January 2024 decree, reached through him."""
    result = timeline(
        evaluator, load_profile(PEOPLE / "nepali-soldier-wife.json"), provisions=["ru.citizenship.family-members"]
    )
    opening = result.provisions[0].periods[1]
    assert (opening.start, opening.status) == ("2024-01-04", "applies")
    through = [c for c in opening.began_with if c.via]
    assert through and through[0].provision == "ru.citizenship.contract-service"
    assert through[0].via.startswith("family[0] (spouse")


def test_three_months_of_conscription_is_a_change_point(evaluator):
    """Alexei was drafted on 10 January 2023; after three months he may sign a contract (R7)."""
    result = timeline(
        evaluator,
        load_profile(PEOPLE / "dual-national-conscript.json"),
        provisions=["ru.contract.after-conscript-service"],
    )
    starts = {p.start: p for p in result.provisions[0].periods}
    assert starts["2023-04-10"].status == "applies"
    assert any("3 months of service" in c.text for c in starts["2023-04-10"].began_with)


# --- diff ----------------------------------------------------------------------------------

PAIRS = [
    (date(2022, 1, 1), date(2024, 8, 1)),
    (date(2023, 12, 1), date(2024, 8, 1)),
    (date(2022, 9, 25), date(2026, 3, 6)),
    (date(2024, 1, 3), date(2024, 1, 4)),
    (date(2022, 11, 13), date(2022, 11, 14)),
    (date(2025, 1, 1), date(2026, 12, 31)),
]


@pytest.mark.parametrize("path", ALL_PEOPLE, ids=[p.stem for p in ALL_PEOPLE])
def test_diff_names_a_cause_for_every_change(evaluator, path):
    profile = load_profile(path)
    for first, last in PAIRS:
        result = diff(evaluator, profile, first, last)
        before = check(evaluator, profile, first).statuses()
        after = check(evaluator, profile, last).statuses()
        assert {c.id for c in result.changed} == {k for k in before if before[k] != after[k]}
        for change in result.changed:
            assert change.causes, (path.stem, first, last, change.id)
            assert all(first.isoformat() < c.on <= last.isoformat() for c in change.causes)
            assert change.path[0].status == change.before and change.path[-1].status == change.after


def test_diff_between_december_2023_and_august_2024_for_ram(evaluator):
    result = diff(evaluator, load_profile(PEOPLE / "nepali-contract-soldier.json"), date(2023, 12, 1), date(2024, 8, 1))
    change = next(c for c in result.changed if c.id == "ru.citizenship.contract-service")
    assert (change.before, change.after) == ("not_in_force", "applies")
    (cause,) = change.causes
    assert (cause.on, cause.stage) == ("2024-01-04", "decree_signed")
    assert cause.citations[0].source == "kyiv-independent-2024-01-04"


def test_diff_names_the_profile_fact_when_the_law_stood_still(evaluator):
    """Alexei's conscription ends on 10 January 2024: R6 (ranks) stops applying because of that fact."""
    result = diff(evaluator, load_profile(PEOPLE / "dual-national-conscript.json"), date(2023, 6, 1), date(2024, 6, 1))
    change = next(c for c in result.changed if c.id == "ru.conscription.dual-national-ranks")
    assert [c.fact for c in change.causes] == ["service[0].end"]
    assert [c.id for c in change.conditions] == ["serving-conscript"]


# --- the commands --------------------------------------------------------------------------


def test_timeline_command_draws_one_strip_row_per_provision(cli, rules):
    result = cli("timeline", PEOPLE / "nepali-contract-soldier.json", "--width", "100")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for provision_id in rules.provisions:
        row = next(line for line in lines if line.startswith(provision_id + " "))
        assert len(row) <= 100 and set(row[len(provision_id) :].strip()) <= set("█▒·─┊")
    assert max(len(line) for line in lines) <= 100


def test_timeline_json_is_the_periods(cli):
    result = cli(
        "timeline",
        PEOPLE / "nepali-contract-soldier.json",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--provision",
        "ru.citizenship.contract-service",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    (provision,) = data["provisions"]
    assert [(p["start"], p["end"], p["status"]) for p in provision["periods"]] == [
        ("2024-01-01", "2024-01-03", "not_in_force"),
        ("2024-01-04", "2024-12-31", "applies"),
    ]


def test_diff_command_text_and_json(cli):
    args = ("diff", PEOPLE / "nepali-contract-soldier.json", "--from", "2023-12-01", "--to", "2024-08-01")
    text = cli(*args, "--width", "90")
    assert text.exit_code == 0, text.stderr
    assert "ru.citizenship.contract-service (grants)  not in force → applies" in text.stdout
    assert "because:" in text.stdout
    data = json.loads(cli(*args, "--format", "json").stdout)
    assert {c["id"] for c in data["changed"]} >= {"ru.citizenship.contract-service"}


@pytest.mark.parametrize(
    "args, field",
    [
        (("timeline", "{p}", "--from", "2024-01-01", "--to", "2023-01-01"), "--to"),
        (("timeline", "{p}", "--from", "2024-02-30"), "--from"),
        (("diff", "{p}", "--from", "2024-01-01", "--to", "01/08/2024"), "--to"),
        (("timeline", "{p}", "--provision", "ru.citizenship.contract"), "--provision"),
    ],
)
def test_bad_options_get_one_line(cli, args, field):
    profile = str(PEOPLE / "nepali-contract-soldier.json")
    result = cli(*[a.replace("{p}", profile) for a in args])
    assert result.exit_code == 2
    assert one_line_error(result).startswith(f"eligibility: {field}: expected")


def test_the_record_dates_the_decree_and_ends_it(evaluator):
    """The record: Decree No. 690 of 30 September 2022, repealed by Decree No. 10 on 4 January 2024."""
    result = timeline(
        evaluator, load_profile(PEOPLE / "cuban-recruit-2022.json"), provisions=["ru.citizenship.army-2022"]
    )
    assert [(p.start, p.end, p.status) for p in result.provisions[0].periods] == [
        ("2022-01-01", "2022-08-14", "not_in_force"),
        ("2022-08-15", "2022-09-29", "not_in_force"),
        ("2022-09-30", "2024-01-03", "applies"),
        ("2024-01-04", "2026-12-31", "not_in_force"),
    ]
