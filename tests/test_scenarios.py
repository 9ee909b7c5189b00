"""Scenario files: pytest collects them (see eligibility.pytest_plugin); here, the rest.

Every scenario also runs through the CLI in both formats; every provision has a scenario
where it applies and one where it does not; every stage date has scenarios the day
before, on and after it, and inside every imprecise window; `scenarios run` reports
failures readably and exits 1; malformed scenario files get one line.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict

import pytest

from eligibility import api
from eligibility.runners.scenario import Expectation, load_scenario, run, scenario_files

from .conftest import PEOPLE, SCENARIOS, one_line_error

FILES = scenario_files(SCENARIOS)
SECTION = {
    "applies": "APPLIES",
    "undetermined": "UNDETERMINED",
    "does_not_apply": "DOES NOT APPLY",
    "not_in_force": "NOT IN FORCE",
}


def _expectations():
    for path in FILES:
        for at in load_scenario(path).data.at:
            for key, expected in at.expect.items():
                yield path, at.on, key, expected if isinstance(expected, Expectation) else Expectation(status=expected)


def test_there_are_scenario_people_and_boundary_files():
    assert len([p for p in FILES if p.parent == SCENARIOS]) >= 12
    assert len([p for p in FILES if p.parent.name == "boundaries"]) >= 15


MARKS = {"applies": "✓", "does_not_apply": "✗", "undetermined": "?", "not_in_force": "○"}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SCENARIOS)) for p in FILES])
def test_scenario_through_the_cli_in_both_formats(cli, path, tmp_path):
    scenario = load_scenario(path)
    if isinstance(scenario.data.profile, dict):
        profile = tmp_path / "inline.json"
        profile.write_text(json.dumps(scenario.data.profile))
    else:
        profile = path.parent / scenario.data.profile
    evidence = ["--evidence", scenario.data.evidence]
    if scenario.data.known_on is not None:
        evidence += ["--known-on", scenario.data.known_on.isoformat()]
    for at in scenario.data.at:
        result = cli("check", profile, "--on", at.on.isoformat(), "--format", "json", *evidence)
        assert result.exit_code == 0, result.stderr
        provisions = {p["id"]: p for p in json.loads(result.stdout)["provisions"]}
        text = cli("check", profile, "--on", at.on.isoformat(), "--details", "--width", "120", *evidence)
        assert text.exit_code == 0, text.stderr
        for key, expected in at.expect.items():
            status = expected if isinstance(expected, str) else expected.status
            provision_id, _, reading = key.partition("@")
            if reading:
                others = provisions[provision_id]["routes"] + provisions[provision_id]["other_readings"]
                (found,) = [r for r in others if r["id"] == reading]
                assert found["status"] == status, (path.stem, at.on, key)
                continue
            assert provisions[provision_id]["status"] == status, (path.stem, at.on, key)
            body = text.stdout.split(f"\n{SECTION[status]} (", 1)[1]
            body = body.split("\n\n\n", 1)[0] if "\n\n\n" in body else body
            assert f"● {provision_id} " in body, (path.stem, at.on, provision_id, SECTION[status])
        summary = cli("check", profile, "--on", at.on.isoformat(), "--width", "80", *evidence)
        assert summary.exit_code == 0, summary.stderr
        for key, expected in at.expect.items():
            if "@" not in key:
                status = expected if isinstance(expected, str) else expected.status
                body = summary.stdout.split(f"\n{SECTION[status]} (", 1)[1]
                body = body.split("\n", 1)[1]
                body = body[
                    : min((body.find(f"\n{h} (") for h in SECTION.values() if f"\n{h} (" in body), default=len(body))
                ]
                assert f"{MARKS[status]} {key}" in body, (path.stem, at.on, key, SECTION[status])


def test_every_provision_has_a_scenario_where_it_applies_and_one_where_it_does_not(rules):
    seen = defaultdict(set)
    for _, _, key, expected in _expectations():
        seen[key].add(expected.status)
        if expected.would_qualify == "yes":
            seen[key].add("would qualify")
    for provision_id, provision in rules.provisions.items():
        assert "does_not_apply" in seen[provision_id], provision_id
        if provision.in_force.unenacted_as_of is not None:
            # No source reports it enacted, so it can never certainly apply: the
            # scenarios show a person who would qualify instead.
            assert "would qualify" in seen[provision_id], provision_id
        else:
            assert "applies" in seen[provision_id], provision_id


def test_every_stage_date_has_scenarios_before_on_after_and_inside_its_window(rules):
    """`rules check` owns the boundary check; the bundled scenarios pass it."""
    from eligibility.runners.checker import check_rules

    report = check_rules(rules.directory, scenarios=SCENARIOS)
    assert not [str(p) for p in report.problems if "expected a scenario testing" in p.message]
    assert report.stubs == {}


def test_boundary_scenarios_assert_reasons_not_only_statuses():
    reasons = [
        e
        for path, _, _, e in _expectations()
        if path.parent.name == "boundaries"
        if e.decided_by is not None or e.failed is not None or e.in_force is not None
    ]
    assert len(reasons) >= 50


# --- reasons are checked ------------------------------------------------------------------------


def _scenario(tmp_path, expect: str, on: str = "2024-08-01", profile: str | None = None) -> str:
    shutil.copy(PEOPLE / "nepali-contract-soldier.json", tmp_path / "ram.json")  # beside it: inside its tree
    profile_line = profile or 'profile = "ram.json"'
    path = tmp_path / "s.toml"
    path.write_text(
        f'title = "t"\n{profile_line}\nstory = "s"\n\n[[at]]\non = "{on}"\nwhy = "w"\n[at.expect]\n{expect}\n'
    )
    return str(path)


@pytest.mark.parametrize(
    "expect, mismatch",
    [
        (
            '"ru.citizenship.contract-service" = { status = "applies", failed = ["foreign-national"] }',
            "failed: expected [foreign-national], got none",
        ),
        (
            '"ru.citizenship.contract-service" = { status = "applies", decided_by = { stage = "signed" } }',
            "decided_by.stage: expected signed, got decree_signed",
        ),
        (
            '"ru.citizenship.contract-service" = '
            '{ status = "applies", decided_by = { source = "uk-intel-2024-08-05" } }',
            "decided_by.source: expected uk-intel-2024-08-05, got [kyiv-independent-2024-01-04]",
        ),
        (
            '"ru.citizenship.contract-service" = { status = "applies", decided_by = { quote = "Jan. 5" } }',
            "decided_by.quote: expected a citation containing 'Jan. 5'",
        ),
        (
            '"ru.citizenship.family-members" = { status = "does_not_apply", missing = ["family"] }',
            "missing: expected [family], got none",
        ),
        (
            '"ru.citizenship.contract-service" = { status = "applies", carried_by = "family[0]" }',
            "carried_by: expected family[0], got none",
        ),
        (
            '"ru.citizenship.contract-service" = { status = "undetermined", in_force = "unknown" }',
            "status: expected undetermined, got applies",
        ),
    ],
)
def test_a_wrong_reason_fails_with_a_readable_diff(cli, tmp_path, expect, mismatch):
    result = cli("scenarios", "run", _scenario(tmp_path, expect), "--width", "200")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert mismatch in result.stdout
    assert "scenario says: w" in result.stdout and "eligibility says:" in result.stdout
    assert "1 expectations in 1 files: 0 passed, 1 failed" in result.stdout


def test_scenarios_run_passes_on_the_bundled_scenarios(cli):
    result = cli("scenarios", "run", SCENARIOS, "--format", "json")
    assert result.exit_code == 0, result.stdout[-2000:]
    data = json.loads(result.stdout)
    unreported = sum(1 for path in FILES for at in load_scenario(path).data.at if at.not_yet_reported is not None)
    assert data["failed"] == 0 and data["passed"] == sum(1 for _ in _expectations()) + unreported


def test_verbose_lists_every_expectation(cli):
    result = cli("scenarios", "run", SCENARIOS / "boundaries" / "ru.contract.stateless.toml", "-v", "--width", "100")
    assert result.exit_code == 0
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("  ✓ ")] == [
        "2024-06-30",
        "2024-07-01",
        "2024-07-31",
        "2024-08-01",
    ]


def test_an_inline_profile_is_judged_like_a_file(evaluator, tmp_path):
    inline = '[profile]\nid = "inline"\ncitizenships = [{ country = "NP" }]\nservice = []'
    path = tmp_path / "s.toml"
    path.write_text(
        f'title = "t"\nstory = "s"\n\n{inline}\n\n[[at]]\non = "2024-08-01"\nwhy = "w"\n'
        '[at.expect]\n"ru.contract.foreign-citizens" = "applies"\n'
        '"ru.citizenship.contract-service" = '
        '{ status = "does_not_apply", failed = ["serving-since-2022", "serving-under-contract"] }\n'
    )
    assert all(o.ok for o in run(load_scenario(path), evaluator))


@pytest.mark.parametrize(
    "body, start",
    [
        (
            'profile = "nowhere.json"\n[[at]]\non = "2024-08-01"\nwhy = "w"\n[at.expect]\n'
            '"ru.contract.stateless" = "applies"',
            "profile: expected a profile file relative to the scenario",
        ),
        (
            '[profile]\ncitizenships = [{ country = "XX" }]\n[[at]]\non = "2024-08-01"\nwhy = "w"\n[at.expect]\n'
            '"ru.contract.stateless" = "applies"',
            "profile.citizenships[0].country: expected an ISO 3166-1",
        ),
        (
            'profile = "{p}"\n[[at]]\non = 2024-08-01\nwhy = "w"\n[at.expect]\n"ru.contract.stateless" = "applies"',
            "at[0].on: expected a quoted string",
        ),
        (
            'profile = "{p}"\n[[at]]\non = "2024-08-01"\nwhy = "w"\n[at.expect]\n"ru.contract.stateles" = "applies"',
            'at[0].expect."ru.contract.stateles": expected a provision id (or id@route, id@reading) from the rule base',
        ),
        (
            'profile = "{p}"\n[[at]]\non = "2024-08-01"\nwhy = "w"\n[at.expect]\n'
            '"ru.contract.stateless" = { status = "applies", failed = ["statless"] }',
            'at[0].expect."ru.contract.stateless".failed[0]: expected a condition id of ru.contract.stateless',
        ),
        (
            'profile = "{p}"\n[[at]]\non = "2024-08-01"\nwhy = "w"\n[at.expect]\n'
            '"ru.contract.stateless" = { status = "applies", decided_by = { stage = "sined" } }',
            "decided_by.stage: expected one of",
        ),
        (
            'profile = "{p}"\n[[at]]\non = "2024-08-01"\nwhy = "w"\n[at.expect]\n"ru.contract.stateless" = "apply"',
            "expected one of",
        ),
    ],
)
def test_malformed_scenario_files_get_one_line(cli, tmp_path, body, start):
    path = tmp_path / "bad.toml"
    shutil.copy(PEOPLE / "stateless-resident.json", tmp_path / "aziz.json")
    path.write_text('title = "t"\nstory = "s"\n' + body.replace("{p}", "aziz.json"))
    result = cli("scenarios", "run", path)
    assert result.exit_code == 2, result.stdout
    line = one_line_error(result)
    assert line.startswith(f"eligibility: {path}: ") and start in line, line


def test_scenarios_run_with_nothing_to_run_is_an_error(cli, tmp_path):
    assert one_line_error(cli("scenarios", "run", tmp_path)).endswith(
        "expected at least one scenario file (*.toml), found none"
    )
    assert cli("scenarios", "run", tmp_path / "missing").exit_code == 2


# --- pytest collects scenario files -----------------------------------------------------------


def test_pytest_collects_each_expectation_and_shows_a_readable_failure(pytester):
    folder = pytester.mkdir("scenarios")
    shutil.copy(PEOPLE / "nepali-contract-soldier.json", folder / "ram.json")
    profile = "ram.json"
    (folder / "ram.toml").write_text(
        f'title = "t"\nprofile = "{profile}"\nstory = "s"\nevidence = "articles"\n\n[[at]]\non = "2024-08-01"\n'
        'why = "the decree"\n[at.expect]\n"ru.citizenship.contract-service" = "applies"\n'
        '"ru.contract.stateless" = { status = "applies", failed = [] }\n'
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "scenarios")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*status: expected applies, got does_not_apply*",
            "*scenario says: the decree*",
            "FAILED scenarios/ram.toml::2024-08-01::ru.contract.stateless*",
        ]
    )


def test_pytest_reports_a_malformed_scenario_file_in_one_line(pytester):
    folder = pytester.mkdir("scenarios")
    (folder / "bad.toml").write_text('title = "t"\n')
    result = pytester.runpytest("-p", "no:cacheprovider", "scenarios")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*eligibility: *bad.toml: profile: required field is missing*"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize("where", ["/etc/passwd", "../../outside.json", "../outside.json"])
def test_a_scenario_profile_outside_the_scenario_folders_is_refused_unread(cli, tmp_path, where):
    folder = tmp_path / "scenarios" / "mine"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside.json"
    outside.write_text('{"secret": "do not echo me"}')
    (tmp_path / "scenarios" / "outside.json").write_text(
        '{"secret": "do not echo me"}'
    ) if where == "../outside.json" else None
    scenario = folder / "s.toml"
    scenario.write_text(
        f'title = "t"\nprofile = "{where}"\nstory = "s"\n[[at]]\non = "2024-08-01"\nwhy = "w"\n'
        '[at.expect]\n"ru.contract.stateless" = "applies"\n'
    )
    result = cli("scenarios", "run", scenario)
    if where == "../outside.json":  # inside the scenarios folder: read as a profile, and refused as one
        assert result.exit_code == 2 and "secret: unknown field" in one_line_error(result)
        return
    assert result.exit_code == 2
    line = one_line_error(result)
    assert "(the scenario's folder tree)" in line and "lies outside it" in line and "do not echo" not in line


def _known_on(tmp_path, body: str, known_on: str = 'known_on = "2026-03-08"\n') -> str:
    shutil.copy(PEOPLE / "nepali-contract-soldier.json", tmp_path / "ram.json")
    path = tmp_path / "k.toml"
    path.write_text(
        f'title = "t"\nprofile = "ram.json"\nstory = "s"\n{known_on}\n[[at]]\non = "2026-03-20"\nwhy = "w"\n{body}'
    )
    return str(path)


def test_a_scenario_asserts_what_was_not_yet_reported_on_its_known_on_day(cli, tmp_path):
    # Only the article of 2026-03-09 reports the extradition law (and dates the contract rules):
    # what was not yet reported on 2026-03-08 is read from the rule base, not pinned here.
    unreported = sorted(api.rule_base(known_on="2026-03-08").unreported)
    assert "ru.extradition.contract-soldiers" in unreported
    right = "[" + ", ".join(f'"{p}"' for p in unreported) + "]"
    result = cli("scenarios", "run", _known_on(tmp_path, f"not_yet_reported = {right}\n"))
    assert result.exit_code == 0 and "1 expectations in 1 files: 1 passed" in result.stdout, result.stdout
    result = cli("scenarios", "run", _known_on(tmp_path, "not_yet_reported = []\n"), "--width", "200")
    assert result.exit_code == 1
    assert f"not_yet_reported: expected none, got [{', '.join(unreported)}]" in result.stdout


def test_expecting_a_provision_not_yet_reported_is_a_one_line_error(cli, tmp_path):
    body = '[at.expect]\n"ru.extradition.contract-soldiers" = "applies"\n'
    result = cli("scenarios", "run", _known_on(tmp_path, body))
    assert result.exit_code == 2
    message = one_line_error(result)
    assert 'at[0].expect."ru.extradition.contract-soldiers"' in message
    assert "first reported 2026-03-09 (list it under not_yet_reported instead)" in message


def test_not_yet_reported_needs_a_known_on_day(cli, tmp_path):
    result = cli("scenarios", "run", _known_on(tmp_path, "not_yet_reported = []\n", known_on=""))
    assert result.exit_code == 2 and "expected not_yet_reported only in a file with known_on" in one_line_error(result)
